"""Compiled templates kept between builds (Jinja's bytecode cache), that can never fail a build
nor make it wrong: a cache file that cannot be written (a full disk, a read-only project) is
simply not kept, and one that is not exactly what was written is not used.

Jinja's own file is marshalled code, which Python runs as it reads it: one flipped bit could
crash the process or change what a template does. Each file therefore ends with the sha256 of
what Jinja wrote and of the code stamp (cache/stamp.py), and is given to Jinja only when that
checks, as every other cache file is (cache/base.py): Jinja keys a file by the template's
source only, and what rameau compiles from that source changes with rameau (the sandbox's
counted loops, compose/sandbox.py).

The environments that use it live as long as the process (render/templates.py), so the hold on
writing it is process-wide: `held()` keeps what is compiled meanwhile in memory, and writes it
only if the block ends without an exception (a build that fails leaves the cache as it was)."""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

from ..cache.stamp import code_stamp
from ..files import write_atomic

_held: list[tuple[TemplateCache, Bucket]] | None = None
DIGEST = 32  # bytes of sha256 at the end of each file


@contextlib.contextmanager
def held() -> Iterator[None]:
    global _held
    _held = []
    try:
        yield
        pending, _held = _held, None
        for cache, bucket in pending:
            cache.write(bucket)
    finally:
        _held = None


def checked(data: bytes) -> bytes | None:
    """What Jinja wrote, when a cache file's last bytes are its digest; else None."""
    body, digest = data[:-DIGEST], data[-DIGEST:]
    return body if len(data) > DIGEST and _digest(body) == digest else None


def _digest(body: bytes) -> bytes:
    return hashlib.sha256(code_stamp().encode() + b"\0" + body).digest()


class TemplateCache(FileSystemBytecodeCache):
    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        body = checked(data)
        if body is None:
            return  # compiled again, and written again at the end of the build
        with contextlib.suppress(EOFError, ValueError, TypeError):
            bucket.load_bytecode(io.BytesIO(body))

    def dump_bytecode(self, bucket: Bucket) -> None:
        if _held is not None:
            _held.append((self, bucket))
        else:
            self.write(bucket)

    def write(self, bucket: Bucket) -> None:
        code = io.BytesIO()
        bucket.write_bytecode(code)
        body = code.getvalue()
        with contextlib.suppress(OSError):  # a cache that cannot be written costs speed only
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(Path(self._get_cache_filename(bucket)), body + _digest(body))
