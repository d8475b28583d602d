"""The project's history: which articles went into which edition of each segment.

It numbers each segment's issues and keeps an article from being sent twice in one segment.
This module is the history in memory (`History`, `SentEdition`), reading its entries, and
the first format: one JSON file, `history.json`. How it is kept on disk now (an index in
`history.json`, a file per segment and year under `history/`, read only where a build needs
it) is project/history_files.py. Writing it is the last step of a build (output/write.py):
until it is replaced, the build has changed nothing for good.

Reading it never fails with a traceback and never advises deleting it: every problem is named
with its key path; keys a later rameau wrote are kept; Git conflict markers (two CI jobs that
committed it at once) are resolved when both sides can be read: the union of their editions.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..errors import ContentError, Problem, show

T = TypeVar("T")
HISTORY_FILE = "history.json"
FORMAT = 1  # the first format: every edition in history.json
LATEST_FORMAT = 2  # the newest this rameau reads (project/history_files.py)
ENTRY_KEYS = ("edition", "number", "date", "subject", "preheader", "articles")


@dataclass(frozen=True)
class SentEdition:
    """One issue of one segment: the edition it belongs to, its number, what it carried."""

    edition: str
    number: int
    date: str  # ISO datetime of the edition
    subject: str
    preheader: str
    articles: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)  # keys of later versions, kept

    def same_issue(self, other: SentEdition) -> bool:
        return (self.edition, self.number, self.date, self.articles) == (other.edition, other.number, other.date,
                                                                          other.articles)


def by_date(entry: SentEdition) -> tuple[str, str]:
    """The order of a segment's editions in the history: by date, then by edition id."""
    return entry.date, entry.edition


@dataclass(frozen=True)
class Kept:
    """Where a history read from disk came from, and what of it was read (history_files.py).

    A build reads only the years it needs: `years` lists every file there is, `read` holds the
    bytes of those it read, so that only what changed is written back and nothing unread is lost."""

    path: Path  # history.json
    format: int  # the format it was read in: 1 is written again in the latest format
    numbers: dict[str, int] = field(default_factory=dict)  # segment -> the highest issue number it gave
    years: dict[str, tuple[int, ...]] = field(default_factory=dict)  # segment -> every year that has a file
    read: dict[tuple[str, int], bytes] = field(default_factory=dict)  # (segment, year) -> the file as read
    extras: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # a year file's unknown keys
    scanned: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)  # edition ids of the files not read

    def unread(self, segment: str) -> tuple[int, ...]:
        return tuple(year for year in self.years.get(segment, ()) if (segment, year) not in self.read)


@dataclass(frozen=True)
class History:
    segments: dict[str, tuple[SentEdition, ...]] = field(default_factory=dict)  # segment id -> editions, oldest first
    extra: dict[str, Any] = field(default_factory=dict)  # top-level keys of later versions, kept
    merged: bool = False  # read from a file with conflict markers, both sides merged
    kept: Kept | None = None  # None: not read from disk (and every edition is in `segments`)
    notes: tuple[Problem, ...] = ()  # what a build warns about (conflicts merged, a format half migrated)

    def get(self, segment: str) -> tuple[SentEdition, ...]:
        return self.segments.get(segment, ())


def read_text(path: Path) -> str | None:
    """The text of a history file; None when there is no such file (not when it is a folder, a
    dangling link or unreadable: those are errors, or numbering would start again)."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        what = "a link to nothing" if path.is_symlink() and not path.exists() else exc.strerror
        raise ContentError(Problem(str(path), f"history cannot be read ({what}); restore it from version control")) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(Problem(str(path), "history is not UTF-8 text; restore it from version control")) from None


def parse_history(text: str, where: str) -> History:
    if has_conflict(text):
        return _resolve_conflict(text, where)
    return first_format(json_of(text, where), where)


def json_of(text: str, where: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a number JSON allows")

    try:
        return json.loads(text, parse_constant=refuse)
    except RecursionError:
        raise ContentError(Problem(where, "history is nested too deeply to be a history; restore it from version "
                                          "control")) from None
    except ValueError as exc:
        raise ContentError(Problem(where, f"history is not valid JSON ({exc}); restore it from version control")) from None


def first_format(raw: Any, where: str) -> History:
    if not isinstance(raw, dict):
        raise ContentError(Problem(where, "history must be a JSON object with `format` and `segments`; "
                                          "restore it from version control"))
    problems: list[Problem] = []
    version = raw.get("format", FORMAT)
    check_format(version, where, problems)
    segments = raw.get("segments", {})
    if not isinstance(segments, dict):
        raise ContentError(Problem(f"{where}: segments", "expected a mapping of segment ids to lists of editions"))
    if version == LATEST_FORMAT:
        raise ContentError(Problem(f"{where}: format", "is the index of a history kept in history/; read it with "
                                                       "history_files.load_history"))
    history: dict[str, tuple[SentEdition, ...]] = {}
    for segment, entries in segments.items():
        history[segment] = read_entries(entries, f"{where}: segments.{segment}", problems)
    if problems:
        raise ContentError(*problems)
    return History(history, {key: value for key, value in raw.items() if key not in ("format", "segments")})


def check_format(version: Any, where: str, problems: list[Problem]) -> None:
    """A history file's `format`: a whole number (else a problem), and none newer than this rameau reads."""
    if isinstance(version, bool) or not isinstance(version, int):
        problems.append(Problem(f"{where}: format", f"expected a whole number, got {show(version)}"))
    else:
        refuse_newer(version, where)


def refuse_newer(version: int, where: str) -> None:
    if version > LATEST_FORMAT:
        raise ContentError(Problem(f"{where}: format", f"history of format {version} was written by a newer rameau "
                                                       f"(this one reads format {LATEST_FORMAT}); upgrade rameau"))


def read_entries(entries: Any, where: str, problems: list[Problem]) -> tuple[SentEdition, ...]:
    """A JSON list of editions, each checked key by key (problems are added to `problems`)."""
    if not isinstance(entries, list):
        problems.append(Problem(where, f"expected a list of editions, got {show(entries)}"))
        return ()
    read = [_entry(entry, where, i, problems) for i, entry in enumerate(entries)]
    return tuple(sorted((e for e in read if e is not None), key=by_date))


_ENTRY_KEYS = frozenset(ENTRY_KEYS)


def _entry(raw: Any, where: str, index: int, problems: list[Problem]) -> SentEdition | None:
    """One edition, read at once when it is well formed (ten years of history are read this way)."""
    if type(raw) is dict:
        edition, number, date = raw.get("edition"), raw.get("number"), raw.get("date")
        subject, preheader, articles = raw.get("subject", ""), raw.get("preheader", ""), raw.get("articles", [])
        if (type(edition) is str and edition and type(number) is int and number >= 0 and type(date) is str
                and type(subject) is str and type(preheader) is str and type(articles) is list
                and all(type(a) is str for a in articles) and _moment(date) is not None):
            extra = {key: value for key, value in raw.items() if key not in _ENTRY_KEYS} if raw.keys() - _ENTRY_KEYS \
                else {}
            return SentEdition(edition, number, date, subject, preheader, tuple(articles), extra)
    return _named_problems(raw, f"{where}[{index}]", problems)


def _named_problems(raw: Any, where: str, problems: list[Problem]) -> SentEdition | None:
    """Every problem of an edition that is not well formed, each with its key path."""
    if not isinstance(raw, dict):
        problems.append(Problem(where, "expected a mapping with edition, number, date and articles"))
        return None
    count = len(problems)

    def bad(key: str, wanted: str) -> None:
        problems.append(Problem(f"{where}.{key}", f"expected {wanted}, got {show(raw.get(key))}"))

    edition, number, date = raw.get("edition"), raw.get("number"), raw.get("date")
    articles = raw.get("articles", [])
    if not isinstance(edition, str) or not edition:
        bad("edition", "an edition id such as 2026-W48")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        bad("number", "a whole number")
    if not isinstance(date, str) or _moment(date) is None:
        bad("date", "a date and time such as 2026-11-30T08:00:00+01:00")
    for key in ("subject", "preheader"):
        if not isinstance(raw.get(key, ""), str):
            bad(key, "text")
    if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
        bad("articles", "a list of article ids")
    if len(problems) > count:
        return None
    assert isinstance(edition, str) and isinstance(number, int) and isinstance(date, str)
    return SentEdition(edition, number, date, raw.get("subject", ""), raw.get("preheader", ""), tuple(articles),
                       {key: value for key, value in raw.items() if key not in ENTRY_KEYS})


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# --- Two CI jobs committed it at once -----------------------------------------------------------


def has_conflict(text: str) -> bool:
    return text.startswith("<<<<<<<") or "\n<<<<<<< " in text


def sides(text: str, where: str) -> tuple[str, str]:
    ours: list[str] = []
    theirs: list[str] = []
    state = "both"
    for line in text.splitlines(keepends=True):
        marker = line[:7]
        if marker == "<<<<<<<" and state == "both":
            state = "ours"
        elif marker == "|||||||" and state == "ours":
            state = "base"  # diff3 style: the common ancestor, which both sides already hold
        elif marker == "=======" and state in ("ours", "base"):
            state = "theirs"
        elif marker == ">>>>>>>" and state == "theirs":
            state = "both"
        else:
            if state in ("both", "ours"):
                ours.append(line)
            if state in ("both", "theirs"):
                theirs.append(line)
    if state != "both":
        raise ContentError(Problem(where, "history has a merge conflict whose markers do not close; resolve it by "
                                          "hand, keeping the editions of both sides"))
    return "".join(ours), "".join(theirs)


