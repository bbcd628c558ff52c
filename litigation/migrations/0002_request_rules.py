"""Seed the reply periods of requests to authorities as deadline rules (a copy of litigation.rules.REQUEST_RULES at the
time of writing; the sources and the reading of each law are in that module's docstring).

Existing rows with the same code are left as they are: staff may have edited them in the admin."""
import datetime

from django.db import migrations

RULES = [{'code': 'ru-152fz-access',
  'name': "Reply to a data subject's request (152-FZ)",
  'jurisdiction': 'RU',
  'unit': 'working_days',
  'amount': 10,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'Federal Law No. 152-FZ of 27 July 2006 "On Personal Data", art. 20(1) (as amended by Federal Law '
                 'No. 266-FZ of 14 July 2022)',
  'counting_basis': 'Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a '
                    "non-working day moves to the next working day); non-working days per the Government's "
                    'production calendar',
  'trigger_label': 'the day the operator received the request',
  'valid_from': '2022-09-01',
  'description': 'The operator must tell the data subject whether it processes their personal data and let them see '
                 'it within ten working days of receiving the request (152-FZ art. 20(1); the information listed in '
                 'art. 14(7) likewise, art. 14(3)). A refusal, with its reasons and the provision relied on, is due '
                 'within the same ten working days (art. 20(2)). The period may be extended by at most five working '
                 'days if the operator sends a reasoned notice giving the reasons (art. 20(1)): rule '
                 'ru-152fz-access-extended. Before the 2022 amendments (266-FZ) the period was thirty days.'},
 {'code': 'ru-152fz-access-extended',
  'name': "Reply to a data subject's request, extended with a reasoned notice (152-FZ)",
  'jurisdiction': 'RU',
  'unit': 'working_days',
  'amount': 15,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'Federal Law No. 152-FZ of 27 July 2006 "On Personal Data", art. 20(1), second sentence (ten '
                 'working days extended by at most five)',
  'counting_basis': 'Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a '
                    "non-working day moves to the next working day); non-working days per the Government's "
                    'production calendar',
  'trigger_label': 'the day the operator received the request',
  'valid_from': '2022-09-01',
  'description': 'Ten working days from receipt, extended by at most five working days because the operator sent the '
                 'data subject a reasoned notice of the extension (152-FZ art. 20(1)): fifteen working days from '
                 'receipt in all.'},
 {'code': 'ru-59fz-appeal',
  'name': "Reply to a citizen's written appeal (59-FZ)",
  'jurisdiction': 'RU',
  'unit': 'days',
  'amount': 30,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'Federal Law No. 59-FZ of 2 May 2006 "On the Procedure for Considering Appeals of Citizens of the '
                 'Russian Federation", art. 12(1)',
  'counting_basis': 'Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a '
                    "non-working day moves to the next working day); non-working days per the Government's "
                    'production calendar; the 30 days are calendar days',
  'trigger_label': 'the day the appeal was registered (registration is due within three days of receipt, art. 8(2))',
  'valid_from': None,
  'description': 'A written appeal to a state or municipal body or official is considered within 30 days of its '
                 'registration (59-FZ art. 12(1)); registration is due within three days of receipt (art. 8(2)), so '
                 'if only the date of receipt is known, count from it and allow three days. In exceptional cases, or '
                 'where the body has requested documents from another body (art. 10(2)), its head may extend the '
                 'period by at most 30 days, notifying the citizen (art. 12(2)): rule ru-59fz-appeal-extended.'},
 {'code': 'ru-59fz-appeal-extended',
  'name': "Reply to a citizen's written appeal, extended (59-FZ)",
  'jurisdiction': 'RU',
  'unit': 'days',
  'amount': 60,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'Federal Law No. 59-FZ of 2 May 2006 "On the Procedure for Considering Appeals of Citizens of the '
                 'Russian Federation", art. 12(1)-(2) (30 days extended by at most 30)',
  'counting_basis': 'Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a '
                    "non-working day moves to the next working day); non-working days per the Government's "
                    'production calendar; the days are calendar days',
  'trigger_label': 'the day the appeal was registered',
  'valid_from': None,
  'description': '30 days from registration extended by at most 30 days by the head of the body, who must notify the '
                 'citizen (59-FZ art. 12(2)): 60 days from registration in all.'},
 {'code': 'ru-8fz-information',
  'name': "Reply to a request for information on a state body's activities (8-FZ)",
  'jurisdiction': 'RU',
  'unit': 'days',
  'amount': 30,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'Federal Law No. 8-FZ of 9 February 2009 "On Ensuring Access to Information on the Activities of '
                 'State Bodies and Local Self-Government Bodies", art. 18',
  'counting_basis': 'Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a '
                    "non-working day moves to the next working day); non-working days per the Government's "
                    'production calendar; the days are calendar days',
  'trigger_label': 'the day the request was registered (registration is due within three days of receipt)',
  'valid_from': None,
  'description': 'A request for information is considered within thirty days of its registration, unless the law '
                 'provides otherwise (8-FZ art. 18). If the information cannot be given in that time, the body must '
                 'notify the requester of a postponement within seven days of registration, giving the reason and a '
                 'new date no more than fifteen days beyond the thirty: rule ru-8fz-information-extended.'},
 {'code': 'ru-8fz-information-extended',
  'name': 'Reply to a request for information, postponed with notice (8-FZ)',
  'jurisdiction': 'RU',
  'unit': 'days',
  'amount': 45,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'Federal Law No. 8-FZ of 9 February 2009 "On Ensuring Access to Information on the Activities of '
                 'State Bodies and Local Self-Government Bodies", art. 18 (thirty days postponed by at most fifteen)',
  'counting_basis': 'Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a '
                    "non-working day moves to the next working day); non-working days per the Government's "
                    'production calendar; the days are calendar days',
  'trigger_label': 'the day the request was registered',
  'valid_from': None,
  'description': 'Thirty days from registration, postponed by at most fifteen days because the body notified the '
                 'requester within seven days of registration (8-FZ art. 18): forty-five days in all.'},
 {'code': 'gdpr-access',
  'name': "Reply to a data subject's request (GDPR)",
  'jurisdiction': 'EU',
  'unit': 'months',
  'amount': 1,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'GDPR (Regulation (EU) 2016/679) art. 12(3)',
  'counting_basis': 'Regulation (EEC, Euratom) No 1182/71 art. 3(1) (the day of the event is not counted), art. '
                    '3(2)(c) (a period in months ends on the same date of the last month, or on its last day), art. '
                    '3(4) (an end on a Saturday, Sunday or public holiday moves to the next working day)',
  'trigger_label': 'the day the controller received the request',
  'valid_from': '2018-05-25',
  'description': 'The controller must act on a request under Articles 15 to 22 (access, rectification, erasure, ...) '
                 'without undue delay and in any event within one month of receipt (GDPR art. 12(3)); if it does not '
                 'act, it must say why within the same month (art. 12(4)). The month ends on the same date of the '
                 "next month, or that month's last day (31 January + one month = 28 or 29 February), and moves to "
                 'the next working day from a Saturday, Sunday or public holiday (Regulation 1182/71 art. 3). '
                 'Extendable by two further months: rule gdpr-access-extended.'},
 {'code': 'gdpr-access-extended',
  'name': "Reply to a data subject's request, extended (GDPR)",
  'jurisdiction': 'EU',
  'unit': 'months',
  'amount': 3,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'GDPR (Regulation (EU) 2016/679) art. 12(3), second and third sentences (one month extended by two '
                 'further months)',
  'counting_basis': 'Regulation (EEC, Euratom) No 1182/71 art. 3(1) (the day of the event is not counted), art. '
                    '3(2)(c) (a period in months ends on the same date of the last month, or on its last day), art. '
                    '3(4) (an end on a Saturday, Sunday or public holiday moves to the next working day)',
  'trigger_label': 'the day the controller received the request',
  'valid_from': '2018-05-25',
  'description': 'One month extended by two further months where necessary, taking into account the complexity and '
                 'number of the requests; the controller must inform the data subject of the extension, with the '
                 'reasons, within one month of receipt (GDPR art. 12(3)). Three months from receipt in all.'},
 {'code': 'dpa-complaint',
  'name': 'Complaint to a data-protection authority: progress or outcome (GDPR)',
  'jurisdiction': 'EU',
  'unit': 'months',
  'amount': 3,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'GDPR (Regulation (EU) 2016/679) art. 77 and 78(2)',
  'counting_basis': 'Regulation (EEC, Euratom) No 1182/71 art. 3(1) (the day of the event is not counted), art. '
                    '3(2)(c) (a period in months ends on the same date of the last month, or on its last day), art. '
                    '3(4) (an end on a Saturday, Sunday or public holiday moves to the next working day)',
  'trigger_label': 'the day the complaint was lodged with the authority',
  'valid_from': '2018-05-25',
  'description': 'No period binds a supervisory authority to answer a complaint, but a data subject may go to court '
                 'where the competent authority does not handle the complaint or does not inform them within three '
                 'months on its progress or outcome (GDPR art. 78(2)). This date is when that remedy opens. A '
                 'complaint to Roskomnadzor is an appeal of a citizen under 59-FZ: log it with the kind '
                 'ru-59fz-appeal (30 days from registration).'}]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for row in RULES:
        fields = dict(row)
        if fields["valid_from"]:
            fields["valid_from"] = datetime.date.fromisoformat(fields["valid_from"])
        DeadlineRule.objects.get_or_create(code=fields.pop("code"), defaults=fields)


def unseed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for row in RULES:
        DeadlineRule.objects.filter(code=row["code"], deadlines__isnull=True, authority_requests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("litigation", "0001_initial"), ("deadlines", "0002_builtin_rules")]

    operations = [migrations.RunPython(seed, unseed)]
