"""The manual's page of template variables: every variable each of the theme's templates is
given, and every member of the objects they hold, with its type (from the code) and an example
(its value in a build of the bundled example)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections import deque
from typing import Any

from markupsafe import Markup

from .contexts import GROUPS, entries, example_contexts
from .descriptions import describe
from .types import Member, documented, element, is_leaf, members, type_name, without_none

# Methods a template calls with an argument: the one their example is made with.
EXAMPLE_ARGUMENTS = {("Wording", "articles"): (3,), ("Wording", "issues"): (12,), ("Picture", "at"): (276,),
                     ("LinkList", "number"): ("https://www.example.org/",)}

# What the theme's own filters do, for those whose function says it in no docstring of its own.
FILTERS = {
    "wrap": "Folds text at 78 columns for the text part, keeping no-break spaces "
            "(`wrap(first=\"- \", indent=\"  \")` for a list item).",
    "upper_first": "The first letter in capitals: `lundi 30 novembre` becomes `Lundi 30 novembre`.",
    "blocks_html": "Content blocks as the email's HTML: `article.body|blocks_html(issue)`.",
    "inline_html": "Inline content as HTML: `article.summary|inline_html(issue)`.",
    "blocks_text": "Content blocks as the text part, links numbered in `links`: `issue.edito|blocks_text(issue, links)`.",
    "inline_text": "Inline content as text, links numbered in `links`: `article.summary|inline_text(links)`.",
    "box_height": "The height an image says in the HTML: its own, else that of a box of the theme's ratio "
                  "(`logo|box_height`).",
}


def filters() -> dict[str, str]:
    """Each filter the theme has beside Jinja's, and what it does (its function's docstring, else
    FILTERS): a new filter without either stops the page from being made."""
    from jinja2.filters import FILTERS as JINJA

    from ..render.templates import template_environment

    found = {}
    for name, function in template_environment(None, "mjml").filters.items():
        if name in JINJA:
            continue
        doc = FILTERS.get(name) or (function.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if not doc or getattr(function, "__name__", "") == "<lambda>" and name not in FILTERS:
            raise ValueError(f"the theme's filter {name!r} says nowhere what it does; add it to FILTERS in {__name__}")
        found[name] = " ".join(doc.split())
    return found


@dataclasses.dataclass
class Reached:
    """A documented class, the places a template reaches it from, and values of it."""

    cls: type
    paths: list[str]
    values: list[Any]
    walks: int = 0

    @property
    def sample(self) -> Any:
        """The value that shows most: the one with the fewest empty fields."""
        if not self.values or not dataclasses.is_dataclass(self.values[0]):
            return self.values[0] if self.values else None
        return max(self.values, key=lambda item: sum(1 for field in dataclasses.fields(item) if getattr(item, field.name)))


def variables_reference() -> str:
    """The page's generated part: a section per group of templates, then one per object."""
    with example_contexts() as (recorded, folder):
        return _reference(recorded, folder)


def _reference(recorded: dict[str, dict[str, Any]], folder: str) -> str:
    given = entries()
    names = documented()
    reached: dict[type, Reached] = {}
    lines: list[str] = []
    for title, templates in GROUPS:
        lines += [f"### {title}", "", "| template | variable | type | example |", "| --- | --- | --- | --- |"]
        for template in templates:
            for name, hint in given[template].items():
                value = recorded.get(template, {}).get(name)
                lines.append(_row([f"`{template}`", f"`{name}`", type_name(hint, linked=True),
                                    _example(value, hint, folder)]))
                _walk(hint, name, [value], reached, names)
        lines.append("")
    lines += ["### Filters", "", "| filter | what it does |", "| --- | --- |"]
    lines += [_row([f"`{name}`", doc]) for name, doc in filters().items()]
    lines.append("")
    for found in reached.values():
        lines += _members_table(found, names[found.cls], folder)
    return "\n".join(lines).rstrip()


def _walk(hint: Any, path: str, values: list[Any], reached: dict[type, Reached], names: dict[type, str]) -> None:
    """Every documented class reachable from `hint`, breadth first, with the paths to it and the
    values found there (every item of a list: the example shows the one that shows most)."""
    queue: deque[tuple[Any, str, list[Any]]] = deque([(hint, path, values)])
    while queue:
        hint, path, values = queue.popleft()
        hint = without_none(hint)
        values = [value for value in values if value is not None]
        inner = element(hint)
        if inner is not None:
            each = f"{path}[…]" if typing.get_origin(hint) is dict else f"{path} (each)"
            queue.append((inner, each, [item for value in values for item in _items(value)][:100]))
            continue
        if hint not in names:
            continue
        found = reached.setdefault(hint, Reached(hint, [], []))
        if path not in found.paths and len(found.paths) < 6:
            found.paths.append(path)
        found.values += values[:100]
        found.walks += 1
        if found.walks > 8:  # every path to it walked enough: examples, not a census
            continue
        for item in members(hint):
            if "(" not in item.name and not is_leaf(item.hint):
                queue.append((item.hint, f"{names[hint]}.{item.key}", [_get(value, item.key) for value in values]))


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else getattr(value, key, None)


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return list(value) if isinstance(value, (list, tuple)) else []


def _members_table(found: Reached, name: str, folder: str) -> list[str]:
    where = ", ".join(f"`{path}`" for path in found.paths)
    lines = [f"### {name}", "", f"Where a template finds it: {where}.", "",
             "| variable | type | example | what it is |", "| --- | --- | --- | --- |"]
    for item in members(found.cls):
        value = _member_value(found.cls, item, found.sample)
        lines.append(_row([f"`{name}.{item.name}`", type_name(item.hint, linked=True),
                           _example(value, item.hint, folder),
                           describe(found.cls, item)]))
    return lines + [""]


def _member_value(cls: type, item: Member, sample: Any) -> Any:
    if sample is None:
        return None
    value = _get(sample, item.key)
    if "(" not in item.name:
        return value
    arguments = EXAMPLE_ARGUMENTS.get((cls.__name__, item.key))
    return value(*arguments) if arguments is not None and callable(value) else None


def _example(value: Any, hint: Any, folder: str) -> str:
    """A value as the page shows it: text quoted and shortened, lists counted."""
    if value is None:
        return "none" if hint is not None and without_none(hint) != hint else ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, Markup)):
        text = str(value).replace(folder, "…")
        text = text if len(text) <= 48 else text[:47] + "…"
        return _code(repr(text)[1:-1] if "\n" in text else text, quoted=True)
    if isinstance(value, (int, float)):
        return _code(str(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return _code(value.isoformat())
    if isinstance(value, dict):
        keys = ", ".join(str(key) for key in list(value)[:3]) + (", …" if len(value) > 3 else "")
        return f"{{{keys}}}" if value else "empty"
    if isinstance(value, (list, tuple, frozenset, set)):
        if not value:
            return "empty"
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        if all(isinstance(item, str) for item in items):
            return _code(", ".join(items[:3]) + (", …" if len(items) > 3 else ""))
        return f"{len(items)} of them"
    return ""


def _code(text: str, quoted: bool = False) -> str:
    text = f'"{text}"' if quoted else text
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"
