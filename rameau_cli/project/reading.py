"""Reading what people write: UTF-8 text, YAML with the safe loader only, front matter, one-line
values. Errors name the file and line and say, in words, how to fix the usual mistakes.

PyYAML is imported only when some YAML has to be parsed: a build whose rameau.yaml, edition
file and articles are all unchanged takes them from .rameau-cache/ and never loads it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problem
from ..errors import size as show_size

MAX_FILE_BYTES = 5 * 1024 * 1024

_SPACES = re.compile(r"[ \t\r\n\f\v\u2028\u2029\x85]+")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never meant in text
# Why a file reached through a link from inside the project to outside it is not read (an image,
# an article, a folder of articles): nothing from elsewhere on the disk is published.
OUTSIDE = "is outside the project folder; put the file in the project, next to the article"


def one_line(text: str) -> str:
    """Runs of spaces and line breaks as one space, control characters dropped; no-break
    spaces are kept, they are meant."""
    if text.isprintable() and "  " not in text:  # the usual case, without the two regular expressions
        return text.strip(" ")
    return _SPACES.sub(" ", CONTROLS.sub("", text)).strip(" ")


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit and "\n" not in text and "  " not in text and text == text.strip():
        return text  # already one short line
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


@lru_cache(maxsize=4096)
def slugify(text: str, max_length: int = 80) -> str:
    """`Grand public` -> `grand-public`: what ids, audiences and tags are compared as."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "article"


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
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def read_text(path: Path, limit: int = MAX_FILE_BYTES, where: str | None = None, size: int | None = None) -> str:
    """A regular file's text. Never opens a FIFO or a device (which could block forever).
    `size`: the caller has just made its stat and found a regular file of that size (one stat
    per file)."""
    import stat

    where = where or str(path)
    try:
        if size is None:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                raise ContentError(Problem(where, "is not a regular file (a folder, a pipe or a device); "
                                                  "remove it or give a file"))
            size = info.st_size
        if size > limit:
            raise ContentError(Problem(where, f"file is {show_size(size)}, over the {show_size(limit)} limit; "
                                              "shorten it"))
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:  # grown since its stat
            raise ContentError(Problem(where, f"file is over the {show_size(limit)} limit; shorten it"))
    except OSError as exc:
        raise ContentError(Problem(where, f"cannot be read: {exc.strerror or exc}")) from None
    return decode_text(data, where)


def load_yaml_text(text: str, where: str, first_line: int = 1) -> Any:
    """`yaml.safe_load` with the error turned into one line naming file and line, in words."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is several times faster
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        raise ContentError(Problem(f"{where}:{line}", yaml_advice(exc, text, mark.line if mark else 0))) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(where, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise ContentError(Problem(where, "YAML nested too deeply")) from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date such as 2026-13-45
        raise ContentError(Problem(where, f"invalid YAML value ({exc}); check dates and numbers")) from None


def yaml_advice(exc: Any, text: str, line_index: int) -> str:
    """The usual YAML mistakes, said in words (PyYAML's own messages are about its parser)."""
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    lines = text.split("\n")
    line = lines[line_index] if 0 <= line_index < len(lines) else ""
    if "\t" in problem or "'\\t'" in problem or line[: len(line) - len(line.lstrip())].count("\t"):
        return "invalid YAML: a tab character; indent with spaces only"
    if "mapping values are not allowed" in problem:
        key = line.split(":", 1)[0].strip() or "the value"
        return (f"invalid YAML: a colon followed by a space inside the value of {key!r}; "
                f"put the whole value in quotes, e.g. {key}: \"...\"")
    if "quoted scalar" in context and "end of stream" in problem:
        return "invalid YAML: a quote is opened but never closed; close it at the end of the value"
    if "found character '@'" in problem or "found character '`'" in problem:
        return "invalid YAML: a value cannot start with @ or `; put it in quotes"
    if "did not find expected key" in problem or "expected <block end>" in problem or "expected <block end>" in context:
        return ("invalid YAML: a quote left open on an earlier line, a value that goes on after its closing "
                "quote, or indentation that does not line up; check the quotes and spaces above this line")
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return f"invalid YAML: {problem} (& and * start anchors and aliases in YAML); put the value in quotes"
    return f"invalid YAML: {problem or context or 'cannot be read'}; check quotes, colons and indentation"


def split_front_matter(text: str, where: str) -> tuple[str | None, str, int]:
    """Split `---` front matter from the body; return (yaml_text, body, body_first_line)."""
    if not text.startswith("---"):
        return None, text, 1
    start = text.find("\n")
    if text[: len(text) if start < 0 else start].strip() != "---":
        return None, text, 1
    line = 2  # walks the front matter line by line; the body is cut off as it is, never split
    while start >= 0:
        end = text.find("\n", start + 1)
        if text[start + 1 : len(text) if end < 0 else end].strip() in ("---", "..."):
            front = text[text.index("\n") + 1 : start]
            return front, "" if end < 0 else text[end + 1 :], line + 1
        start, line = end, line + 1
    raise ContentError(Problem(f"{where}:1", "front matter opened with `---` but never closed; add a `---` line after it"))
