"""The project's history: which articles went into which edition of each segment.

A plain JSON file meant to be committed (`history.json` beside rameau.yaml), sorted and
indented so that its diffs read well. It numbers each segment's issues and keeps an article
from being sent twice in one segment. It is replaced atomically, after the edition it records
is in place: a build killed at any moment leaves it as it was or with the new edition.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ContentError, OutputError, Problem
from .files import write_atomic

HISTORY_FILE = "history.json"
FORMAT = 1


@dataclass(frozen=True)
class SentEdition:
    edition: str
    number: int
    date: str  # ISO datetime of the edition
    subject: str
    preheader: str
    articles: tuple[str, ...]


History = dict[str, tuple[SentEdition, ...]]  # segment id -> its editions, oldest first


def load_history(path: Path) -> History:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            segment: tuple(SentEdition(**{**entry, "articles": tuple(entry["articles"])}) for entry in entries)
            for segment, entries in raw["segments"].items()
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ContentError(Problem(str(path), f"history cannot be read ({exc}); restore it from version control, "
                                              "or delete it to start numbering again")) from None


def save_history(path: Path, history: History) -> None:
    data = {"format": FORMAT, "segments": {
        segment: [asdict(entry) | {"articles": list(entry.articles)} for entry in sorted(entries, key=lambda e: (e.date, e.edition))]
        for segment, entries in sorted(history.items())
    }}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        write_atomic(path, text.encode("utf-8"), durable=True)
    except OSError as exc:
        raise OutputError(Problem(str(path), f"cannot write the history: {exc.strerror or exc}")) from None


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
    return {**history, segment: tuple(sorted(kept + (entry,), key=lambda e: (e.date, e.edition)))}
