"""Markdown to HTML and dates in words, through the text cache when there is one."""

from __future__ import annotations

import datetime as dt

from .language import calendar_day, long_date, short_date
from .text_cache import TextCache

MARKDOWN_SETTINGS = "www|"  # changes when Markdown is rendered differently: the cached HTML is made again


class Texts:
    def __init__(self, cache: TextCache | None = None):
        self.cache = cache

    def markdown(self, text: str) -> str:
        from .markup import markdown_to_html

        if self.cache is None:
            return markdown_to_html(text)
        import hashlib

        key = MARKDOWN_SETTINGS + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache.get("markdown", key, lambda: markdown_to_html(text))

    def inline_markdown(self, text: str) -> str:
        from .markup import inline_markdown_to_html

        if self.cache is None:
            return inline_markdown_to_html(text)
        import hashlib

        key = MARKDOWN_SETTINGS + "inline|" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache.get("markdown", key, lambda: inline_markdown_to_html(text))

    def long_date(self, moment: dt.date, language: str) -> str:
        return self._date("long", moment, language)

    def short_date(self, moment: dt.date, language: str) -> str:
        return self._date("short", moment, language)

    def _date(self, style: str, moment: dt.date, language: str) -> str:
        day = calendar_day(moment)
        write = long_date if style == "long" else short_date
        if self.cache is None:
            return write(day, language)
        return self.cache.get("dates", f"{style}|{language}|{day.isoformat()}", lambda: write(day, language))
