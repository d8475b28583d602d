"""The archive's pages kept between builds, each under the hash of the history file it shows.

A segment's page for a past year changes only when its history file does: with ten years of a
daily newsletter, a build renders the current year's pages and takes the others from here
(as it must when the output folder is fresh, as in CI). `archive.json` says how many issues
each page lists and keeps dates written out in words (so that Babel is not asked again for
each issue's date); each page is a file of its own under `archive/`, read as it is. An archive
in another language than the newsletter's has its own (`archive.<language>.json`,
`archive/<language>/`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..cache.base import CacheFolder


class ArchiveCache:
    def __init__(self, cache: CacheFolder, key: str, folder: str = ""):
        self.folder, self.prefix = cache, folder  # "" or "en/"
        self.file = cache.file(f"archive.{folder.rstrip('/')}.json" if folder else "archive.json")
        self.key = key
        loaded = self.file.load(key)
        body: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        pages, dates = body.get("pages"), body.get("dates")
        self.pages: dict[str, Any] = pages if isinstance(pages, dict) else {}
        self.dates: dict[str, Any] = dates if isinstance(dates, dict) else {}
        self.used_pages: dict[str, dict[str, Any]] = {}
        self.used_dates: dict[str, str] = {}

    def page(self, name: str, digest: str) -> tuple[bytes, int] | None:
        """The page `name` made from a history file of this hash, and how many issues it lists."""
        kept = self.pages.get(name)
        if not (isinstance(kept, dict) and kept.get("hash") == digest and isinstance(kept.get("count"), int)):
            return None
        html = self.folder.file("archive", f"{self.prefix}{name}.html").load_bytes(f"{self.key}:{digest}")
        if html is None:
            return None
        self.used_pages[name] = kept
        return html, kept["count"]

    def keep(self, name: str, digest: str, html: bytes, count: int) -> None:
        self.used_pages[name] = {"hash": digest, "count": count}
        self.folder.file("archive", f"{self.prefix}{name}.html").save(key=f"{self.key}:{digest}", pieces=(html,))

    def date(self, day: str, make: Callable[[], str]) -> str:
        value = self.dates.get(day)
        if not isinstance(value, str):
            value = make()
        self.used_dates[day] = value
        return value

    def save(self) -> None:
        if self.used_pages != self.pages or self.used_dates != self.dates:
            self.file.save({"pages": self.used_pages, "dates": self.used_dates}, self.key)
