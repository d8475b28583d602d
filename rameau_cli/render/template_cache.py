"""Compiled templates kept between builds (Jinja's bytecode cache), that can never fail a build:
a cache file that cannot be written (a full disk, a read-only project) is simply not kept.

The environments that use it live as long as the process (render/templates.py), so the hold on
writing it is process-wide: `held()` keeps what is compiled meanwhile in memory, and writes it
only if the block ends without an exception (a build that fails leaves the cache as it was)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

from ..files import write_atomic

_held: list[tuple[TemplateCache, Bucket]] | None = None


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


class TemplateCache(FileSystemBytecodeCache):
    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if _held is not None:
            _held.append((self, bucket))
        else:
            self.write(bucket)

    def write(self, bucket: Bucket) -> None:
        code = io.BytesIO()
        bucket.write_bytecode(code)
        with contextlib.suppress(OSError):  # a cache that cannot be written costs speed only
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(Path(self._get_cache_filename(bucket)), code.getvalue())
