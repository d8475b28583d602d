"""Which articles go to which segment, and why the others do not. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from ..content.language import primary
from ..errors import Problem
from ..project.calendar import Window
from ..project.config import Segment
from ..project.editions import Edition
from ..project.schema import closest
from ..sources.article import Article

if TYPE_CHECKING:
    from ..sources.article_cache import Deferred

    Listed = TypeVar("Listed", Article, Article | Deferred)


class Reason(Enum):
    """Why an article is or is not in a segment's email; `detail` fills the {} of some."""

    SELECTED = "selected"
    LATE = "late: dated {}"  # selected: dated in the segment's edition already built, added after it
    LATE_SKIPPED = "late, skipped (late: skip): dated {}"
    DRAFT = "a draft ({}): in no segment"
    OUTSIDE_WINDOW = "outside the window"
    EMBARGOED = "embargoed until {}"
    ALREADY_SENT = "already sent in {}"
    EXCLUDED = "excluded by the segment's rules"
    NO_MATCHING_AUDIENCE = "no matching audience"
    NO_AUDIENCE = "no audience (goes only to segments without an audience rule)"
    PRIVATE = "meant only for segments that are not published (archive: none or unlisted)"
    OVER_MAXIMUM = "over the segment's maximum of {}"
    OTHER_LANGUAGE = "in {}, not the segment's language"


@dataclass(frozen=True)
class Decision:
    article_id: str
    segment_id: str
    reason: Reason
    detail: str = ""

    @property
    def taken(self) -> bool:
        return self.reason is Reason.SELECTED or self.reason is Reason.LATE

    def __str__(self) -> str:
        return self.reason.value.format(self.detail)


@dataclass(frozen=True)
class Selection:
    segment: Segment
    articles: tuple[Article, ...]
    decisions: tuple[Decision, ...]  # for every article of the window; the others are outside it


def due_in(articles: Iterable[Listed], window: Window) -> list[Listed]:
    """The articles in the window by their date, or held back by an embargo that lifts within the
    window (so that an embargoed article goes out in the first edition after its embargo): run
    for every article of a large folder."""
    since, until = window.since, window.until
    return [article for article in articles if since <= article.date < until or (
        article.publish_at is not None and article.date < since and since <= article.publish_at < until)]


def private_audiences(segments: Iterable[Segment]) -> frozenset[str]:
    """The audiences that only segments whose issues are not published name (`archive: none` or
    `unlisted`): an article meant for them alone stays out of every published segment, even one
    that takes every article (a daily digest), since its web version and archive are public."""
    named: dict[bool, set[str]] = {True: set(), False: set()}
    for segment in segments:
        named[segment.archive == "public"] |= segment.rule.audiences
    return frozenset(named[False] - named[True])


def refusal(segment: Segment, article: Article, private: frozenset[str] = frozenset()) -> Reason | None:
    """Why the segment's audience rules refuse the article, or None when they take it; `private`:
    the audiences only unpublished segments name (`private_audiences`)."""
    rule = segment.rule
    audiences, tags = set(article.audiences), set(article.tags)
    if audiences & rule.exclude_audiences or tags & rule.exclude_tags:
        return Reason.EXCLUDED
    if audiences and audiences <= private and segment.archive == "public":
        return Reason.PRIVATE
    if not rule.has_audience_rule:
        return None
    if audiences & rule.audiences or tags & rule.tags:
        return None
    return Reason.NO_MATCHING_AUDIENCE if audiences else Reason.NO_AUDIENCE


def select(segment: Segment, articles: tuple[Article, ...], edition: Edition,
           sent: dict[str, str] | None = None, language: str = "", private: frozenset[str] = frozenset()) -> Selection:
    """The articles `segment` takes in `edition`; `sent` maps articles already sent in this
    segment to the edition that carried them; `language`: the newsletter's (that of articles
    that do not say theirs)."""
    return _select(segment, tuple(due_in(articles, edition.window)), edition, sent or {}, language, private=private)


@dataclass(frozen=True)
class Late:
    """Articles dated in a segment's edition already built, but added after its build: never
    sent in the segment, they are due in its next edition (unless the segment says `late: skip`)."""

    articles: tuple[Article, ...]
    after: str  # the edition already built, whose window they are dated in

    def note(self, article: Article) -> str:
        return f"{article.date.date().isoformat()}, after {self.after} was built"


