"""factory_boy factories that build data through the real services (history, permissions, indexing included)."""
from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import services
from cases.models import Case, Incident, Person, Role

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class CaseFactory(factory.Factory):
    """A case created by ``lead`` (made if not given) through ``cases.services.case_create``."""

    class Meta:
        model = Case

    title = factory.Sequence(lambda n: f"Challenge to metro face recognition no. {n}")
    reference = factory.Sequence(lambda n: f"2a-{1000 + n}/2025")
    court = "Tverskoy District Court of Moscow"
    jurisdiction = "RU"
    summary = "Claim that live facial recognition in the metro violates privacy."
    privileged_notes = "Privileged: strategy discussed with the client."
    lead = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, lead=None, **kwargs):
        return services.case_create(user=lead, **kwargs)

    _build = _create


class IncidentFactory(factory.Factory):
    """An incident logged by ``user`` (made if not given), linked to ``cases`` (a list, may be empty)."""

    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Wrongful stop at Park Kultury station no. {n}")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    location = "Park Kultury metro station, Moscow"
    category = Incident.Category.WRONGFUL_STOP
    description = "A passenger was stopped after a false match by the camera system."
    user = factory.SubFactory(UserFactory)
    cases = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, user=None, cases=(), **kwargs):
        return services.incident_create(user=user, cases=cases, **kwargs)

    _build = _create


class PersonFactory(factory.Factory):
    class Meta:
        model = Person

    pseudonym = factory.Sequence(lambda n: f"Applicant {chr(65 + n % 26)}{n}")
    real_name = factory.Sequence(lambda n: f"Ivan Petrov {n}")
    contacts = "+7 900 000 00 00"
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, user=None, **kwargs):
        return services.person_create(user=user, **kwargs)

    _build = _create


def add_member(case: Case, user, role: str | Role, actor=None):
    """Give ``user`` ``role`` on ``case`` through the real membership service."""
    actor = actor or case.created_by
    return services.member_set(actor=actor, case=case, user=user, role=str(role))


ROLES = [r.value for r in Role]
