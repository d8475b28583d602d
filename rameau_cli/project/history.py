"""The project's history: which articles went into which edition of each segment.

A plain JSON file meant to be committed (`history.json` beside rameau.yaml), sorted and
indented so that its diffs read well. It numbers each segment's issues and keeps an article
from being sent twice in one segment. Writing it is the last step of a build (output/write.py):
until it is replaced, the build has changed nothing for good.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problem

HISTORY_FILE = "history.json"
FORMAT = 1


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


History = dict[str, tuple[SentEdition, ...]]  # segment id -> its editions, oldest first


def load_history(path: Path) -> History:
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ContentError(Problem(str(path), f"history cannot be read ({reason}); restore it from version control")) from None
    return parse_history(text, str(path))


def parse_history(text: str, where: str) -> History:
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ContentError(Problem(where, f"history is not valid JSON ({exc}); restore it from version control")) from None
    segments = raw.get("segments") if isinstance(raw, dict) else None
    if not isinstance(segments, dict):
        raise ContentError(Problem(where, "history has no `segments` mapping; restore it from version control"))
    history: History = {}
    for segment, entries in segments.items():
        if not isinstance(entries, list):
            raise ContentError(Problem(f"{where}: segments.{segment}", "expected a list of editions"))
        history[segment] = tuple(_entry(entry, f"{where}: segments.{segment}[{i}]") for i, entry in enumerate(entries))
    return history


def _entry(raw: Any, where: str) -> SentEdition:
    if not isinstance(raw, dict):
        raise ContentError(Problem(where, "expected a mapping with edition, number, date and articles"))
    known = ("edition", "number", "date", "subject", "preheader", "articles")
    return SentEdition(raw.get("edition", ""), raw.get("number", 0), raw.get("date", ""), raw.get("subject", ""),
                       raw.get("preheader", ""), tuple(raw.get("articles", ())),
                       {key: value for key, value in raw.items() if key not in known})


def history_text(history: History) -> str:
    data = {"format": FORMAT, "segments": {
        segment: [_record(entry) for entry in sorted(entries, key=lambda e: (e.date, e.edition))]
        for segment, entries in sorted(history.items())
    }}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _record(entry: SentEdition) -> dict[str, Any]:
    return {"edition": entry.edition, "number": entry.number, "date": entry.date, "subject": entry.subject,
            "preheader": entry.preheader, "articles": list(entry.articles), **entry.extra}


def sent_before(history: History, segment: str, edition: str, date: str) -> dict[str, str]:
    """Article id -> the earlier edition of `segment` that already carried it."""
    sent: dict[str, str] = {}
    for entry in history.get(segment, ()):
        if entry.edition != edition and entry.date <= date:
            for article in entry.articles:
                sent.setdefault(article, entry.edition)
    return sent


def number_for(history: History, segment: str, edition: str) -> int:
    entries = history.get(segment, ())
    for entry in entries:
        if entry.edition == edition:
            return entry.number
    return max((entry.number for entry in entries), default=0) + 1


def record(history: History, segment: str, entry: SentEdition) -> History:
    kept = tuple(e for e in history.get(segment, ()) if e.edition != entry.edition)
    previous = next((e for e in history.get(segment, ()) if e.edition == entry.edition), None)
    if previous is not None and previous.extra:
        entry = SentEdition(entry.edition, entry.number, entry.date, entry.subject, entry.preheader, entry.articles,
                            {**previous.extra, **entry.extra})
    return {**history, segment: tuple(sorted(kept + (entry,), key=lambda e: (e.date, e.edition)))}
