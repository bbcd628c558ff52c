"""The statutory reply periods of requests to authorities and data controllers, as deadline rules (data).

They are rows of ``deadlines.DeadlineRule`` — seeded by migration 0002_request_rules from ``REQUEST_RULES`` below,
editable by staff in the admin like the procedural rules — and computed by the same engine and calendars
(``deadlines.engine``). ``KIND_RULES`` says which rule a kind of request starts with, and which rule applies once
the addressee has extended the period as the law allows.

Checked against the current texts (2026):

- 152-FZ art. 20(1), as amended by Federal Law No. 266-FZ of 14 July 2022: the operator answers a data subject's
  request within ten working days of receiving it; the period may be extended by at most five working days if the
  operator sends a reasoned notice giving the reasons (before the amendment: thirty days). A refusal is due in the
  same ten working days (art. 20(2)).
- 59-FZ art. 12(1): a written appeal is considered within 30 days of its registration (registration within three
  days of receipt, art. 8(2)); art. 12(2): in exceptional cases the head of the body may extend it by at most 30
  days, notifying the citizen. The Law counts calendar days; an end on a non-working day moves to the next working
  day (Civil Code art. 193, by analogy).
- 8-FZ art. 18: a request for information is considered within thirty days of its registration; where the
  information cannot be given in time, the body notifies the requester of a postponement within seven days of
  registration, for at most fifteen days beyond that period.
- GDPR art. 12(3): one month of receipt, extendable by two further months where necessary (the controller informs
  the data subject within the first month, with reasons). Months per Regulation (EEC, Euratom) No 1182/71 art. 3:
  the day of receipt is not counted, a period in months ends on the same date of the last month or, lacking it, on
  that month's last day (31 January + one month = 28/29 February), and an end on a Saturday, Sunday or public
  holiday moves to the next working day (art. 3(4)). The public holidays are those of the Member State where the
  controller must act (art. 2(1)): give the request's ``jurisdiction``; without it only weekends are skipped.
- A complaint to a data-protection authority: no period binds the authority to answer the complainant, but
  GDPR art. 78(2) opens a judicial remedy where the authority does not inform the data subject within three months
  on the progress or outcome of an art. 77 complaint. That date is the complaint's ``reply_due``. A complaint to
  Roskomnadzor is an appeal of a citizen under 59-FZ: log it as ``ru-59fz-appeal``.
"""
from __future__ import annotations

from django.utils.translation import gettext_noop as _

# The texts are stored in English (the rows are data) and shown in the reader's language through the catalogue
# (``deadlines.engine.rule_text``): each text is one whole message, so that it has its translation.
COUNTING_RU_CIVIL = _(
    "Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a non-working day moves "
    "to the next working day); non-working days per the Government's production calendar"
)
COUNTING_RU_CIVIL_DAYS = _(
    "Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a non-working day moves "
    "to the next working day); non-working days per the Government's production calendar; the days are calendar days"
)
COUNTING_RU_CIVIL_30_DAYS = _(
    "Civil Code RF art. 191 (counting starts the day after the event), art. 193 (an end on a non-working day moves "
    "to the next working day); non-working days per the Government's production calendar; the 30 days are calendar "
    "days"
)
COUNTING_EU = _(
    "Regulation (EEC, Euratom) No 1182/71 art. 3(1) (the day of the event is not counted), art. 3(2)(c) (a period "
    "in months ends on the same date of the last month, or on its last day), art. 3(4) (an end on a Saturday, "
    "Sunday or public holiday moves to the next working day)"
)

