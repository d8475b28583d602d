"""Jinja's sandbox, bounded in work and in size, for every template an author writes: a
segment's subject and preheader, an edition's, and the theme's own files.

Jinja's SandboxedEnvironment keeps a template from reaching Python's internals, and bounds one
`range()` to 100,000 numbers; it does not bound what a template may ask of the machine:
`{{ lipsum(10**6) }}` (a million paragraphs), two nested loops of 100,000 steps each, or
`{{ 'a'|center(10**9) }}` (a gigabyte). Here, during one render:

- every step of a `{% for %}` loop and every call (a macro calling itself twice is 2**n calls)
  counts against MAX_STEPS; text made by a filter or an operator counts by its size;
- no one value of text or list grows beyond MAX_TEXT (checked before it is made), and the
  output beyond MAX_OUTPUT;
- and, should something still run long, the render stops at DEADLINE seconds.

What goes beyond is a TemplateBudget error, which the caller reports against the template's
file or key. Loops are counted by wrapping each loop's iterable at compile time (Jinja has no
hook for that: `_parse` is where Environment.compile gets the tree, in Jinja 2.x and 3.x).
"""

from __future__ import annotations

import contextvars
import operator
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.environment import Template
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

MAX_STEPS = 200_000  # loop steps and calls in one render (the default theme takes a few hundred)
MAX_TEXT = 1_000_000  # characters (or items) of one value a template makes
MAX_OUTPUT = 5_000_000  # characters one render writes
DEADLINE = 20.0  # seconds of one render, on the slowest machine
MAX_PARAGRAPHS = 100  # lipsum()
MAX_WORDS = 1_000
_WIDE = re.compile(r"\d{6,}")  # a field width or precision of a million or more, in a format string


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


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    if _WIDE.search(str(value)):
        raise TemplateBudget("format() is given a width of a million characters or more; make it smaller")
    return FILTERS["format"](value, *args, **kwargs)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not (isinstance(n, int) and isinstance(max, int)) or n > MAX_PARAGRAPHS or max > MAX_WORDS:
        raise TemplateBudget(f"lipsum() is asked for {n} paragraphs of up to {max} words (at most {MAX_PARAGRAPHS} "
                             f"paragraphs of {MAX_WORDS} words); ask for fewer")
    _spend(n * max)
    return generate_lorem_ipsum(n, html, min, max)


_replace.jinja_pass_arg = _join.jinja_pass_arg = FILTERS["join"].jinja_pass_arg  # type: ignore[attr-defined]
FILTERS_BOUNDED = {"center": _center, "indent": _indent, "replace": _replace, "join": _join, "format": _format}
_GROWING = {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "format", "format_map"}


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
    if isinstance(left, str) and _WIDE.search(left):
        raise TemplateBudget("% is given a width of a million characters or more; make it smaller")
    return operator.mod(left, right)


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


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with every render bounded in steps, time and size."""

    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.filters.update(FILTERS_BOUNDED)
        self.globals["lipsum"] = _lipsum
        self.globals["rameau_counted"] = _counted

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        bounded = {"*": _product, "**": _power, "%": _modulo}.get(operator_)
        return bounded(left, right) if bounded else super().call_binop(context, operator_, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        name = getattr(__obj, "__name__", "")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and name in _GROWING:
            _check_method(owner, name, args)
        return super().call(__context, __obj, *args, **kwargs)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name("rameau_counted", "load"), [loop.iter], [], None, None,
                                   lineno=loop.iter.lineno)
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
    elif name in ("format", "format_map") and _WIDE.search(text):
        raise TemplateBudget(f"{name}() is given a width of a million characters or more; make it smaller")
