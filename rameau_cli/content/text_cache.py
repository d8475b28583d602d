"""Text that slow libraries derive from ours, kept between builds: Markdown rendered to HTML
(markdown-it-py) and dates written out in words (Babel and its locale data).

They are the same from one build to the next: a build, its `check` and its `preview
--screenshot` in one CI job, every reload of the live preview. With this cache those libraries
are neither run nor imported. Entries are keyed by their input; only those a build used are kept.
"""

from __future__ import annotations

from collections.abc import Callable

from ..cache.base import CacheFolder

SECTIONS = ("markdown", "dates")


class TextCache:
    def __init__(self, cache: CacheFolder):
        self.file = cache.file("texts.json")
        loaded = self.file.load()
        self.entries: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}
        if isinstance(loaded, dict):
            for section in SECTIONS:
                values = loaded.get(section)
                if isinstance(values, dict):
                    self.entries[section] = {k: v for k, v in values.items() if isinstance(v, str)}
        self.used: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}

    def get(self, section: str, key: str, make: Callable[[], str]) -> str:
        """The entry for `key`: kept from an earlier build, made earlier in this one (a summary
        shown in several segments, a date on every page), or made now."""
        value = self.used[section].get(key)
        if value is None:
            value = self.entries[section].get(key)
        if value is None:
            value = make()
        self.used[section][key] = value
        return value

    def save(self) -> None:
        if self.used != self.entries:
            self.file.save(self.used)
