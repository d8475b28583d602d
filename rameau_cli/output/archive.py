"""The archive, under `public/archive/` in the output folder (project/addresses.py):

    archive/index.html                  every segment: its latest issue, its years and how many issues each
    archive/<segment>/<year>.html       that segment's issues of that year, newest first, each linked to its
                                        web version
    archive/feed.xml                    an Atom feed of the latest 50 issues of every segment
    archive/<language>/...              the same for the segments in another language than the
                                        newsletter's (`language:` of a segment), in its words

All come from the theme's templates (`archive/index.html`, `archive/year.html`,
`archive/feed.xml`) and from the history, so a CI job that starts from a fresh checkout still
lists every past edition. A year's page is made from its history file: while that file does
not change, the page is taken from the cache (output/archive_cache.py), and the build writes only the
pages whose bytes change (output/write.py).

Only the segments with `archive: public` are in it: an `unlisted` or `none` segment's issues
are on no page and in no feed.

The archive is made once per language, from the segments of that language and in its words
(compose/wording.py: the messages `archive`, `archive_year`, ..., `issues`); each index links
to the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..cache.base import NO_CACHE, CacheFolder
from ..compose.wording import Wording
from ..content.language import long_date
from ..errors import ContentError, Problem
from ..project.addresses import ARCHIVE_DIR, web_page
from ..project.config import Config, Segment
from ..project.history import History, SentEdition
from ..project.history_files import parse_year, year_bytes, year_of, year_path
from ..render.templates import render_template
from .archive_cache import ArchiveCache

FEED_SIZE = 50  # issues in the feed


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
    link: str  # from the page that lists it
    id: str


@dataclass(frozen=True)
class YearPage:
    segment: str
    year: int
    count: int
    link: str  # from the index


@dataclass(frozen=True)
class Elsewhere:
    """Another language's archive, as a link from this one's index."""

    language: str
    name: str  # the language's name in that language: English, Deutsch, français
    link: str


def archive_files(config: Config, history: History, written: dict[Path, bytes],
                  cache: CacheFolder = NO_CACHE) -> dict[str, bytes]:
    """Every file of the archive, by its path under archive/. `written`: the history files this
    build writes (history_files.history_changes), whose new bytes the pages are made from."""
    from ..compose.wording import Overrides, wording_for

    main = config.newsletter.language
    languages: dict[str, list[Segment]] = {main: []}
    folders = {main: ""}
    for segment in config.segments:
        if segment.archive != "public":
            continue
        languages.setdefault(config.language_of(segment), []).append(segment)
        folders[config.language_of(segment)] = config.archive_folder(segment)
    files: dict[str, bytes] = {}
    for language, segments in languages.items():
        own = config.newsletter.wording if language == main else ()
        words = wording_for(language, Overrides.of(config.root / "locales", language, own))
        others = [Elsewhere(other, _language_name(other), f"{_up(folders[language])}{folders[other]}index.html")
                  for other in languages if other != language]
        archive = Archive(config, segments, words, history, written, cache, language=language,
                          folder=folders[language], others=others)
        files.update({folders[language] + name: data for name, data in archive.files().items()})
    return files


def _up(folder: str) -> str:
    return "../" * folder.count("/")


def _language_name(language: str) -> str:
    from ..content.language import babel_locale

    name = babel_locale(language).get_display_name(babel_locale(language)) or language
    return name[:1].upper() + name[1:]


class Archive:
    def __init__(self, config: Config, segments: Iterable[Segment], words: Wording, history: History,
                 written: dict[Path, bytes], cache: CacheFolder, *, language: str, folder: str = "",
                 others: Iterable[Elsewhere] = ()):
        self.config, self.segments, self.words, self.history = config, tuple(segments), words, history
        self.written = written
        self.language, self.folder, self.others = language, folder, tuple(others)
        self.up = _up(folder)  # from this archive's index to archive/
        self.templates = config.root / "templates"
        self.cache = ArchiveCache(cache, self._cache_key(), folder)
        self.raw: dict[tuple[str, int], bytes] = {}  # year files the build did not read, read for their pages
        self.read: dict[tuple[str, int], tuple[SentEdition, ...]] = {}  # and their editions, where needed

    def files(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        pages: dict[str, list[YearPage]] = {}
        for segment in self.segments:
            pages[segment.id] = []
            for year in sorted(self._years(segment.id), reverse=True):
                html, count = self._year_page(segment, year)
                files[f"{segment.id}/{year}.html"] = html
                if count:  # a year whose editions all moved to another (their date changed) is not listed
                    pages[segment.id].append(YearPage(segment.id, year, count, f"{segment.id}/{year}.html"))
        latest = self._latest()
        files["index.html"] = self._render("html", "archive/index.html", segments=self.segments, pages=pages,
                                           latest={e.segment: e for e in reversed(latest)},
                                           others=self.others).encode("utf-8")
        places = self.config.addresses()
        feed_id, link = places.archive_feed(self.folder) if self.config.public_url else (
            f"{self.config.newsletter.base_url}/{ARCHIVE_DIR}/{self.folder}",
            f"{self.config.newsletter.base_url}/{ARCHIVE_DIR}/{self.folder}index.html")
        feed = {"id": feed_id, "link": link, "updated": latest[0].date if latest else "1970-01-01T00:00:00+00:00"}
        files["feed.xml"] = self._render("xml", "archive/feed.xml", feed=feed, entries=latest).encode("utf-8")
        self.cache.save()
        return files

    def _years(self, segment: str) -> set[int]:
        kept = self.history.kept
        years = set(kept.years.get(segment, ())) if kept else set()
        return years | {year_of(entry) for entry in self.history.get(segment)}

    def _year_page(self, segment: Segment, year: int) -> tuple[bytes, int]:
        digest = hashlib.sha256(self._year_bytes(segment.id, year)).hexdigest()
        name = f"{segment.id}/{year}"
        found = self.cache.page(name, digest)
        if found is None:
            entries = [self._entry(segment, e, f"../../{self.up}") for e in reversed(self._editions(segment.id, year))]
            html = self._render("html", "archive/year.html", segment=segment, year=year, entries=entries)
            found = html.encode("utf-8"), len(entries)
            self.cache.keep(name, digest, *found)
        return found

    def _year_bytes(self, segment: str, year: int) -> bytes:
        """The history file of that year as this build leaves it (what its page is made from)."""
        kept = self.history.kept
        if kept is None:
            return json.dumps([e.edition for e in self.history.get(segment) if year_of(e) == year]).encode()
        path = year_path(kept.path, segment, year)
        if path in self.written:
            return self.written[path]
        if (segment, year) in kept.read:
            return kept.read[(segment, year)]
        self.raw[(segment, year)] = year_bytes(self.history, segment, year)
        return self.raw[(segment, year)]

    def _editions(self, segment: str, year: int) -> tuple[SentEdition, ...]:
        """The editions of a year, read now if the build did not read that year."""
        kept = self.history.kept
        if kept is not None and year in kept.unread(segment):
            if (segment, year) not in self.read:
                data = self.raw.get((segment, year)) or year_bytes(self.history, segment, year)
                self.read[(segment, year)] = parse_year(self.history, segment, year, data)[0]
            return self.read[(segment, year)]
        return tuple(e for e in self.history.get(segment) if year_of(e) == year)

    def _latest(self) -> list[ArchiveEntry]:
        """The latest FEED_SIZE issues of every segment, newest first, reading older years only
        while they could hold one of them."""
        titles = {segment.id: segment for segment in self.segments}
        while True:
            pairs = [(s, e) for s in titles for e in self._known(s)]
            pairs.sort(key=lambda item: (item[1].date, item[1].edition, item[0]), reverse=True)
            cut = year_of(pairs[FEED_SIZE - 1][1]) if len(pairs) >= FEED_SIZE else None
            more = [(s, max(years)) for s in titles if (years := self._older(s)) and (cut is None or max(years) >= cut)]
            if not more:
                return [self._entry(titles[s], e, f"../{self.up}") for s, e in pairs[:FEED_SIZE]]
            for segment, year in more:
                self._editions(segment, year)

    def _known(self, segment: str) -> tuple[SentEdition, ...]:
        return self.history.get(segment) + tuple(e for (s, _), found in self.read.items() if s == segment for e in found)

    def _older(self, segment: str) -> list[int]:
        """The years of `segment` whose editions this archive has not seen yet."""
        kept = self.history.kept
        if kept is None:
            return []
        return [y for y in kept.unread(segment) if (segment, y) not in self.read]

    def _entry(self, segment: Segment, entry: SentEdition, up: str) -> ArchiveEntry:
        try:
            day = dt.datetime.fromisoformat(entry.date)
        except (TypeError, ValueError):
            raise ContentError(Problem(f"history: segments.{segment.id}", f"edition {entry.edition!r} has the date "
                                       f"{entry.date!r}; write it as 2026-11-30T08:00:00+01:00")) from None
        language = self.language
        words = self.cache.date(f"{language}|{day.date().isoformat()}", lambda: long_date(day, language))
        page = web_page(entry.edition, segment.id, "public")
        public = self.config.addresses().url(page)
        return ArchiveEntry(segment.id, segment.title, entry.edition, entry.number, entry.subject, entry.preheader,
                            entry.date, words, public or f"{up}{page}",
                            public or f"urn:rameau:{segment.id}:{entry.edition}")

    def _render(self, kind: str, name: str, **context: object) -> str:
        return render_template(self.templates, kind, name, newsletter=self.config.newsletter, words=self.words,
                               language=self.language, **context)

    def _cache_key(self) -> str:
        """What every page depends on besides its history file and rameau's own code."""
        own = sorted((path.name, path.read_bytes().hex()) for path in (self.templates / ARCHIVE_DIR).glob("*")
                     if path.is_file()) if (self.templates / ARCHIVE_DIR).is_dir() else []
        words = [value for value in vars(self.words).values() if isinstance(value, str)]
        counts = [self.words.issues(count) for count in (0, 1, 2, 3, 5, 11, 21, 52, 365)]  # plural forms
        parts = [self.config.newsletter.name, self.language, self.config.public_url,
                 [(s.id, s.title) for s in self.segments], words, counts, own]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
