"""Text that slow libraries derive from ours, kept between builds.

Markdown rendered to HTML (markdown-it-py) and dates written out in words (Babel and its locale
data) are the same from one build to the next: a build, its `check` and its `preview
--screenshot` in one CI job, every reload of the live preview. With this cache they neither
run nor import those libraries. Entries are keyed by their input, and the whole cache by the
code and library versions that made it; only the entries a build used are kept. JSON, safe to
delete; an unreadable cache is ignored and one that cannot be written only costs the work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from . import french
from .content import markdown_to_html
from .files import write_atomic
from .stamps import code_stamp

FORMAT = 2
SECTIONS = ("markdown", "dates")


class Texts:
    """The libraries themselves, every time (no cache)."""

    def markdown(self, text: str) -> str:
        return markdown_to_html(text)

    def long_date(self, moment: dt.date, language: str) -> str:
        return french.long_date(moment, language)

    def short_date(self, moment: dt.date, language: str) -> str:
        return french.short_date(moment, language)


class TextCache(Texts):
    def __init__(self, path: Path | None):
        self.path = path
        self.key = f"{FORMAT}|{code_stamp(('content.py', 'french.py', 'text_cache.py'), ('markdown_it', 'babel'))}"
        self.entries: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}
        self.used: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}
        if path and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("key") == self.key:
                    self.entries = {section: dict(data[section]) for section in SECTIONS}
            except (OSError, ValueError, KeyError, TypeError):
                self.entries = {section: {} for section in SECTIONS}

    def _get(self, section: str, key: str, make) -> str:
        value = self.entries[section].get(key)
        if not isinstance(value, str):
            value = make()
        self.used[section][key] = value
        return value

    def markdown(self, text: str) -> str:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return self._get("markdown", key, lambda: markdown_to_html(text))

    def long_date(self, moment: dt.date, language: str) -> str:
        return self._date("long", french.long_date, moment, language)

    def short_date(self, moment: dt.date, language: str) -> str:
        return self._date("short", french.short_date, moment, language)

    def _date(self, style: str, write, moment: dt.date, language: str) -> str:
        day = french.calendar_day(moment)
        return self._get("dates", f"{style}|{language}|{day.isoformat()}", lambda: write(day, language))

    def save(self) -> None:
        if not self.path or self.used == self.entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"key": self.key, **self.used}, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass
