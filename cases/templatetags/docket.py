"""Template helpers shared by every page: dates in the reader's locale, sortable column headers, page numbers.

Dates always go through Django's locale formats (``DATE_FORMAT`` and friends, see config/formats/): in Russian
"4 декабря 2026 г.", never "4 Декабрь" — month names in a date take the genitive, which ``E`` gives and ``F`` or
``M`` do not.
"""
from __future__ import annotations

import datetime as dt

from django import template
from django.http import QueryDict
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def rule_text(value) -> str:
    """A deadline rule's name, legal basis or trigger label in the reader's language: the built-in rules' texts are
    in the catalogue (``deadlines.engine.rule_text``); texts staff wrote themselves are shown as written."""
    return _(value) if value else ""

_WEEKDAY = {"long": ("l", "DATE_FORMAT"), "short": ("D", "DATE_FORMAT"), "day": ("D", "MONTH_DAY_FORMAT")}


@register.filter
def weekday_date(value, style: str = "long") -> str:
    """"Friday, 4 Dec 2026" / "пятница, 4 декабря 2026 г." (``long``), "Fri, 4 Dec 2026" (``short``),
    "Fri, 4 Dec" / "Пт, 4 декабря" (``day``)."""
    if not isinstance(value, (dt.date, dt.datetime)):
        return ""
    weekday, fmt = _WEEKDAY.get(style, _WEEKDAY["long"])
    return f"{date_format(value, weekday)}, {date_format(value, fmt)}"


@register.filter
def iso_date(value) -> str:
    """An ISO date string ("2026-12-04") in the reader's DATE_FORMAT; anything else as it is."""
    if isinstance(value, (dt.date, dt.datetime)):
        return date_format(value, "DATE_FORMAT")
    try:
        parsed = parse_date(str(value or ""))
    except ValueError:
        parsed = None
    return date_format(parsed, "DATE_FORMAT") if parsed else (value or "")


def _query(request, **changes) -> str:
    params: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    params.pop("restore", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css: str = "") -> str:
    """A column header that sorts the list by ``key`` (again: the other way), keeping the filters, back to page 1.
    ``sort`` in the context is the order in effect (``key`` or ``-key``)."""
    current = context.get("sort") or ""
    request = context["request"]
    if current == key:
        state, target, arrow = "ascending", f"-{key}", "▲"
    elif current == f"-{key}":
        state, target, arrow = "descending", key, "▼"
    else:
        state, target, arrow = None, key, ""
    hint = _("sorted, ascending") if state == "ascending" else _("sorted, descending") if state else ""
    return format_html(
        '<th scope="col"{}{}><a class="sort" href="{}">{}{}</a></th>',
        format_html(' class="{}"', css) if css else "",
        format_html(' aria-sort="{}"', state) if state else "",
        _query(request, sort=target, page=None),
        label,
        format_html(' <span aria-hidden="true">{}</span><span class="visually-hidden"> ({})</span>', arrow, hint)
        if state else "",
    )


@register.simple_tag
def page_window(page, around: int = 2) -> list[int | None]:
    """Page numbers to offer: the first, the last, the current and ``around`` on each side; None marks a gap."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(max(1, page.number - around), min(last, page.number + around) + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    return _query(context["request"], page=str(number) if number > 1 else None)
