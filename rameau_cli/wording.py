"""The default theme's own words, in the newsletter's language (French, else English)."""

from __future__ import annotations

from dataclasses import dataclass


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


WORDINGS = {
    "fr": Wording("Bonjour", "à vous", "Lire la suite", "Voir la version en ligne", "Version en ligne",
                  "À lire aussi en ligne", "Se désinscrire", "N°", "Vous recevez {segment} de {name}.", " :"),
    "en": Wording("Hello", "there", "Read more", "View this email online", "Online version",
                  "Also online", "Unsubscribe", "No.", "You receive {segment} from {name}.", ":"),
}


def wording_for(language: str) -> Wording:
    return WORDINGS.get(language.split("-")[0].lower(), WORDINGS["en"])
