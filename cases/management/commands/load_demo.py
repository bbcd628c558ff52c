"""Load a fictional, realistic demo into an empty Docket, once.

Everything is written through the services (history, permissions and indexing included). The demo is fictional:
the NGO, the people and the case numbers are invented; it models a challenge to live facial recognition in a
city metro. Demo users (password ``docket-demo-2026``, documented in the README — it is demo data):
demo-lead, demo-lawyer, demo-researcher, demo-coordinator, demo-observer.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import Case, IncidentPerson, Party, Proceeding, Role

User = get_user_model()

DEMO_PASSWORD = "docket-demo-2026"
DEMO_REFERENCE = "DRDC-2025/014"
DEMO_USERS = [
    ("demo-lead", Role.LEAD),
    ("demo-lawyer", Role.LAWYER),
    ("demo-researcher", Role.RESEARCHER),
    ("demo-coordinator", Role.COORDINATOR),
    ("demo-observer", Role.OBSERVER),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Command(BaseCommand):
    help = "Load the fictional demo (cases, incidents, persons, demo users) once; does nothing if it is there."

    def handle(self, *args, **options) -> None:
        if Case.objects.filter(reference=DEMO_REFERENCE).exists():
            self.stdout.write("Demo data already loaded")
            return
        with transaction.atomic():
            notes = self._load()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded: users {', '.join(name for name, _ in DEMO_USERS)} (password {DEMO_PASSWORD})"
        ))
        for note in notes:
            self.stdout.write(note)

    # ------------------------------------------------------------------------------------------------------
    def _user(self, username: str):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(username=username, password=DEMO_PASSWORD, email=f"{username}@example.org")
        return user

    def _load(self) -> list[str]:
        users = {name: self._user(name) for name, _role in DEMO_USERS}
        lead, lawyer, researcher = users["demo-lead"], users["demo-lawyer"], users["demo-researcher"]
        today = timezone.localdate()
        # The timeline ends with a cassation ruling about three months ago: the ECHR application is being drafted.
        cassation_decided = today - dt.timedelta(days=100)

        case = services.case_create(
            user=lead,
            title="Digital Rights Defence Centre and A. v. Moscow Metro (live facial recognition, Sfera)",
            reference=DEMO_REFERENCE,
            court="Second Cassation Court of General Jurisdiction",
            jurisdiction="RU",
            status=Case.Status.PENDING,
            summary=(
                "Strategic challenge to live facial recognition (the Sfera system) on the Moscow Metro. The applicant, "
                "a passenger, was detained at a station after a false match and her biometric data was processed "
                "without a legal basis. Claims: unlawful processing of biometric data, violation of Article 8 ECHR "
                "(private life) and Article 11 (assembly), deletion of the data.\n\n"
                "Суть спора: незаконная обработка биометрических персональных данных камерами видеонаблюдения "
                "с функцией распознавания лиц в метрополитене; задержание заявительницы по ложному совпадению."
            ),
            privileged_notes=(
                "PRIVILEGED. Strategy: exhaust domestic remedies quickly, then Strasbourg (cf. Glukhin v. Russia). "
                "Client A. agreed to be named only by pseudonym. Weak point: no written record of the stop; rely on "
                "the witness and the metro police log requested on 3 March."
            ),
        )
        for name, role in DEMO_USERS[1:]:
            services.member_set(actor=lead, case=case, user=users[name], role=role)

        applicant = services.person_create(
            user=lawyer, pseudonym="Applicant A.", real_name="Anna Sergeyevna Voronova (fictional)",
            contacts="Through the Centre only; Signal via lawyer", consent_given=True,
            consent_date=dt.date(2025, 1, 20), consent_scope="Litigation in Russian courts and at the ECHR; no press.",
        )
        witness = services.person_create(
            user=researcher, pseudonym="Witness B.", real_name="Dmitry Olegovich Lesnikov (fictional)",
            contacts="+7 900 000-00-00 (fictional)", consent_given=True, consent_date=dt.date(2025, 1, 22),
            consent_scope="Written statement; may be named in court.",
        )
        passenger = services.person_create(
            user=researcher, pseudonym="Passenger C.", real_name="Ilya Markovich Serov (fictional)",
            contacts="Telegram @fictional_c", consent_given=False,
        )

        services.party_create(user=lawyer, case=case, role=Party.Role.CLAIMANT, person=applicant,
                              notes="Detained after a false match on 14 January 2025.")
        services.party_create(user=lawyer, case=case, role=Party.Role.CLAIMANT,
                              name="Digital Rights Defence Centre (fictional NGO)")
        services.party_create(user=lawyer, case=case, role=Party.Role.RESPONDENT,
                              name="Moscow Metro (State Unitary Enterprise)")
        services.party_create(user=lawyer, case=case, role=Party.Role.RESPONDENT,
                              name="Department of Information Technologies of Moscow (operator of Sfera)")
        services.party_create(user=lawyer, case=case, role=Party.Role.THIRD_PARTY,
                              name="Metro police directorate (Ministry of Internal Affairs)")

        services.proceeding_create(
            user=lawyer, case=case, stage=Proceeding.Stage.FIRST_INSTANCE,
            court="Meshchansky District Court of Moscow", case_number="2-1187/2025", judge="Judge E. N. Kravtsova",
            filed_on=dt.date(2025, 2, 10), decided_on=dt.date(2025, 6, 18),
            outcome=("Claim dismissed. Суд отказал в иске: обработка изображений камерами видеонаблюдения признана "
                     "законной в целях обеспечения безопасности; ссылки на ст. 8 Конвенции отклонены."),
        )
        services.proceeding_create(
            user=lawyer, case=case, stage=Proceeding.Stage.APPEAL, court="Moscow City Court",
            case_number="33-40512/2025", filed_on=dt.date(2025, 7, 16), decided_on=dt.date(2025, 10, 21),
            outcome="Judgment upheld on appeal (апелляционное определение: решение оставлено без изменения).",
        )
        services.proceeding_create(
            user=lawyer, case=case, stage=Proceeding.Stage.CASSATION,
            court="Second Cassation Court of General Jurisdiction", case_number="8Г-3391/2026",
            filed_on=min(dt.date(2026, 1, 15), cassation_decided - dt.timedelta(days=60)),
            decided_on=cassation_decided,
            outcome="Cassation complaint dismissed; domestic remedies exhausted.",
        )
        services.proceeding_create(
            user=lawyer, case=case, stage=Proceeding.Stage.ECHR, court="European Court of Human Rights",
            outcome="Application being drafted (Articles 8, 11 and 13). Pending.",
        )

        stop = services.incident_create(
            user=researcher, cases=[case],
            title="Passenger detained at Novoslobodskaya after a false facial-recognition match",
            occurred_at=_at(dt.date(2025, 1, 14), 8, 42),
            location="Novoslobodskaya metro station, Moscow (exit to Dolgorukovskaya St.)",
            latitude=Decimal("55.779600"), longitude=Decimal("37.601400"),
            category="detention", agency="Metro police (UVD on the Moscow Metro)", system_involved="Sfera",
            description=(
                "Applicant A. was stopped by two officers at the turnstiles, told that the camera system had matched "
                "her to a wanted person, and held at the station police room for 3 hours 10 minutes until her "
                "identity was confirmed. No record of the stop was given to her.\n\n"
                "Заявительница задержана на выходе со станции после срабатывания системы распознавания лиц."
            ),
            source_links=["https://example.org/drdc/reports/2025-01-14-novoslobodskaya"],
        )
        services.incident_person_add(user=researcher, incident=stop, person=applicant,
                                     part=IncidentPerson.Part.AFFECTED, notes="Held for 3 h 10 min.")
        services.incident_person_add(user=researcher, incident=stop, person=witness,
                                     part=IncidentPerson.Part.WITNESS, notes="Travelling with the applicant.")

        services.incident_create(
            user=researcher, cases=[case],
            title="New face-recognition cameras installed at station entrances (Ring line)",
            occurred_at=_at(dt.date(2024, 11, 5), 10, 0),
            location="Ring line station entrances, Moscow", latitude=Decimal("55.729700"),
            longitude=Decimal("37.611100"), category="camera_deployment", agency="Moscow Metro",
            system_involved="Sfera; turnstile cameras",
            description=("Researchers counted 46 new dome cameras above the turnstiles at 9 Ring line stations, "
                         "installed in one week. Новые камеры видеонаблюдения над турникетами."),
        )
        services.incident_create(
            user=researcher, cases=[case],
            title="Access to the city camera system offered for sale in a messenger channel",
            occurred_at=_at(dt.date(2025, 4, 2), 19, 30), location="Online (messenger channel)",
            category="access_abuse", system_involved="Sfera",
            description="A seller offered look-ups of a person's movements by photo for 16,000 roubles.",
            source_links=["https://example.org/drdc/monitoring/2025-04-02"],
        )
        unlinked = services.incident_create(
            user=researcher,
            title="Protest participant stopped at Tverskaya station two days after a rally",
            occurred_at=_at(today - dt.timedelta(days=12), 18, 5), location="Tverskaya metro station, Moscow",
            latitude=Decimal("55.765000"), longitude=Decimal("37.603600"), category="wrongful_stop",
            description="Reported on the hotline; not yet verified or linked to a case.",
        )
        services.incident_person_add(user=researcher, incident=unlinked, person=passenger,
                                     part=IncidentPerson.Part.AFFECTED)
        services.incident_share(actor=researcher, incident=unlinked, user=lawyer)

        second = services.case_create(
            user=lawyer,
            title="Complaint to the data-protection authority: retention of biometric templates",
            reference="DRDC-2026/002", court="Roskomnadzor", jurisdiction="RU", status=Case.Status.FILED,
            summary="Administrative complaint about how long face templates of passengers are kept.",
        )
        services.member_set(actor=lawyer, case=second, user=lead, role=Role.LEAD)
        services.member_set(actor=lawyer, case=second, user=users["demo-coordinator"], role=Role.COORDINATOR)
        services.proceeding_create(user=lawyer, case=second, stage=Proceeding.Stage.DPA, court="Roskomnadzor",
                                   filed_on=today - dt.timedelta(days=20))

        notes = []
        notes += self._optional_deadline(case=case, user=lawyer, trigger=cassation_decided)
        notes += self._optional_evidence(case=case, incident=stop, user=researcher)
        from litigation import demo as litigation_demo  # claims, authorities, requests, tasks (issue 16)

        litigation_demo.load(case=case, second=second, lawyer=lawyer, researcher=researcher,
                             coordinator=users["demo-coordinator"], today=today,
                             applicant_party=case.parties.filter(person=applicant).first())
        return notes

    def _optional_deadline(self, *, case, user, trigger: dt.date) -> list[str]:
        try:
            from deadlines import services as deadline_services
        except ImportError:
            return ["(deadlines app not available: no demo deadline)"]
        try:
            with transaction.atomic():
                deadline_services.deadline_create(
                    user=user, case=case, title="Lodge the ECHR application (4 months from the final decision)",
                    rule="echr-application", trigger_date=trigger,
                )
        except Exception as error:  # an optional neighbour must never stop the demo
            return [f"(demo deadline skipped: {error})"]
        return []

    def _optional_evidence(self, *, case, incident, user) -> list[str]:
        try:
            from evidence import services as evidence_services
        except ImportError:
            return ["(evidence app not available: no demo evidence)"]
        statement = (
            "Witness statement of Witness B. (fictional demo text)\n\n"
            "On 14 January 2025 at about 08:40 I was with A. at Novoslobodskaya station. Two officers stopped her at "
            "the turnstiles and said the camera had recognised her. She was taken to the police room.\n"
            "Камеры видеонаблюдения над турникетами зафиксировали её лицо; сотрудники сослались на систему.\n"
        ).encode("utf-8")
        try:
            with transaction.atomic():
                evidence_services.evidence_upload(
                    user=user, uploaded_file=SimpleUploadedFile("witness-statement-b.txt", statement, "text/plain"),
                    title="Witness statement of Witness B.", description="Typed statement, signed copy held offline.",
                    case=case, incident=incident,
                )
        except Exception as error:  # an optional neighbour must never stop the demo
            return [f"(demo evidence skipped: {error})"]
        return []
