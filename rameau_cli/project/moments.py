"""Dates and moments as people write them in front matter and edition files."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import show
from .schema import Invalid, Kind, Walk


def parse_moment(value: Any, tz: ZoneInfo) -> dt.datetime | None:
    """A date or datetime from YAML or text; naive values are read in the newsletter's time zone."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
    try:
        moment.astimezone(dt.UTC)  # 0001-01-01 in a zone east of UTC does not exist
    except OverflowError:
        return None
    return moment


class Moment(Kind):
    name = "date or date and time"
    type = dt.datetime

    def read(self, value: Any, walk: Walk, path: str) -> dt.datetime:
        moment = parse_moment(value, walk.tz or ZoneInfo("UTC"))
        if moment is None:
            raise Invalid(f"{show(value)} is not a date; write it as 2026-11-24 or 2026-11-24T09:30:00+01:00")
        return moment
