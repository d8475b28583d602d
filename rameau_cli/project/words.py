"""The `wording:` blocks of rameau.yaml (top level, and a segment's own): any of rameau's words
for readers, said the project's way. Keys are the catalogs' messages (rameau_cli/locales)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..locales import BUILT_IN, MESSAGES, PLURALS
from .schema import Invalid, Key, Kind, Mapping, Text, Walk, describe

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


class PluralText(Kind):
    """One text for every number, or one per plural category: `{one: "{count} story", other: ...}`."""

    name = "text, or {one: ..., other: ...}"
    type = str | dict[str, str]

    def read(self, value: Any, walk: Walk, path: str) -> Any:
        if not isinstance(value, dict):
            return Text(fold=True).read(value, walk, path)
        unknown = [str(k) for k in value if k not in PLURAL_CATEGORIES]
        if unknown:
            raise Invalid(f"unknown plural categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
                          f"use {', '.join(PLURAL_CATEGORIES)} (CLDR's plural rules)")
        if "other" not in value:
            raise Invalid("give at least `other`, the form for most numbers")
        for category, text in value.items():
            if not isinstance(text, str):
                raise Invalid(f"{category}: expected text, got {describe(text)}")
        return {str(k): str(v) for k, v in value.items()}


def _message(key: str, english: str, note: str) -> Key:
    return Key(key, Text(fold=True), f"{note[0].upper()}{note[1:]} (English: `{english}`).")


WORDING = Mapping(
    *(_message(key, english, note) for key, (english, note) in MESSAGES.items()),
    *(Key(key, PluralText(), f"{note[0].upper()}{note[1:]} (English: `{one}` / `{many}`).")
      for key, (one, many, note) in PLURALS.items()),
    optional=True,
    what="wording key",
    table="wording",
)


def wording_pairs(values: dict[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """The keys given, as sorted (key, text) pairs (a plural's texts as sorted pairs too)."""
    if not values:
        return ()
    pairs = []
    for key, value in sorted(values.items()):
        if value is not None:
            pairs.append((key, tuple(sorted(value.items())) if isinstance(value, dict) else value))
    return tuple(pairs)


def project_catalog(folder: Path, language: str) -> Path | None:
    """The project's own catalog for `language` (locales/fr-CA.po, fr_CA.po or fr.po), if any."""
    for name in dict.fromkeys((language, language.replace("-", "_"), language.split("-")[0].lower())):
        path = folder / f"{name}.po"
        if path.is_file():
            return path
    return None


def has_words(language: str, folder: Path) -> bool:
    """Whether readers of `language` get words in it: rameau's catalog or the project's."""
    return language.split("-")[0].lower() in BUILT_IN or project_catalog(folder, language) is not None
