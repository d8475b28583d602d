"""Edition files (`issues/2026-W48.md`): an edition's window, number, subject and preheader
overrides, pinned articles and édito. Optional: without one, an edition is its calendar period.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..cache.base import NO_CACHE, CacheFolder
from ..errors import ConfigError, ContentError, Problem, UsageError, Warnings, show
from .calendar import Window, day_window, parse_week, period_days
from .moments import Moment
from .reading import read_text, split_front_matter
from .schema import TEXT, Either, Integer, ListOf, MapOf, Mapping, Text, Walk, closest, validate
from .settings import setting, settings_mapping
from .yaml_cache import load_yaml_cached

EDITION_FOLDERS = ("issues", "editions")  # `editions/` is the folder's earlier name, still read
EDITION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

LINE = Text(fold=True)  # line breaks never reach a subject: they read as spaces
# Other words for an edition's keys: surely meant as them (a misspelt key stops the build).
EDITION_ALIASES = {"pin": "pinned", "pins": "pinned", "pinned_articles": "pinned", "issue": "number",
                   "issue_number": "number", "send_date": "date", "start": "since", "end": "until", "from": "since",
                   "to": "until", "title": "subject", "preview_text": "preheader", "preheader_text": "preheader"}
PER_SEGMENT_TEXT = Either((str, LINE), (dict, MapOf(LINE, what="segment id")))

@dataclass(frozen=True)
class EditionSettings:
    """An edition file's front matter as written; `Edition` is what the build reads."""

    number: int | None = setting(Integer(1), "The issue number of every segment in this edition (default: counted "
                                             "by the history).")
    date: dt.datetime | None = setting(Moment(), "When it is sent: lifts embargoes before it; the date shown "
                                                 "(default: the window's end).")
    since: dt.datetime | None = setting(Moment(), "First day of the window.")
    until: dt.datetime | None = setting(Moment(), "Last day of the window.")
    week: str | None = setting(TEXT, "An ISO week as the window, e.g. 2026-W48 (default: the file's name, if it is "
                                     "a week).")
    subject: str | dict[str, str] | None = setting(PER_SEGMENT_TEXT, "The subject, or a mapping of segment ids to "
                                                                     "subjects (Jinja).")
    preheader: str | dict[str, str] | None = setting(PER_SEGMENT_TEXT, "The preheader, or a mapping of segment ids "
                                                                       "to preheaders (Jinja).")
    pinned: tuple[str, ...] | None = setting(ListOf(TEXT), "Article ids to put first, in this order.")


EDITION = settings_mapping(EditionSettings, unknown="typo", what="edition key", aliases=EDITION_ALIASES)


@dataclass(frozen=True)
class TranslationSettings:
    """A translation file's front matter as written; `Translation` is what the build reads."""

    subject: str | dict[str, str] | None = setting(PER_SEGMENT_TEXT, "The subject of this language's segments, or "
                                                                     "a mapping of segment ids to subjects.")
    preheader: str | dict[str, str] | None = setting(PER_SEGMENT_TEXT, "The preheader of this language's segments, "
                                                                       "or a mapping of segment ids.")


TRANSLATION = settings_mapping(TranslationSettings, unknown="typo", aliases=EDITION_ALIASES,
                               what="key of an edition's translation")
LANGUAGE_SUFFIX = re.compile(r"(?P<edition>.+)\.(?P<language>[a-z]{2,3}(?:-[A-Za-z]{2,4})?)")


@dataclass(frozen=True)
class Translation:
    """`issues/2026-W48.en.md`: the édito, subject and preheader of the segments in English."""

    language: str
    subject: dict[str, str] = field(default_factory=dict, hash=False)
    preheader: dict[str, str] = field(default_factory=dict, hash=False)
    edito: str = ""
    source: str = ""


