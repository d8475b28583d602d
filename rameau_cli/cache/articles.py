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
import os
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..sources.article import FIELDS as _FIELDS
from ..sources.article import Article, restore
from .base import CacheFolder

_TEXT = tuple(i for i, f in enumerate(fields(Article)) if f.type == "str")
_AUDIENCES, _TAGS = _FIELDS.index("audiences"), _FIELDS.index("tags")
_DATE, _PUBLISH_AT = _FIELDS.index("date"), _FIELDS.index("publish_at")
_BODY, _BODY_ELSEWHERE = _FIELDS.index("body"), _FIELDS.index("body_elsewhere")
_BOOLS = tuple(_FIELDS.index(name) for name in ("featured", "full", "body_elsewhere"))
_PRIORITY = _FIELDS.index("priority")


def _record(article: Article) -> list[Any]:
    record = [getattr(article, name) for name in _FIELDS]
    record[_DATE] = article.date.isoformat()
    record[_PUBLISH_AT] = article.publish_at.isoformat() if article.publish_at else None
    if article.summary and article.body_format == "markdown":
        record[_BODY] = ""  # left in its file, read again only for an email that shows it whole
        record[_BODY_ELSEWHERE] = True
    return record


def _article(record: Any) -> Article | None:
    """The article a record holds, or None when the record is not of the shape written. (Run for
    every article of a warm build: plain loops and exact type checks, which are the fastest.)"""
    if type(record) is not list or len(record) != len(_FIELDS):
        return None
    for index in _TEXT:
        if type(record[index]) is not str:
            return None
    for index in (_AUDIENCES, _TAGS):
        names = record[index]
        if type(names) is not list:
            return None
        for item in names:
            if type(item) is not str:
                return None
    for index in _BOOLS:
        if type(record[index]) is not bool:
            return None
    if type(record[_PRIORITY]) is not int:
        return None
    values = list(record)
    try:
        values[_DATE] = date = dt.datetime.fromisoformat(record[_DATE])
        embargo = record[_PUBLISH_AT]
        values[_PUBLISH_AT] = embargo = dt.datetime.fromisoformat(embargo) if embargo is not None else None
    except (TypeError, ValueError):
        return None
    if date.tzinfo is None or (embargo is not None and embargo.tzinfo is None):
        return None
    values[_AUDIENCES], values[_TAGS] = tuple(record[_AUDIENCES]), tuple(record[_TAGS])
    return restore(values)


class ArticleCache:
    def __init__(self, cache: CacheFolder, folder: Path, settings: str):
        self.key = settings
        name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
        self.file = cache.file("articles", f"{name}.json")
        loaded = self.file.load(self.key)
        self.entries: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        self.seen: set[str] = set()
        self.changed = False

    def get(self, name: str, stat: os.stat_result) -> tuple[Article, list[Problem]] | None:
        """(article, warnings) as they were, if the file is unchanged."""
        self.seen.add(name)
        entry = self.entries.get(name)
        if not isinstance(entry, list) or len(entry) != 4 or entry[0] != stat.st_mtime_ns or entry[1] != stat.st_size:
            return None
        article = _article(entry[2])
        warnings = entry[3]
        if article is None or not isinstance(warnings, list) or not all(
                isinstance(w, list) and len(w) == 2 and all(isinstance(p, str) for p in w) for w in warnings):
            del self.entries[name]
            self.changed = True
            return None
        return article, [Problem(*w) for w in warnings]

    def put(self, name: str, stat: os.stat_result, article: Article, warnings: list[Problem]) -> None:
        self.entries[name] = [stat.st_mtime_ns, stat.st_size, _record(article), [[w.where, w.message] for w in warnings]]
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
        """The entries as JSON, one file's entry at a time: encoding 10,000 entries in one piece
        held about 50 MB more at the build's peak."""
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
        yield b"{"
        for index, (name, entry) in enumerate(self.entries.items()):
            yield f'{"," if index else ""}{encode(name)}:{encode(entry)}'.encode()
        yield b"}"
