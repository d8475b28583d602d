"""Parsed article files, kept between builds and keyed by name, size and modification time.

Reading and validating front matter is most of a build's time on a large archive; a file that
has not changed since the last build is taken from here instead, with the warnings it gave
then. Only articles that were read well are kept: a file that failed is read again next time.
An entry of the wrong shape is dropped and the file read again.

An entry is `[mtime_ns, size, [the Article's fields, in order], [[where, message], ...]]`:
positional, so that a warm build of 10,000 articles decodes no field names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..sources.article import FIELDS as _FIELDS
from ..sources.article import Article, restore
from .base import CacheFolder, DamagedCache

_AUDIENCES, _TAGS = _FIELDS.index("audiences"), _FIELDS.index("tags")
_DATE, _PUBLISH_AT = _FIELDS.index("date"), _FIELDS.index("publish_at")
_BODY, _BODY_ELSEWHERE = _FIELDS.index("body"), _FIELDS.index("body_elsewhere")


def _record(article: Article) -> list[Any]:
    record = [getattr(article, name) for name in _FIELDS]
    record[_DATE] = article.date.isoformat()
    record[_PUBLISH_AT] = article.publish_at.isoformat() if article.publish_at else None
    if article.summary and article.body_format == "markdown":
        record[_BODY] = ""  # left in its file, read again only for an email that shows it whole
        record[_BODY_ELSEWHERE] = True
    return record


def _reader() -> Callable[[Any], Article | None]:
    """_article(), written out for the fields of Article as they are: every text field a str,
    the flags bools, the priority an int, the names lists of str, the dates aware ISO times."""
    kinds = {"str": "str", "bool": "bool", "int": "int"}
    checks = " and ".join(f"type(r[{i}]) is {kinds[f.type]}" for i, f in enumerate(fields(Article)) if f.type in kinds)
    source = f"""
def read(r):
    if type(r) is not list or len(r) != {len(_FIELDS)} or not ({checks}):
        return None
    audiences, tags = r[{_AUDIENCES}], r[{_TAGS}]
    if type(audiences) is not list or type(tags) is not list or not all(type(n) is str for n in audiences) \\
            or not all(type(n) is str for n in tags):
        return None
    try:
        date = fromisoformat(r[{_DATE}])
        embargo = r[{_PUBLISH_AT}]
        embargo = None if embargo is None else fromisoformat(embargo)
    except (TypeError, ValueError):
        return None
    if date.tzinfo is None or (embargo is not None and embargo.tzinfo is None):
        return None
    values = list(r)
    values[{_DATE}], values[{_PUBLISH_AT}] = date, embargo
    values[{_AUDIENCES}], values[{_TAGS}] = tuple(audiences), tuple(tags)
    return restore(values)
"""
    namespace: dict[str, Any] = {"fromisoformat": dt.datetime.fromisoformat, "restore": restore}
    exec(source, namespace)
    return namespace["read"]


_article = _reader()
_article.__doc__ = """The article a record holds, or None when the record is not of the shape written (run for
every article of a warm build: one expression of exact type checks, the fastest)."""


class ArticleCache:
    """The articles of one folder as they were read, by file name: (mtime_ns, size, Article,
    warnings). Loaded a group of lines at a time and made articles at once, so that a warm
    build of 100,000 articles never holds the file's text and its records besides the articles."""

    def __init__(self, cache: CacheFolder, folder: Path, settings: str):
        self.key = settings
        name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
        self.file = cache.file("articles", f"{name}.json")
        self.entries: dict[str, tuple[int, int, Article, Any]] = {}
        self.seen: set[str] = set()
        self.changed = False
        self._load()

    def _load(self) -> None:
        groups = self.file.load_lines(self.key)
        if groups is None:
            return
        try:
            for index, lines in enumerate(groups):
                if index == 0 and (not lines or lines[0] != b"{"):
                    groups.close()  # not one entry per line: JSON of another shape, read whole
                    return self._load_whole()
                self._add(_group(lines[1:] if index == 0 else lines))
        except (DamagedCache, ValueError, RecursionError):
            self.entries = {}

    def _load_whole(self) -> None:
        loaded = self.file.load(self.key)
        if isinstance(loaded, dict):
            self._add(loaded)

    def _add(self, found: Any) -> None:
        if not isinstance(found, dict):
            raise ValueError("not a mapping of file names to entries")
        for name, entry in found.items():
            if type(entry) is not list or len(entry) != 4 or type(entry[0]) is not int or type(entry[1]) is not int:
                self.changed = True
                continue
            article, warnings = _article(entry[2]), entry[3]
            if article is None or type(warnings) is not list or not all(
                    type(w) is list and len(w) == 2 and type(w[0]) is str and type(w[1]) is str for w in warnings):
                self.changed = True
                continue
            self.entries[name] = (entry[0], entry[1], article, warnings or ())

    def get(self, name: str, mtime_ns: int, size: int) -> tuple[Article, list[Problem]] | None:
        """(article, warnings) as they were, if the file is unchanged."""
        self.seen.add(name)
        entry = self.entries.get(name)
        if entry is None or entry[0] != mtime_ns or entry[1] != size:
            return None
        return entry[2], [Problem(*w) for w in entry[3]] if entry[3] else []

    def put(self, name: str, mtime_ns: int, size: int, article: Article, warnings: list[Problem]) -> None:
        self.entries[name] = (mtime_ns, size, article, [[w.where, w.message] for w in warnings] if warnings else ())
        self.changed = True

    def forget(self, name: str) -> None:
        if self.entries.pop(name, None) is not None:
            self.changed = True

    def save(self) -> None:
        stale = set(self.entries) - self.seen
        if not (self.changed or stale):
            return
        for name in stale:
            del self.entries[name]
        self.file.save(key=self.key, pieces=self._json())

    def _json(self) -> Iterator[bytes]:
        """The entries as JSON, one file's entry a line, made one at a time: encoding 10,000
        entries in one piece held about 50 MB more at the build's peak."""
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
        yield b"{"
        for index, (name, entry) in enumerate(self.entries.items()):
            mtime, size, article, warnings = entry
            separator = ",\n" if index else "\n"
            yield f"{separator}{encode(name)}:{encode([mtime, size, _record(article), list(warnings)])}".encode()
        yield b"\n}"


def _group(lines: list[bytes]) -> Any:
    """Entry lines (`"name":[...],`) as one mapping; the closing `}` line ends the last group."""
    if lines and lines[-1] == b"}":
        lines = lines[:-1]
    if not lines:
        return {}
    return json.loads(b"{" + b"".join(lines).rstrip(b",") + b"}")
