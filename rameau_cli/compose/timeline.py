"""An edition against each segment's history: what came in late, and never going back in time.

- **Late articles.** An article dated inside the window of a segment's latest edition in the
  history, but added after that edition was built, was never sent in the segment: it is due in
  the segment's next edition ("late: dated 2026-11-26, after 2026-W48 was built"), unless the
  segment says `late: skip`.
- **No going back.** A build that names no edition never rebuilds one older than the latest
  already in the history for the same segments: it refuses, naming both and how to rebuild
  the older one on purpose.

Pure: the windows of past editions are found by the caller (`window_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from ..errors import Problem, UsageError
from ..project.calendar import WEEK_RE, Window
from ..project.config import Segment
from ..project.editions import Edition
from ..project.history import History, SentEdition
from ..sources.article import Article
from .grouping import Late, refusal

WindowOf = Callable[[str], Window | None]  # an edition id's window (its edition file's, else its period)


def previous_edition(history: History, segment: str, edition: Edition) -> SentEdition | None:
    """The segment's latest edition in the history before `edition` (by date)."""
    before = [e for e in history.get(segment) if e.edition != edition.id and _moment(e.date) < edition.date]
    return before[-1] if before else None


def late_articles(history: History, segments: Iterable[Segment], edition: Edition,
                  articles_in: Callable[[Window], tuple[Article, ...]], sent: dict[str, dict[str, str]],
                  window_of: WindowOf, private: frozenset[str] = frozenset()) -> dict[str, Late]:
    """For each segment, the articles it gets late in `edition`: dated in the window of its
    previous edition (`articles_in(window)`: the pool's articles due in a window), outside this
    edition's own window, never sent in the segment, no draft. `sent`: article id -> the
    edition that carried it, by segment."""
    late: dict[str, Late] = {}
    for segment in segments:
        previous = previous_edition(history, segment.id, edition)
        window = window_of(previous.edition) if previous is not None else None
        if previous is None or window is None:
            continue
        found = tuple(a for a in articles_in(window) if a.date not in edition.window and not a.draft
                      and a.id not in sent.get(segment.id, {}) and a.id not in previous.articles
                      and refusal(segment, a, private) is None)
        if found:
            late[segment.id] = Late(found, previous.edition)
    return late


def refuse_going_back(history: History, plan: Iterable[tuple[Edition, tuple[Segment, ...]]]) -> None:
    """A build that names no edition must not rebuild one older than the latest in the history
    for the same segments (nor move latest.json back to it): one line saying so, and how."""
    for edition, segments in plan:
        for segment in segments:
            entries = history.get(segment.id)
            latest = entries[-1] if entries else None
            if latest is None or latest.edition == edition.id or _moment(latest.date) <= edition.date:
                continue
            raise UsageError(Problem("build-issue", f"{edition.id} is older than {latest.edition}, already built for "
                                                    f"{segment.id}; nothing was built. To build {edition.id} again on "
                                                    f"purpose: {rebuild_command(edition)}"))


def rebuild_command(edition: Edition) -> str:
    """The command that builds `edition` by name."""
    if edition.source:
        return f"rameau build-issue {edition.id}"
    if WEEK_RE.fullmatch(edition.id):
        return f"rameau build-issue --week {edition.id}"
    return f"rameau build-issue --date {edition.window.until.date().isoformat()}"


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
