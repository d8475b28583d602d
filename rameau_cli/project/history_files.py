"""The history on disk: an index in `history.json`, the editions in a file per segment and year.

    history.json                    {"format": 2, "segments": {"quotidienne": {"last_number": 3653,
                                                                               "years": [2017, ..., 2026]}}}
    history/quotidienne/2026.json   {"format": 2, "editions": [one edition per line, oldest first]}

A build reads only what it needs: the index, and for each segment it builds the years from
which an article it could take may already have gone out (pipeline.history_needs). Ten
years of a daily newsletter cost a build what one year costs. The index keeps each segment's
highest issue number, so that numbering never needs the years left unread, and lists the
years, so that a file deleted by hand is an error that names it, never a silent gap. Only the
year files whose content changes are written again (and the index, swapped in last by every
build that records an edition); one edition per line keeps the diffs short.

A history.json of the first format (every edition in it) is read as it is, and the next build
writes it in this layout. A first-format history.json beside a history/ folder (a branch that
was not migrated, merged into one that was) is read together with it. Git conflict markers in
any of these files are resolved as in one file: the union of both sides.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problem, show
from .history import (
    LATEST_FORMAT,
    History,
    Kept,
    SentEdition,
    by_date,
    check_format,
    entry_record,
    first_format,
    has_conflict,
    json_of,
    merge_entries,
    read_entries,
    read_sides,
    read_text,
)
from .history_audit import Years, audit

HISTORY_DIR = "history"
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode  # one encoder for every edition
_YEAR_FILE = re.compile(r"^(\d{4})\.json$")
_SEGMENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Index:
    numbers: dict[str, int] = field(default_factory=dict)
    years: dict[str, tuple[int, ...]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def year_of(entry: SentEdition) -> int:
    """The year whose file holds an edition: the year of its date, where it was sent."""
    return int(entry.date[:4])


def year_path(history_json: Path, segment: str, year: int) -> Path:
    return history_json.parent / HISTORY_DIR / segment / f"{year}.json"


def shown(path: Path, history_json: Path) -> str:
    """A history file as messages name it: relative to the project."""
    try:
        return str(path.relative_to(history_json.parent))
    except ValueError:
        return str(path)


# --- Reading -------------------------------------------------------------------------------------


def load_history(path: Path, since: Mapping[str, int] | None = None) -> History:
    """The history whose index is `path` (history.json). `since`: for each segment, the first
    year a build needs (a segment not in it: none of its years); None: every year."""
    folder = path.parent / HISTORY_DIR
    text = read_text(path)
    on_disk = _years_on_disk(folder)
    notes: list[Problem] = []
    if text is None:
        if not on_disk:
            return History(kept=Kept(path, LATEST_FORMAT))
        index, legacy, merged, since = Index(), None, False, None
        notes.append(Problem(str(path), "is missing: its index is made again from history/ (restore it from version "
                                        "control if it was deleted by mistake)"))
    else:
        index, legacy, merged = _read_index(text, str(path))
    if merged:
        notes.append(Problem(str(path), "had Git conflict markers: the editions of both sides are kept, and the next "
                                        "build writes them merged (or run `rameau history resolve`)"))
    if legacy is not None and not on_disk:
        kept = Kept(path, 1)
        return History(legacy.segments, {**legacy.extra, **index.extra}, merged, kept, tuple(notes))
    if legacy is not None:
        since = None  # half migrated: every edition is read, and the next build writes them all in history/
        notes.append(Problem(str(path), "still holds editions in the first format beside history/: both are read, "
                                        "and the next build writes them all in history/"))
    return _read_years(path, index, legacy, on_disk, since, merged, notes, rebuilt=text is None)


def _read_years(path: Path, index: Index, legacy: History | None, on_disk: dict[str, tuple[int, ...]],
                since: Mapping[str, int] | None, merged: bool, notes: list[Problem], rebuilt: bool = False) -> History:
    problems: list[Problem] = []
    years = {segment: tuple(sorted(set(index.years.get(segment, ())) | set(on_disk.get(segment, ()))))
             for segment in sorted(set(index.years) | set(on_disk))}
    for segment, listed in index.years.items():
        for year in listed:
            if year not in on_disk.get(segment, ()):
                where = shown(year_path(path, segment, year), path)
                problems.append(Problem(where, f"is missing, but history.json lists it; restore it from version "
                                               f"control (git checkout -- {where}), or remove {year} from "
                                               f"segments.{segment}.years in history.json if it is meant to go"))
    found = Years({}, {}, {}, dict(index.numbers))
    conflicted: list[Path] = []

    def read_whole(segment: str, year: int) -> tuple[bytes, tuple[SentEdition, ...], dict[str, Any]] | None:
        file = year_path(path, segment, year)
        data, entries, extra, conflict = _read_year(file, shown(file, path), problems)
        if conflict:
            conflicted.append(file)
        return data, entries, extra

    for segment, all_years in years.items():
        first = None if since is None else since.get(segment)
        if since is not None and first is None:
            continue
        for year in all_years:
            if first is None or year >= first:
                found.read[(segment, year)], found.editions[(segment, year)], found.extras[(segment, year)] = \
                    read_whole(segment, year) or (b"", (), {})
    audited = {segment: all_years for segment, all_years in years.items() if since is None or segment in since}
    audit(found, audited, None if rebuilt or legacy is not None else index.years, read_whole, lambda s, y: year_path(path, s, y),
          lambda s, y: shown(year_path(path, s, y), path), problems, notes)
    for file in dict.fromkeys(conflicted):
        merged = True
        notes.append(Problem(shown(file, path), "had Git conflict markers: the editions of both sides are kept, and "
                                                "the next build writes them merged (or run `rameau history resolve`)"))
    segments: dict[str, tuple[SentEdition, ...]] = {}
    for (segment, _), entries in found.editions.items():
        segments[segment] = segments.get(segment, ()) + entries
    segments = {segment: tuple(sorted(entries, key=by_date)) for segment, entries in sorted(segments.items())}
    if legacy is not None:
        for segment, old in legacy.segments.items():
            segments[segment] = merge_entries(segments.get(segment, ()), old, f"{path}: segments.{segment}", problems)
    if problems:
        raise ContentError(*problems)
    kept = Kept(path, 1 if legacy is not None else LATEST_FORMAT, found.numbers, years, found.read, found.extras,
                found.scanned)
    extra = {**(legacy.extra if legacy else {}), **index.extra}
    return History(segments, extra, merged, kept, tuple(notes))


def read_year(history: History, segment: str, year: int) -> tuple[bytes, tuple[SentEdition, ...], dict[str, Any]]:
    """A year file a build did not read: its bytes, its editions and its other keys (errors are raised)."""
    data = year_bytes(history, segment, year)
    return (data, *parse_year(history, segment, year, data))


def year_bytes(history: History, segment: str, year: int) -> bytes:
    """A year file's bytes, as they are on disk."""
    assert history.kept is not None
    file = year_path(history.kept.path, segment, year)
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError:
        pass
    text = read_text(file)  # says why it cannot be read
    if text is None:
        raise ContentError(Problem(shown(file, history.kept.path), "is missing; restore it from version control"))
    return text.encode("utf-8")


