"""The last good copy of each feed fetched over HTTP, with its validators (ETag, Last-Modified).

The body is kept as it came (`<key>.xml`) and described by a cache file (`<key>.json`) holding
its checksum: a body that was changed or cut is not used. A body is stored only after it was
read as a feed, so a maintenance page or a truncated answer never replaces a good copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..cache.base import CacheFolder
from ..files import write_atomic


@dataclass(frozen=True)
class CachedFeed:
    data: bytes
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""


class FeedCache:
    def __init__(self, cache: CacheFolder, url: str):
        key = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self.url = url
        self.meta = cache.file("feeds", f"{key}.json")
        self.body_path = cache.path / "feeds" / f"{key}.xml" if cache.path else None
        self.cache = cache

    def load(self) -> CachedFeed | None:
        meta = self.meta.load(self.url)
        if not isinstance(meta, dict) or self.body_path is None:
            return None
        try:
            data = self.body_path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            return None
        def text(key: str) -> str:
            value = meta.get(key)
            return value if isinstance(value, str) else ""

        return CachedFeed(data, text("etag"), text("last_modified"), text("content_type"))

    def store(self, data: bytes, etag: str = "", last_modified: str = "", content_type: str = "") -> None:
        if self.body_path is not None:
            self.cache.later(lambda: self._store(data, etag, last_modified, content_type))

    def _store(self, data: bytes, etag: str, last_modified: str, content_type: str) -> None:
        assert self.body_path is not None
        try:
            self.body_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.body_path, data)
        except OSError as exc:
            self.cache.cannot_write(self.body_path, exc)
            return
        meta: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest(), "etag": etag or "",
                                "last_modified": last_modified or "", "content_type": content_type or ""}
        self.meta.save(meta, key=self.url)
