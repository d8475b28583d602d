"""Jinja's sandbox, bounded in work and in size, for every template an author writes: a
segment's subject and preheader, an edition's, and the theme's own files.

Jinja's SandboxedEnvironment keeps a template from reaching Python's internals, and bounds one
`range()` to 100,000 numbers; it does not bound what a template may ask of the machine:
`{{ lipsum(10**6) }}` (a million paragraphs), two nested loops of 100,000 steps each, or
`{{ 'a'|center(10**9) }}` (a gigabyte). Here, during one render:

- every step of a `{% for %}` loop and every call (a macro calling itself twice is 2**n calls)
  counts against MAX_STEPS; text made by a filter or an operator counts by its size;
- no one value of text or list grows beyond MAX_TEXT: checked before it is made where its size
  can be told (`center`, `*`...), and after, for every filter, call, operator, `~` and printed
  value (so a value doubled in a loop stops at twice the limit); lists and dicts cannot be
  changed in place (Jinja's immutable sandbox); the output stops at MAX_OUTPUT;
- and, should something still run long, the render stops at DEADLINE seconds.

What goes beyond is a TemplateBudget error, which the caller reports against the template's
file or key. Loops are counted, and `~` checked, by rewriting the template's tree at compile
time (Jinja has no hook for that: `_parse` is where Environment.compile gets the tree, in Jinja
2.x and 3.x). Jinja's own account of what its sandbox does and does not bound:
https://jinja.palletsprojects.com/en/stable/sandbox/
"""

from __future__ import annotations

import contextvars
import functools
import operator
import re
import time
import types
from collections.abc import Callable, Iterable, Iterator
from types import CodeType
from typing import Any, Literal, overload

from jinja2 import nodes
from jinja2.environment import Template
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from ..memo import Kept

MAX_STEPS = 200_000  # loop steps and calls in one render (the default theme takes a few hundred)
MAX_TEXT = 1_000_000  # characters (or items) of one value a template makes
MAX_OUTPUT = 5_000_000  # characters one render writes
DEADLINE = 20.0  # seconds of one render, on the slowest machine
MAX_PARAGRAPHS = 100  # lipsum()
MAX_WORDS = 1_000
_WIDE = re.compile(r"\d{6,}")  # a field width or precision of a million or more, in a format string
_STAR = re.compile(r"%[-#0 +]*(?:\*|\d*\.\*)")  # a %-format whose width or precision is an argument


class TemplateBudget(SecurityError):
    """A template asked for more work or more text than a newsletter ever needs."""


class _Budget:
    __slots__ = ("deadline", "next_look", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.next_look = 256  # the clock is read every 256 steps
        self.deadline = time.monotonic() + DEADLINE

    def spend(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps < self.next_look:
            return
        self.next_look = self.steps + 256
        if self.steps > MAX_STEPS:
            raise TemplateBudget(f"the template does more than {MAX_STEPS:,} steps of loops and calls; "
                                 "make its loops shorter")
        if time.monotonic() > self.deadline:
            raise TemplateBudget(f"the template ran for more than {DEADLINE:.0f} seconds; make it simpler")


_current: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def _spend(steps: int = 1) -> None:
    budget = _current.get()
    if budget is not None:
        budget.spend(steps)


def _sized(size: int, what: str) -> None:
    """Refuse a value of `size` characters or items before it is made; count it as work."""
    if size > MAX_TEXT:
        raise TemplateBudget(f"{what} would make {size:,} characters or items (at most {MAX_TEXT:,}); "
                             "make it smaller")
    _spend(size // 100)


def _counted(items: Iterable[Any]) -> Iterator[Any]:
    """A loop's items, each a step."""
    for item in items:
        _spend()
        yield item


def _made(value: Any, what: str) -> Any:
    """A value just made, refused when it is over MAX_TEXT: what could not be checked before
    (a format, a concatenation, a block) can then be at most a few times that, never doubled
    again and again in a loop."""
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_TEXT:
        raise TemplateBudget(f"{what} makes {len(value):,} characters or items (at most {MAX_TEXT:,}); make it smaller")
    return value


def _concat(*parts: Any) -> str:
    return _made(str_join(parts), "~")


def _concat_markup(*parts: Any) -> str:
    return _made(markup_join(parts), "~")


def _checked_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps jinja_pass_arg, which says what Jinja passes first
    def checked(*args: Any, **kwargs: Any) -> Any:
        return _made(function(*args, **kwargs), f"{name}()")

    return checked


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _width(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _center(value: Any, width: int = 80) -> str:
    _sized(max(_length(str(value)), _width(width)), "center()")
    return FILTERS["center"](value, width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(value)
    pad = _width(width) if isinstance(width, int) else _length(width)
    _sized(len(text) + pad * (text.count("\n") + 1), "indent()")
    return FILTERS["indent"](value, width, first, blank)


def _replace(eval_ctx: Any, value: Any, old: str, new: str, count: int | None = None) -> Any:
    text = str(value)
    times = text.count(str(old)) if old else len(text) + 1
    if count is not None:
        times = min(times, max(count, 0))
    _sized(len(text) + times * max(0, len(str(new)) - len(str(old))), "replace()")
    return FILTERS["replace"](eval_ctx, value, old, new, count)


def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = list(value)
    _sized(sum(len(str(item)) for item in items) + len(items) * len(str(d)), "join()")
    return FILTERS["join"](eval_ctx, items, d, attribute)


def _percent_widths(text: str, args: Any, what: str) -> None:
    """A %-format of `text` with `args`, refused before it is made when a width or precision is a
    million or more: written in the text (`%0999999999d`), or given as an argument (`%*d`)."""
    values = args if isinstance(args, tuple) else (args,)
    if _WIDE.search(text) or (_STAR.search(text) and any(isinstance(v, int) and abs(v) >= 100_000 for v in values)):
        raise _too_wide(what)


def _too_wide(what: str) -> TemplateBudget:
    return TemplateBudget(f"{what} is given a width of a million characters or more; make it smaller")


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _percent_widths(str(value), args or tuple(kwargs.values()), "format()")
    return FILTERS["format"](value, *args, **kwargs)


class _BoundedFormatter(SandboxedFormatter):
    """Jinja's sandboxed str.format, each field's format checked before the field is made: its
    width may be written in the text or come from an argument (`'{:>{}}'.format(1, 10**9)`), so
    it is read once Python has put the nested fields in."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        _spend()
        if _WIDE.search(format_spec):
            raise _too_wide("format()")
        return super().format_field(value, format_spec)


class _BoundedEscapeFormatter(_BoundedFormatter, SandboxedEscapeFormatter):
    """The same, for a Markup string: each field escaped, as Jinja's own does."""


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not (isinstance(n, int) and isinstance(max, int)) or n > MAX_PARAGRAPHS or max > MAX_WORDS:
        raise TemplateBudget(f"lipsum() is asked for {n} paragraphs of up to {max} words (at most {MAX_PARAGRAPHS} "
                             f"paragraphs of {MAX_WORDS} words); ask for fewer")
    _spend(n * max)
    return generate_lorem_ipsum(n, html, min, max)


_replace.jinja_pass_arg = _join.jinja_pass_arg = FILTERS["join"].jinja_pass_arg  # type: ignore[attr-defined]
FILTERS_BOUNDED = {"center": _center, "indent": _indent, "replace": _replace, "join": _join, "format": _format}
_GROWING = {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join"}  # str.format: _BoundedFormatter


def _product(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
            _sized(len(seq) * max(times, 0), "*")
    return operator.mul(left, right)


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right * abs(left).bit_length() > 100_000:
        raise TemplateBudget(f"** makes a number of more than 100,000 bits ({left} ** {right}); make it smaller")
    return operator.pow(left, right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _percent_widths(left, right, "%")
    return operator.mod(left, right)


def _sum(left: Any, right: Any) -> Any:
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _sized(len(left) + len(right), "+")
    return operator.add(left, right)


BINOPS = {"*": _product, "**": _power, "%": _modulo, "+": _sum}


class _Bounded(NodeTransformer):
    """A template's tree with its loops counted and its concatenations (~) checked."""

    def __init__(self, markup: bool):
        self.concat = "rameau_concat_markup" if markup else "rameau_concat"

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)  # in place
        node.iter = nodes.Call(nodes.Name("rameau_counted", "load"), [node.iter], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(nodes.Name(self.concat, "load"), node.nodes, [], None, None, lineno=node.lineno)


class BoundedTemplate(Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        """The template rendered within the budget of one render (see the module's docstring)."""
        ctx = self.new_context(dict(*args, **kwargs))
        token = _current.set(_Budget())
        try:
            pieces, size = [], 0
            for piece in self.root_render_func(ctx):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise TemplateBudget(f"the template writes more than {MAX_OUTPUT:,} characters; make it shorter")
                pieces.append(piece)
            return "".join(pieces)
        except Exception:
            self.environment.handle_exception()
        finally:
            _current.reset(token)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (lists and dicts are not changed in place: a list extended by itself in a
    loop doubles each step), with every render bounded in steps, time and size."""

    template_class = BoundedTemplate
    intercepted_binops = frozenset(BINOPS)

    def __init__(self, compiled: Kept[CodeType] | None = None, **options: Any):
        """`compiled`: code kept between the environments given the same one (memo.py), which
        must therefore be made alike: the same options, the same filters and tests."""
        self.compiled = compiled
        given = options.pop("finalize", None)

        def finalize(value: Any) -> Any:  # every {{ value }} printed, a block's text included
            _made(value, "a printed value")
            return given(value) if given is not None else value

        super().__init__(finalize=finalize, **options)
        self.filters.update(FILTERS_BOUNDED)
        self.filters = {name: _checked_filter(name, function) for name, function in self.filters.items()}
        self.globals.update(lipsum=_lipsum, rameau_counted=_counted, rameau_concat=_concat,
                            rameau_concat_markup=_concat_markup)

    @overload
    def compile(self, source: str | nodes.Template, name: str | None = None, filename: str | None = None,
                raw: Literal[False] = False, defer_init: bool = False) -> CodeType: ...

    @overload
    def compile(self, source: str | nodes.Template, name: str | None = None, filename: str | None = None,
                raw: Literal[True] = ..., defer_init: bool = False) -> str: ...

    def compile(self, source: str | nodes.Template, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> str | CodeType:
        """Jinja's compile, a template's text compiled once for the environments that share
        `compiled`: the code depends only on the text, its names and the environment's make."""
        if raw:
            return super().compile(source, name, filename, True, defer_init)
        if self.compiled is None or defer_init or not isinstance(source, str):
            return super().compile(source, name, filename, False, defer_init)
        plain = super().compile
        return self.compiled.get((source, name, filename), lambda: plain(source, name, filename))

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        return _made(BINOPS[operator_](left, right), operator_)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        name = getattr(__obj, "__name__", "")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and name in _GROWING:
            _check_method(owner, name, args)
        return _made(super().call(__context, __obj, *args, **kwargs), f"{name or 'a call'}()")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """A str's format and format_map, as Jinja's sandbox wraps them (jinja2/sandbox.py,
        wrap_str_format, 3.1), with _BoundedFormatter in place of its formatter."""
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) \
                or value.__name__ not in ("format", "format_map") or not isinstance(value.__self__, str):
            return None
        text: str = value.__self__
        formatter = _BoundedEscapeFormatter(self, escape=text.escape) if isinstance(text, Markup) \
            else _BoundedFormatter(self)
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument and no keyword arguments")
                return type(text)(formatter.vformat(text, (), args[0]))
            return type(text)(formatter.vformat(text, args, kwargs))

        return functools.update_wrapper(wrapper, value)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = _Bounded(bool(self.autoescape)).visit(super()._parse(source, name, filename))
        assert isinstance(tree, nodes.Template)
        return tree


def _check_method(text: str, name: str, args: tuple[Any, ...]) -> None:
    """A str method that can make a long text, checked before it is called."""
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _sized(max(len(text), _width(args[0])), f"{name}()")
    elif name == "expandtabs":
        _sized(len(text) * max(1, _width(args[0]) if args else 8), "expandtabs()")
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        _sized(len(text) + (text.count(old) if old else len(text) + 1) * max(0, len(new) - len(old)), "replace()")
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        _sized(sum(_length(item) for item in args[0]) + len(args[0]) * len(text), "join()")
