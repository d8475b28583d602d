"""Stage 3: which articles go to which segment, and why the others do not. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

from .articles import Article
from .config import Segment
from .editions import Edition

IN_SEGMENT = "selected"


@dataclass(frozen=True)
class Decision:
    article_id: str
    segment_id: str
    reason: str  # IN_SEGMENT, or why not


@dataclass(frozen=True)
class Selection:
    segment: Segment
    articles: tuple[Article, ...]
    decisions: tuple[Decision, ...]


def due(article: Article, window) -> bool:
    """In the window by its date, or held back by an embargo that lifts within the window
    (so that an embargoed article goes out in the first edition after its embargo)."""
    if article.date in window:
        return True
    return bool(article.publish_at and article.date < window.since and article.publish_at in window)


def matches(segment: Segment, article: Article) -> str | None:
    """None when the segment's audience rules take the article, else why not."""
    rule = segment.rule
    audiences, tags = set(article.audiences), set(article.tags)
    if audiences & rule.none_audiences or tags & rule.none_tags:
        return "excluded by the segment's rules"
    if not rule.has_audience_rule:
        return None
    if audiences & rule.any_audiences or tags & rule.any_tags:
        return None
    return "no matching audience" if audiences else "no audience (goes only to segments without an audience rule)"


def select(segment: Segment, articles: tuple[Article, ...], edition: Edition,
           sent: dict[str, str] | None = None, due_ids: frozenset[str] | None = None) -> Selection:
    """The articles `segment` takes in `edition`; `sent` maps articles already sent in this
    segment to the edition that carried them; `due_ids`, when given, are the articles due in
    the segment's window (computed once for segments that share a window)."""
    window = edition.window(segment.id)
    if due_ids is None:
        due_ids = frozenset(a.id for a in articles if due(a, window))
    sent = sent or {}
    decisions: list[Decision] = []
    candidates: list[Article] = []
    for article in articles:
        if article.id not in due_ids:
            reason = "outside the window"
        elif article.publish_at and article.publish_at > edition.date:
            reason = f"embargoed until {article.publish_at.isoformat()}"
        elif article.id in sent:
            reason = f"already sent in {sent[article.id]}"
        else:
            reason = matches(segment, article)
        if reason:
            decisions.append(Decision(article.id, segment.id, reason))
        else:
            candidates.append(article)
    ordered = sorted(candidates, key=lambda a: _order_key(a, edition.pinned))
    kept, over = ordered[: segment.max_articles], ordered[segment.max_articles :]
    decisions += [Decision(a.id, segment.id, IN_SEGMENT) for a in kept]
    decisions += [Decision(a.id, segment.id, f"over the segment's maximum of {segment.max_articles}") for a in over]
    return Selection(segment, tuple(kept), tuple(decisions))


def _order_key(article: Article, pinned: tuple[str, ...]):
    pin_rank = pinned.index(article.id) if article.id in pinned else len(pinned)
    return (pin_rank, not article.featured, -article.priority, -article.date.timestamp(), article.id)


def group(segments: tuple[Segment, ...], articles: tuple[Article, ...], edition: Edition,
          sent: dict[str, dict[str, str]] | None = None) -> tuple[Selection, ...]:
    sent = sent or {}
    due_by_window: dict = {}
    for segment in segments:
        window = edition.window(segment.id)
        if window not in due_by_window:
            due_by_window[window] = frozenset(a.id for a in articles if due(a, window))
    return tuple(select(segment, articles, edition, sent.get(segment.id), due_by_window[edition.window(segment.id)])
                 for segment in segments)