@dataclass(frozen=True)
class Edition:
    id: str
    date: dt.datetime  # when it is meant to be sent: sets embargo and the Date header
    window: Window
    number: int | None = None
    subject: dict[str, str] = field(default_factory=dict, hash=False)  # "*" or segment id -> text
    preheader: dict[str, str] = field(default_factory=dict, hash=False)
    pinned: tuple[str, ...] = ()
    edito: str = ""  # Markdown
    source: str = ""  # the edition file, if any
    translations: tuple[Translation, ...] = ()

    def in_language(self, language: str, main: str) -> Edition:
        """The edition as the segments in `language` see it, when the edition file is written in
        `main`: the translation's édito, subject and preheader (a segment's own subject from the
        main file kept), or no édito at all rather than one in another language."""
        if language == main:
            return self
        found = next((t for t in self.translations if t.language == language), None) \
            or next((t for t in self.translations if t.language.split("-")[0] == language.split("-")[0]), None)
        kept_subject = {k: v for k, v in self.subject.items() if k != "*"}
        kept_preheader = {k: v for k, v in self.preheader.items() if k != "*"}
        if found is None:
            return replace(self, subject=kept_subject, preheader=kept_preheader, edito="")
        return replace(self, subject={**found.subject, **kept_subject}, preheader={**found.preheader, **kept_preheader},
                       edito=found.edito, source=found.source)


FAR_AHEAD = dt.timedelta(days=366)  # an edition dated further ahead of today is a typo, unless it is named


def refuse_far_ahead(edition: Edition, now: dt.datetime) -> None:
    """An edition file chosen for the build (the newest, or the calendar's) dated a year or more
    ahead: a typo in its `date:` would record it in a year of history of its own."""
    if edition.date - now > FAR_AHEAD:
        years = (edition.date - now).days // 365
        raise ContentError(Problem(f"{edition.source or edition.id}: date", f"is {edition.date.date()}, {years} year(s) "
                                   f"ahead of today ({now.date()}); fix the date, or name the edition to build it "
                                   f"now (rameau build-issue {edition.id})"))


def check_edition_id(edition_id: str, where: str) -> str:
    if not EDITION_ID_RE.fullmatch(edition_id) or ".." in edition_id:
        raise UsageError(Problem(where, f"{show(edition_id)} is not a valid edition id; use letters, digits, "
                                        "'-', '_' or '.' such as 2026-W48"))
    return edition_id


def edition_files(root: Path) -> dict[str, Path]:
    """Every edition file of the project, by edition id."""
    found: dict[str, Path] = {}
    for folder in EDITION_FOLDERS:
        if not (root / folder).is_dir():
            continue
        paths = sorted((root / folder).glob("*.md"))
        stems = {path.stem for path in paths}
        for path in paths:
            if _translation_of(path.stem, stems):
                continue
            if path.stem in found:
                raise ContentError(Problem(str(path), f"edition {path.stem} also has the file {found[path.stem]}; "
                                                      "keep one of the two"))
            found[path.stem] = path
    return found


def folder_note(root: Path) -> str:
    """A line for a project that keeps its edition files in `editions/`, the folder's earlier
    name: still read, and free to be renamed (an empty string otherwise)."""
    if (root / "editions").is_dir() and not (root / "issues").is_dir():
        return "note: editions/ is read as before; it can be renamed issues/, the folder's name now"
    return ""


def _translation_of(stem: str, stems: set[str]) -> str:
    """The edition that `stem` (`2026-W48.en`) translates, when there is one."""
    match = LANGUAGE_SUFFIX.fullmatch(stem)
    return match.group("edition") if match and match.group("edition") in stems else ""


def find_edition_file(root: Path, edition_id: str) -> Path:
    check_edition_id(edition_id, "EDITION")
    files = edition_files(root)
    if edition_id not in files:
        hint = closest(edition_id, list(files))
        known = f"; did you mean {hint}?" if hint else (f"; known editions: {', '.join(sorted(files))}" if files else "")
        raise UsageError(Problem(f"{EDITION_FOLDERS[0]}/{edition_id}.md", f"no such edition file{known}"))
    return files[edition_id]


def edition_file_for(root: Path, edition_id: str) -> Path | None:
    return edition_files(root).get(edition_id)


