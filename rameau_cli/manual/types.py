"""What a template can reach from a value of a given type: the members (fields, properties,
methods) of the classes the theme is given, read from the classes themselves, and the words
the manual names each type with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Union

from markupsafe import Markup


@dataclass(frozen=True)
class Member:
    name: str  # `subject`, or `at(width)` for a method
    key: str  # what a template writes after the dot: `subject`, `at`
    hint: Any  # its type (a method's: what it returns)
    doc: str


LEAVES: dict[Any, str] = {str: "text", int: "whole number", float: "number", bool: "true or false",
                          dt.datetime: "date and time", dt.date: "date", Markup: "markup (written as it is)",
                          type(None): "none", Path: "path"}


def contents() -> dict[Any, str]:
    """The content types: read and rendered by rameau, written by its filters only."""
    from ..content.blocks import Blocks, Inline

    return {Blocks: "content blocks (for `blocks_html`, `blocks_text`)",
            Inline: "inline content (for `inline_html`, `inline_text`)"}


def documented() -> dict[type, str]:
    """The classes the manual lists member by member, and the name it gives each: the one the
    theme's templates give it."""
    from ..builds import Build, EditionBuild
    from ..compose.issue import Issue, IssueArticle, Logo
    from ..compose.profiles import Profile
    from ..compose.wording import Wording
    from ..images.assets import Picture
    from ..output.archive import ArchiveEntry, Elsewhere, YearPage
    from ..preview.pages import Snapshot
    from ..project.calendar import Window
    from ..project.config import Rule, Segment, Tracking
    from ..project.editions import Edition
    from ..project.newsletter import Newsletter
    from ..render.emails import Email
    from ..render.text import LinkList
    from .contexts import ArchiveFeed

    return {Issue: "issue", IssueArticle: "article", Logo: "logo", Picture: "image", Newsletter: "newsletter", Segment: "segment",
            Rule: "rule", Tracking: "tracking", Wording: "words", Profile: "profile", LinkList: "links",
            ArchiveEntry: "entry", YearPage: "page", Elsewhere: "other", ArchiveFeed: "feed", Snapshot: "snapshot",
            Build: "build", EditionBuild: "built", Edition: "edition", Window: "window", Email: "email"}


def is_leaf(hint: Any) -> bool:
    return hint in LEAVES or hint in contents() or _is_function(hint)


def _is_function(hint: Any) -> bool:
    """A function, or a function or none."""
    return _origin(without_none(hint)) in (Callable, typing.Callable)


def _origin(hint: Any) -> Any:
    return typing.get_origin(hint)


def without_none(hint: Any) -> Any:
    """`X | None` -> X (a template tests it with `if` first)."""
    if _origin(hint) in (Union, types.UnionType):
        rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return hint


def element(hint: Any) -> Any:
    """What a `for` over a value of this type gives, or `x[key]` of a mapping; None: unknown."""
    hint = without_none(hint)
    origin, args = _origin(hint), typing.get_args(hint)
    if origin in (tuple, list, frozenset, set) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def type_name(hint: Any, linked: bool = False) -> str:
    """The words for a type: `text`, `list of articles`, `image or none`; `linked`: the names of
    documented classes link to their section of the page."""
    if hint in LEAVES:
        return LEAVES[hint]
    if hint in contents():
        return contents()[hint]
    names = documented()
    if hint in names:
        return f"[{names[hint]}](#{names[hint]})" if linked else names[hint]
    origin, args = _origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(arg, linked) for arg in args)
    if origin is tuple and args and args[-1] is not Ellipsis:
        return "(" + ", ".join(type_name(arg, linked) for arg in args) + ")"
    if origin in (tuple, list, frozenset, set) and args:
        return f"list of {_plural(type_name(args[0]), linked)}"
    if origin is dict and len(args) == 2:
        return f"mapping: {type_name(args[0], linked)} -> {type_name(args[1], linked)}"
    if _is_function(hint):
        return "function"
    return getattr(hint, "__name__", str(hint))


def _plural(words: str, linked: bool) -> str:
    if " or " in words:
        return f"({words})"
    if words.startswith(("list of", "mapping", "content", "inline", "(")) or words in ("text", "words", "links"):
        return words
    plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
    return f"[{plural}](#{words})" if linked and words in documented().values() else plural


@cache
def members(cls: type) -> tuple[Member, ...]:
    """Every member of `cls` a template can use: its fields, in order, then its properties and
    methods; private names, and fields holding functions, left out."""
    hints = _hints(cls)
    comments = _field_comments(cls)
    found: list[Member] = []
    names = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else \
        list(typing.get_type_hints(cls)) if typing.is_typeddict(cls) else []
    for name in names:
        hint = hints.get(name, Any)
        if not name.startswith("_") and not _is_function(hint):
            found.append(Member(name, name, hint, comments.get(name, "")))
    for name, value in vars(cls).items():
        if name.startswith("_") or name in names:
            continue
        if isinstance(value, property) and value.fget is not None:
            found.append(Member(name, name, _hints(value.fget).get("return", Any), _first_line(value.fget)))
        elif inspect.isfunction(value):
            params = [p for p in inspect.signature(value).parameters if p != "self"]
            found.append(Member(f"{name}({', '.join(params)})", name, _hints(value).get("return", Any),
                                _first_line(value)))
    return tuple(found)


def member(cls: type, key: str) -> Member | None:
    return next((m for m in members(cls) if m.key == key), None)


def _hints(thing: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(thing)
    except (NameError, TypeError):  # a name imported only for type checkers: its type stays unknown
        return {}


def _first_line(function: Any) -> str:
    return (inspect.getdoc(function) or "").split("\n\n")[0].replace("\n", " ")


_COMMENT = re.compile(r"^\s+(\w+): [^#\n]*?(?:=[^#\n]*)?#\s*(.+)$")


def _field_comments(cls: type) -> dict[str, str]:
    """The comment at the end of each field's line: what the field holds, in the code's words."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    return {m.group(1): m.group(2).strip() for m in map(_COMMENT.match, source.splitlines()) if m}
