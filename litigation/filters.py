"""List filters (django-filter) for the API and the pages. They narrow querysets the permission path has already
limited to what the caller may see, so a filter by a hidden case id finds nothing — exactly as a missing id."""
from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from litigation.models import Authority, AuthorityRequest, Task

MAX_ID = 2**63 - 1


class CaseIdFilter(django_filters.NumberFilter):
    """``?case=<id>``: a whole number; an id the caller cannot see narrows to nothing, like one that is missing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "case_id")
        kwargs.setdefault("label", _("Case"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value != int(value) or not 1 <= int(value) <= MAX_ID:
            return qs.none()
        return qs.filter(case_id=int(value))


class YesNoFilter(django_filters.TypedChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", _("yes")), ("false", _("no"))])
        kwargs.setdefault("coerce", lambda v: v == "true")
        super().__init__(*args, **kwargs)


def _today() -> dt.date:
    return timezone.localdate()


class RequestFilter(django_filters.FilterSet):
    case = CaseIdFilter()
    kind = django_filters.ChoiceFilter(choices=AuthorityRequest.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=AuthorityRequest.Status.choices, label=_("Status"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))
    q = django_filters.CharFilter(method="filter_q", label=_("Words"), max_length=200)

    class Meta:
        model = AuthorityRequest
        fields = ["case", "kind", "status", "overdue", "q"]

    def filter_overdue(self, qs: QuerySet, name, value) -> QuerySet:
        overdue = Q(status__in=AuthorityRequest.OPEN_STATUSES, replied_on__isnull=True, reply_due__lt=_today())
        return qs.filter(overdue) if value else qs.exclude(overdue)

    def filter_q(self, qs: QuerySet, name, value) -> QuerySet:
        words = Q()
        for word in value.split()[:8]:
            words &= (Q(addressee__icontains=word) | Q(subject__icontains=word) | Q(body__icontains=word)
                      | Q(reference__icontains=word))
        return qs.filter(words)


class TaskFilter(django_filters.FilterSet):
    case = CaseIdFilter()
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee"), max_length=150,
                                         help_text=_("A username, or “me”."))
    done = YesNoFilter(label=_("Done"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Task
        fields = ["case", "assignee", "done", "overdue"]

    def filter_assignee(self, qs: QuerySet, name, value) -> QuerySet:
        if value == "me":
            user = getattr(self.request, "user", None)
            return qs.filter(assignee=user) if user is not None and user.is_authenticated else qs.none()
        return qs.filter(assignee__username=value)

    def filter_overdue(self, qs: QuerySet, name, value) -> QuerySet:
        overdue = Q(done=False, due_date__lt=_today())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class AuthorityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Authority.Kind.choices, label=_("Kind"))
    case = CaseIdFilter(label=_("Private to case"))
    scope = django_filters.ChoiceFilter(
        choices=[("library", _("shared library")), ("private", _("private to a case"))], method="filter_scope",
        label=_("Where"))
    q = django_filters.CharFilter(method="filter_q", label=_("Words"), max_length=200)

    class Meta:
        model = Authority
        fields = ["kind", "case", "scope", "q"]

    def filter_scope(self, qs: QuerySet, name, value) -> QuerySet:
        return qs.filter(case__isnull=value == "library")

    def filter_q(self, qs: QuerySet, name, value) -> QuerySet:
        words = Q()
        for word in value.split()[:8]:
            words &= (Q(title__icontains=word) | Q(citation__icontains=word) | Q(identifier__icontains=word)
                      | Q(court__icontains=word))
        return qs.filter(words)
