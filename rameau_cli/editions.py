"""Editions: the date window of an issue, and the optional edition file (`issues/2026-W48.md`)
that sets its window, number, subject and preheader overrides, pinned articles and édito."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from .articles import parse_datetime
from .errors import ContentError, Problem, UsageError, Warnings, show
from .content import one_line
from .yamlio import load_yaml_cached, read_text, split_front_matter

EDITIONS_DIR = "issues"
EDITION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EDITION_KEYS = {"number", "date", "since", "until", "week", "subject", "preheader", "pinned"}


@dataclass(frozen=True)
class Window:
    since: dt.datetime  # inclusive
    until: dt.datetime  # exclusive

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.since <= moment < self.until

    def as_dict(self) -> dict[str, str]:
        last_day = (self.until - dt.timedelta(microseconds=1)).date()
        return {"since": self.since.date().isoformat(), "until": last_day.isoformat()}


@dataclass(frozen=True)
class Edition:
    id: str
    date: dt.datetime  # when it is meant to be sent: sets embargo and the Date header
    windows: dict[str, Window] = field(hash=False)  # per segment id; "*" for every segment
    number: int | None = None
    subject: dict[str, str] = field(default_factory=dict, hash=False)  # "*" or segment id -> text
    preheader: dict[str, str] = field(default_factory=dict, hash=False)
    pinned: tuple[str, ...] = ()
    edito: str = ""  # Markdown
    source: str = ""

    def window(self, segment_id: str) -> Window:
        return self.windows.get(segment_id) or self.windows["*"]


def day_window(first: dt.date, last: dt.date, tz: ZoneInfo) -> Window:
    """From the start of `first` to the end of `last`, in the newsletter's time zone."""
    start = dt.datetime.combine(first, dt.time(), tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
    return Window(start, end)


def parse_week(text: str) -> tuple[dt.date, dt.date]:
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), re.IGNORECASE)
    if not match:
        raise UsageError(Problem("--week", f"{show(text)} is not an ISO week; write it as 2026-W48"))
    try:
        monday = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise UsageError(Problem("--week", f"{show(text)} does not exist; ISO weeks run from W01 to W52 or W53")) from None
    return monday, monday + dt.timedelta(days=6)


def week_id(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def cadence_window(cadence: str, today: dt.date, tz: ZoneInfo) -> Window:
    """The last complete period before `today`: the previous day, ISO week or month."""
    if cadence == "daily":
        yesterday = today - dt.timedelta(days=1)
        return day_window(yesterday, yesterday, tz)
    if cadence == "weekly":
        this_monday = today - dt.timedelta(days=today.weekday())
        return day_window(this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1), tz)
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    return day_window(last_month_end.replace(day=1), last_month_end, tz)


def period_id(cadence: str, window: Window) -> str:
    """A stable id for a cadence's period: 2026-11-25 (daily), 2026-W48 (weekly), 2026-11 (monthly)."""
    first = window.since.date()
    if cadence == "daily":
        return first.isoformat()
    if cadence == "weekly":
        return week_id(first)
    return f"{first.year}-{first.month:02d}"


def newest_edition_file(root: Path) -> Path | None:
    folder = root / EDITIONS_DIR
    if not folder.is_dir():
        return None
    files = sorted(p for p in folder.glob("*.md") if p.is_file())
    return files[-1] if files else None


def find_edition_file(root: Path, edition_id: str) -> Path:
    check_edition_id(edition_id, "EDITION")
    path = root / EDITIONS_DIR / f"{edition_id}.md"
    if not path.is_file():
        known = sorted(p.stem for p in (root / EDITIONS_DIR).glob("*.md")) if (root / EDITIONS_DIR).is_dir() else []
        hint = f"; known editions: {', '.join(known)}" if known else f"; create {EDITIONS_DIR}/{edition_id}.md"
        raise UsageError(Problem(str(path), f"no such edition{hint}"))
    return path


def check_edition_id(edition_id: str, where: str) -> str:
    if not EDITION_ID_RE.match(edition_id) or ".." in edition_id:
        raise UsageError(Problem(where, f"{show(edition_id)} is not a valid edition id; use letters, digits, '-', '_' or '.' such as 2026-W48"))
    return edition_id


def read_edition_file(path: Path, tz: ZoneInfo, warnings: Warnings, cache_dir: Path | None = None) -> Edition:
    where = str(path)
    edition_id = check_edition_id(path.stem, where)
    front, body, _ = split_front_matter(read_text(path), where)
    raw = load_yaml_cached(front, where, cache_dir, first_line=2) if front is not None else {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ContentError(Problem(f"{where}:2", "front matter must be `key: value` lines (a mapping)"))
    for key in raw:
        if key not in EDITION_KEYS:
            warnings.warn(f"{where}: {key}", "unknown edition key, ignored")
    problems: list[Problem] = []
    window = _edition_window(raw, edition_id, tz, where, problems)
    date = parse_datetime(raw["date"], tz) if "date" in raw else (window.until if window else None)
    if date is None:
        problems.append(Problem(f"{where}: date", f"{show(raw.get('date'))} is not a date; write 2026-11-30T08:00:00+01:00"))
    number = raw.get("number")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
        problems.append(Problem(f"{where}: number", f"expected a positive whole number, got {show(number)}"))
    subject = _per_segment(raw, "subject", where, problems)
    preheader = _per_segment(raw, "preheader", where, problems)
    pinned = raw.get("pinned") or []
    if not isinstance(pinned, list) or not all(isinstance(p, str) for p in pinned):
        problems.append(Problem(f"{where}: pinned", "expected a list of article slugs such as [barometre-2026]"))
        pinned = []
    if problems:
        raise ContentError(*problems)
    return Edition(
        id=edition_id,
        date=date,
        windows={"*": window},
        number=number,
        subject=subject,
        preheader=preheader,
        pinned=tuple(pinned),
        edito=body.strip(),
        source=where,
    )


def _edition_window(raw: dict, edition_id: str, tz: ZoneInfo, where: str, problems: list[Problem]) -> Window | None:
    if "since" in raw or "until" in raw:
        since, until = parse_datetime(raw.get("since"), tz), parse_datetime(raw.get("until"), tz)
        if since is None or until is None:
            problems.append(Problem(f"{where}: since/until", "give both as dates such as 2026-11-23 and 2026-11-29"))
            return None
        if until < since:
            problems.append(Problem(f"{where}: until", "ends before `since`; swap the two dates"))
            return None
        return day_window(since.date(), until.date(), tz)
    week = str(raw.get("week") or edition_id)
    try:
        return day_window(*parse_week(week), tz)
    except UsageError:
        problems.append(Problem(where, "no window: add `since:` and `until:` dates, or `week: 2026-W48`, or name the file after its ISO week"))
        return None


def _per_segment(raw: dict, key: str, where: str, problems: list[Problem]) -> dict[str, str]:
    value = raw.get(key)
    if value is None:
        return {}
    if isinstance(value, str):
        value = {"*": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(Problem(f"{where}: {key}", "expected text, or a mapping of segment ids to text"))
        return {}
    return {str(k): one_line(v) for k, v in value.items()}
