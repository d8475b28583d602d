"""The speed tricks of sources/written_out.py make what their plain versions make."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st

from rameau_cli.sources.article import FIELDS, Article, field_values
from rameau_cli.sources.article_cache import Deferred
from rameau_cli.sources.written_out import new_tuple, plain_record_article, plain_restore, record_article, restore

from helpers import UTF8_CHARACTERS

DATE = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
text = st.text(UTF8_CHARACTERS, max_size=12)
names = st.lists(st.text(UTF8_CHARACTERS, max_size=6), max_size=3)
VALUES = {"str": text, "bool": st.booleans(), "int": st.integers(-5, 5)}
right = {f.name: VALUES.get(f.type, st.just(DATE) if "datetime" in f.type else names) for f in fields(Article)}
anything = st.one_of(text, st.booleans(), st.integers(), st.none(), names, st.lists(st.integers(), max_size=2),
                     st.floats(allow_nan=False))


@st.composite
def records(draw):
    """A record of the article cache: of the shape written, or with some fields of other kinds,
    or too short or too long, or no list at all."""
    record = [draw(right[name]) for name in FIELDS]
    for index in draw(st.lists(st.integers(0, len(FIELDS) - 1), max_size=3)):
        record[index] = draw(anything)
    shape = draw(st.sampled_from(["as is", "as is", "shorter", "longer", "tuple"]))
    return {"as is": record, "shorter": record[:-1], "longer": [*record, ""], "tuple": tuple(record)}[shape]


@settings(max_examples=300, deadline=None)
@given(records())
def test_the_written_out_record_reader_reads_as_the_plain_one(record):
    copy = list(record) if isinstance(record, list) else record  # record_article converts the names in place
    fast, plain = record_article(copy), plain_record_article(record)
    assert fast == plain
    if plain is not None:
        assert field_values(fast) == field_values(plain) and type(fast.audiences) is tuple


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({name: right[name] for name in FIELDS}))
def test_restore_makes_the_article_that_init_makes(values):
    ordered = [tuple(values[name]) if name in ("audiences", "tags") else values[name] for name in FIELDS]
    assert restore(ordered) == plain_restore(ordered)
    assert field_values(restore(ordered)) == tuple(ordered)


def test_a_named_tuple_made_without_its_new_equals_the_plain_one():
    values = ("id", "https://x.example/a", "", DATE, None, "articles/a.md", b"[]", print, "a.md")
    fast, plain = new_tuple(Deferred, values), Deferred._make(values)
    assert fast == plain and type(fast) is Deferred and fast.name == "a.md"