def newest_edition_file(root: Path, tz: ZoneInfo, cache: CacheFolder = NO_CACHE) -> Path | None:
    """The edition file of the latest period (not the last name in alphabetical order)."""
    files = edition_files(root)
    if not files:
        return None

    def period_start(item: tuple[str, Path]) -> tuple[dt.date, str]:
        edition_id, path = item
        days = period_days(edition_id)
        if days is None:
            try:
                edition = read_edition_file(path, tz, Warnings(), cache)
                days = (edition.window.since.date(), edition.date.date())
            except (ContentError, UsageError):
                days = (dt.date.min, dt.date.min)
        return days[0], edition_id

    return max(files.items(), key=period_start)[1]


def read_edition_file(path: Path, tz: ZoneInfo, warnings: Warnings, cache: CacheFolder = NO_CACHE) -> Edition:
    where = str(path)
    edition_id = check_edition_id(path.stem, where)
    values, body, walk = _read(path, EDITION, tz, warnings, cache)
    window = _window(values, edition_id, tz, walk)
    if walk.problems or window is None:
        raise ContentError(*walk.problems)
    return Edition(
        id=edition_id,
        date=values.date or window.until,
        window=window,
        number=values.number,
        subject=_per_segment(values.subject),
        preheader=_per_segment(values.preheader),
        pinned=tuple(values.pinned or ()),
        edito=body.strip(),
        source=where,
        translations=_translations(path, tz, warnings, cache),
    )


def _read(path: Path, schema: Mapping, tz: ZoneInfo, warnings: Warnings,
          cache: CacheFolder) -> tuple[Any, str, Walk]:
    """An edition file's front matter, checked against `schema` (its warnings passed on), and its
    body; ContentError when the front matter cannot be used at all."""

    where = str(path)
    front, body, _ = split_front_matter(read_text(path), where)
    raw = load_yaml_cached(front, where, cache, first_line=2) if front is not None else {}
    walk = Walk(where, tz)
    values = validate(schema, {} if raw is None else raw, walk, "", None)
    if walk.typos:  # a misspelt key could send an edition too early, or pin nothing: nothing is built
        raise ConfigError(*walk.typos)
    for problem in walk.warnings:
        warnings.warn(problem.where, problem.message)
    if values is None:
        raise ContentError(*walk.problems)
    return values, body, walk


def _translations(path: Path, tz: ZoneInfo, warnings: Warnings, cache: CacheFolder) -> tuple[Translation, ...]:
    """The files beside the edition file that translate it: `2026-W48.en.md`, `2026-W48.de.md`."""
    found = []
    for other in sorted(path.parent.glob(f"{glob.escape(path.stem)}.*.md")):
        match = LANGUAGE_SUFFIX.fullmatch(other.stem)
        if not match or match.group("edition") != path.stem:
            continue
        values, body, walk = _read(other, TRANSLATION, tz, warnings, cache)
        if walk.problems:
            raise ContentError(*walk.problems)
        found.append(Translation(match.group("language"), _per_segment(values.subject),
                                 _per_segment(values.preheader), body.strip(), str(other)))
    return tuple(found)


def _window(values: EditionSettings, edition_id: str, tz: ZoneInfo, walk: Walk) -> Window | None:
    since, until = values.since, values.until
    if since is not None or until is not None:
        if since is None or until is None:
            walk.error("since/until", "give both as dates such as 2026-11-23 and 2026-11-29")
            return None
        if until < since:
            walk.error("until", "ends before `since`; swap the two dates")
            return None
        return day_window(since.date(), until.date(), tz)
    week = values.week or edition_id
    try:
        return day_window(*parse_week(week, walk.where("week")), tz)
    except UsageError:
        days = period_days(edition_id)
        if days and not values.week:
            return day_window(*days, tz)
        walk.error("", "no window: add `since:` and `until:` dates, or `week: 2026-W48`, or name the file after "
                       "its period (2026-W48, 2026-11-30, 2026-11)")
        return None


def _per_segment(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    return {"*": value} if isinstance(value, str) else dict(value)
