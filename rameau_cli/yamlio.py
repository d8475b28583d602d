"""Reading text and YAML safely: UTF-8 only, safe loader only, errors that name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem

try:  # the C loader is several times faster; both are "safe" loaders
    SafeLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    SafeLoader = yaml.SafeLoader

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
    try:
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader/CSafeLoader only
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
