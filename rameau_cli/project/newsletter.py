"""`newsletter:` in rameau.yaml: who sends the newsletter, in which language, and its own words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import show
from .schema import EMAIL, LANGUAGE, TEXT, URL, Kind, Text, TimeZone, Walk
from .settings import setting, settings_mapping
from .words import WORDING, has_words, wording_pairs


@dataclass(frozen=True)
class Newsletter:
    name: str
    sender_name: str
    sender_email: str
    reply_to: str | None
    language: str
    timezone: str
    base_url: str
    address: str = ""  # the postal address, one line per line, for every email's footer
    wording: tuple[tuple[str, Any], ...] = ()  # `wording:`: the project's own words, for its language
    logo: str = ""  # a file beside rameau.yaml, or an https URL ("": none)
    logo_dark: str = ""  # the logo for dark mode

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SenderSettings:
    """`sender: {name: ..., email: ...}`."""

    name: str | None = setting(TEXT, "The sender's name, as inboxes show it.")
    email: str = setting(EMAIL, "The sender's address.", required=True)


SENDER_MAPPING = settings_mapping(SenderSettings)


class Sender(Kind):
    """`"Name <address>"`, a bare address, or `{name: ..., email: ...}`."""

    name = "`Name <address>` or {name, email}"
    type = SenderSettings

    def read(self, value: Any, walk: Walk, path: str) -> SenderSettings:
        if isinstance(value, dict):
            return SENDER_MAPPING.read(value, walk, path)
        text = TEXT.read(value, walk, path)
        match = re.fullmatch(r"\s*(.*?)\s*<([^>]+)>\s*", text)
        name, email = (match.group(1).strip('"'), match.group(2)) if match else ("", text)
        return SenderSettings(name, EMAIL.read(email, walk, path))


@dataclass(frozen=True)
class NewsletterSettings:
    """`newsletter:` as written; `Newsletter` is what the build uses."""

    name: str = setting(TEXT, "The newsletter's name, in every email's header.", required=True)
    sender: SenderSettings = setting(Sender(), "Who the emails come from: `Name <address>`.", required=True)
    reply_to: str | None = setting(EMAIL, "Where replies go, if not to the sender.")
    language: str = setting(LANGUAGE, "The language of the emails: dates, the theme's words, typography.",
                            default="fr")
    timezone: str = setting(TimeZone(), "The time zone of dates without one, and of the calendar editions.",
                            default="Europe/Paris")
    base_url: str = setting(URL, "The organisation's site: article links default to <base_url>/articles/<slug>/.",
                            required=True)
    address: str | None = setting(Text(lines=True, name="text, several lines allowed"),
                                  "The sender's postal address, in every email's footer (CAN-SPAM and many emailing "
                                  "tools require one).")
    wording: dict[str, Any] = setting(WORDING, "The project's own words for readers, in its language (see Languages).")
    logo: str | None = setting(TEXT, "The logo at the top of every email: an image file (relative to rameau.yaml) "
                                     "or an https URL.")
    logo_dark: str | None = setting(TEXT, "The logo for dark mode (light ink), when the logo's own would not show on "
                                          "a dark page.")


NEWSLETTER = settings_mapping(NewsletterSettings)


def languages_have_words(languages: dict[str, str | None], root: Path, walk: Walk) -> None:
    """Warn for each language (by the key path that sets it) that rameau has no words in."""
    wanted = {path: language for path, language in languages.items() if language}
    for path, language in wanted.items():
        if not has_words(language, root / "locales"):
            walk.warn(path, f"rameau has no words in {show(language)}: readers get English ones; add "
                            f"locales/{language}.po next to rameau.yaml (the manual: Adding a language), or a `wording:`")


def newsletter_settings(values: NewsletterSettings) -> Newsletter:
    sender = values.sender
    return Newsletter(values.name, sender.name or values.name, sender.email, values.reply_to,
                      values.language, values.timezone, values.base_url.rstrip("/"), values.address or "",
                      wording_pairs(values.wording), (values.logo or "").strip(),
                      (values.logo_dark or "").strip())
