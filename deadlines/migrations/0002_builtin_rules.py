"""Seed the built-in procedural rules (a copy of deadlines.engine.BUILTIN_RULES at the time of writing).

Existing rows with the same code are left as they are: staff may have edited them in the admin."""
import datetime

from django.db import migrations

RULES = [{'code': 'ru-cpc-appeal',
  'name': 'Appeal against a first-instance decision (civil procedure)',
  'jurisdiction': 'RU',
  'unit': 'months',
  'amount': 1,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CPC RF art. 321(2)',
  'counting_basis': 'CPC RF art. 107(3) (start next day; days are working days), art. 108(1)-(2) (month end; roll '
                    'forward)',
  'trigger_label': 'the decision in its final form',
  'valid_from': None,
  'description': 'One month from the day the decision is made in its final form (CPC art. 321(2)). Counting starts '
                 "the next day (art. 107(3)); it ends on the corresponding date of the next month, or that month's "
                 'last day (art. 108(1)); an end on a non-working day moves to the next working day (art. 108(2)).'},
 {'code': 'ru-cas-appeal',
  'name': 'Appeal against a first-instance decision (administrative procedure)',
  'jurisdiction': 'RU',
  'unit': 'months',
  'amount': 1,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CAS RF art. 298(1)',
  'counting_basis': 'CAS RF art. 92(3) (start next day), art. 92(2) (days are working days), '
                    'art. 93(1)-(2) (month end; roll forward)',
  'trigger_label': 'the decision in its final form',
  'valid_from': None,
  'description': 'One month from the day the decision is made in its final form, unless the CAS sets another '
                 'time-limit (CAS art. 298(1)). Counting: CAS art. 92(2)-(3), 93.'},
 {'code': 'ru-cas-claim',
  'name': 'Administrative claim against a public authority',
  'jurisdiction': 'RU',
  'unit': 'months',
  'amount': 3,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CAS RF art. 219(1)',
  'counting_basis': 'CAS RF art. 92(3) (start next day), art. 92(2) (days are working days), '
                    'art. 93(1)-(2) (month end; roll forward)',
  'trigger_label': 'the day the person learnt of the violation of their rights',
  'valid_from': None,
  'description': 'Three months from the day the person learnt of the violation of their rights, freedoms and lawful '
                 'interests, unless the CAS sets another time-limit (CAS art. 219(1)). A missed time-limit may be '
                 'restored only for a valid reason (art. 219(7)).'},
 {'code': 'ru-cpc-cassation',
  'name': 'Cassation appeal to a cassation court of general jurisdiction (civil procedure)',
  'jurisdiction': 'RU',
  'unit': 'months',
  'amount': 3,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CPC RF art. 376.1(1)',
  'counting_basis': 'CPC RF art. 107(3) (start next day; days are working days), art. 108(1)-(2) (month end; roll '
                    'forward)',
  'trigger_label': 'the appealed ruling taking legal effect (an appellate ruling: the day it is given)',
  'valid_from': None,
  'description': 'Three months from the day the appealed ruling takes legal effect (CPC art. 376.1(1)); an appellate '
                 'ruling takes effect on the day it is given (art. 329(5)). Counting: CPC art. 107(3), 108.'},
 {'code': 'ru-cas-cassation',
  'name': 'Cassation appeal (administrative procedure)',
  'jurisdiction': 'RU',
  'unit': 'months',
  'amount': 6,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CAS RF art. 318(2)',
  'counting_basis': 'CAS RF art. 92(3) (start next day), art. 92(2) (days are working days), '
                    'art. 93(1)-(2) (month end; roll forward)',
  'trigger_label': 'the appealed ruling taking legal effect',
  'valid_from': None,
  'description': 'Six months from the day the appealed judicial act takes legal effect (CAS art. 318(2)). Counting: '
                 'CAS art. 92(2), 93.'},
 {'code': 'ru-cas-private-complaint',
  'name': 'Private complaint against a ruling (administrative procedure)',
  'jurisdiction': 'RU',
  'unit': 'working_days',
  'amount': 15,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CAS RF art. 314(1)',
  'counting_basis': 'CAS RF art. 92(3) (start next day), art. 92(2) (days are working days), '
                    'art. 93(1)-(2) (month end; roll forward)',
  'trigger_label': 'the ruling of the first-instance court',
  'valid_from': None,
  'description': 'Fifteen days from the ruling of the first-instance court (CAS art. 314(1)). Since 2019 time-limits '
                 'in days exclude non-working days (CAS art. 92(2)): fifteen working days.'},
 {'code': 'ru-cpc-private-complaint',
  'name': 'Private complaint against a ruling (civil procedure)',
  'jurisdiction': 'RU',
  'unit': 'working_days',
  'amount': 15,
  'start': 'next_day',
  'roll_forward': True,
  'legal_basis': 'CPC RF art. 332',
  'counting_basis': 'CPC RF art. 107(3) (start next day; days are working days), art. 108(1)-(2) (month end; roll '
                    'forward)',
  'trigger_label': 'the ruling of the first-instance court',
  'valid_from': None,
  'description': 'Fifteen days from the ruling of the first-instance court (CPC art. 332). Since 2019 time-limits in '
                 'days exclude non-working days (CPC art. 107(3)): fifteen working days.'},
 {'code': 'echr-application',
  'name': 'Application to the European Court of Human Rights',
  'jurisdiction': 'ECHR',
  'unit': 'months',
  'amount': 4,
  'start': 'next_day',
  'roll_forward': False,
  'legal_basis': 'ECHR art. 35(1) as amended by Protocol No. 15 (in force 1 August 2021; four months for final '
                 'decisions from 1 February 2022)',
  'counting_basis': 'ECHR Practical Guide on Admissibility: counting starts the day after the final decision; four '
                    'calendar months; no extension when the last day is a weekend or holiday (Sabri Güneş v. Turkey '
                    '[GC], no. 27396/06)',
  'trigger_label': 'the final domestic decision (the day it was served, if not given in public)',
  'valid_from': '2022-02-01',
  'description': 'Four months from the final domestic decision (ECHR art. 35(1) as amended by Protocol No. 15) for '
                 'final decisions taken on or after 1 February 2022; before that, six months. Counting starts the '
                 'day after; the time-limit is not extended when it ends on a Saturday, Sunday or holiday. Russia '
                 'ceased to be a Party on 16 September 2022: the Court deals with applications about acts before '
                 'that date.'}]


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
        DeadlineRule.objects.filter(code=row["code"], deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
