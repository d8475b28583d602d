"""The project's history: which articles went into which edition of each segment.

A plain JSON file meant to be committed (`history.json` beside rameau.yaml), sorted and
indented so that its diffs read well. It numbers each segment's issues and keeps an article
from being sent twice in one segment. Writing it is the last step of a build (output/write.py):
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
from typing import Any

from ..errors import ContentError, Problem, show

HISTORY_FILE = "history.json"
FORMAT = 1
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


@dataclass(frozen=True)
class History:
    segments: dict[str, tuple[SentEdition, ...]] = field(default_factory=dict)  # segment id -> editions, oldest first
    extra: dict[str, Any] = field(default_factory=dict)  # top-level keys of later versions, kept
    merged: bool = False  # read from a file with conflict markers, both sides merged

    def get(self, segment: str) -> tuple[SentEdition, ...]:
        return self.segments.get(segment, ())


def load_history(path: Path) -> History:
    """The history in `path`; an empty one when there is no such file (not when it is a folder,
    a dangling link or unreadable: those are errors, or numbering would start again)."""
    if not path.exists() and not path.is_symlink():
        return History()
    try:
        data = path.read_bytes()
    except OSError as exc:
        what = "a link to nothing" if path.is_symlink() and not path.exists() else exc.strerror
        raise ContentError(Problem(str(path), f"history cannot be read ({what}); restore it from version control")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(Problem(str(path), "history is not UTF-8 text; restore it from version control")) from None
    return parse_history(text, str(path))


def parse_history(text: str, where: str) -> History:
    if "\n<<<<<<< " in f"\n{text}" or text.startswith("<<<<<<<"):
        return _resolve_conflict(text, where)
    return _from_json(_json(text, where), where)


def _json(text: str, where: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a number JSON allows")

    try:
        return json.loads(text, parse_constant=refuse)
    except RecursionError:
        raise ContentError(Problem(where, "history is nested too deeply to be a history; restore it from version "
                                          "control")) from None
    except ValueError as exc:
        raise ContentError(Problem(where, f"history is not valid JSON ({exc}); restore it from version control")) from None


def _from_json(raw: Any, where: str) -> History:
    if not isinstance(raw, dict):
        raise ContentError(Problem(where, "history must be a JSON object with `format` and `segments`; "
                                          "restore it from version control"))
    problems: list[Problem] = []
    version = raw.get("format", FORMAT)
    if isinstance(version, bool) or not isinstance(version, int):
        problems.append(Problem(f"{where}: format", f"expected a whole number, got {show(version)}"))
    elif version > FORMAT:
        raise ContentError(Problem(f"{where}: format", f"history of format {version} was written by a newer rameau "
                                                       f"(this one reads format {FORMAT}); upgrade rameau"))
    segments = raw.get("segments", {})
    if not isinstance(segments, dict):
        raise ContentError(Problem(f"{where}: segments", "expected a mapping of segment ids to lists of editions"))
    history: dict[str, tuple[SentEdition, ...]] = {}
    for segment, entries in segments.items():
        if not isinstance(entries, list):
            problems.append(Problem(f"{where}: segments.{segment}", f"expected a list of editions, got {show(entries)}"))
            continue
        read = [_entry(entry, f"{where}: segments.{segment}[{i}]", problems) for i, entry in enumerate(entries)]
        history[segment] = tuple(sorted((e for e in read if e is not None), key=lambda e: (e.date, e.edition)))
    if problems:
        raise ContentError(*problems)
    return History(history, {key: value for key, value in raw.items() if key not in ("format", "segments")})


def _entry(raw: Any, where: str, problems: list[Problem]) -> SentEdition | None:
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


def _sides(text: str, where: str) -> tuple[str, str]:
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


def _resolve_conflict(text: str, where: str) -> History:
    """Both sides of a Git conflict, merged: every edition of either side. The same edition on both
    sides must be the same issue; two editions may not share a number."""
    sides = []
    for name, side in zip(("one", "the other"), _sides(text, where), strict=True):
        try:
            sides.append(_from_json(_json(side, where), where))
        except ContentError as exc:
            raise ContentError(Problem(where, f"history has a merge conflict and {name} side cannot be read "
                                              f"({exc.problems[0].message}); resolve it by hand, keeping the "
                                              "editions of both sides")) from None
    ours, theirs = sides
    merged: dict[str, tuple[SentEdition, ...]] = {}
    problems = []
    for segment in sorted(set(ours.segments) | set(theirs.segments)):
        by_edition: dict[str, SentEdition] = {}
        for entry in ours.get(segment) + theirs.get(segment):
            known = by_edition.get(entry.edition)
            if known is None:
                by_edition[entry.edition] = entry
            elif not known.same_issue(entry):
                problems.append(Problem(f"{where}: segments.{segment}", f"edition {entry.edition} differs between the "
                                        f"two sides ({_brief(known)} / {_brief(entry)}); keep one by hand"))
            else:
                by_edition[entry.edition] = replace(known, extra={**entry.extra, **known.extra})
        numbers: dict[int, SentEdition] = {}
        for entry in by_edition.values():
            other = numbers.get(entry.number)
            if other is not None and entry.number:
                problems.append(Problem(f"{where}: segments.{segment}", f"issue {entry.number} is both "
                                        f"{_brief(other)} and {_brief(entry)}; renumber one by hand"))
            numbers[entry.number] = entry
        merged[segment] = tuple(sorted(by_edition.values(), key=lambda e: (e.date, e.edition)))
    if problems:
        raise ContentError(*problems)
    return History(merged, {**theirs.extra, **ours.extra}, merged=True)


def _brief(entry: SentEdition) -> str:
    count = len(entry.articles)
    return f"{entry.edition} (issue {entry.number} of {entry.date[:10]}, {count} article{'' if count == 1 else 's'})"


# --- Writing and using it ------------------------------------------------------------------------


def history_text(history: History) -> str:
    data = {"format": FORMAT, **history.extra, "segments": {
        segment: [_record(entry) for entry in sorted(entries, key=lambda e: (e.date, e.edition))]
        for segment, entries in sorted(history.segments.items())
    }}
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _record(entry: SentEdition) -> dict[str, Any]:
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
    entries = history.get(segment)
    for entry in entries:
        if entry.edition == edition:
            return entry.number
    return max((entry.number for entry in entries), default=0) + 1


def record(history: History, segment: str, entry: SentEdition) -> History:
    kept = tuple(e for e in history.get(segment) if e.edition != entry.edition)
    previous = next((e for e in history.get(segment) if e.edition == entry.edition), None)
    if previous is not None and previous.extra:
        entry = replace(entry, extra={**previous.extra, **entry.extra})
    entries = tuple(sorted((*kept, entry), key=lambda e: (e.date, e.edition)))
    return replace(history, segments={**history.segments, segment: entries})
