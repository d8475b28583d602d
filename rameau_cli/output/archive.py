"""The archive: `archive/index.html` lists every issue of every segment, newest first, with a
link to its web version, and `archive/feed.xml` is an Atom feed of the same issues. Both come
from the theme's templates (`archive/index.html`, `archive/feed.xml`).

Both are made from the history, so a CI job that starts from a fresh checkout still lists
every past edition (their web versions are wherever the output folder is published)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..compose.language import long_date
from ..errors import ContentError, Problem
from ..project.config import Config
from ..project.history import History, SentEdition
from ..render.templates import render_template

ARCHIVE_DIR = "archive"


@dataclass(frozen=True)
class ArchiveEntry:
    segment: str
    segment_title: str
    edition: str
    number: int
    subject: str
    preheader: str
    date: str
    date_long: str
    link: str  # from the archive page
    id: str


def archive_entries(history: History, config: Config) -> list[ArchiveEntry]:
    titles = {segment.id: segment.title for segment in config.segments}
    pairs = [(segment, entry) for segment, editions in history.segments.items() if segment in titles for entry in editions]
    pairs.sort(key=lambda item: (item[1].date, item[1].edition, item[0]), reverse=True)
    return [_entry(config, segment, titles[segment], entry) for segment, entry in pairs]


def _entry(config: Config, segment: str, title: str, entry: SentEdition) -> ArchiveEntry:
    try:
        day = dt.datetime.fromisoformat(entry.date)
    except (TypeError, ValueError):
        raise ContentError(Problem(f"history.json: segments.{segment}", f"edition {entry.edition!r} has the date "
                                   f"{entry.date!r}; write it as 2026-11-30T08:00:00+01:00")) from None
    public = f"{config.public_url}/{entry.edition}/{segment}/web.html" if config.public_url else ""
    return ArchiveEntry(segment, title, entry.edition, entry.number, entry.subject, entry.preheader, entry.date,
                        long_date(day, config.newsletter.language), public or f"../{entry.edition}/{segment}/web.html",
                        public or f"urn:rameau:{segment}:{entry.edition}")


def archive_files(history: History, config: Config) -> dict[str, bytes]:
    """The archive page and feed, made from the whole history."""
    entries = archive_entries(history, config)
    base = config.public_url or config.newsletter.base_url
    feed = {"id": f"{base}/archive/", "link": f"{base}/archive/index.html",
            "updated": entries[0].date if entries else "1970-01-01T00:00:00+00:00"}
    from ..compose.wording import Overrides, wording_for

    templates = config.root / "templates"
    language = config.newsletter.language
    words = wording_for(language, Overrides.of(config.root / "locales", language, config.newsletter.wording))
    context = {"newsletter": config.newsletter, "entries": entries, "words": words}
    return {
        "index.html": render_template(templates, "html", "archive/index.html", **context).encode("utf-8"),
        "feed.xml": render_template(templates, "xml", "archive/feed.xml", feed=feed, **context).encode("utf-8"),
    }
