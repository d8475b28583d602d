"""Rendered Markdown kept between builds, keyed by the text's SHA-256.

A build, its `check` and its `preview --screenshot` in one CI job, or every reload of the live
preview, render the same édito and summaries again; with this cache they neither render nor
import the Markdown parser. Only the entries a build used are kept. JSON, safe to delete; an
unreadable cache is ignored and a cache that cannot be written only costs a render next time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .content import markdown_to_html
from .files import write_atomic

FORMAT = 1


class MarkdownCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, str] = {}
        self.used: dict[str, str] = {}
        if path and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") == FORMAT and isinstance(data.get("html"), dict):
                    self.entries = data["html"]
            except (OSError, ValueError):
                self.entries = {}

    def render(self, text: str) -> str:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        html = self.entries.get(key)
        if not isinstance(html, str):
            html = markdown_to_html(text)
        self.used[key] = html
        return html

    def save(self) -> None:
        if not self.path or self.used == self.entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"format": FORMAT, "html": self.used}, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass
