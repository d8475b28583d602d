"""Which variables the theme's templates use, read from their syntax trees: each name and each
`.member` followed from the variables a template is given (contexts.py) through loops,
`with`, `set`, includes, imported macros and `extends`, and checked against the members the
manual lists (types.py). A use the manual does not name is a problem, said with its template
and line, so that the template variables page cannot fall behind the theme."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, nodes

from .types import documented, element, is_leaf, member, without_none

# Names Jinja gives every template.
GLOBALS = frozenset({"range", "loop", "self", "caller", "varargs", "kwargs", "namespace", "dict", "lipsum", "cycler",
                     "joiner", "super"})
UNKNOWN = object()  # a value whose type the page does not follow (a loop counter, a string method's result)


@dataclass(frozen=True)
class Value:
    path: str  # how the template reached it: `issue.segment`
    hint: Any = UNKNOWN


@dataclass(frozen=True)
class Macro:
    node: nodes.Macro
    template: str
    scope: dict[str, Any] | None = field(default=None, compare=False)  # where it was defined, when in the same template


@dataclass
class Reading:
    theme: Path
    problems: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)  # `issue.subject`, `article.image`: the page's names
    depth: int = 0

    def __post_init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(str(self.theme)))
        self.trees: dict[str, nodes.Template] = {}

    def tree(self, name: str) -> nodes.Template:
        if name not in self.trees:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            self.trees[name] = self.env.parse(source, name)
        self.reached.add(name)
        return self.trees[name]


def theme_problems(theme: Path, given: dict[str, dict[str, Any]]) -> tuple[list[str], set[str]]:
    """Every use, in the templates under `theme`, of a variable or member the manual does not
    name (`template:line: what`), and the templates read (every one `given` reaches)."""
    reading = _read(theme, given)
    return list(dict.fromkeys(reading.problems)), reading.reached


def theme_uses(theme: Path, given: dict[str, dict[str, Any]]) -> set[str]:
    """The variables and members the templates under `theme` use, by the names the manual's
    page gives them: `issue`, `issue.segment`, `segment.accent`, `image.at(width)`."""
    return _read(theme, given).used


def _read(theme: Path, given: dict[str, dict[str, Any]]) -> Reading:
    reading = Reading(theme)
    for name, variables in given.items():
        scope = {key: Value(key, hint) for key, hint in variables.items()}
        reading.used.update(scope)
        _body(reading, name, reading.tree(name).body, scope)
    return reading


def _body(reading: Reading, template: str, body: list[nodes.Node], scope: dict[str, Any]) -> None:
    for node in body:
        _statement(reading, template, node, scope)


def _statement(reading: Reading, template: str, node: nodes.Node, scope: dict[str, Any]) -> None:
    if isinstance(node, nodes.For):
        inner = dict(scope)
        items = _expression(reading, template, node.iter, scope)
        _bind(node.target, Value(f"{items.path} (each)", _element(items.hint)), inner)
        if node.test is not None:
            _expression(reading, template, node.test, inner)
        _body(reading, template, node.body, inner)
        _body(reading, template, node.else_, scope)
    elif isinstance(node, nodes.With):
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=True):
            _bind(target, _expression(reading, template, value, scope), inner)
        _body(reading, template, node.body, inner)
    elif isinstance(node, nodes.AssignBlock):
        _body(reading, template, node.body, scope)
        _bind(node.target, Value(getattr(node.target, "name", "")), scope)
    elif isinstance(node, nodes.Assign):
        _bind(node.target, _expression(reading, template, node.node, scope), scope)
    elif isinstance(node, (nodes.Include, nodes.Extends)):
        _included(reading, template, node.template, scope)
    elif isinstance(node, nodes.FromImport):
        source = _constant(node.template, template)
        macros = {m.name: Macro(m, source) for m in reading.tree(source).find_all(nodes.Macro)}
        for name in node.names:
            imported, alias = name if isinstance(name, tuple) else (name, name)
            scope[alias] = macros.get(imported, Value(alias))
    elif isinstance(node, nodes.Macro):
        scope[node.name] = Macro(node, template, scope)  # it sees that template's `set`s, made before or after
    else:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                _expression(reading, template, child, scope)
            else:
                _statement(reading, template, child, scope)


def _included(reading: Reading, template: str, name_node: nodes.Expr, scope: dict[str, Any]) -> None:
    name = _constant(name_node, template)
    if reading.depth > 20:
        return
    reading.depth += 1
    _body(reading, name, reading.tree(name).body, dict(scope))
    reading.depth -= 1


def _constant(node: nodes.Expr, template: str) -> str:
    if not isinstance(node, nodes.Const) or not isinstance(node.value, str):
        raise ValueError(f"{template}:{node.lineno}: a template named by a variable cannot be followed")
    return node.value


def _bind(target: nodes.Node, value: Any, scope: dict[str, Any]) -> None:
    if isinstance(target, nodes.Name):
        scope[target.name] = value
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            _bind(item, Value(getattr(item, "name", "")), scope)


def _element(hint: Any) -> Any:
    if hint is UNKNOWN:
        return UNKNOWN
    inner = element(hint)
    return UNKNOWN if inner is None else inner


def _expression(reading: Reading, template: str, node: nodes.Node, scope: dict[str, Any]) -> Value:
    """What `node` is, following names and members; every other part of it read for its own uses."""
    if isinstance(node, nodes.Name):
        found = scope.get(node.name)
        if isinstance(found, Value):
            return found
        if found is None and node.name not in GLOBALS:
            reading.problems.append(f"{template}:{node.lineno}: `{node.name}`: no such variable in this template")
        return Value(node.name)
    if isinstance(node, nodes.Getattr):
        return _member(reading, template, node, _expression(reading, template, node.node, scope), node.attr)
    if isinstance(node, nodes.Getitem):
        owner = _expression(reading, template, node.node, scope)
        _expression(reading, template, node.arg, scope)
        return Value(f"{owner.path}[…]", _element(owner.hint))
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and isinstance(scope.get(node.node.name), Macro):
        return _macro_call(reading, template, node, scope[node.node.name], scope)
    if isinstance(node, nodes.Filter):
        return _filter(reading, template, node, scope)
    result = None
    for child in node.iter_child_nodes():
        value = _expression(reading, template, child, scope)
        if isinstance(node, nodes.Call) and child is node.node:
            result = value
    return result or Value("")


def _member(reading: Reading, template: str, node: nodes.Node, owner: Value, key: str) -> Value:
    hint = without_none(owner.hint)
    path = f"{owner.path}.{key}"
    if hint is UNKNOWN or hint is Any or is_leaf(hint):
        return Value(path)
    if typing.is_typeddict(hint) or hint in documented():
        found = member(hint, key)
        if found is not None:
            reading.used.add(f"{documented().get(hint, _typed_dict_name(hint))}.{found.name}")
            return Value(path, found.hint)
    elif typing.get_origin(hint) is dict:  # Jinja reads a key of a mapping as a member
        return Value(path, _element(hint))
    reading.problems.append(f"{template}:{node.lineno}: `{path}`: the template variables page names no such member")
    return Value(path)


def _typed_dict_name(hint: Any) -> str:
    return documented().get(hint, getattr(hint, "__name__", ""))


def _macro_call(reading: Reading, template: str, node: nodes.Call, macro: Macro, scope: dict[str, Any]) -> Value:
    arguments = [_expression(reading, template, argument, scope) for argument in node.args]
    for keyword in node.kwargs:
        _expression(reading, template, keyword.value, scope)
    # An imported macro sees the variables the template is given, not the caller's loop variables.
    inner = dict(macro.scope) if macro.scope is not None else \
        {name: value for name, value in scope.items() if not isinstance(value, Value) or "." not in value.path}
    for parameter, value in zip(macro.node.args, arguments, strict=False):
        inner[parameter.name] = value
    for parameter in macro.node.args[len(arguments):]:
        inner[parameter.name] = Value(parameter.name)
    if reading.depth <= 20:
        reading.depth += 1
        _body(reading, macro.template, macro.node.body, inner)
        reading.depth -= 1
    return Value(macro.node.name)


def _filter(reading: Reading, template: str, node: nodes.Filter, scope: dict[str, Any]) -> Value:
    subject = _expression(reading, template, node.node, scope) if node.node is not None else Value("")
    for argument in node.args:
        _expression(reading, template, argument, scope)
    for keyword in node.kwargs:
        _expression(reading, template, keyword.value, scope)
    if node.name == "map":  # `items|map(attribute="edition.id")`: a member of each item
        attribute = next((k.value for k in node.kwargs if k.key == "attribute"), None)
        if isinstance(attribute, nodes.Const) and isinstance(attribute.value, str):
            value = Value(f"{subject.path} (each)", _element(subject.hint))
            for key in attribute.value.split("."):
                value = _member(reading, template, node, value, key)
    if node.name in ("first", "last"):
        return Value(f"{subject.path}|{node.name}", _element(subject.hint))
    return Value(f"{subject.path}|{node.name}")
