"""How documents write dates, times, sizes and digests, in the document's language and the site's time zone.

- Dates as a reader of that language writes them: "1 марта 2025 г." (genitive month, "г." after the year, no-break
  spaces so "2025 г." never splits over a line), "1 March 2025".
- Times are in the site's zone (``settings.TIME_ZONE``, e.g. Europe/Moscow) and always say so: every time carries
  its zone's abbreviation or UTC offset ("01:30 MSK"), and ``zone_statement`` names the zone in full at the top of a
  document ("Europe/Moscow, UTC+03:00").
- A SHA-256 is always one unbroken 64-character string (no spaces, no line breaks, no soft hyphens): copy-paste and a
  PDF text search find it whole.

``text_width_mm`` measures text in the fonts LibreOffice uses to make the PDF (DejaVu, the widest of the usual
substitutes for Times New Roman), so table columns can be made wide enough that no word is broken mid-word.
"""
from __future__ import annotations

import functools
import os
from datetime import date, datetime, tzinfo

from django.utils import timezone

NBSP = "\u00a0"

_MONTHS_RU_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
    "декабря",
)
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)


def language_code(language: str | None) -> str:
    return "ru" if (language or "").lower().startswith("ru") else "en"


def local(value: datetime | None, tz: tzinfo | None = None) -> datetime | None:
    """An aware datetime in the site's zone (naive values are taken as already local)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value, tz or timezone.get_default_timezone())


def local_date(value: datetime | None) -> date | None:
    moment = local(value)
    return moment.date() if moment is not None else None


def format_date(value: date | datetime | None, language: str) -> str:
    """``1 марта 2025 г.`` / ``1 March 2025``; a datetime is first brought into the site's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    if language_code(language) == "ru":
        return f"{value.day}{NBSP}{_MONTHS_RU_GENITIVE[value.month - 1]} {value.year}{NBSP}г."
    return f"{value.day}{NBSP}{_MONTHS_EN[value.month - 1]} {value.year}"


def utc_offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


# Abbreviations Russian readers write in Cyrillic.
_RU_ZONES = {"MSK": "МСК", "MSD": "МСК"}


def zone_abbreviation(moment: datetime, language: str = "en") -> str:
    """``MSK`` (``МСК`` in Russian) for Moscow; zones without a letter abbreviation (``+05``) get their UTC offset."""
    name = moment.tzname() or ""
    if not name or name[0] in "+-" or (name.upper() == "UTC" and moment.utcoffset()):
        return utc_offset(moment)
    if language_code(language) == "ru":
        return _RU_ZONES.get(name, name)
    return name


def format_time(value: datetime | None, language: str = "en") -> str:
    """``01:30 MSK`` (``01:30 МСК``): the local time with its zone."""
    moment = local(value)
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        return moment.strftime("%H:%M")
    return f"{moment:%H:%M}{NBSP}{zone_abbreviation(moment, language)}"


def format_datetime(value: datetime | None, language: str) -> str:
    """``1 марта 2025 г., 01:30 МСК`` / ``1 March 2025, 01:30 MSK``."""
    if value is None:
        return ""
    return f"{format_date(value, language)}, {format_time(value, language)}"


def zone_name() -> str:
    return str(timezone.get_default_timezone_name())


def zone_statement(at: datetime | None = None, language: str = "en") -> str:
    """``Europe/Moscow (MSK, UTC+03:00)``: the site's zone, named in full, as it stood at ``at`` (default now)."""
    moment = local(at or timezone.now())
    abbreviation = zone_abbreviation(moment, language)
    offset = utc_offset(moment)
    inner = offset if abbreviation == offset else f"{abbreviation}, {offset}"
    return f"{zone_name()} ({inner})"


def format_size(size: int | None, language: str) -> str:
    if size is None:
        return ""
    text = f"{int(size):,}"
    return text.replace(",", NBSP) if language_code(language) == "ru" else text


def hash_text(sha256: str | None) -> str:
    """The digest as one unbroken string: lower-case hex, nothing inserted."""
    return (sha256 or "").strip().lower()


# --- Measuring text, so columns are wide enough for their longest word ---------------------------------------------
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", os.path.expanduser("~/.fonts"))
_FONT_FILES = {
    "serif": ("DejaVuSerif.ttf", "LiberationSerif-Regular.ttf", "Times New Roman.ttf"),
    "serif-bold": ("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf", "Times New Roman Bold.ttf"),
    "mono": ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "Courier New.ttf"),
    "sans": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
    "sans-bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"),
}
# Average advance per character (in em) when no font file is found: DejaVu's widest common letters.
_FALLBACK_EM = {"serif": 0.62, "serif-bold": 0.68, "mono": 0.602, "sans": 0.62, "sans-bold": 0.7}


@functools.cache
def font_file(face: str) -> str | None:
    wanted = _FONT_FILES[face]
    for folder in _FONT_DIRS:
        if not os.path.isdir(folder):
            continue
        for root, _dirs, files in os.walk(folder):
            for name in wanted:
                if name in files:
                    return os.path.join(root, name)
    return None


@functools.cache
def _font(face: str, size_pt: float):
    path = font_file(face)
    if path is None:
        return None
    from PIL import ImageFont

    # Measured at 10x the size for precision, scaled back in text_width_pt.
    return ImageFont.truetype(path, size=int(round(size_pt * 10)))


def text_width_pt(text: str, size_pt: float, face: str = "serif") -> float:
    font = _font(face, size_pt)
    if font is None:
        return len(text) * size_pt * _FALLBACK_EM[face]
    return font.getlength(text) / 10.0


def text_width_mm(text: str, size_pt: float, face: str = "serif") -> float:
    return text_width_pt(text, size_pt, face) * 25.4 / 72.0


def longest_word_mm(text: str, size_pt: float, face: str = "serif") -> float:
    """Width of the widest word (runs between spaces, line breaks and zero-width spaces; no-break spaces join
    words)."""
    words = (text or "").replace("\n", " ").replace("\u200b", " ").split(" ")
    return max((text_width_mm(w, size_pt, face) for w in words if w), default=0.0)
