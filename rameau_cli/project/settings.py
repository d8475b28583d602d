"""The mappings people write (rameau.yaml, front matter, edition files) as typed settings: a
frozen dataclass whose fields each declare their key (`setting(...)`: kind, doc, default,
check), from which `settings_mapping` makes the schema's Mapping. Reading the mapping gives an
instance of the dataclass, so code reads `values.max_articles`, checked by mypy, not
`values["max_articles"]`, and a key is declared once:

    @dataclass(frozen=True)
    class OutputSettings:
        dir: str = setting(TEXT, "Where build-issue writes.", default="dist")

    OUTPUT = settings_mapping(OutputSettings, optional=True)

The field's type is what its kind reads (`Kind.type`), or that or None when the key may be left
out; tests/test_settings.py checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field, fields, replace
from typing import Any

from .schema import Key, Kind, Mapping, Walk

SETTING = "rameau.setting"  # the key of a field's metadata that holds its Key


def setting(kind: Kind, doc: str, *, default: Any = None, required: bool = False,
            check: Callable[[Any, Walk, str], None] | None = None) -> Any:
    """A field of a settings dataclass that is a key of its mapping, named as the field. The field
    has no default of its own: its value always comes from reading the mapping, where a key not
    given reads as `default` (an optional mapping as the reading of nothing)."""
    return field(metadata={SETTING: Key("", kind, doc, default, required, check)})


def settings_mapping(settings: type, **options: Any) -> Mapping:
    """The Mapping of a settings dataclass: one key per field, in the fields' order; reading it
    gives an instance of the dataclass."""
    stray = [item.name for item in fields(settings) if SETTING not in item.metadata]
    if stray:
        raise TypeError(f"{settings.__name__}.{stray[0]} is no key: declare it with setting(...)")
    keys = tuple(replace(item.metadata[SETTING], name=item.name) for item in fields(settings))
    return Mapping(*keys, settings=settings, **options)