def _select(segment: Segment, due_articles: tuple[Article, ...], edition: Edition, sent: dict[str, str],
            language: str = "", late: Late | None = None, private: frozenset[str] = frozenset()) -> Selection:
    decisions: list[Decision] = []
    candidates: list[Article] = []
    wanted = primary(segment.language or language)
    late_ids: dict[str, str] = {}
    if late is not None:
        due_ids = {article.id for article in due_articles}  # due anyway (an embargo lifting now): not late
        for article in late.articles:
            if article.id in due_ids:
                continue
            if segment.late == "skip":
                decisions.append(Decision(article.id, segment.id, Reason.LATE_SKIPPED, late.note(article)))
            else:
                late_ids[article.id] = late.note(article)
        due_articles = due_articles + tuple(a for a in late.articles if a.id in late_ids)
    for article in due_articles:
        written_in = article.lang or language
        if article.draft:
            decisions.append(Decision(article.id, segment.id, Reason.DRAFT, article.draft))
        elif wanted and written_in and primary(written_in) != wanted:
            decisions.append(Decision(article.id, segment.id, Reason.OTHER_LANGUAGE, written_in))
        elif article.publish_at and article.publish_at > edition.date:
            decisions.append(Decision(article.id, segment.id, Reason.EMBARGOED, article.publish_at.isoformat()))
        elif article.id in sent:
            decisions.append(Decision(article.id, segment.id, Reason.ALREADY_SENT, sent[article.id]))
        elif (reason := refusal(segment, article, private)) is not None:
            decisions.append(Decision(article.id, segment.id, reason))
        else:
            candidates.append(article)
    ordered = sorted(candidates, key=lambda a: _order_key(a, edition.pinned))
    kept, over = ordered[: segment.max_articles], ordered[segment.max_articles :]
    decisions += [Decision(a.id, segment.id, Reason.LATE, late_ids[a.id]) if a.id in late_ids else
                  Decision(a.id, segment.id, Reason.SELECTED) for a in kept]
    decisions += [Decision(a.id, segment.id, Reason.OVER_MAXIMUM, str(segment.max_articles)) for a in over]
    return Selection(segment, tuple(kept), tuple(decisions))


def _order_key(article: Article, pinned: tuple[str, ...]) -> tuple[int, bool, int, float, str]:
    """Pinned first (a translation of a pinned article is pinned too), then featured, priority, date."""
    pin = article.id if article.id in pinned else article.translation_of
    pin_rank = pinned.index(pin) if pin in pinned else len(pinned)
    return (pin_rank, not article.featured, -article.priority, -article.date.timestamp(), article.id)


def group(segments: tuple[Segment, ...], due_articles: tuple[Article, ...], edition: Edition,
          sent: dict[str, dict[str, str]] | None = None, language: str = "",
          late: dict[str, Late] | None = None, private: frozenset[str] = frozenset()) -> tuple[Selection, ...]:
    """Each segment's selection from the articles due in the edition's window (`due_in`), and
    those it gets late (`late`, by segment id); `private`: see `private_audiences`."""
    sent, late = sent or {}, late or {}
    return tuple(_select(segment, due_articles, edition, sent.get(segment.id) or {}, language, late.get(segment.id),
                         private) for segment in segments)


def unknown_audiences(segments: Iterable[Segment], articles: Iterable[Article]) -> list[Problem]:
    """Audiences of articles that look mistyped: a segment's id where its audience was meant
    (`audiences: [weekly-public]` for `public`), a near miss of a segment's audience (`publc`),
    or only names no segment uses, which keep the article out of every segment with an audience
    rule. A name far from every audience, beside one a segment takes, is a label (an article for
    associations and local councils where no segment is for councils yet): not a mistake.
    Nothing where no segment has an audience rule (audiences then choose nothing)."""
    segments = tuple(segments)
    if not any(segment.rule.has_audience_rule for segment in segments):
        return []
    known = frozenset().union(*(s.rule.audiences | s.rule.exclude_audiences for s in segments))
    by_id = {segment.id: segment for segment in segments}
    problems = []
    for article in articles:
        if not set(article.audiences) - known:
            continue
        for name in article.audiences:
            if name in known:
                continue
            close = closest(name, sorted(known))
            if name in by_id:
                named = ", ".join(sorted(by_id[name].rule.audiences)) or "none: it takes every article"
                hint = f"{name} is a segment's id; its audiences: {named}"
            elif close:
                hint = f"did you mean {close!r}?"
            elif not known & set(article.audiences):
                hint = f"the segments' audiences: {', '.join(sorted(known))}"
            else:
                continue
            problems.append(Problem(article.source, f"audiences: {name!r} is in no segment's audiences, so no segment "
                                                    f"takes the article for it; {hint}"))
    return problems


__all__ = ["Decision", "Late", "Reason", "Selection", "due_in", "group", "private_audiences", "refusal", "select",
           "unknown_audiences"]
