"""Turning one spreadsheet cell into a field value (or a message saying why not)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cases.models import Incident

FORMULA_START = ("=", "+", "-", "@")
_SPLIT_IDS = re.compile(r"[\s,;]+")
_SPLIT_LINKS = re.compile(r"[\s;]+")


def text(value) -> str:
    """A cell as text: numbers without a spurious ".0", no NUL, and the apostrophe our CSV export puts before
    a formula-looking value taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    result = str(value).replace("\x00", "").strip()
    if result.startswith("'") and result[1:2] in FORMULA_START:
        result = result[1:]
    return result


def when(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time(0, 0)))
    if isinstance(value, (int, float)):
        raise ValidationError(_("Expected a date such as 2025-04-17 or 2025-04-17 08:30."))
    raw = text(value)
    parsed = None
    try:
        parsed = parse_datetime(raw.replace(" ", "T", 1)) if ("T" in raw or ":" in raw) else None
        if parsed is None:
            day = parse_date(raw)
            parsed = dt.datetime.combine(day, dt.time(0, 0)) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                parsed = dt.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValidationError(_("Expected a date such as 2025-04-17 or 2025-04-17 08:30."))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def coordinate(value, limit: int) -> Decimal | None:
    raw = text(value).replace(",", ".")
    if raw == "":
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("Expected a number of degrees, such as 55.7558.")) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValidationError(_("Expected a number between -%(n)d and %(n)d.") % {"n": limit})
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _category_names() -> dict[str, str]:
    from django.utils import translation

    names = {}
    for value, label in Incident.Category.choices:
        names[value] = value
        names[str(label).lower()] = value
        for lang in ("en", "ru"):
            with translation.override(lang):
                names[str(label).lower()] = value
    return names


def category(value, names: dict[str, str]) -> str:
    raw = text(value).lower().replace(" ", "_") if text(value) else ""
    found = names.get(raw) or names.get(text(value).lower())
    if not found:
        raise ValidationError(_("Unknown category. Use one of: %(values)s.") % {
            "values": ", ".join(Incident.Category.values)})
    return found


def links(value) -> list[str]:
    found = [link for link in _SPLIT_LINKS.split(text(value)) if link]
    check = URLValidator(schemes=["http", "https"])
    for link in found:
        if len(link) > 2000:
            raise ValidationError(_("A link can be at most 2000 characters long."))
        try:
            check(link)
        except ValidationError:
            raise ValidationError(_("“%(link)s” is not a web address (http:// or https://).") % {
                "link": link[:100]}) from None
    if len(found) > 100:
        raise ValidationError(_("At most 100 links."))
    return found


def ids(value) -> list[int]:
    found = []
    for part in _SPLIT_IDS.split(text(value)):
        if not part:
            continue
        if not part.isdigit() or not 0 < int(part) < 2**63:
            raise ValidationError(_("Expected case ids (whole numbers) separated by commas."))
        found.append(int(part))
    return list(dict.fromkeys(found))


def names(value) -> list[str]:
    found = [part.strip() for part in re.split(r"[;\n]+", text(value)) if part.strip()]
    for name in found:
        if len(name) > 200:
            raise ValidationError(_("A pseudonym can be at most 200 characters long."))
    return list(dict.fromkeys(found))
