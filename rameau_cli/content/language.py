"""The newsletter's language: dates written out and typography (the words: compose/wording.py)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

NNBSP = "\u202f"  # narrow no-break space, before ; ! ?
NBSP = "\u00a0"  # no-break space, before : and inside « »

_BEFORE_HIGH = re.compile(r"[ \t\u00a0\u202f]+(?=[;!?])")
_BEFORE_COLON = re.compile(r"[ \t\u00a0\u202f]+(?=:)")
_AFTER_OPENING = re.compile(r"«[ \t\u00a0\u202f]*")
_BEFORE_CLOSING = re.compile(r"[ \t\u00a0\u202f]*»")
_MARKS = re.compile(r"[;!?:«»]")  # each pattern above needs one: text without one is left as it is


def french_typography(text: str) -> str:
    """No-break spaces where French typography wants them, so no line ever starts with `?` or `»`."""
    if not _MARKS.search(text):
        return text
    text = _BEFORE_HIGH.sub(NNBSP, text)
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    return _BEFORE_CLOSING.sub(NBSP + "»", text)


# A number written in groups of three ("40 000", the French and SI way) keeps its groups together
# with a narrow no-break space, and a number keeps its currency or unit ("40 000 $", "12 %",
# "3,5 km", "€ 20") with a no-break space: no line starts with "$" or "000".
_GROUPS = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ \u00a0\u202f]\d{3})+)(?![\d])")
UNITS = (r"[%‰€$£¥₣₹₽¢]|CHF|EUR|USD|GBP|CAD|Fr\.|F CFA|km|kg|mg|cm|mm|m²|m³|m|g|t|l|L|ml|ha|h|min|s|°C|°F|Go|Mo|Ko"
         r"|GB|MB|kB|TB|kWh|MWh|GWh|kW|MW|W|V|A|Hz|kHz|MHz|GHz|px|pt|dB|ans?|jours?|years?|days?|Jahre?|Tage?")
_UNIT_AFTER = re.compile(rf"(?<=\d)[ \t](?=(?:{UNITS})(?![\w²³]))")
_UNIT_BEFORE = re.compile(r"(?<=[€$£¥])[ \t](?=\d)")
_DIGIT = re.compile(r"\d")  # each pattern above needs one: text without one is left as it is


def numbers_together(text: str) -> str:
    """No line break inside a number written in groups, or between a number and its unit."""
    if not _DIGIT.search(text):
        return text
    text = _GROUPS.sub(lambda m: m[1] + re.sub(r"[ \u00a0]", NNBSP, m[2]), text)
    text = _UNIT_AFTER.sub(NBSP, text)
    return _UNIT_BEFORE.sub(NBSP, text)


def typography(text: str, language: str) -> str:
    text = numbers_together(text)
    return french_typography(text) if primary(language) == "fr" else text


def primary(language: str) -> str:
    """`fr` for `fr-CA`: the language without its region."""
    return language.split("-")[0].split("_")[0].lower()


@lru_cache(maxsize=8)
def babel_locale(language: str):
    from babel import Locale  # noqa: PLC0415 (start-up: a warm build never loads Babel's locale data)

    return Locale.parse(language.replace("-", "_"))


def calendar_day(moment: dt.datetime | dt.date) -> dt.date:
    """The day a date or a moment falls on (in the moment's own time zone)."""
    return moment.date() if isinstance(moment, dt.datetime) else moment


_DAY_AND_MONTH = re.compile(r"(?<=\d) (?=\w)|(?<=\d\.) (?=\w)|(?<=[^\W\d]) (?=\d)")


def _unbroken(date: str) -> str:
    """No line break between a day's number and its month, or a month and its year:
    `24 novembre 2026`, `30. November 2026`, `November 24, 2026` stay on one line."""
    return _DAY_AND_MONTH.sub(NBSP, date)


def long_date(moment: dt.datetime | dt.date, language: str) -> str:
    """`mardi 24 novembre 2026` in French, `Tuesday, November 24, 2026` in English."""
    from babel.dates import format_date  # noqa: PLC0415 (start-up: a warm build never loads Babel)


    return _unbroken(format_date(calendar_day(moment), format="full", locale=babel_locale(language)))


def short_date(moment: dt.datetime | dt.date, language: str) -> str:
    """`24 novembre 2026`."""
    from babel.dates import format_date  # noqa: PLC0415 (start-up: a warm build never loads Babel)


    return _unbroken(format_date(calendar_day(moment), format="long", locale=babel_locale(language)))
