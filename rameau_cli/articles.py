"""Stage 2: the `Article` every source produces, and reading one from a Markdown file."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ContentError, Problem, Warnings, show
from .content import one_line
from .yamlio import load_yaml_text, read_text, split_front_matter

FRONT_MATTER_KEYS = {
    "title", "date", "summary", "audiences", "tags", "author", "image", "image_alt",
    "url", "priority", "featured", "publish_at", "slug",
}


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    date: dt.datetime  # timezone-aware
    url: str
    summary: str  # plain text; may be empty, then derived from the body
    body: str  # Markdown (markdown files) or untrusted HTML (feeds)
    body_format: str  # "markdown" or "html"
    source: str  # where it came from, for messages
    audiences: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    author: str = ""
    image: str = ""
    image_alt: str = ""
    featured: bool = False
    priority: int = 0
    publish_at: dt.datetime | None = None
    guid: str = ""


@lru_cache(maxsize=4096)
def slugify(text: str, max_length: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "article"


def parse_datetime(value: Any, tz: ZoneInfo) -> dt.datetime | None:
    """A date or datetime from YAML or text; naive values are read in the newsletter's time zone."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


class _Fields:
    """Typed access to one article's front matter, collecting every problem."""

    def __init__(self, raw: dict, where: str):
        self.raw = raw
        self.where = where
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(f"{self.where}: {key}", message))

    def text(self, key: str, required: bool = False) -> str:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.bad(key, "missing; every article needs a " + key)
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.bad(key, f"expected text, got {type(value).__name__}; put the value in quotes")
            return ""
        return one_line(str(value))

    def names(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            self.bad(key, f"expected a list such as [{value}], got text; write `{key}: [{value}]`")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            self.bad(key, "expected a list of names such as [association, entreprise]")
            return ()
        return tuple(dict.fromkeys(slugify(str(v)) for v in value))

    def moment(self, key: str, tz: ZoneInfo, required: bool = False) -> dt.datetime | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.bad(key, "missing; add a date such as 2026-11-24 or 2026-11-24T09:30:00+01:00")
            return None
        moment = parse_datetime(value, tz)
        if moment is None:
            self.bad(key, f"{show(value)} is not a date; write it as 2026-11-24 or 2026-11-24T09:30:00+01:00")
        return moment

    def url(self, key: str) -> str:
        value = self.text(key)
        if value and not re.fullmatch(r"https?://[^\s/]+[^\s]*", value):
            self.bad(key, f"expected an absolute http(s) URL, got {show(value)}")
            return ""
        return value


def read_markdown_article(path: Path, tz: ZoneInfo, base_url: str, warnings: Warnings) -> Article:
    """Read one article file; raise ContentError listing every problem in it."""
    where = str(path)
    text = read_text(path)
    if not text.strip():
        raise ContentError(Problem(where, "file is empty; add front matter with at least a title and a date"))
    front, body, _ = split_front_matter(text, where)
    if front is None:
        raise ContentError(Problem(f"{where}:1", "no front matter; start the file with `---`, then `title:` and `date:` lines, then `---`"))
    raw = load_yaml_text(front, where, first_line=2)
    if not isinstance(raw, dict):
        raise ContentError(Problem(f"{where}:2", "front matter must be `key: value` lines (a mapping)"))
    for key in raw:
        if key not in FRONT_MATTER_KEYS:
            warnings.warn(f"{where}: {key}", "unknown front matter key, ignored")
    fields = _Fields(raw, where)
    slug = fields.text("slug") or path.stem
    article_id = slugify(slug)
    article = Article(
        id=article_id,
        title=fields.text("title", required=True),
        date=fields.moment("date", tz, required=True),
        url=fields.url("url") or f"{base_url}/articles/{article_id}/",
        summary=fields.text("summary"),
        body=body,
        body_format="markdown",
        source=where,
        audiences=fields.names("audiences"),
        tags=fields.names("tags"),
        author=fields.text("author"),
        image=fields.url("image"),
        image_alt=fields.text("image_alt"),
        featured=_flag(fields, "featured"),
        priority=_integer(fields, "priority"),
        publish_at=fields.moment("publish_at", tz),
    )
    if fields.problems:
        raise ContentError(*fields.problems)
    if article.image and not article.image_alt:
        warnings.warn(f"{where}: image_alt", "missing; the title is used as alt text, describe the image instead")
        article = replace(article, image_alt=article.title)
    return article


def _flag(fields: _Fields, key: str) -> bool:
    value = fields.raw.get(key, False)
    if not isinstance(value, bool):
        fields.bad(key, f"expected true or false, got {show(value)}")
        return False
    return value


def _integer(fields: _Fields, key: str) -> int:
    value = fields.raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        fields.bad(key, f"expected a whole number, got {show(value)}")
        return 0
    return value
