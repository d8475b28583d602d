"""Parsed article files, kept between builds and keyed by name, size, modification time, and the
time and inode of the file's last change: a copy that keeps the size and the modification time
(rsync, tar, cp -p) still changes those two, so the file is read again.

Reading and validating front matter is most of a build's time on a large archive; a file that
has not changed since the last build is taken from here instead, with the warnings it gave
then. Only articles that were read well are kept: a file that failed is read again next time.
An entry of the wrong shape is dropped and the file read again.

The body is a first line `rameau articles 5`, then two lines per file: what every build needs
of it, then the rest of the Article's fields (in FIELDS order, without those of the first line):

    ["name.md", stamp, size, "id", "url", "guid", "date", "publish_at" or null, [[where, message], ...]]
    ["title", "summary", "body", "markdown", [audiences], [tags], "author", ...]

An article's `source`, the path of its file, is not kept: it is the folder as this build names
it and the file's name (a project built from another folder, `-C`, finds its files).
A build decodes the first line of every file, all that choosing the articles of an edition
needs (ids, links, dates), and the second only for the articles it takes: a warm build of
10,000 articles makes the few dozen of its window, not 10,000 (see `Deferred`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ..cache.base import UNPAIRED, CacheFolder, DamagedCache
from ..errors import Problem
from .article import FIELDS as _FIELDS
from .article import Article
from .written_out import new_tuple, record_article

_BODY, _BODY_ELSEWHERE = _FIELDS.index("body"), _FIELDS.index("body_elsewhere")
FIRST_LINE = b"rameau articles 5"
HEAD = ("id", "url", "guid", "date", "publish_at", "source")  # the fields of an entry's first line, and its file's path
_REST = [index for index, name in enumerate(_FIELDS) if name not in HEAD]  # and on its second
Stamp = int  # a file's mtime_ns, ctime_ns and inode, as one number (file_stamp)


def file_stamp(info: os.stat_result) -> Stamp:
    """What changes when a file is written: its modification time, and the time and inode of its
    last change, which a copy that keeps the modification time (rsync -t, tar, cp -p) still
    changes. One number, decoded at the speed of the single time it replaces: Python's hash of
    the three (the same numbers always give the same hash; two files of the same size would have
    to meet one chance in 2**64 to be mistaken)."""
    return hash((info.st_mtime_ns, info.st_ctime_ns, info.st_ino))


Reread = Callable[[str], "Article | None"]  # an article read again from its file (by its name in the folder), or None


def _rest(article: Article) -> list[Any]:
    """The article's fields that are not on its entry's first line."""
    record = [getattr(article, name) for name in _FIELDS]
    if article.summary and article.body_format == "markdown":
        record[_BODY] = ""  # left in its file, read again only for an email that shows it whole
        record[_BODY_ELSEWHERE] = True
    return [record[index] for index in _REST]


class Deferred(NamedTuple):
    """An article of the cache, not made yet: what choosing an edition's articles reads of every
    article (the pool's `taking` and `ids`, and its check for duplicates), and the JSON of its
    other fields, made an Article by `made()` only for an article a build takes."""

    id: str
    url: str
    guid: str
    date: dt.datetime
    publish_at: dt.datetime | None
    source: str
    rest: bytes  # the Article's other fields, as JSON
    reread: Reread
    name: str  # the file's name in its folder: what is read again

    @property
    def body_format(self) -> str:
        return "markdown"

    def made(self) -> Article | None:
        """The article; read again from its file when its fields are not of the shape written
        (a cache file can be altered and signed again)."""
        try:
            rest = json.loads(self.rest)
        except (ValueError, RecursionError):
            rest = None
        if type(rest) is not list or len(rest) != len(_REST):
            return self.reread(self.name)
        values: list[Any] = [None] * len(_FIELDS)
        for index, value in zip(_REST, rest, strict=True):
            values[index] = value
        for index, value in zip(_HEAD, self, strict=False):
            values[index] = value
        return record_article(values) or self.reread(self.name)


_HEAD = [_FIELDS.index(name) for name in HEAD]


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def new_deferred(values: tuple[Any, ...]) -> Deferred:
    """A Deferred of these values, in order."""
    return new_tuple(Deferred, values)


def _read_again(name: str) -> Article | None:
    return None


class ArticleCache:
    """The articles of one folder as they were read, by file name: (stamp, size, Article or
    Deferred, warnings). Loaded a group of lines at a time, so that a warm build of 100,000
    articles never holds the file's text besides its entries."""

    def __init__(self, cache: CacheFolder, location: Path, folder: Path, settings: str, reread: Reread = _read_again):
        """`location`: the source's folder or file (whose cache this is); `folder`: where its files
        are, as this build names it (an article's `source` is this and its file's name)."""
        self.key = settings
        self.folder = str(folder)
        name = hashlib.sha256(str(location.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:20]
        self.file = cache.file("articles", f"{name}.json")
        self.entries: dict[str, tuple[Stamp, int, Article | Deferred, Any]] = {}
        self.seen: set[str] = set()
        self.changed = False
        self.reread = reread

    def stored(self) -> int:
        """The size of the cache file (0: none), known before `load()`."""
        try:
            return self.file.path.stat().st_size if self.file.path else 0
        except OSError:
            return 0

    def load(self) -> ArticleCache:
        """The entries of the cache file, read."""
        self._load()
        return self

    def _load(self) -> None:
        groups = self.file.load_lines(self.key)
        if groups is None:
            return
        try:
            carried: list[bytes] = []
            for index, lines in enumerate(groups):
                if index == 0:
                    if not lines or lines[0] != FIRST_LINE:
                        groups.close()  # another format: every file is read again
                        return
                    lines = lines[1:]
                if carried:
                    lines = carried + lines
                carried = lines[-1:] if len(lines) % 2 else []
                self._add(lines[0:len(lines) - len(carried):2], lines[1::2])
            if carried:
                raise ValueError("an entry without its fields")
        except (DamagedCache, ValueError, TypeError, RecursionError):
            self.entries = {}

    def _add(self, heads: list[bytes], rests: list[bytes]) -> None:
        """Entries: their first lines decoded as one JSON list, their second kept as they are.
        A first line of another shape (ValueError, TypeError) drops the whole cache."""
        if not heads:
            return
        fromisoformat, reread, join, folder = dt.datetime.fromisoformat, self.reread, os.path.join, self.folder
        for (name, stamp, size, id_, url, guid, date, embargo, warnings), rest in zip(
                json.loads(b"[" + b",".join(heads) + b"]"), rests, strict=True):
            if not (type(name) is str and type(stamp) is int and type(size) is int
                    and type(id_) is str and type(url) is str and type(guid) is str and type(warnings) is list):
                raise TypeError("an entry of another shape")
            moment = fromisoformat(date)
            embargo = None if embargo is None else fromisoformat(embargo)
            if moment.tzinfo is None or (embargo is not None and embargo.tzinfo is None):
                raise ValueError("a date without its time zone")
            if warnings and not all(type(w) is list and len(w) == 2 and type(w[0]) is str and type(w[1]) is str
                                    for w in warnings):
                raise TypeError("warnings of another shape")
            made = new_deferred((id_, url, guid, moment, embargo, join(folder, name), rest, reread, name))
            self.entries[name] = (stamp, size, made, warnings or ())

    def unchanged(self, files: list[tuple[str, Stamp, int]]) -> list[tuple[Stamp, int, Article | Deferred, Any] | None]:
        """For each file (name, stamp, size), its entry (stamp, size, article, warnings as
        [where, message] lists) if the file is unchanged, else None."""
        self.seen.update(name for name, _, _ in files)
        entry_of = self.entries.get
        return [entry if (entry := entry_of(name)) is not None and entry[0] == stamp and entry[1] == size else None
                for name, stamp, size in files]

    def put(self, name: str, stamp: Stamp, size: int, article: Article, warnings: list[Problem]) -> None:
        self.entries[name] = (stamp, size, article, [[w.where, w.message] for w in warnings] if warnings else ())
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
        for name, (stamp, size, article, warnings) in self.entries.items():
            rest = article.rest if isinstance(article, Deferred) else encode(_rest(article)).encode("utf-8", UNPAIRED)
            head = [name, stamp, size, article.id, article.url, article.guid, article.date.isoformat(),
                    _moment(article.publish_at), list(warnings)]
            yield b"\n" + encode(head).encode("utf-8", UNPAIRED) + b"\n" + rest
