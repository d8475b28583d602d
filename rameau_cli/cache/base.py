"""One way to keep anything between builds in .rameau-cache/: load, key, check, save.

Each cache file is a JSON body on one line, then a trailer line that says what made it:

    {... the body ...}
    {"format": 1, "stamp": "<code stamp>", "key": "<what else it depends on>", "sha256": "<of the body>"}

(the trailer comes last so that a large body can be written in pieces as it is hashed).

A file is used only when it was made by the same code (the stamp covers the whole package and
the libraries), for the same key, and its body is exactly what was written (the checksum).
Anything else (missing, truncated, tampered with, JSON of another shape) is dropped and made
again without an error: a cache can cost time, never make a build wrong. A cache folder that
cannot be written costs speed only, with one warning per build. JSON, never pickle: nothing in
a cache can run. The folder is safe to delete.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

from ..files import write_atomic
from .stamp import code_stamp

FORMAT = 1
CACHE_DIR = ".rameau-cache"
# A file name that is not UTF-8 reaches Python with its bytes as unpaired surrogates ("caf\udce9.md");
# written as such, they come back as they were: json.loads decodes bytes with "surrogatepass".
UNPAIRED = "surrogatepass"


class DamagedCache(Exception):
    """A cache file read a piece at a time turned out not to be what was written."""


class CacheFolder:
    """The project's .rameau-cache/ (or no cache at all, when `path` is None).

    `deferred`: what is saved waits for `flush()`, which a build calls once it is written, so
    that a build that fails leaves the project as it was, caches included."""

    def __init__(self, path: Path | None, on_problem: Callable[[str, str], None] | None = None,
                 deferred: bool = False):
        self.path = path
        self.on_problem = on_problem
        self.reported = False
        self.pending: list[Callable[[], None]] | None = [] if deferred else None

    def later(self, save: Callable[[], None]) -> None:
        """Save now, or at `flush()` when deferred."""
        if self.pending is None:
            save()
        else:
            self.pending.append(save)

    def flush(self) -> None:
        pending, self.pending = self.pending or [], None
        for save in pending:
            save()

    def file(self, *parts: str) -> CacheFile:
        return CacheFile(self, self.path.joinpath(*parts) if self.path else None)

    def cannot_write(self, path: Path, exc: OSError | ValueError) -> None:
        if self.on_problem and not self.reported:
            self.reported = True
            self.on_problem(str(self.path), f"the cache cannot be written ({getattr(exc, 'strerror', None) or exc}); "
                                            "builds are slower until it can, and nothing else changes")


NO_CACHE = CacheFolder(None)


class CacheFile:
    def __init__(self, folder: CacheFolder, path: Path | None):
        self.folder = folder
        self.path = path

    def load(self, key: str = "") -> Any:
        """The body as it was saved with this key by this code, or None."""
        body = self.load_bytes(key)
        if body is None:
            return None
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            return None

    def load_bytes(self, key: str = "") -> bytes | None:
        """The body's bytes as they were saved with this key by this code (`save(pieces=...)`), or None."""
        if self.path is None:
            return None
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        body, _, trailer = data.rpartition(b"\n")
        try:
            stamp = json.loads(trailer)
        except (ValueError, RecursionError):
            return None
        expected = _checksum(stamp, key)
        return body if expected is not None and expected == hashlib.sha256(body).hexdigest() else None

    def load_lines(self, key: str = "", chunk: int = 1 << 20) -> Generator[list[bytes], None, None] | None:
        """The body, a group of whole lines at a time (for a large body: never held whole), as it
        was saved with this key by this code; None when it was not. The lines are checked
        against the checksum as they come: at the end, DamagedCache says that the body is not
        what was written, and whatever was read from it must be dropped."""
        if self.path is None:
            return None
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 (closed here, or by the generator that reads it)
        except OSError:
            return None
        try:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(0, size - 4096))
            tail = handle.read()
            cut = tail.rfind(b"\n")
            stamp = json.loads(tail[cut + 1:]) if cut >= 0 else None
        except (OSError, ValueError, RecursionError):
            stamp = None
        expected = _checksum(stamp, key)
        if expected is None:
            handle.close()
            return None
        return self._lines(handle, size - (len(tail) - cut), expected, chunk)

    @staticmethod
    def _lines(handle: Any, length: int, expected: str, chunk: int) -> Generator[list[bytes], None, None]:
        digest = hashlib.sha256()
        with handle:
            handle.seek(0)
            rest = b""
            while length > 0:
                data = handle.read(min(chunk, length))
                if not data:
                    break
                length -= len(data)
                digest.update(data)
                lines = (rest + data).split(b"\n")
                rest = lines.pop()
                if lines:
                    yield lines
        if rest:
            yield [rest]
        if length or digest.hexdigest() != expected:
            raise DamagedCache

    def save(self, body: Any = None, key: str = "", pieces: Iterable[bytes] | None = None) -> None:
        """Keep `body` (or the JSON already encoded in `pieces`) for the next build."""
        if self.path is not None:
            self.folder.later(lambda: self._save(body, key, pieces))

    def _save(self, body: Any, key: str, pieces: Iterable[bytes] | None) -> None:
        assert self.path is not None
        if pieces is None:
            pieces = (json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", UNPAIRED),)
        digest = hashlib.sha256()

        def hashed() -> Iterable[bytes]:
            for piece in pieces:
                digest.update(piece)
                yield piece
            trailer = {"format": FORMAT, "stamp": code_stamp(), "key": key, "sha256": digest.hexdigest()}
            yield b"\n" + json.dumps(trailer).encode()

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, hashed())
        except (OSError, ValueError) as exc:  # ValueError: what JSON or UTF-8 cannot hold; never a failed build
            self.folder.cannot_write(self.path, exc)


def _checksum(stamp: Any, key: str) -> str | None:
    """The body's sha256 a cache file's last line gives, when that line says the file was saved
    in this format, by this code, with this key; else None."""
    if (not isinstance(stamp, dict) or stamp.get("format") != FORMAT or stamp.get("stamp") != code_stamp()
            or stamp.get("key") != key or not isinstance(stamp.get("sha256"), str)):
        return None
    return stamp["sha256"]
