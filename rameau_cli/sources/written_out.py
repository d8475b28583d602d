"""Speed tricks for large folders, each beside the plain version that a test holds it to
(tests/test_written_out.py): functions written out as source code for the fields of `Article`
as they are (exec, as dataclasses writes an __init__), values that articles share kept once,
and a named tuple made without its __new__.

A warm build of 100,000 articles makes that many articles from the article cache and the forked
reader: written out, `restore` runs twice as fast as a loop over the fields, and
`record_article` checks a whole record in one expression of exact type checks. Nothing here
changes what is made: `plain_restore`, `plain_record_article` and `Deferred._make` make the
same values, more slowly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from .article import FIELDS, Article

_SHARED: dict[Any, Any] = {}  # repeated values (authors, audiences, tags, alt texts), kept once
_SHARED_AT_MOST = 20_000
_AUDIENCES, _TAGS = FIELDS.index("audiences"), FIELDS.index("tags")
_KINDS = {"str": str, "bool": bool, "int": int}  # Article's field types as written (postponed annotations)

T = TypeVar("T", bound=tuple)


def share(value: Any) -> Any:
    """`value`, or an equal value met before: 100,000 articles by a few authors keep a few strings."""
    found = _SHARED.get(value)
    if found is None:
        if len(_SHARED) < _SHARED_AT_MOST:
            _SHARED[value] = value
        return value
    return found


def _restorer() -> Callable[[Sequence[Any]], Article]:
    shared = {"author", "image_alt", "audiences", "tags"}
    lines = ["def restore(values):", "    article = new(Article)"]
    lines += [f"    set_(article, {name!r}, {'share(' if name in shared else '('}values[{index}]))"
              for index, name in enumerate(FIELDS)]
    namespace: dict[str, Any] = {"new": object.__new__, "Article": Article, "set_": object.__setattr__, "share": share}
    exec("\n".join([*lines, "    return article"]), namespace)
    return namespace["restore"]


restore = _restorer()
restore.__doc__ = """The article whose fields are `values` (in FIELDS order), already checked by the caller
(the article cache, the forked reader): set as they are, as unpickling does, without __init__.
Values that articles often share are kept once. Plain version: `plain_restore`."""


def plain_restore(values: Sequence[Any]) -> Article:
    """What `restore` makes, through Article's own __init__."""
    return Article(*values)


def _record_reader() -> Callable[[Any], Article | None]:
    checks = " and ".join(f"type(r[{i}]) is {f.type}" for i, f in enumerate(fields(Article)) if f.type in _KINDS)
    source = f"""
def read(r):
    if type(r) is not list or len(r) != {len(FIELDS)} or not ({checks}):
        return None
    audiences, tags = r[{_AUDIENCES}], r[{_TAGS}]
    if type(audiences) is not list or type(tags) is not list or not all(type(n) is str for n in audiences) \\
            or not all(type(n) is str for n in tags):
        return None
    r[{_AUDIENCES}], r[{_TAGS}] = tuple(audiences), tuple(tags)
    return restore(r)
"""
    namespace: dict[str, Any] = {"restore": restore}
    exec(source, namespace)
    return namespace["read"]


record_article = _record_reader()
record_article.__doc__ = """The article a record of the article cache holds (a list of its fields, in FIELDS order,
the dates already read), or None when the record is not of the shape written. Plain version:
`plain_record_article`."""


def plain_record_article(record: Any) -> Article | None:
    """What `record_article` makes of `record`, checked field by field."""
    if type(record) is not list or len(record) != len(FIELDS):
        return None
    for value, field in zip(record, fields(Article), strict=True):
        if field.type in _KINDS and type(value) is not _KINDS[field.type]:
            return None
    names = record[_AUDIENCES], record[_TAGS]
    if any(type(kept) is not list or any(type(name) is not str for name in kept) for kept in names):
        return None
    return plain_restore([tuple(value) if index in (_AUDIENCES, _TAGS) else value for index, value in enumerate(record)])


def new_tuple(kind: type[T], values: tuple[Any, ...]) -> T:
    """A named tuple of `kind` holding `values`, in order: tuple.__new__ takes a third of the time
    of calling the named tuple. Plain version: `kind._make(values)`."""
    return tuple.__new__(kind, values)