def read_sides(text: str, where: str, read: Callable[[Any, str], T]) -> tuple[T, T]:
    """The two sides of a Git conflict, each read by `read` from its JSON."""
    found = []
    for name, side in zip(("one", "the other"), sides(text, where), strict=True):
        try:
            found.append(read(json_of(side, where), where))
        except ContentError as exc:
            raise ContentError(Problem(where, f"history has a merge conflict and {name} side cannot be read "
                                              f"({exc.problems[0].message}); resolve it by hand, keeping the "
                                              "editions of both sides")) from None
    return found[0], found[1]


def _resolve_conflict(text: str, where: str) -> History:
    """Both sides of a Git conflict, merged: every edition of either side. The same edition on both
    sides must be the same issue; two editions may not share a number."""
    ours, theirs = read_sides(text, where, first_format)
    merged: dict[str, tuple[SentEdition, ...]] = {}
    problems: list[Problem] = []
    for segment in sorted(set(ours.segments) | set(theirs.segments)):
        merged[segment] = merge_entries(ours.get(segment), theirs.get(segment), f"{where}: segments.{segment}",
                                        problems)
    if problems:
        raise ContentError(*problems)
    return History(merged, {**theirs.extra, **ours.extra}, merged=True)


def merge_entries(ours: tuple[SentEdition, ...], theirs: tuple[SentEdition, ...], where: str,
                  problems: list[Problem]) -> tuple[SentEdition, ...]:
    """Every edition of either side. The same edition on both sides must be the same issue; two
    editions may not share a number (each clash is added to `problems`)."""
    by_edition: dict[str, SentEdition] = {}
    for entry in ours + theirs:
        known = by_edition.get(entry.edition)
        if known is None:
            by_edition[entry.edition] = entry
        elif not known.same_issue(entry):
            problems.append(Problem(where, f"edition {entry.edition} differs between the two sides ({_brief(known)} / "
                                           f"{_brief(entry)}); keep one by hand"))
        else:
            by_edition[entry.edition] = replace(known, extra={**entry.extra, **known.extra})
    numbers: dict[int, SentEdition] = {}
    for entry in by_edition.values():
        other = numbers.get(entry.number)
        if other is not None and entry.number:
            problems.append(Problem(where, f"issue {entry.number} is both {_brief(other)} and {_brief(entry)}; "
                                           "renumber one by hand"))
        numbers[entry.number] = entry
    return tuple(sorted(by_edition.values(), key=by_date))


def _brief(entry: SentEdition) -> str:
    count = len(entry.articles)
    return f"{entry.edition} (issue {entry.number} of {entry.date[:10]}, {count} article{'' if count == 1 else 's'})"


# --- Writing and using it ------------------------------------------------------------------------


def history_text(history: History) -> str:
    """The history in the first format, one file (history_files.history_changes writes the latest)."""
    data = {"format": FORMAT, **history.extra, "segments": {
        segment: [entry_record(entry) for entry in sorted(entries, key=by_date)]
        for segment, entries in sorted(history.segments.items())
    }}
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def entry_record(entry: SentEdition) -> dict[str, Any]:
    return {"edition": entry.edition, "number": entry.number, "date": entry.date, "subject": entry.subject,
            "preheader": entry.preheader, "articles": list(entry.articles), **entry.extra}


def sent_before(history: History, segment: str, edition: str, date: str) -> dict[str, str]:
    """Article id -> the earlier edition of `segment` that already carried it."""
    sent: dict[str, str] = {}
    for entry in history.get(segment):
        if entry.edition != edition and entry.date <= date:
            for article in entry.articles:
                sent.setdefault(article, entry.edition)
    return sent


def number_for(history: History, segment: str, edition: str) -> int:
    """The number the edition has, or the next one (counting the years a build did not read)."""
    entries = history.get(segment)
    for entry in entries:
        if entry.edition == edition:
            return entry.number
    highest = history.kept.numbers.get(segment, 0) if history.kept else 0
    return max(highest, max((entry.number for entry in entries), default=0)) + 1


def record(history: History, segment: str, entry: SentEdition) -> History:
    kept = tuple(e for e in history.get(segment) if e.edition != entry.edition)
    previous = next((e for e in history.get(segment) if e.edition == entry.edition), None)
    if previous is not None and previous.extra:
        entry = replace(entry, extra={**previous.extra, **entry.extra})
    entries = tuple(sorted((*kept, entry), key=by_date))
    return replace(history, segments={**history.segments, segment: entries})
