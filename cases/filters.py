"""The filters of the case, incident and person lists (django-filter), one definition for every reader.

A filter set is bound to the viewing user and, by default, starts from what that user may see
(``cases.permissions``); its ``.form`` is the filter form the pages render, its ``.qs`` the filtered and sorted
queryset. Other pages and exports of the same list (CSV/XLSX export, statistics, the map) reuse it as it is::

    incidents = IncidentFilter(request.GET, user=request.user)
    incidents.form      # the form, with the user's own cases in the "Case" choice
    incidents.qs        # the incidents the user may view, filtered and sorted
    incidents.query     # the filters as a query string (for an "Export" link), without ``page``

A value that is not understood (an unknown category, a malformed date, an unknown sort key) is an error on the form:
the pages show it and ignore that filter; the API answers 400 (``cases.selectors``). A case the user may not view
filters exactly like a case that does not exist: to nothing.
"""
from __future__ import annotations

from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.countries import JURISDICTIONS
from cases.models import Case, Incident, Person, Proceeding
from config.inputs import validate_date_range

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SortFilter(django_filters.OrderingFilter):
    """``?sort=key`` or ``?sort=-key`` over a whitelist of keys, always ending with the id (same direction as the
    first key) so that equal values keep one stable order from page to page. An unknown key is a form error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Sort by"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        keys = [v for v in (value or []) if v][:2]
        if not keys:
            return qs
        ordering = [self.get_ordering_value(key) for key in keys]
        ordering.append("-id" if ordering[0].startswith("-") else "id")
        return qs.order_by(*ordering)


class VisibleCaseFilter(django_filters.Filter):
    """A case id (``?case=ID``). Offered choices are the user's cases; an id the user may not view — or that does
    not exist — selects nothing, so the answer never tells one from the other."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Case"))
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("validators", [MaxValueValidator(permissions.MAX_ID)])
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in (None, ""):
            return qs
        user = self.parent.user
        if not permissions.cases_for(user).filter(pk=value).exists():
            return qs.none()
        return qs.filter(cases__pk=value)


class _UserFilterSet(django_filters.FilterSet):
    """A filter set bound to the viewing ``user``; ``queryset`` defaults to what the user may see."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        self.user = user
        if queryset is None:
            queryset = self.visible(user)
        if data is not None:
            # A QueryDict's last value per key, as the rest of the site reads filters; unknown keys stay unread.
            data = data.copy() if hasattr(data, "copy") else dict(data)
        super().__init__(data, queryset, **kwargs)

    @staticmethod
    def visible(user) -> QuerySet:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @property
    def query(self) -> str:
        """The bound filters as a query string (no page), for links that keep them: export, sort, page numbers."""
        pairs = []
        for name in self.filters:
            if name in self.data and self.data.get(name) not in (None, ""):
                pairs.append((name, self.data.get(name)))
        return urlencode(pairs)

    @property
    def filtered(self) -> bool:
        """Whether any filter other than the sort order is in effect."""
        return any(self.data.get(name) not in (None, "") for name in self.filters if name != "sort")

    @property
    def sort(self) -> str:
        """The sort key in effect (as given), or ''."""
        if self.is_bound and self.form.is_valid():
            value = self.form.cleaned_data.get("sort") or []
            return value[0] if value else ""
        return ""


class IncidentFilter(_UserFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Incident.Category.choices,
                                           empty_label=_("Any category"))
    occurred_from = django_filters.DateFilter(label=_("From"), field_name="occurred_at", lookup_expr="date__gte",
                                              widget=DATE_WIDGET, validators=[validate_date_range])
    occurred_to = django_filters.DateFilter(label=_("To"), field_name="occurred_at", lookup_expr="date__lte",
                                            widget=DATE_WIDGET, validators=[validate_date_range])
    case = VisibleCaseFilter()
    sort = SortFilter(fields=(("occurred_at", "occurred"), ("title", "title"), ("category", "category"),
                              ("location", "location")))

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user

        def case_choices():  # evaluated only when the form is rendered
            cases = permissions.cases_for(user).only("id", "title", "reference").order_by("title", "id")
            return [("", _("Any case"))] + [(c.pk, str(c)) for c in cases]

        case_filter = self.filters["case"]
        case_filter.__dict__.pop("_field", None)
        case_filter.extra["widget"] = forms.Select(choices=case_choices)

    @staticmethod
    def visible(user) -> QuerySet:
        return permissions.incidents_for(user)

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(location__icontains=value) | Q(description__icontains=value))


class CaseFilterForm(forms.Form):
    def clean_jurisdiction(self) -> str:
        value = (self.cleaned_data.get("jurisdiction") or "").strip().upper()
        if value and value not in JURISDICTIONS:
            raise ValidationError(_("Not a country code or ECHR."))
        return value


class CaseFilter(_UserFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices, empty_label=_("Any status"))
    jurisdiction = django_filters.CharFilter(
        label=_("Jurisdiction"), method="by_jurisdiction", max_length=4,
        widget=forms.TextInput(attrs={"size": 5, "placeholder": "RU, ECHR…"}))
    sort = SortFilter(fields=(("title", "title"), ("reference", "reference"), ("court", "court"),
                              ("jurisdiction", "jurisdiction"), ("status", "status"), ("updated_at", "updated")))

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseFilterForm

    @staticmethod
    def visible(user) -> QuerySet:
        return permissions.cases_for(user)

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """The fields the global search reads for a case: title, reference, court, summary, and its proceedings'
        case numbers, courts and judges (never the privileged notes)."""
        value = value.strip()
        if not value:
            return qs
        proceedings = Proceeding.objects.filter(case=OuterRef("pk")).filter(
            Q(case_number__icontains=value) | Q(court__icontains=value) | Q(judge__icontains=value))
        return qs.filter(Q(title__icontains=value) | Q(reference__icontains=value) | Q(court__icontains=value)
                         | Q(summary__icontains=value) | Q(Exists(proceedings)))

    def by_jurisdiction(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(jurisdiction=value) if value else qs


class PersonFilter(_UserFilterSet):
    q = django_filters.CharFilter(label=_("Pseudonym"), method="search", max_length=200)
    sort = SortFilter(fields=(("pseudonym", "pseudonym"), ("created_at", "recorded")))

    class Meta:
        model = Person
        fields: list[str] = []

    @staticmethod
    def visible(user) -> QuerySet:
        return permissions.persons_for(user)

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """By pseudonym; by real name only among the persons whose identity the user may read (searching a name
        the user may not see must not tell them anything)."""
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(pseudonym__icontains=value) | Q(pk__in=real_name_matches(self.user, value)))


def real_name_matches(user, value: str) -> list[int]:
    """Ids of the persons whose identity ``user`` may read and whose real name contains ``value`` (case-insensitive).
    Real names are encrypted at rest (privacy.fields), so the database cannot compare them: they are decrypted here,
    only those the user may read, a few microseconds each."""
    needle = value.casefold()
    readable = permissions.persons_for(user, identities=True).exclude(real_name="").only("pk", "real_name")
    return [p.pk for p in readable.iterator(chunk_size=2000) if needle in (p.real_name or "").casefold()]
