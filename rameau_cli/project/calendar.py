"""Date windows and periods: the days an edition covers, in the newsletter's time zone.

An edition's id names its period: `2026-11-29` (a day), `2026-W48` (an ISO week), `2026-11`
(a month) or `2026-11-23_2026-11-29` (any window). Periods, not names, say which edition is
the newest: `2026-W9` comes before `2026-W48`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..errors import Problem, UsageError, show

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 2), dt.date(9998, 12, 30)  # room for a window on either side


@dataclass(frozen=True)
class Window:
    since: dt.datetime  # inclusive
    until: dt.datetime  # exclusive

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.since <= moment < self.until

    def as_dict(self) -> dict[str, str]:
        last_day = (self.until - dt.timedelta(microseconds=1)).date()
        return {"since": self.since.date().isoformat(), "until": last_day.isoformat()}


def check_day(day: dt.date, where: str) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(Problem(where, f"{day.isoformat()} is out of range; give a date between "
                                        f"{FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"))
    return day


def day_window(first: dt.date, last: dt.date, tz: ZoneInfo) -> Window:
    """From the start of `first` to the end of `last`, in the newsletter's time zone."""
    start = dt.datetime.combine(first, dt.time(), tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
    return Window(start, end)


WEEK_RE = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def parse_week(text: str, where: str = "--week") -> tuple[dt.date, dt.date]:
    match = WEEK_RE.fullmatch(text.strip())
    if not match:
        raise UsageError(Problem(where, f"{show(text)} is not an ISO week; write it as 2026-W48"))
    try:
        monday = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise UsageError(Problem(where, f"{show(text)} does not exist; ISO weeks run from W01 to W52 or W53")) from None
    check_day(monday, where)
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


def range_id(first: dt.date, last: dt.date) -> str:
    return f"{first.isoformat()}_{last.isoformat()}"


def period_days(edition_id: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day an edition id names, or None for an id that names no period."""
    try:
        if WEEK_RE.fullmatch(edition_id):
            return parse_week(edition_id)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", edition_id):
            day = dt.date.fromisoformat(edition_id)
            return day, day
        if re.fullmatch(r"\d{4}-\d{2}", edition_id):
            first = dt.date.fromisoformat(edition_id + "-01")
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return first, following - dt.timedelta(days=1)
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})", edition_id)
        if match:
            first, last = dt.date.fromisoformat(match.group(1)), dt.date.fromisoformat(match.group(2))
            return (first, last) if first <= last else None
    except (ValueError, UsageError):
        return None
    return None