REQUEST_RULES: list[dict] = [
    {
        "code": "ru-152fz-access",
        "name": _("Reply to a data subject's request (152-FZ)"),
        "jurisdiction": "RU", "unit": "working_days", "amount": 10, "start": "next_day", "roll_forward": True,
        "legal_basis": _('Federal Law No. 152-FZ of 27 July 2006 "On Personal Data", art. 20(1) (as amended by '
                         "Federal Law No. 266-FZ of 14 July 2022)"),
        "counting_basis": COUNTING_RU_CIVIL,
        "trigger_label": _("the day the operator received the request"),
        "valid_from": "2022-09-01",
        "description": _("The operator must tell the data subject whether it processes their personal data and let "
                         "them see it within ten working days of receiving the request (152-FZ art. 20(1); the "
                         "information listed in art. 14(7) likewise, art. 14(3)). A refusal, with its reasons and the "
                         "provision relied on, is due within the same ten working days (art. 20(2)). The period may be "
                         "extended by at most five working days if the operator sends a reasoned notice giving the "
                         "reasons (art. 20(1)): rule ru-152fz-access-extended. Before the 2022 amendments (266-FZ) "
                         "the period was thirty days."),
    },
    {
        "code": "ru-152fz-access-extended",
        "name": _("Reply to a data subject's request, extended with a reasoned notice (152-FZ)"),
        "jurisdiction": "RU", "unit": "working_days", "amount": 15, "start": "next_day", "roll_forward": True,
        "legal_basis": _('Federal Law No. 152-FZ of 27 July 2006 "On Personal Data", art. 20(1), second sentence '
                         "(ten working days extended by at most five)"),
        "counting_basis": COUNTING_RU_CIVIL,
        "trigger_label": _("the day the operator received the request"),
        "valid_from": "2022-09-01",
        "description": _("Ten working days from receipt, extended by at most five working days because the operator "
                         "sent the data subject a reasoned notice of the extension (152-FZ art. 20(1)): fifteen "
                         "working days from receipt in all."),
    },
    {
        "code": "ru-59fz-appeal",
        "name": _("Reply to a citizen's written appeal (59-FZ)"),
        "jurisdiction": "RU", "unit": "days", "amount": 30, "start": "next_day", "roll_forward": True,
        "legal_basis": _('Federal Law No. 59-FZ of 2 May 2006 "On the Procedure for Considering Appeals of Citizens '
                         'of the Russian Federation", art. 12(1)'),
        "counting_basis": COUNTING_RU_CIVIL_30_DAYS,
        "trigger_label": _("the day the appeal was registered (registration is due within three days of receipt, "
                           "art. 8(2))"),
        "valid_from": None,
        "description": _("A written appeal to a state or municipal body or official is considered within 30 days of "
                         "its registration (59-FZ art. 12(1)); registration is due within three days of receipt "
                         "(art. 8(2)), so if only the date of receipt is known, count from it and allow three days. "
                         "In exceptional cases, or where the body has requested documents from another body "
                         "(art. 10(2)), its head may extend the period by at most 30 days, notifying the citizen "
                         "(art. 12(2)): rule ru-59fz-appeal-extended."),
    },
    {
        "code": "ru-59fz-appeal-extended",
        "name": _("Reply to a citizen's written appeal, extended (59-FZ)"),
        "jurisdiction": "RU", "unit": "days", "amount": 60, "start": "next_day", "roll_forward": True,
        "legal_basis": _('Federal Law No. 59-FZ of 2 May 2006 "On the Procedure for Considering Appeals of Citizens '
                         'of the Russian Federation", art. 12(1)-(2) (30 days extended by at most 30)'),
        "counting_basis": COUNTING_RU_CIVIL_DAYS,
        "trigger_label": _("the day the appeal was registered"),
        "valid_from": None,
        "description": _("30 days from registration extended by at most 30 days by the head of the body, who must "
                         "notify the citizen (59-FZ art. 12(2)): 60 days from registration in all."),
    },
    {
        "code": "ru-8fz-information",
        "name": _("Reply to a request for information on a state body's activities (8-FZ)"),
        "jurisdiction": "RU", "unit": "days", "amount": 30, "start": "next_day", "roll_forward": True,
        "legal_basis": _('Federal Law No. 8-FZ of 9 February 2009 "On Ensuring Access to Information on the '
                         'Activities of State Bodies and Local Self-Government Bodies", art. 18'),
        "counting_basis": COUNTING_RU_CIVIL_DAYS,
        "trigger_label": _("the day the request was registered (registration is due within three days of receipt)"),
        "valid_from": None,
        "description": _("A request for information is considered within thirty days of its registration, unless "
                         "the law provides otherwise (8-FZ art. 18). If the information cannot be given in that "
                         "time, the body must notify the requester of a postponement within seven days of "
                         "registration, giving the reason and a new date no more than fifteen days beyond the "
                         "thirty: rule ru-8fz-information-extended."),
    },
    {
        "code": "ru-8fz-information-extended",
        "name": _("Reply to a request for information, postponed with notice (8-FZ)"),
        "jurisdiction": "RU", "unit": "days", "amount": 45, "start": "next_day", "roll_forward": True,
        "legal_basis": _('Federal Law No. 8-FZ of 9 February 2009 "On Ensuring Access to Information on the '
                         'Activities of State Bodies and Local Self-Government Bodies", art. 18 (thirty days '
                         "postponed by at most fifteen)"),
        "counting_basis": COUNTING_RU_CIVIL_DAYS,
        "trigger_label": _("the day the request was registered"),
        "valid_from": None,
        "description": _("Thirty days from registration, postponed by at most fifteen days because the body notified "
                         "the requester within seven days of registration (8-FZ art. 18): forty-five days in all."),
    },
    {
        "code": "gdpr-access",
        "name": _("Reply to a data subject's request (GDPR)"),
        "jurisdiction": "EU", "unit": "months", "amount": 1, "start": "next_day", "roll_forward": True,
        "legal_basis": _("GDPR (Regulation (EU) 2016/679) art. 12(3)"),
        "counting_basis": COUNTING_EU,
        "trigger_label": _("the day the controller received the request"),
        "valid_from": "2018-05-25",
        "description": _("The controller must act on a request under Articles 15 to 22 (access, rectification, "
                         "erasure, ...) without undue delay and in any event within one month of receipt (GDPR "
                         "art. 12(3)); if it does not act, it must say why within the same month (art. 12(4)). The "
                         "month ends on the same date of the next month, or that month's last day (31 January + one "
                         "month = 28 or 29 February), and moves to the next working day from a Saturday, Sunday or "
                         "public holiday (Regulation 1182/71 art. 3). Extendable by two further months: rule "
                         "gdpr-access-extended."),
    },
    {
        "code": "gdpr-access-extended",
        "name": _("Reply to a data subject's request, extended (GDPR)"),
        "jurisdiction": "EU", "unit": "months", "amount": 3, "start": "next_day", "roll_forward": True,
        "legal_basis": _("GDPR (Regulation (EU) 2016/679) art. 12(3), second and third sentences (one month "
                         "extended by two further months)"),
        "counting_basis": COUNTING_EU,
        "trigger_label": _("the day the controller received the request"),
        "valid_from": "2018-05-25",
        "description": _("One month extended by two further months where necessary, taking into account the "
                         "complexity and number of the requests; the controller must inform the data subject of the "
                         "extension, with the reasons, within one month of receipt (GDPR art. 12(3)). Three months "
                         "from receipt in all."),
    },
    {
        "code": "dpa-complaint",
        "name": _("Complaint to a data-protection authority: progress or outcome (GDPR)"),
        "jurisdiction": "EU", "unit": "months", "amount": 3, "start": "next_day", "roll_forward": True,
        "legal_basis": _("GDPR (Regulation (EU) 2016/679) art. 77 and 78(2)"),
        "counting_basis": COUNTING_EU,
        "trigger_label": _("the day the complaint was lodged with the authority"),
        "valid_from": "2018-05-25",
        "description": _("No period binds a supervisory authority to answer a complaint, but a data subject may go "
                         "to court where the competent authority does not handle the complaint or does not inform "
                         "them within three months on its progress or outcome (GDPR art. 78(2)). This date is when "
                         "that remedy opens. A complaint to Roskomnadzor is an appeal of a citizen under 59-FZ: log "
                         "it with the kind ru-59fz-appeal (30 days from registration)."),
    },
]

# kind → (the rule it starts with, the rule once the addressee has extended the period); None: no rule.
KIND_RULES: dict[str, tuple[str | None, str | None]] = {
    "ru-152fz-access": ("ru-152fz-access", "ru-152fz-access-extended"),
    "ru-59fz-appeal": ("ru-59fz-appeal", "ru-59fz-appeal-extended"),
    "ru-8fz-information": ("ru-8fz-information", "ru-8fz-information-extended"),
    "gdpr-access": ("gdpr-access", "gdpr-access-extended"),
    "dpa-complaint": ("dpa-complaint", None),
    "other": (None, None),
}
# Every rule that has an extended variant, and the variant (whichever kind the request is).
EXTENDED_RULE: dict[str, str] = {base: ext for base, ext in KIND_RULES.values() if base and ext}
BASE_RULE: dict[str, str] = {ext: base for base, ext in EXTENDED_RULE.items()}
REQUEST_RULE_CODES = frozenset(row["code"] for row in REQUEST_RULES)
