"""One declarative schema for everything people write: rameau.yaml, article front matter and
edition files.

Each key is declared once, with its kind, default, extra check and one line of doc. From the
declarations come the validation (every problem reported at once, named by its key path), the
known keys and their "did you mean", and the README's reference tables.
Each mapping people write is a settings dataclass whose fields declare its keys (project/settings.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problem, show
from .keys import IGNORED, meant_as
from .reading import one_line, slugify

MISSING: Any = object()


class Invalid(Exception):
    """A value that cannot be used; the message says what was expected."""


@dataclass
class Walk:
    """Where the validation is, and what it found: problems (errors) and warnings."""

    filename: str
    tz: ZoneInfo | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    typos: list[Problem] = field(default_factory=list)  # keys surely meant as known ones: they stop a build

    def where(self, path: str) -> str:
        return f"{self.filename}: {path}" if path else self.filename

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.where(path), message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Problem(self.where(path), message))


def describe(value: Any) -> str:
    """A user's value as a message names it: `text ("dix")`, `a list`, `nothing`."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value.isoformat()})"
    return type(value).__name__


def closest(word: str, choices: list[str] | set[str] | tuple[str, ...]) -> str | None:
    matches = difflib.get_close_matches(word.lower(), sorted(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


# --- Kinds: how one value is read ----------------------------------------------------------------


class Kind:
    """How a value is read. `read` returns the typed value or raises Invalid."""

    name = "value"
    type: Any = Any  # the Python type `read` returns: a settings field holding it is typed so (a test checks)

    def read(self, value: Any, walk: Walk, path: str) -> Any:
        return value


class Text(Kind):
    name = "text"
    type = str

    def __init__(self, pattern: str = "", hint: str = "", lines: bool = False, fold: bool = False, name: str = "text"):
        self.name = name
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint
        self.lines = lines  # several lines allowed (a postal address)
        self.fold = fold  # line breaks read as spaces (a summary written over several lines)

    def read(self, value: Any, walk: Walk, path: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise Invalid(f"expected text, got {describe(value)}; put the value in quotes")
        text = str(value).strip()
        if self.lines:
            text = "\n".join(one_line(line) for line in text.splitlines() if line.strip())
        elif ("\n" in text or "\r" in text) and not self.fold:
            raise Invalid(f"{self.hint}, on one line" if self.hint else "must be on one line")
        else:
            text = one_line(text)
        if self.pattern and text and not self.pattern.fullmatch(text):
            raise Invalid(f"{self.hint}, got {show(text)}")
        return text


TEXT = Text()
URL = Text(r"https?://[^\s/]+[^\s]*", "expected an absolute http(s) URL such as https://www.example.org", name="URL")
EMAIL = Text(r"[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+", "expected an email address such as lettre@example.org",
             name="email address")
COLOUR = Text(r"#[0-9a-fA-F]{6}", "expected a colour such as #1f5c4a", name="colour (#rrggbb)")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
SLUG = Text(SLUG_RE.pattern, "expected a slug: lowercase letters, digits and hyphens", name="slug")
LANGUAGE = Text(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", "expected a language code such as fr, en or fr-FR", name="language code")


class Choice(Kind):
    type = str

    def __init__(self, *choices: str):
        self.choices = choices
        self.name = " or ".join(f"`{c}`" for c in choices)

    def read(self, value: Any, walk: Walk, path: str) -> str:
        text = TEXT.read(value, walk, path)
        if text not in self.choices:
            hint = closest(text, self.choices)
            extra = f" (did you mean {hint!r}?)" if hint else ""
            raise Invalid(f"expected one of {', '.join(self.choices)}, got {show(text)}{extra}")
        return text


class TimeZone(Kind):
    name = "time zone"
    type = str

    def read(self, value: Any, walk: Walk, path: str) -> str:
        text = TEXT.read(value, walk, path)
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"unknown time zone {show(text)}; use a name such as Europe/Paris") from None
        return text


class Integer(Kind):
    type = int

    def __init__(self, minimum: int | None = None, hint: str = ""):
        self.minimum = minimum
        self.name = "whole number" if minimum is None else f"whole number ≥ {minimum}"
        self.hint = hint

    def read(self, value: Any, walk: Walk, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or (self.minimum is not None and value < self.minimum):
            wanted = self.hint or ("a whole number" if self.minimum is None else
                                   "a positive integer" if self.minimum == 1 else f"a whole number of at least {self.minimum}")
            raise Invalid(f"expected {wanted}, got {describe(value)}")
        return value


class Boolean(Kind):
    name = "true or false"
    type = bool

    def read(self, value: Any, walk: Walk, path: str) -> bool:
        if not isinstance(value, bool):
            raise Invalid(f"expected true or false, got {describe(value)}")
        return value


class Name(Kind):
    """One name (an audience), made a slug."""

    name = "name"
    type = str

    def read(self, value: Any, walk: Walk, path: str) -> str:
        return slugify(TEXT.read(value, walk, path))


NAME = Name()


class Names(Kind):
    """A list of names (audiences, tags), each made a slug: `Grand public` is `grand-public`."""

    name = "list of names"
    type = tuple[str, ...]

    def read(self, value: Any, walk: Walk, path: str) -> tuple[str, ...]:
        key = path.rsplit(".", 1)[-1]
        if isinstance(value, str):
            raise Invalid(f"expected a list such as [{value}], got text; write `{key}: [{value}]`")
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise Invalid("expected a list of names such as [association, entreprise]")
        return tuple(dict.fromkeys(slugify(str(v)) for v in value if str(v).strip()))


class ListOf(Kind):
    def __init__(self, item: Kind):
        self.item = item
        self.name = f"list of {item.name}"
        self.type = tuple[item.type, ...]  # type: ignore[name-defined]

    def read(self, value: Any, walk: Walk, path: str) -> tuple:
        if isinstance(value, str) and isinstance(self.item, Text):
            value = [value]
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {describe(value)}")
        return tuple(validate(self.item, item, walk, f"{path}[{index}]") for index, item in enumerate(value))


class Either(Kind):
    """The first kind whose type fits: `sender` is text or a mapping, `subject` text or a
    mapping of segment ids to text."""

    def __init__(self, *kinds: tuple[type | tuple[type, ...], Kind]):
        self.kinds = kinds
        self.name = " or ".join(kind.name for _, kind in kinds)
        self.type = Union[tuple(kind.type for _, kind in kinds)]

    def read(self, value: Any, walk: Walk, path: str) -> Any:
        for types, kind in self.kinds:
            if isinstance(value, types):
                return kind.read(value, walk, path)
        raise Invalid(f"expected {self.name}, got {describe(value)}")


@dataclass(frozen=True)
class Key:
    name: str
    kind: Kind
    doc: str
    default: Any = None
    required: bool = False
    check: Callable[[Any, Walk, str], None] | None = None  # more checks on the read value


class Mapping(Kind):
    """`key: value` lines, each key declared. Unknown keys are errors (a typo in rameau.yaml must
    not be silently ignored) or, where `unknown="warning"`, warnings (front matter)."""

    name = "mapping"

    def __init__(self, *keys: Key, unknown: str = "error", what: str = "key", optional: bool = False,
                 check: Callable[[Any, Walk, str], None] | None = None, table: str = "",
                 silent: frozenset[str] = frozenset(), aliases: dict[str, str] | None = None,
                 settings: type | None = None):
        self.keys = keys
        self.settings = settings  # the dataclass `read` returns (settings_mapping), else a dict
        self.type = settings or dict[str, Any]
        self.silent = silent  # keys of other tools, read without a word (front matter: Hugo's `weight`)
        self.aliases = aliases or {}  # unknown="typo": other words for a key (`segment` for `audiences`)
        self.table = table  # the README lists its keys in a table of their own, by this name
        self.by_name = {key.name: key for key in keys}
        self.unknown = unknown
        self.what = what
        self.optional = optional  # nothing at all reads as an empty mapping
        self.check = check  # checks across keys, on the read values
        self._swallowed: re.Pattern[str] | None = None

    @property
    def swallowed(self) -> re.Pattern[str]:
        """`key: ` for any of the mapping's keys, where a quote left open swallowed one."""
        if self._swallowed is None:
            names = "|".join(re.escape(key.name) for key in self.keys)
            self._swallowed = re.compile(rf"(?:^|\s)({names}): ")
        return self._swallowed

    def read(self, value: Any, walk: Walk, path: str) -> Any:
        if value is None and self.optional:
            value = {}
        if not isinstance(value, dict):
            raise Invalid(f"expected a mapping of `key: value` lines, got {describe(value)}")
        self.check_unknown(value, walk, path)
        result: dict[str, Any] = {}
        for key in self.keys:
            key_path = f"{path}.{key.name}" if path else key.name
            raw = value.get(key.name)
            if raw is None and isinstance(key.kind, Mapping) and key.kind.optional and not key.required:
                result[key.name] = key.kind.read({}, walk, key_path)
                continue
            if raw is None:
                if key.required:
                    doc = key.doc[:1].lower() + key.doc[1:].rstrip(".")
                    walk.error(key_path, f"missing; add it ({doc})" if doc else "missing; add it")
                result[key.name] = key.default
                continue
            read = validate(key.kind, raw, walk, key_path, MISSING)
            if read is MISSING:
                result[key.name] = key.default
                continue
            if isinstance(read, str):
                self.check_swallowed(read, value, walk, key_path)
            if key.check:
                try:
                    key.check(read, walk, key_path)
                except Invalid as exc:
                    walk.error(key_path, str(exc))
                    read = key.default
            result[key.name] = read
        values = self.settings(**result) if self.settings else result
        if self.check:
            self.check(values, walk, path)
        return values

    def check_unknown(self, value: dict, walk: Walk, path: str) -> None:
        """Unknown keys: errors, warnings, or (unknown="typo") warnings but for a key surely
        meant as a known one, which is a typo that must stop the build (walk.typos)."""
        for name in value:
            if name in self.by_name or str(name) in self.silent:
                continue
            if self.unknown == "typo" and (meant := meant_as(str(name), list(self.by_name), self.aliases)):
                where = walk.where(f"{path}.{name}" if path else str(name))
                meaning = meant if " " in meant else f"did you mean {meant!r}? Rename it"
                walk.typos.append(Problem(where, f"unknown {self.what}; {meaning} (a misspelt key is not ignored: it "
                                                 "could send an article to other readers, or before its time)"))
                continue
            hint = closest(str(name), list(self.by_name))
            extra = f"; did you mean {hint!r}?" if hint else f"; known keys: {', '.join(self.by_name)}"
            key_path = f"{path}.{name}" if path else str(name)
            if self.unknown == "error":
                walk.error(key_path, f"unknown {self.what}{extra}")
            else:
                walk.warn(key_path, f"unknown {self.what}, {IGNORED}{extra}")

    def check_swallowed(self, text: str, value: dict, walk: Walk, path: str) -> None:
        """A quote left open in YAML runs on over the next lines: `title: "L'hebdo` followed by
        `cadence: weekly` reads as one title holding "cadence: weekly". Say so."""
        if ": " not in text:
            return
        for match in self.swallowed.finditer(text):
            name = match.group(1)
            if name not in value:
                walk.error(path, f"holds the text {name + ':'!r}: a quote opened in this value is closed only on a "
                                 "later line, so the keys in between were read as part of it; close the quote")
                return


class MapOf(Kind):
    """A mapping of ids to settings: `segments: {quotidienne: {...}, ...}`."""

    def __init__(self, value: Kind, id_kind: Kind = SLUG, what: str = "id"):
        self.value = value
        self.id_kind = id_kind
        self.what = what
        self.name = f"mapping: {what} -> {value.name}"
        self.type = dict[id_kind.type, value.type]  # type: ignore[name-defined]

    def read(self, value: Any, walk: Walk, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(f"expected a mapping of {self.what}s to settings, got {describe(value)}")
        result = {}
        for raw_id, item in value.items():
            item_path = f"{path}.{raw_id}"
            item_id = validate(self.id_kind, raw_id, walk, item_path, MISSING)
            if item_id is MISSING:
                continue
            read = validate(self.value, item, walk, item_path, MISSING)
            if read is not MISSING:
                result[item_id] = read
        return result


def validate(kind: Kind, value: Any, walk: Walk, path: str, failed: Any = None) -> Any:
    """`kind.read(value)`, or `failed` with the problem recorded at `path`."""
    try:
        return kind.read(value, walk, path)
    except Invalid as exc:
        walk.error(path, str(exc))
        return failed
