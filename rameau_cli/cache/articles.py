"""Parsed article files, kept between builds and keyed by name, size and modification time.

Reading and validating front matter is most of a build's time on a large archive; a file that
has not changed since the last build is taken from here instead, with the warnings it gave
then. Only articles that were read well are kept: a file that failed is read again next time.
An entry of the wrong shape is dropped and the file read again.

The body is a first line `rameau articles 2`, then one line per file: what every build needs
of it, a tab, and the Article's fields:

    ["name.md", mtime_ns, size, "id", "url", "guid", "date", "publish_at" or null, "source",
     [[where, message], ...]]<TAB>[the Article's fields, in order]

(one line; JSON escapes a tab in a string, so the first tab of a line ends its first part). A build decodes
the first part of every line, all that choosing the articles of an edition needs (ids, links,
dates), and the fields only of the articles it takes: a warm build of 10,000 articles makes
the few dozen of its window, not 10,000 (see `Deferred`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import Problem
from ..sources.article import FIELDS as _FIELDS
from ..sources.article import Article, restore
from .base import CacheFolder, DamagedCache

_AUDIENCES, _TAGS = _FIELDS.index("audiences"), _FIELDS.index("tags")
_DATE, _PUBLISH_AT = _FIELDS.index("date"), _FIELDS.index("publish_at")
_BODY, _BODY_ELSEWHERE = _FIELDS.index("body"), _FIELDS.index("body_elsewhere")
FIRST_LINE = b"rameau articles 2"
Reread = Callable[[str], "Article | None"]  # an article read again from its file (by its source), or None


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
_article.__doc__ = """The article a record holds, or None when the record is not of the shape written (one
expression of exact type checks, the fastest)."""


class Deferred(NamedTuple):
    """An article of the cache, not made yet: what choosing an edition's articles reads of every
    article (the pool's `due` and `ids`, and its check for duplicates), and its fields' JSON,
    made an Article by `made()` only for an article a build takes."""

    id: str
    url: str
    guid: str
    date: dt.datetime
    publish_at: dt.datetime | None
    source: str
    record: bytes  # the Article's fields, as JSON
    reread: Reread

    @property
    def body_format(self) -> str:
        return "markdown"

    def made(self) -> Article | None:
        """The article; read again from its file when its fields are not of the shape written
        or do not agree with the rest of its entry (a cache file can be altered and signed again)."""
        try:
            article = _article(json.loads(self.record))
        except (ValueError, RecursionError):
            article = None
        if article is None or (article.id, article.url, article.guid, article.source) != (
                self.id, self.url, self.guid, self.source) or _moment(article.date) != _moment(self.date) \
                or _moment(article.publish_at) != _moment(self.publish_at):
            return self.reread(self.source)
        return article


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _read_again(source: str) -> Article | None:
    return None


class ArticleCache:
    """The articles of one folder as they were read, by file name: (mtime_ns, size, Article or
    Deferred, warnings). Loaded a group of lines at a time, so that a warm build of 100,000
    articles never holds the file's text besides its entries."""

    def __init__(self, cache: CacheFolder, folder: Path, settings: str, reread: Reread = _read_again):
        self.key = settings
        name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
        self.file = cache.file("articles", f"{name}.json")
        self.entries: dict[str, tuple[int, int, Article | Deferred, Any]] = {}
        self.seen: set[str] = set()
        self.changed = False
        self.reread = reread
        self._load()

    def _load(self) -> None:
        groups = self.file.load_lines(self.key)
        if groups is None:
            return
        try:
            for index, lines in enumerate(groups):
                if index == 0:
                    if not lines or lines[0] != FIRST_LINE:
                        groups.close()  # another format: every file is read again
                        return
                    lines = lines[1:]
                self._add(lines)
        except (DamagedCache, ValueError, TypeError, RecursionError):
            self.entries = {}

    def _add(self, lines: list[bytes]) -> None:
        """Entry lines, their first parts decoded as one JSON list; a line of another shape
        (ValueError, TypeError) drops the whole cache."""
        heads, records = [], []
        for line in lines:
            head, tab, record = line.partition(b"\t")
            if not tab:
                raise ValueError("an entry without its fields")
            heads.append(head)
            records.append(record)
        if not heads:
            return
        fromisoformat, reread = dt.datetime.fromisoformat, self.reread
        for (name, mtime, size, id_, url, guid, date, embargo, source, warnings), record in zip(
                json.loads(b"[" + b",".join(heads) + b"]"), records, strict=True):
            if not (type(name) is str and type(mtime) is int and type(size) is int and type(id_) is str
                    and type(url) is str and type(guid) is str and type(source) is str and type(warnings) is list):
                raise TypeError("an entry of another shape")
            moment = fromisoformat(date)
            embargo = None if embargo is None else fromisoformat(embargo)
            if moment.tzinfo is None or (embargo is not None and embargo.tzinfo is None):
                raise ValueError("a date without its time zone")
            if warnings and not all(type(w) is list and len(w) == 2 and type(w[0]) is str and type(w[1]) is str
                                    for w in warnings):
                raise TypeError("warnings of another shape")
            self.entries[name] = (mtime, size, Deferred(id_, url, guid, moment, embargo, source, record, reread),
                                  warnings or ())

    def get(self, name: str, mtime_ns: int, size: int) -> tuple[Article | Deferred, list[Problem]] | None:
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
        self.file.save(key=self.key, pieces=self._lines())

    def _lines(self) -> Iterator[bytes]:
        """The entries, one file's a line, made one at a time: encoding 10,000 entries in one
        piece held about 50 MB more at the build's peak. An entry still deferred is written
        as it was read, never made."""
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
        yield FIRST_LINE
        for name, (mtime, size, article, warnings) in self.entries.items():
            record = article.record if isinstance(article, Deferred) else encode(_record(article)).encode()
            head = [name, mtime, size, article.id, article.url, article.guid, article.date.isoformat(),
                    _moment(article.publish_at), article.source, list(warnings)]
            yield b"\n" + encode(head).encode() + b"\t" + record
