"""Compiled templates kept between builds (Jinja's bytecode cache), that can never fail a build:
a cache file that cannot be written (a full disk, a read-only project) is simply not kept."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket


class TemplateCache(FileSystemBytecodeCache):
    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        path = Path(self._get_cache_filename(bucket))
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                bucket.write_bytecode(handle)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
