"""What a build is asked for and what it makes, in memory: `BuildOptions`, `EditionBuild`,
`Build`. They sit below the stages that take them (output, check, send, push, the previews,
the command line), so that each takes them typed; pipeline.py makes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .compose.grouping import Selection
from .errors import Problem
from .project.config import Source
from .project.editions import Edition
from .project.history import History
from .render.emails import Email
from .sources.pool import Pool


@dataclass(frozen=True)
class BuildOptions:
    edition: str | None = None  # an edition file's id, e.g. "2026-W48"
    since: dt.date | None = None
    until: dt.date | None = None
    week: str | None = None
    date: dt.date | None = None  # build each segment's calendar edition as of this day
    segments: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()  # replaces the configured sources when given
    out: Path | None = None  # the output folder (default: the project's)
    strict: bool = False
    offline: bool = False  # feeds from the cache only
    resend: bool = False  # let articles already sent in a segment go out again
    history: bool = True  # read and record the project's history (see uses_history)
    assets_url: str = ""  # where the images from disk are shown from ("": <output.public_url>/assets)

    @property
    def named(self) -> bool:
        """Whether an edition or a window is asked for (else: the newest edition file, or each
        segment's current period, which never goes back before the history's latest)."""
        return bool(self.edition or self.week or self.since or self.until or self.date)


@dataclass(frozen=True)
class EditionBuild:
    """One edition, built in memory: an email for each segment that has something to send."""

    edition: Edition
    emails: tuple[Email, ...]
    selections: tuple[Selection, ...]
    empty: tuple[str, ...]  # segments with nothing to send


@dataclass(frozen=True)
class Build:
    editions: tuple[EditionBuild, ...]
    pool: Pool  # every article, selected or not, and every one skipped
    warnings: tuple[Problem, ...]
    assets: dict[str, bytes] = field(default_factory=dict)  # images from disk the emails show, by name under assets/
    image_warnings: tuple[Problem, ...] = ()  # images left out (missing, unreadable), also among `warnings`
    history: History | None = None  # the part of the history the build read (None: built without history)

    @property
    def emails(self) -> tuple[Email, ...]:
        return tuple(email for built in self.editions for email in built.emails)
