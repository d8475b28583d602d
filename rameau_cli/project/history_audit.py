"""The history kept one truth as it is read: each edition in one year file, the one its date
says; every year file listed in the index; the index's last number at least every number used.

Hand edits, an old rameau and a moved `date:` can break each of these. What has one meaning is
repaired with a warning (the next build that records an edition writes it right); what could
mean two things stops the build with the files and the fix:

- an edition in two places: the same issue twice is kept once; two different issues under one
  edition id are an error naming both files;
- an edition in a year file that is not its date's: moved to the right year;
- a year file the index does not list: listed, when its issue numbers are within the
  segment's; else an error (a stray file would renumber the segment);
- a `last_number` below a number in the history: raised to it.

Years a build does not read are still looked at, without decoding their JSON: their edition ids
and numbers are found in their bytes (project/history_files.py writes one edition per line).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from ..errors import Problem
from .history import SentEdition

EDITION_ID = re.compile(rb'"edition"\s*:\s*"((?:[^"\\]|\\.)*)"')
NUMBER = re.compile(rb'"number"\s*:\s*(\d+)')
WRITTEN = re.compile(rb'\{"edition": "([^"\\]*)", "number": (\d+)')  # as year_text writes an edition
Place = tuple[str, int]  # (segment, year): one year file
ReadYear = Callable[[str, int], "tuple[bytes, tuple[SentEdition, ...], dict[str, Any]] | None"]


@dataclass
class Years:
    """What was read of the year files, per file; `scanned`: edition ids of those not read."""

    editions: dict[Place, tuple[SentEdition, ...]]
    read: dict[Place, bytes]
    extras: dict[Place, dict[str, Any]]
    numbers: dict[str, int]
    scanned: dict[Place, frozenset[str]] = field(default_factory=dict)
    highest: dict[Place, int] = field(default_factory=dict)


def scan(data: bytes) -> tuple[frozenset[str], int]:
    """The edition ids and the highest issue number in a year file's bytes, its JSON not decoded:
    found as rameau writes them, each edition's id then its number (a few milliseconds for ten
    years of a daily), or key by key in a file written otherwise (by hand: the two counts differ)."""
    found = WRITTEN.findall(data)
    if found and len(found) == data.count(b'"edition"'):
        ids, numbers = zip(*found, strict=True)  # ids without a backslash: plain text
        return frozenset(raw.decode("utf-8", "replace") for raw in ids), max(map(int, numbers))
    return frozenset(map(_text, EDITION_ID.findall(data))), max(map(int, NUMBER.findall(data)), default=0)


def _text(raw: bytes) -> str:
    if b"\\" not in raw:
        return raw.decode("utf-8", "replace")
    try:
        return str(json.loads(b'"' + raw + b'"'))
    except ValueError:
        return raw.decode("utf-8", "replace")


def audit(years: Years, all_years: dict[str, tuple[int, ...]], listed: dict[str, tuple[int, ...]] | None,
          read_year: ReadYear, file_of: Callable[[str, int], Path], named: Callable[[str, int], str],
          problems: list[Problem], notes: list[Problem]) -> None:
    """Check (and where it has one meaning, repair) the history as read; `listed`: the years the
    index lists (None: no index to hold to). `read_year` reads a year file whole; `file_of`
    is its path, `named` its name in messages."""
    for segment, found in all_years.items():
        for year in found:
            if (segment, year) not in years.read:
                _scan_file(years, segment, year, file_of(segment, year))
    if listed is not None:
        _unlisted(years, all_years, listed, read_year, named, problems, notes)
    for segment in sorted(all_years):
        _one_place(years, segment, read_year, named, problems, notes)
        _misplaced(years, segment, named, notes)
        _last_number(years, segment, named, notes)


def _scan_file(years: Years, segment: str, year: int, file: Path) -> None:
    try:
        data = file.read_bytes()
    except OSError:
        return  # said by the build that needs it
    years.scanned[(segment, year)], years.highest[(segment, year)] = scan(data)


def _take(years: Years, segment: str, year: int, read_year: ReadYear) -> bool:
    """Read a year file whole, that the build had not read; False when it cannot be."""
    if (segment, year) in years.read:
        return True
    found = read_year(segment, year)
    if found is None:
        return False
    years.read[(segment, year)], years.editions[(segment, year)], years.extras[(segment, year)] = found
    years.scanned.pop((segment, year), None)
    years.highest.pop((segment, year), None)
    return True


def _unlisted(years: Years, all_years: dict[str, tuple[int, ...]], listed: dict[str, tuple[int, ...]],
              read_year: ReadYear, named: Callable[[str, int], str], problems: list[Problem],
              notes: list[Problem]) -> None:
    for segment, found in sorted(all_years.items()):
        for year in found:
            if year in listed.get(segment, ()) or not _take(years, segment, year, read_year):
                continue
            entries = years.editions.get((segment, year), ())
            last = years.numbers.get(segment, 0)
            highest = max((e.number for e in entries), default=0)
            where = named(segment, year)
            if highest <= last:
                notes.append(Problem(where, f"is not listed in history.json; its {len(entries)} edition(s), numbered "
                                            f"within the segment's {last} issues, are kept and it is listed"))
            else:
                problems.append(Problem(where, f"is not listed in history.json, and holds issue {highest}, above the "
                                               f"segment's last number {last}; delete it if it is not this history's, "
                                               f"or add {year} to segments.{segment}.years and set last_number to "
                                               f"{highest} in history.json"))


def _one_place(years: Years, segment: str, read_year: ReadYear, named: Callable[[str, int], str],
               problems: list[Problem], notes: list[Problem]) -> None:
    held = {year: [entry.edition for entry in entries] for (owner, year), entries in years.editions.items()
            if owner == segment}
    held.update((year, list(ids)) for (owner, year), ids in years.scanned.items() if owner == segment)
    counts = Counter(chain.from_iterable(held.values()))  # ten years of a daily, counted at C speed
    for edition in sorted(edition for edition, count in counts.items() if count > 1):
        found = [year for year, ids in sorted(held.items()) for other in ids if other == edition]
        if not all(_take(years, segment, year, read_year) for year in set(found)):
            continue
        copies = [(year, entry) for year in sorted(set(found)) for entry in years.editions[(segment, year)]
                  if entry.edition == edition]
        files = " and ".join(dict.fromkeys(named(segment, year) for year, _ in copies))
        first = copies[0][1]
        if all(first.same_issue(entry) for _, entry in copies):
            right = next((year for year, entry in copies if year == int(entry.date[:4])), copies[0][0])
            notes.append(Problem(files, f"hold edition {edition} {len(copies)} times, the same issue: it is kept "
                                        f"once, in {named(segment, right)}"))
            for year in set(found):
                kept = [e for e in years.editions[(segment, year)] if e.edition != edition]
                if year == right:
                    kept.append(first)
                years.editions[(segment, year)] = tuple(kept)
        else:
            shown = " / ".join(f"issue {entry.number} of {entry.date[:10]} in {named(segment, year)}"
                               for year, entry in copies)
            problems.append(Problem(files, f"hold edition {edition} as different issues ({shown}); keep the right one "
                                           "and delete the others"))


def _misplaced(years: Years, segment: str, named: Callable[[str, int], str], notes: list[Problem]) -> None:
    for (owner, year), entries in sorted(years.editions.items()):
        for entry in entries if owner == segment else ():
            if int(entry.date[:4]) != year:
                notes.append(Problem(named(segment, year), f"holds edition {entry.edition}, dated {entry.date[:10]}: "
                                                           f"the next build moves it to "
                                                           f"{named(segment, int(entry.date[:4]))}"))


def _last_number(years: Years, segment: str, named: Callable[[str, int], str], notes: list[Problem]) -> None:
    last = years.numbers.get(segment)
    used = [(entry.number, year) for (owner, year), entries in years.editions.items() if owner == segment
            for entry in entries]
    used += [(number, year) for (owner, year), number in years.highest.items() if owner == segment]
    if last is None or not used:
        return
    highest, year = max(used)
    if highest > last:
        notes.append(Problem(f"history.json: segments.{segment}.last_number",
                             f"is {last}, below issue {highest} in {named(segment, year)}; it is raised to {highest}, "
                             f"so that the next issue is {highest + 1}"))
        years.numbers[segment] = highest
