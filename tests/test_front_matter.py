"""Front matter read without PyYAML gives what PyYAML gives, or leaves it to PyYAML."""

import datetime as dt

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rameau_cli.project.front_matter import quick_front_matter

from helpers import UTF8_CHARACTERS

TRICKY = ["", " ", "#", " #", ": ", ":", "'", "''", '"', "\\", "[", "]", ",", "{", "-", "- ", "?", "&a", "*a", "!x",
          "%", "@", "`", "|", ">", "\t", "\u2028", "\x85", "\ufeff", "é", "’", "«\u00a0", "yes", "No", "on", "~", "null",
          "1", "0x1f", "1_000", "12:30", "1.5e3", ".inf", "2026-11-24", "2026-11-24T09:30:00+01:00", "2026-13-45",
          "2026-11-24 09:30", "<<", "=", "true", "grand public", "a,b", "x: y"]
pieces = st.lists(st.sampled_from(TRICKY) | st.text(UTF8_CHARACTERS, max_size=6), max_size=4).map("".join)
keys = st.sampled_from(["title", "date", "tags", "summary", "on", "1", "image_alt", "x-y", "_k", "a b", "yes"])
values = st.one_of(
    pieces,
    pieces.map(lambda v: f'"{v}"'),
    pieces.map(lambda v: f"'{v}'"),
    st.lists(pieces, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
)
lines = st.one_of(st.tuples(keys, values).map(lambda kv: f"{kv[0]}: {kv[1]}"), pieces, keys.map(lambda k: f"{k}:"))


def yaml_reads(text):
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return "error"


@settings(max_examples=400, deadline=None)
@given(st.lists(lines, min_size=1, max_size=6).map("\n".join))
def test_what_is_read_without_pyyaml_is_what_pyyaml_reads(text):
    quick = quick_front_matter(text)
    if quick is not None:
        read = yaml_reads(text)
        assert quick == read
        assert [type(v) for v in quick.values()] == [type(v) for v in read.values()]


def test_the_usual_front_matter_is_read_without_pyyaml():
    text = ('title: "Une coopérative lance un jardin partagé à Lyon"\ndate: 2026-11-24T09:30:00+01:00\n'
            "summary: L'atelier ouvre ses portes, avec « des bénévoles »\naudiences: [association, grand-public]\n"
            "tags: []\nfeatured: true\npriority: 2\nimage: photo.jpg\nimage_alt: 'Le jardin, l''été'\nauthor:")
    assert quick_front_matter(text) == {
        "title": "Une coopérative lance un jardin partagé à Lyon",
        "date": dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "summary": "L'atelier ouvre ses portes, avec « des bénévoles »", "audiences": ["association", "grand-public"],
        "tags": [], "featured": True, "priority": 2, "image": "photo.jpg", "image_alt": "Le jardin, l'été",
        "author": None,
    }
    assert quick_front_matter(text) == yaml.safe_load(text)


def test_anything_else_is_left_to_pyyaml():
    for text in ["title: a # note", "tags:\n  - a", 'title: "a \\" b"', "title: &x a", "date: 2026-13-45", "- a",
                 "title: a\n\tdate: b", "on: x", "title: a: b", "title: [a: b]", ""]:
        assert quick_front_matter(text) is None, text
