"""The speed trick of compose/sandbox_decisions.py decides as Jinja's sandbox decides."""

from __future__ import annotations

import collections
import collections.abc
import datetime as dt
import types
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from rameau_cli.compose.sandbox import BoundedSandbox
from rameau_cli.compose.sandbox_decisions import is_safe_attribute, plain_is_safe_attribute


@dataclass(frozen=True)
class Card:
    title: str = "t"

    def shout(self) -> str:
        return self.title.upper()


class Shelf:
    """A class that a later register() makes a MutableSequence."""

    def append(self, item):
        return item


class Disguised:
    """An object whose __class__ says it is a list."""

    @property
    def __class__(self):  # type: ignore[override]
        return list


def _generator():
    yield 1


def _function():
    return 1


OBJECTS = [
    "text", Markup("<b>x</b>"), 3, 2.5, True, None, [1], (1,), {"a": 1}, {1}, frozenset([1]),
    collections.deque([1]), collections.OrderedDict(a=1), collections.defaultdict(list), Card(), Card,
    Card().shout, _function, _generator(), _function.__code__, str, type, dt.date(2026, 11, 30),
    types.SimpleNamespace(a=1), Shelf(), Disguised(), b"bytes", range(3), object(),
]
NAMES = ["title", "shout", "upper", "format", "append", "pop", "clear", "update", "add", "sort", "keys",
         "items", "mro", "__class__", "__globals__", "__code__", "_private", "__init__", "gi_frame",
         "gi_code", "co_code", "func_globals", "__self__", "__func__", "im_func", "year", "a", "setdefault",
         "popitem", "discard", "appendleft", "extendleft", "rotate", "insert", "remove", "reverse", "extend"]
ENV = BoundedSandbox()


def test_the_sandbox_uses_the_kept_decision():
    assert type(ENV).is_safe_attribute is not plain_is_safe_attribute
    assert ENV.is_safe_attribute([1], "append", None) is False and ENV.is_safe_attribute(Card(), "title", "t") is True


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(OBJECTS), st.sampled_from(NAMES)), min_size=1, max_size=30))
def test_each_kept_decision_is_jinjas(pairs):
    for obj, name in pairs + pairs:  # the second time from what was kept
        assert is_safe_attribute(ENV, obj, name, None) == plain_is_safe_attribute(ENV, obj, name, None), (obj, name)
        assert ENV.is_safe_attribute(obj, name, None) == plain_is_safe_attribute(ENV, obj, name, None), (obj, name)


def test_a_class_registered_as_mutable_later_loses_its_mutating_methods():
    shelf = Shelf()
    assert ENV.is_safe_attribute(shelf, "append", shelf.append) is True  # kept: a Shelf is no sequence yet
    collections.abc.MutableSequence.register(Shelf)
    assert plain_is_safe_attribute(ENV, shelf, "append", shelf.append) is False
    assert ENV.is_safe_attribute(shelf, "append", shelf.append) is False


def test_an_object_that_lies_about_its_class_is_decided_by_jinja_every_time():
    liar = Disguised()
    assert ENV.is_safe_attribute(liar, "append", None) is False  # isinstance believes __class__: a list
    assert ENV.is_safe_attribute(object(), "append", None) is True
