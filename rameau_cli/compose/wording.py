"""The words rameau writes for readers, in the newsletter's language: from message catalogs.

Every word of the theme, of the default subject and preheader, of the archive and of the
terminal preview is a message of the `rameau` gettext catalog (rameau_cli/locales/<lang>/
LC_MESSAGES/rameau.po, compiled to .mo), looked up by its key as message context. Plurals
follow the language's rules (Babel writes the catalogs' Plural-Forms). A project can bring its
own catalog (locales/<lang>.po next to rameau.yaml: a new language, or its own words) and
override any message in rameau.yaml (`wording:`, and a segment's own `wording:`).

Lookup, first found: the segment's wording, the project's wording (for segments in the
newsletter's language), the project's catalog, rameau's catalog for the language, English.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.language import primary, typography
from ..locales import BUILT_IN, MESSAGES, PLURALS

if TYPE_CHECKING:
    from ..project.config import Config, Segment

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "rameau"

@dataclass(frozen=True)
class Wording:
    """The words of one language (typography applied), with the project's own."""

    language: str
    greeting: str
    greeting_words: str
    first_name_fallback: str
    read_more: str
    read_online: str
    view_online: str
    online_version: str
    more_online: str
    unsubscribe: str
    manage: str
    forwarded: str
    subscribe: str
    reply: str
    number: str
    you_receive: str
    you_receive_named: str
    colon: str
    table: str
    video: str
    notes: str
    image: str
    edito: str
    links: str
    archive: str
    archive_empty: str
    archive_year: str
    archive_latest: str
    archive_all: str
    archive_feed: str
    plural: Callable[[str, int], str] = field(compare=False, repr=False, default=lambda key, count: key)

    def articles(self, count: int) -> str:
        """`1 article`, `3 articles`, `1 234 articles` in French."""
        return self.plural("articles", count).format(count=number(count, self.language))

    def issues(self, count: int) -> str:
        """`1 numéro`, `52 numéros` in French (the archive's years)."""
        return self.plural("issues", count).format(count=number(count, self.language))

    def greets(self, text: str) -> bool:
        """Whether `text` (an édito) opens with a greeting of its own."""
        words = [w.strip().lower() for w in self.greeting_words.split("|") if w.strip()]
        start = text.lstrip().lower()
        return any(start.startswith(word) and not start[len(word):len(word) + 1].isalpha() for word in words)


def number(count: int, language: str) -> str:
    if abs(count) < 1000:
        return str(count)
    from babel.numbers import format_decimal

    from ..content.language import babel_locale

    return str(format_decimal(count, locale=babel_locale(language)))


@dataclass(frozen=True)
class Overrides:
    """What a project says instead: its own catalog for the language (path, modification time
    and size: a catalog edited while a preview runs is read again) and its `wording:` blocks."""

    catalog: tuple[str, int, int] | None = None
    words: tuple[tuple[str, Any], ...] = ()  # key -> text, or for a plural {one: ..., other: ...}

    @staticmethod
    def of(folder: Path, language: str, words: tuple[tuple[str, Any], ...] = ()) -> Overrides:
        from ..project.words import project_catalog

        path = project_catalog(folder, language)
        if path is None:
            return Overrides(None, words)
        info = path.stat()
        return Overrides((str(path), info.st_mtime_ns, info.st_size), words)


def wording_for(language: str, overrides: Overrides = Overrides()) -> Wording:
    return _wording(language, overrides)


def segment_wording(config: Config, segment: Segment) -> Wording:
    """A segment's words: its language's catalogs, the project's catalog and `wording:` (for a
    segment in the newsletter's language), then the segment's own `wording:`."""
    language = config.language_of(segment)
    own = dict(config.newsletter.wording) if language == config.newsletter.language else {}
    own.update(segment.wording)
    return wording_for(language, Overrides.of(config.root / "locales", language, tuple(sorted(own.items()))))


@lru_cache(maxsize=32)
def _wording(language: str, overrides: Overrides) -> Wording:
    chain = [_project_catalog(overrides.catalog), *(_catalog(name) for name in _names(language))]
    catalogs = [c for c in chain if c is not None]
    own = {key: dict(value) if isinstance(value, tuple) else value for key, value in overrides.words}

    def text(key: str) -> str:
        given = own.get(key)
        if key == "you_receive_named" and given is None:  # the project's own sentence, if it wrote one
            given = own.get("you_receive")
        if isinstance(given, str):
            return given
        english = MESSAGES[key][0]
        for catalog in catalogs:
            found = catalog.pgettext(key, english)
            if found != english:
                return found
        return english

    def plural(key: str, count: int) -> str:
        forms = own.get(key)
        if isinstance(forms, Mapping):
            category = _category(language, count)
            return str(forms.get(category) or forms.get("other") or next(iter(forms.values())))
        one, many, _ = PLURALS[key]
        for catalog in catalogs:
            found = catalog.npgettext(key, one, many, count)
            if found not in (one, many):
                return typography(found, language)
        return typography(catalogs[-1].npgettext(key, one, many, count), language)

    words = {key: typography(text(key), language) for key in MESSAGES}
    return Wording(language=language, plural=plural, **words)


def _names(language: str) -> list[str]:
    """The built-in catalogs to look in: the language's (fr for fr-CA), then English."""
    base = primary(language)
    return [base, "en"] if base in BUILT_IN and base != "en" else ["en"]


@lru_cache(maxsize=8)
def _catalog(name: str) -> gettext.GNUTranslations:
    with open(LOCALES / name / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as handle:
        return gettext.GNUTranslations(handle)


def _project_catalog(catalog: tuple[str, int, int] | None) -> gettext.GNUTranslations | None:
    if catalog is None:
        return None
    path = Path(catalog[0])
    try:
        data = path.read_bytes()
    except OSError as exc:
        from ..errors import ConfigError, Problem

        raise ConfigError(Problem(str(path), f"cannot be read ({exc.strerror or exc})")) from None
    return compile_po(data, str(path))


def compile_po(data: bytes, where: str) -> gettext.GNUTranslations:
    """A .po file read with Babel and compiled in memory; errors name the file and line."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    from ..errors import ConfigError, Problem

    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(Problem(where, f"cannot be read as a gettext catalog: {exc}")) from None
    out = io.BytesIO()
    write_mo(out, catalog)
    out.seek(0)
    return gettext.GNUTranslations(out)


def _category(language: str, count: int) -> str:
    from ..content.language import babel_locale

    return str(babel_locale(language).plural_form(count))