def parse_year(history: History, segment: str, year: int, data: bytes) -> tuple[tuple[SentEdition, ...], dict[str, Any]]:
    """The editions in a year file's bytes and its other keys (errors are raised)."""
    assert history.kept is not None
    problems: list[Problem] = []
    entries, extra, _ = _year_contents(data.decode("utf-8"), shown(year_path(history.kept.path, segment, year),
                                                                   history.kept.path), problems)
    if problems:
        raise ContentError(*problems)
    return entries, extra


def _years_on_disk(folder: Path) -> dict[str, tuple[int, ...]]:
    """Segment -> the years that have a file under history/."""
    found: dict[str, tuple[int, ...]] = {}
    try:
        segments = [entry for entry in os.scandir(folder) if entry.is_dir() and _SEGMENT_ID.match(entry.name)]
    except (FileNotFoundError, NotADirectoryError):
        return found
    for segment in segments:
        years = [int(m.group(1)) for name in os.listdir(segment.path) if (m := _YEAR_FILE.match(name))]
        if years:
            found[segment.name] = tuple(sorted(years))
    return found


def _read_year(file: Path, where: str, problems: list[Problem]) -> tuple[bytes, tuple[SentEdition, ...],
                                                                       dict[str, Any], bool]:
    text = read_text(file)
    if text is None:  # gone since the folder was listed
        problems.append(Problem(where, "is missing; restore it from version control"))
        return b"", (), {}, False
    data = text.encode("utf-8")
    try:
        entries, extra, conflicted = _year_contents(text, where, problems)
    except ContentError as exc:
        problems.extend(exc.problems)
        return data, (), {}, False
    return data, entries, extra, conflicted


