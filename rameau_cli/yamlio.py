"""Reading text and YAML safely: UTF-8 only, safe loader only, errors that name the line.

PyYAML is imported only when some YAML has to be parsed: a build whose rameau.yaml, edition
file and articles are all unchanged takes them from .rameau-cache/ and never loads it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from .errors import ContentError, Problem
from .files import write_atomic
from .stamps import code_stamp

MAX_FILE_BYTES = 5 * 1024 * 1024


def decode_text(data: bytes, where: str) -> str:
    """Decode UTF-8 (a UTF-8 BOM is accepted); anything else is a clear error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(Problem(where, "file is UTF-16; save it as UTF-8"))
    if b"\x00" in data:
        raise ContentError(Problem(where, "file contains NUL bytes; is it a binary file? Save it as UTF-8 text"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            Problem(f"{where}:{line}", "not valid UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8")
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ContentError(
                Problem(str(path), f"file is {size // 1024} KB, over the {limit // 1024 // 1024} MB limit; shorten it")
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(Problem(str(path), f"cannot be read: {exc.strerror or exc}")) from None
    return decode_text(data, str(path))


def load_yaml_text(text: str, where: str, first_line: int = 1) -> Any:
    """`yaml.safe_load` with the error turned into one line naming file and line."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is several times faster
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader/CSafeLoader only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        what = (exc.problem or "invalid YAML").strip()
        raise ContentError(Problem(f"{where}:{line}", f"invalid YAML: {what}; check quotes, colons and indentation")) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(where, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise ContentError(Problem(where, "YAML nested too deeply")) from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date such as 2026-13-45
        raise ContentError(Problem(where, f"invalid YAML value ({exc}); check dates and numbers")) from None


def split_front_matter(text: str, where: str) -> tuple[str | None, str, int]:
    """Split `---` front matter from the body; return (yaml_text, body, body_first_line)."""
    if not text.startswith("---"):
        return None, text, 1
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise ContentError(Problem(f"{where}:1", "front matter opened with `---` but never closed; add a `---` line after it"))


# --- Parsed YAML kept between builds ------------------------------------------------------------

class _NotJson(Exception):
    pass


def _to_json(value: Any) -> Any:
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
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return value
    raise _NotJson  # sets, bytes, NaN...


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            (key, item), = value.items()
            if key == "$datetime":
                return dt.datetime.fromisoformat(item)
            if key == "$date":
                return dt.date.fromisoformat(item)
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value


def load_yaml_cached(text: str, where: str, cache_dir: Path | None, first_line: int = 1) -> Any:
    """load_yaml_text, with the result kept in `cache_dir`/yaml/ for the next build.

    The entry is used only for the very same text, read by the same code with the same PyYAML;
    YAML that JSON cannot hold exactly (number keys, sets, binary) and YAML with errors are
    never kept. An unreadable or unwritable cache only costs a parse."""
    if cache_dir is None:
        return load_yaml_text(text, where, first_line)
    path = cache_dir / "yaml" / f"{hashlib.sha256(where.encode('utf-8', 'surrogatepass')).hexdigest()[:20]}.json"
    key = code_stamp(("yamlio.py",), ("yaml",))
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry["key"] == key and entry["text"] == text:
            return _from_json(entry["value"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = load_yaml_text(text, where, first_line)
    try:
        stored = _to_json(value)
        if _from_json(stored) != value:
            return value
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"key": key, "text": text, "value": stored}, ensure_ascii=False).encode("utf-8"))
    except (_NotJson, OSError, RecursionError):
        pass
    return value
