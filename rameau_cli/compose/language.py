"""The newsletter's language: the theme's words, dates written out, typography."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

NNBSP = "\u202f"  # narrow no-break space, before ; ! ?
NBSP = "\u00a0"  # no-break space, before : and inside « »

_BEFORE_HIGH = re.compile(r"[ \t\u00a0\u202f]+(?=[;!?])")
_BEFORE_COLON = re.compile(r"[ \t\u00a0\u202f]+(?=:)")
_AFTER_OPENING = re.compile(r"«[ \t\u00a0\u202f]*")
_BEFORE_CLOSING = re.compile(r"[ \t\u00a0\u202f]*»")


def french_typography(text: str) -> str:
    """No-break spaces where French typography wants them, so no line ever starts with `?` or `»`."""
    text = _BEFORE_HIGH.sub(NNBSP, text)
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    return _BEFORE_CLOSING.sub(NBSP + "»", text)


def typography(text: str, language: str) -> str:
    return french_typography(text) if language.split("-")[0] == "fr" else text


@lru_cache(maxsize=8)
def _locale(language: str):
    from babel import Locale  # imported here: Babel's locale data is slow to load

    return Locale.parse(language.replace("-", "_"))


def calendar_day(moment: dt.datetime | dt.date) -> dt.date:
    """The day a date or a moment falls on (in the moment's own time zone)."""
    return moment.date() if isinstance(moment, dt.datetime) else moment


def long_date(moment: dt.datetime | dt.date, language: str) -> str:
    """`mardi 24 novembre 2026` in French, `Tuesday, November 24, 2026` in English."""
    from babel.dates import format_date

    return format_date(calendar_day(moment), format="full", locale=_locale(language))


def short_date(moment: dt.datetime | dt.date, language: str) -> str:
    """`24 novembre 2026`."""
    from babel.dates import format_date

    return format_date(calendar_day(moment), format="long", locale=_locale(language))


@dataclass(frozen=True)
class Wording:
    hello: str  # followed by the first name
    first_name_fallback: str  # when the emailing tool knows no first name: "Bonjour à vous,"
    read_more: str
    view_online: str
    online_version: str  # a label, before the link, in the text part
    more_online: str
    unsubscribe: str
    number: str  # "N°" before the number
    you_receive: str  # "{segment}" and "{name}" are filled in
    colon: str  # between a label and its value: " :" in French (typography makes the space no-break)
    read_online: str  # the button under an article shown whole
    table: str  # the label of a table's region, for screen readers
    video: str  # "{provider}" is filled in
    notes: str  # above an article's footnotes
    image: str  # before an image's description in the text part
    edito: str  # the heading of the édito in the terminal preview
    links: str  # the heading of the numbered links in the terminal preview
    article_one: str  # "{count} article"
    article_many: str  # "{count} articles"

    def articles(self, count: int) -> str:
        """`1 article`, `3 articles`."""
        return (self.article_one if count == 1 else self.article_many).format(count=count)


WORDINGS = {
    "fr": Wording("Bonjour", "à vous", "Lire la suite", "Voir la version en ligne", "Version en ligne",
                  "À lire aussi en ligne", "Se désinscrire", "N°", "Vous recevez {segment} de {name}.", " :",
                  "Lire en ligne", "Tableau", "Voir la vidéo sur {provider}", "Notes", "Image", "Édito", "Liens",
                  "{count} article", "{count} articles"),
    "en": Wording("Hello", "there", "Read more", "View this email online", "Online version",
                  "Also online", "Unsubscribe", "No.", "You receive {segment} from {name}.", ":",
                  "Read online", "Table", "Watch the video on {provider}", "Notes", "Image", "Editorial", "Links",
                  "{count} article", "{count} articles"),
}


def wording_for(language: str) -> Wording:
    return WORDINGS.get(language.split("-")[0].lower(), WORDINGS["en"])