def _year_contents(text: str, where: str, problems: list[Problem]) -> tuple[tuple[SentEdition, ...], dict[str, Any],
                                                                           bool]:
    """A year file's editions, its other keys, and whether it held a conflict (both sides merged,
    a clash added to `problems`); a file that cannot be read raises."""
    if has_conflict(text):
        ours, theirs = read_sides(text, where, _year_file)
        return merge_entries(ours[0], theirs[0], where, problems), {**theirs[1], **ours[1]}, True
    entries, extra = _year_file(json_of(text, where), where)
    return entries, extra, False


def _year_file(raw: Any, where: str) -> tuple[tuple[SentEdition, ...], dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ContentError(Problem(where, "expected a JSON object with `format` and `editions`; restore it from "
                                          "version control"))
    problems: list[Problem] = []
    check_format(raw.get("format"), where, problems)
    entries = read_entries(raw.get("editions", []), f"{where}: editions", problems)
    if problems:
        raise ContentError(*problems)
    return entries, {key: value for key, value in raw.items() if key not in ("format", "editions")}


def _read_index(text: str, where: str) -> tuple[Index, History | None, bool]:
    """history.json: the index (format 2), or every edition (format 1), or both sides of a Git
    conflict between any two of those."""
    if not has_conflict(text):
        index, legacy = _index_or_legacy(json_of(text, where), where)
        return index, legacy, False
    (index, legacy), (other, other_legacy) = read_sides(text, where, _index_or_legacy)
    numbers = {s: max(index.numbers.get(s, 0), other.numbers.get(s, 0)) for s in {*index.numbers, *other.numbers}}
    years = {s: tuple(sorted({*index.years.get(s, ()), *other.years.get(s, ())})) for s in {*index.years, *other.years}}
    both = Index(numbers, years, {**other.extra, **index.extra})
    if legacy is None or other_legacy is None:
        return both, legacy or other_legacy, True
    problems: list[Problem] = []
    segments = {s: merge_entries(legacy.get(s), other_legacy.get(s), f"{where}: segments.{s}", problems)
                for s in sorted({*legacy.segments, *other_legacy.segments})}
    if problems:
        raise ContentError(*problems)
    return both, History(segments, {**other_legacy.extra, **legacy.extra}), True


def _index_or_legacy(raw: Any, where: str) -> tuple[Index, History | None]:
    if isinstance(raw, dict) and raw.get("format") == LATEST_FORMAT:
        return _index(raw, where), None
    legacy = first_format(raw, where)
    for segment in legacy.segments:
        if not _SEGMENT_ID.match(segment):
            raise ContentError(Problem(f"{where}: segments.{segment}", "is not a segment id (lowercase letters, "
                                                                       "digits and hyphens); rename it"))
    return Index(), legacy


def _index(raw: dict[str, Any], where: str) -> Index:
    problems: list[Problem] = []
    segments = raw.get("segments", {})
    if not isinstance(segments, dict):
        raise ContentError(Problem(f"{where}: segments", "expected a mapping of segment ids to their last number "
                                                         "and years"))
    numbers: dict[str, int] = {}
    years: dict[str, tuple[int, ...]] = {}
    for segment, value in segments.items():
        at = f"{where}: segments.{segment}"
        if not _SEGMENT_ID.match(segment):
            problems.append(Problem(at, "is not a segment id (lowercase letters, digits and hyphens)"))
        elif not isinstance(value, dict):
            problems.append(Problem(at, f"expected a mapping with last_number and years, got {show(value)}"))
        else:
            number, listed = value.get("last_number", 0), value.get("years", [])
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                problems.append(Problem(f"{at}.last_number", f"expected a whole number, got {show(number)}"))
            elif not isinstance(listed, list) or not all(isinstance(y, int) and 1000 <= y <= 9999 for y in listed):
                problems.append(Problem(f"{at}.years", f"expected a list of years such as 2026, got {show(listed)}"))
            else:
                numbers[segment], years[segment] = number, tuple(sorted(set(listed)))
    if problems:
        raise ContentError(*problems)
    return Index(numbers, years, {key: value for key, value in raw.items() if key not in ("format", "segments")})


# --- Writing -------------------------------------------------------------------------------------


def history_changes(history: History) -> dict[Path, bytes]:
    """The files to write so that the disk holds `history`: the year files whose content
    changes, then history.json, always (the last file a build swaps in: once it is in place,
    the build is done)."""
    history = complete(history)
    kept = history.kept
    assert kept is not None
    groups: dict[tuple[str, int], list[SentEdition]] = {}
    for segment, entries in history.segments.items():
        for entry in entries:
            groups.setdefault((segment, year_of(entry)), []).append(entry)
    for place in kept.read:  # a year all of whose editions moved to another year is written empty
        groups.setdefault(place, [])
    changes: dict[Path, bytes] = {}
    for (segment, year), group in sorted(groups.items()):
        data = year_text(group, kept.extras.get((segment, year), {})).encode("utf-8")
        if kept.format != LATEST_FORMAT or data != kept.read.get((segment, year)):
            changes[year_path(kept.path, segment, year)] = data
    changes[kept.path] = index_text(history, groups).encode("utf-8")
    return changes


def complete(history: History) -> History:
    """Read the year files that this history's new editions go into, or leave, but that were not read."""
    kept = history.kept
    assert kept is not None, "a history to write was read from disk (load_history)"
    read, extras, segments = dict(kept.read), dict(kept.extras), dict(history.segments)
    for segment, entries in history.segments.items():
        ids = {e.edition for e in entries}
        # The years these editions go into, and those that still hold an earlier copy of one (its
        # date moved): read, so that each edition is written in one year only.
        wanted = {year_of(e) for e in entries} | {year for (owner, year), found in kept.scanned.items()
                                                  if owner == segment and not found.isdisjoint(ids)}
        missing = wanted & set(kept.unread(segment)) if kept.format == LATEST_FORMAT else set()
        for year in sorted(missing):
            data, found, extras[(segment, year)] = read_year(history, segment, year)
            read[(segment, year)] = data
            mine = {e.edition for e in segments[segment]}
            segments[segment] = tuple(sorted((*segments[segment], *(e for e in found if e.edition not in mine)),
                                             key=by_date))
    return replace(history, segments=segments, kept=replace(kept, read=read, extras=extras))


def index_text(history: History, groups: Mapping[tuple[str, int], list[SentEdition]]) -> str:
    kept = history.kept
    assert kept is not None
    names = sorted({*kept.years, *kept.numbers, *(segment for segment, _ in groups)})
    lines = []
    for segment in names:
        years = sorted({*kept.years.get(segment, ()), *(y for s, y in groups if s == segment)})
        highest = max([kept.numbers.get(segment, 0), *(e.number for e in history.get(segment))])
        lines.append(f"    {json.dumps(segment)}: {json.dumps({'last_number': highest, 'years': years})}")
    extra = "".join(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n"
                    for key, value in history.extra.items())
    body = ",\n".join(lines)
    return f'{{\n  "format": {LATEST_FORMAT},\n{extra}  "segments": {{' + (f"\n{body}\n  " if lines else "") + "}\n}\n"


def year_text(entries: list[SentEdition], extra: Mapping[str, Any]) -> str:
    """A year file: one edition per line, oldest first, so that an added edition is one added line."""
    ordered = sorted(entries, key=by_date)
    lines = ",\n".join("    " + _ENCODE(entry_record(e)) for e in ordered)
    kept = "".join(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n" for key, value in extra.items())
    return f'{{\n  "format": {LATEST_FORMAT},\n{kept}  "editions": [\n{lines}\n  ]\n}}\n'
