"""A cache of parsed article files, keyed by name, size and modification time.

Reading and validating front matter is most of a build's time on a large archive; a file that
has not changed since the last build is taken from here instead, with the warnings and errors
it gave then. The cache is JSON (never pickle: nothing in it can run), lives in .rameau-cache/,
is safe to delete, and is thrown away whole when rameau's version or the settings an article
depends on change. A cache that cannot be read or written only costs a full read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import fields
from pathlib import Path

from .articles import Article
from .errors import Problem
from .files import write_atomic
from .stamps import code_stamp

FORMAT = 1
_FIELDS = {f.name for f in fields(Article)}


def _record(article: Article) -> dict:
    record = {name: getattr(article, name) for name in _FIELDS}
    record["date"] = article.date.isoformat()
    record["publish_at"] = article.publish_at.isoformat() if article.publish_at else None
    if article.summary:
        record["body"] = ""  # only needed to derive a missing summary
    return record


def _article(record: dict) -> Article:
    values = {name: record[name] for name in _FIELDS}
    values["date"] = dt.datetime.fromisoformat(record["date"])
    values["publish_at"] = dt.datetime.fromisoformat(record["publish_at"]) if record["publish_at"] else None
    values["audiences"], values["tags"] = tuple(record["audiences"]), tuple(record["tags"])
    return Article(**values)


def code_fingerprint() -> str:
    """The code that reads articles: rameau's modules for it and PyYAML."""
    return code_stamp(("articles.py", "content.py", "yamlio.py", "article_cache.py"), ("yaml",))


class ArticleCache:
    def __init__(self, cache_dir: Path | None, folder: Path, settings: str):
        self.key = f"{FORMAT}|{code_fingerprint()}|{settings}"
        name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
        self.path = cache_dir / "articles" / f"{name}.json" if cache_dir else None
        self.entries: dict[str, list] = {}
        self.seen: set[str] = set()
        self.changed = False
        if self.path and self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("key") == self.key:
                    self.entries = data["files"]
            except (OSError, ValueError, KeyError, TypeError):
                self.entries = {}

    def get(self, name: str, stat: os.stat_result):
        """(article or None, problems, warnings) as they were, if the file is unchanged."""
        self.seen.add(name)
        entry = self.entries.get(name)
        if not entry or entry[0] != stat.st_mtime_ns or entry[1] != stat.st_size:
            return None
        try:
            article = _article(entry[2]) if entry[2] else None
        except (KeyError, TypeError, ValueError):
            return None
        return article, [Problem(*p) for p in entry[3]], [Problem(*w) for w in entry[4]]

    def put(self, name: str, stat: os.stat_result, article: Article | None, problems, warnings) -> None:
        self.entries[name] = [stat.st_mtime_ns, stat.st_size, _record(article) if article else None,
                              [[p.where, p.message] for p in problems], [[w.where, w.message] for w in warnings]]
        self.changed = True

    def save(self) -> None:
        stale = set(self.entries) - self.seen
        if not self.path or not (self.changed or stale):
            return
        for name in stale:
            del self.entries[name]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, self._json())
        except OSError:
            pass

    def _json(self):
        """The cache as JSON, one file's entry at a time: encoding 10,000 entries in one piece
        held about 50 MB more at the build's peak."""
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
        yield f'{{"key":{encode(self.key)},"files":{{'.encode("utf-8")
        for index, (name, entry) in enumerate(self.entries.items()):
            yield f'{"," if index else ""}{encode(name)}:{encode(entry)}'.encode("utf-8")
        yield b"}}"
