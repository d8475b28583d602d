"""Parsed YAML (rameau.yaml, edition files) kept between builds, so that an unchanged project
builds without importing PyYAML.

An entry is used only for the very same text. JSON must give the value back exactly or the
entry is not kept: dates are tagged, and number keys, sets, binary and NaN are never kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from ..cache.base import CacheFolder
from .reading import load_yaml_text


class _NotJson(Exception):
    pass


def to_json(value: Any) -> Any:
    """Parsed YAML as JSON, dates tagged; _NotJson for what JSON cannot give back the same."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        if len(value) == 1 and str(next(iter(value))).startswith("$"):
            raise _NotJson  # would read back as a tagged date
        if not all(isinstance(key, str) for key in value):
            raise _NotJson  # JSON keys are text; YAML's may be numbers or dates
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return value
    raise _NotJson  # sets, bytes, NaN...


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, item),) = value.items()
            if key == "$datetime":
                return dt.datetime.fromisoformat(item)
            if key == "$date":
                return dt.date.fromisoformat(item)
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_json(item) for item in value]
    return value


def load_yaml_cached(text: str, where: str, cache: CacheFolder, first_line: int = 1) -> Any:
    """load_yaml_text, with the result kept for the next build. YAML with errors is never kept."""
    file = cache.file("yaml", hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:20] + ".json")
    entry = file.load()
    if isinstance(entry, dict) and entry.get("text") == text and "value" in entry:
        try:
            return from_json(entry["value"])
        except (TypeError, ValueError, AttributeError, RecursionError):
            pass  # an entry of the wrong shape: parse again
    value = load_yaml_text(text, where, first_line)
    try:
        stored = to_json(value)
        if from_json(stored) == value:
            file.save({"text": text, "value": stored})
    except (_NotJson, RecursionError):
        pass
    return value
