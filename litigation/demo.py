"""Demo data for the lawyers' workflow, written through the services (called by ``manage.py load_demo``).

The authorities are real and were checked (2026): Glukhin v. Russia, no. 11519/20, 4 July 2023 (Third Section;
HUDOC 001-225655); Roman Zakharov v. Russia [GC], no. 47143/06, 4 December 2015; S. and Marper v. the United
Kingdom [GC], nos. 30562/04 and 30566/04, 4 December 2008 (HUDOC 001-90051); Federal Law No. 152-FZ of 27 July 2006
"On Personal Data" (art. 11: biometric personal data). Pinpoints are given only where checked (Glukhin § 72: the
difficulty of proving the use of facial recognition without an official record; 152-FZ art. 11(1): written
consent). The case, its parties and its domestic decision are fictional, like the rest of the demo.
"""
from __future__ import annotations

import datetime as dt

from cases.models import Case
from litigation import services

HUDOC = "https://hudoc.echr.coe.int/eng?i="


def load(*, case: Case, second: Case, lawyer, researcher, coordinator, applicant_party=None,
         today: dt.date) -> None:
    glukhin = services.authority_create(
        user=lawyer, kind="judgment", title="Glukhin v. Russia",
        citation="Glukhin v. Russia, no. 11519/20, 4 July 2023",
        court="European Court of Human Rights (Third Section)", date=dt.date(2023, 7, 4), identifier="11519/20",
        url=HUDOC + "001-225655",
    )
    zakharov = services.authority_create(
        user=lawyer, kind="judgment", title="Roman Zakharov v. Russia",
        citation="Roman Zakharov v. Russia [GC], no. 47143/06, 4 December 2015",
        court="European Court of Human Rights (Grand Chamber)", date=dt.date(2015, 12, 4), identifier="47143/06",
        url="https://hudoc.echr.coe.int/eng#%7B%22appno%22:%5B%2247143/06%22%5D%7D",
    )
    marper = services.authority_create(
        user=lawyer, kind="judgment", title="S. and Marper v. the United Kingdom",
        citation="S. and Marper v. the United Kingdom [GC], nos. 30562/04 and 30566/04, 4 December 2008",
        court="European Court of Human Rights (Grand Chamber)", date=dt.date(2008, 12, 4),
        identifier="30562/04; 30566/04", url=HUDOC + "001-90051",
    )
    pd_law = services.authority_create(
        user=lawyer, kind="statute", title='Federal Law No. 152-FZ of 27 July 2006 "On Personal Data"',
        citation='Federal Law No. 152-FZ of 27 July 2006 "On Personal Data" '
                 "(Федеральный закон от 27.07.2006 № 152-ФЗ «О персональных данных»)",
        date=dt.date(2006, 7, 27), identifier="152-FZ",
    )
    first_instance = case.proceedings.filter(stage="first_instance").first()
    echr = case.proceedings.filter(stage="echr").first()
    domestic = services.authority_create(
        user=lawyer, case=case, kind="judgment",
        title="Decision of the Meshchansky District Court of Moscow of 18 June 2025 (fictional demo)",
        court="Meshchansky District Court of Moscow", date=dt.date(2025, 6, 18), identifier="2-1187/2025",
    )

    art8 = services.claim_create(
        user=lawyer, case=case, proceeding=echr, right="Article 8 of the Convention (respect for private life)",
        basis="Live facial recognition in the Moscow Metro (Sfera) processed the applicant's biometric data without a "
              "foreseeable legal basis or safeguards against abuse; she was detained after a false match.",
        relief="A finding of a violation of Article 8; deletion of the applicant's biometric data; just satisfaction.",
    )
    services.citation_add(user=lawyer, claim=art8, authority=glukhin, pinpoint="§ 72")
    services.citation_add(user=lawyer, claim=art8, authority=zakharov)
    services.citation_add(user=lawyer, claim=art8, authority=marper)
    biometric = services.claim_create(
        user=lawyer, case=case, proceeding=first_instance,
        right="152-FZ art. 11: biometric personal data processed without written consent",
        basis="Images of passengers' faces are biometric personal data; no exception under art. 11(2) applies.",
        relief="Declare the processing unlawful and order the deletion of the claimant's biometric templates.",
        outcome="Dismissed at first instance (18 June 2025); upheld on appeal.",
    )
    services.citation_add(user=lawyer, claim=biometric, authority=pd_law, pinpoint="art. 11(1)")
    services.citation_add(user=lawyer, claim=biometric, authority=domestic)
    remedy = services.claim_create(
        user=lawyer, case=case, proceeding=echr, right="Article 13 of the Convention (effective remedy)",
        basis="No remedy could examine the use of facial recognition against the applicant: there was no record "
              "of it.", relief="A finding of a violation of Article 13 taken with Article 8.",
    )
    services.citation_add(user=lawyer, claim=remedy, authority=zakharov)

    services.request_create(
        user=lawyer, case=case, kind="ru-152fz-access", requester=applicant_party,
        addressee="Department of Information Technologies of Moscow (operator of Sfera)",
        subject="Access to the applicant's biometric data held in Sfera",
        body="Please state whether images of my face and biometric templates made from them are processed in the "
             "city video-surveillance system, for what purposes, since when, and to whom they were disclosed.",
        sent_on=today - dt.timedelta(days=30), received_on=today - dt.timedelta(days=27),
        reply_to="Digital Rights Defence Centre (fictional), for the attention of the lawyer", today=today,
    )
    services.request_create(
        user=lawyer, case=case, kind="ru-8fz-information", addressee="Moscow Metro (State Unitary Enterprise)",
        subject="Number of face-recognition cameras at station entrances",
        body="How many cameras with facial recognition are installed at the turnstiles of the Ring line, and under "
             "which act of the Metro was the system put into operation?",
        sent_on=today - dt.timedelta(days=7), received_on=today - dt.timedelta(days=5), today=today,
    )
    services.request_create(
        user=lawyer, case=second, kind="ru-59fz-appeal", addressee="Roskomnadzor",
        subject="Retention period of passengers' face templates", today=today,
    )

    services.task_create(user=lawyer, case=case, title="Draft the ECHR application form (Articles 8 and 13)",
                         assignee=lawyer, due_date=today + dt.timedelta(days=20))
    services.task_create(user=lawyer, case=case, title="Collect the metro police log requested on 3 March",
                         assignee=researcher, due_date=today - dt.timedelta(days=2))
    services.task_create(user=lawyer, case=case, title="Check the table of authorities before filing",
                         assignee=coordinator, due_date=today + dt.timedelta(days=10))
