"""Writing a file so that no reader, and no build killed half way, ever sees half of it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = False) -> None:
    """Write beside `path`, then rename into place. `data` may come in pieces, so that a large
    file never has to be held whole in memory. `durable` also flushes it to the disk first
    (for a record that must survive a power cut, such as the history)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:  # a full disk, an error while making the pieces, an interrupt
        temporary.unlink(missing_ok=True)
        raise
