"""The archive: `archive/index.html` lists every edition of every segment, newest first, with a
link to its web version, and `archive/feed.xml` is an Atom feed of the same issues.

Both are made from the history, so a CI job that starts from a fresh checkout still lists
every past edition (their web versions are wherever the output folder is published)."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from .config import Config
from .french import long_date
from .history import History
from .files import write_atomic
from .output import safe_join

ARCHIVE_DIR = "archive"


def xml_escape(text: str) -> str:
    return escape(text, quote=True)  # what XML needs too (xml.sax.saxutils would pull in urllib)


def archive_entries(history: History, config: Config) -> list[tuple[str, object]]:
    titles = {segment.id: segment.title for segment in config.segments}
    entries = [(segment, entry) for segment, editions in history.items() for entry in editions if segment in titles]
    return sorted(entries, key=lambda item: (item[1].date, item[1].edition, item[0]), reverse=True)


def write_archive(out_dir: Path, config: Config, history: History) -> None:
    folder = safe_join(out_dir, ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    entries = archive_entries(history, config)
    write_atomic(folder / "index.html", archive_page(entries, config).encode("utf-8"))
    write_atomic(folder / "feed.xml", archive_feed(entries, config).encode("utf-8"))


def _web_link(config: Config, segment: str, edition: str, relative_to_archive: bool) -> str:
    if config.public_url:
        return f"{config.public_url}/{edition}/{segment}/web.html"
    return f"../{edition}/{segment}/web.html" if relative_to_archive else f"{edition}/{segment}/web.html"


def archive_page(entries, config: Config) -> str:
    language = config.newsletter.language
    titles = {segment.id: segment.title for segment in config.segments}
    rows = "\n".join(
        f'<li><a href="{escape(_web_link(config, segment, entry.edition, True))}">{escape(entry.subject)}</a>'
        f'<br><small>{escape(titles[segment])} · n° {entry.number} · '
        f'{escape(long_date(dt.datetime.fromisoformat(entry.date), language))}</small></li>'
        for segment, entry in entries)
    name = escape(config.newsletter.name)
    return (f'<!doctype html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{name} : archives</title>'
            f'<link rel="alternate" type="application/atom+xml" href="feed.xml" title="{name}">'
            '<style>body{font-family:Helvetica,Arial,sans-serif;max-width:640px;margin:2em auto;padding:0 1em;'
            'color:#1d2b27}li{margin:0 0 1em}small{color:#5b615e}</style></head>'
            f'<body><h1>{name} : archives</h1><ul>\n{rows}\n</ul></body></html>\n')


def archive_feed(entries, config: Config) -> str:
    base = config.public_url or config.newsletter.base_url
    updated = entries[0][1].date if entries else "1970-01-01T00:00:00+00:00"
    items = "\n".join(
        "  <entry>\n"
        f"    <title>{xml_escape(entry.subject)}</title>\n"
        f"    <id>{xml_escape(_web_link(config, segment, entry.edition, False) if config.public_url else f'urn:rameau:{segment}:{entry.edition}')}</id>\n"
        f'    <link rel="alternate" type="text/html" href="{xml_escape(_web_link(config, segment, entry.edition, True))}"/>\n'
        f"    <updated>{entry.date}</updated>\n"
        f"    <category term=\"{xml_escape(segment)}\"/>\n"
        f"    <summary>{xml_escape(entry.preheader)}</summary>\n"
        "  </entry>" for segment, entry in entries)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <title>{xml_escape(config.newsletter.name)}</title>\n"
            f"  <id>{xml_escape(base)}/archive/</id>\n"
            f'  <link rel="alternate" type="text/html" href="{xml_escape(base)}/archive/index.html"/>\n'
            f"  <updated>{updated}</updated>\n"
            f"  <author><name>{xml_escape(config.newsletter.sender_name)}</name></author>\n"
            f"{items}\n</feed>\n")
