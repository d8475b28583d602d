"""A speed trick: the methods `dataclasses` writes for each class compiled once and kept, as
Python keeps a module's bytecode in __pycache__.

For each dataclass, Python (3.11, 3.12) writes the source text of __init__, __repr__, __eq__,
__hash__ (and __setattr__, __delattr__ for a frozen one) and compiles each text at every start:
the ~90 dataclasses a build loads cost a command about a tenth of its CPU, most of it in those
compiles. Installed by the launcher, `dataclasses` then finds each text in a table of compiled
code, read from rameau_cli/__pycache__/dataclass-methods.<python>.marshal and kept by the text
itself: a class that changed writes another text, compiled and added at exit. The code run is
what compiling that text makes (tests/test_dataclass_cache.py holds it to the plain classes).

The table is read from the package's own folder, never from a project, and used only when its
sha256 (written before it) checks, as every cache file of rameau is: marshalled code with one
flipped bit could crash the process. Nothing is written where Python writes no bytecode
(PYTHONDONTWRITEBYTECODE, -B) or cannot write (a read-only install). RAMEAU_PLAIN_DATACLASSES=1
runs without it.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib.util
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

PLAIN = "RAMEAU_PLAIN_DATACLASSES"
DIGEST = 32  # bytes of the sha256 of the table, after Python's magic number
KEEP_AT_MOST = 2000  # texts kept (all of rameau's take about 700); beyond, only those of the last command


def plain() -> bool:
    """True when the environment asks for dataclasses as Python makes them."""
    return os.environ.get(PLAIN, "") not in ("", "0")


def table_file() -> Path:
    """The table of this Python (its bytecode and marshal format) in the package's __pycache__."""
    return Path(__file__).resolve().parent / "__pycache__" / f"dataclass-methods.{sys.implementation.cache_tag}.marshal"


class MethodTable:
    """Compiled methods by their source text, read from `path` and written back when added to.
    Each is kept marshalled, and loaded when a class asks for it: a command loads few of them."""

    def __init__(self, path: Path):
        self.path = path
        self.blobs = _read(path)  # text -> its code, marshalled
        self.used: dict[str, bytes] = {}
        self.compiled = 0  # texts not in the table, compiled by this process

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
        """`exec` as dataclasses calls it, with the text's code from the table."""
        if globals is None:
            globals = sys._getframe(1).f_globals  # as exec without globals: the caller's
        if isinstance(source, str):
            text = source
            source = _code(self.blobs.get(text))
            if source is None:
                source = compile(text, "<string>", "exec", dont_inherit=True)  # as exec compiles it in dataclasses
                self.blobs[text] = marshal.dumps(source)
                self.compiled += 1
            self.used[text] = self.blobs[text]
        builtins.exec(source, globals, locals)

    def save(self) -> None:
        """Write the table when this process added to it (not where no bytecode is written)."""
        if not self.compiled or sys.dont_write_bytecode:
            return
        kept = self.blobs if len(self.blobs) <= KEEP_AT_MOST else self.used
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(exist_ok=True)
            body = marshal.dumps(kept)
            temporary.write_bytes(importlib.util.MAGIC_NUMBER + hashlib.sha256(body).digest() + body)
            os.replace(temporary, self.path)
        except OSError:  # a read-only install, or another process replacing it: the next one writes it
            temporary.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, bytes]:
    """The table in `path`, or an empty one when there is none of this Python or it is damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    magic = importlib.util.MAGIC_NUMBER
    digest, body = data[len(magic):len(magic) + DIGEST], data[len(magic) + DIGEST:]
    if not data.startswith(magic) or hashlib.sha256(body).digest() != digest:
        return {}  # another Python's, or damaged: marshalled code with a flipped bit could crash the process
    try:
        table = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {text: blob for text, blob in table.items() if isinstance(text, str) and isinstance(blob, bytes)}


def _code(blob: bytes | None) -> CodeType | None:
    """The code marshalled in `blob`, or None when there is none or it is damaged."""
    if blob is None:
        return None
    try:
        code = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


_installed: list[MethodTable] = []


def install(path: Path | None = None) -> MethodTable | None:
    """From now on, the dataclasses made in this process take their methods from the table
    (unless the environment asks for plain ones)."""
    if plain() or sys.implementation.cache_tag is None or _installed:
        return None
    import dataclasses  # noqa: PLC0415 (start-up: `rameau --version` makes no dataclass)

    table = MethodTable(path or table_file())
    dataclasses.exec = table.exec  # type: ignore[attr-defined]  # the module's own name shadows the builtin it calls
    _installed.append(table)
    return table


def uninstall() -> None:
    """Dataclasses as Python makes them again; the table is written if it was added to."""
    if _installed:
        table = _installed.pop()
        del sys.modules["dataclasses"].exec  # loaded by install()
        table.save()
