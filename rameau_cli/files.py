"""The file system under rameau's writes: atomic files, the output guard, the lock, swaps.

Every change rameau makes on disk goes through the functions here, each of which first passes a
named fault point. Tests make any one point fail (`faults`) to prove that a build which stops
there changes nothing, or rolls back what it had changed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import OutputError, Problem

# Called with the name of each fault point before the change it names; a test sets it to a
# function that raises (OSError, KeyboardInterrupt) or kills the process at the point it wants.
faults: Callable[[str], None] | None = None


def fault_point(name: str) -> None:
    if faults is not None:
        faults(name)


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = False) -> None:
    """Write beside `path`, then rename into place. `data` may come in pieces, so that a large
    file never has to be held whole in memory. `durable` also flushes it to the disk first
    (for a record that must survive a power cut, such as the history)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fault_point(f"write {path}")
        with open(temporary, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        fault_point(f"rename {path}")
        os.replace(temporary, path)
    except BaseException:  # a full disk, an error while making the pieces, an interrupt
        temporary.unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes, durable: bool = False) -> None:
    """Write a file that nobody reads yet (inside a staging folder): no rename needed."""
    fault_point(f"write {path}")
    with open(path, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())


def make_folder(path: Path) -> None:
    fault_point(f"mkdir {path}")
    path.mkdir(parents=True, exist_ok=True)


def copy_tree(source: Path, target: Path) -> None:
    fault_point(f"copy {source}")
    shutil.copytree(source, target, symlinks=True)


def remove(path: Path) -> None:
    """Remove a file or a folder, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def safe_join(root: Path, *parts: str) -> Path:
    """Join under `root`, refusing anything (`..`, absolute parts, links) that would leave it."""
    root_resolved = root.resolve()
    candidate = root_resolved.joinpath(*parts).resolve()
    if candidate != root_resolved and root_resolved not in candidate.parents:
        raise OutputError(Problem("/".join(parts), f"refusing to write outside the output folder {root}"))
    return candidate


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or the file system cannot (NFS, CIFS, 9p, FUSE, other systems)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0


def swap_in(staged: Path, target: Path, backup: Path) -> None:
    """Put `staged` where `target` is; the previous `target`, if any, ends up at `backup`.

    Atomic where the file system can exchange two names. Elsewhere two renames: a process
    killed between them leaves the previous version at `backup`, which `restore` puts back."""
    fault_point(f"swap {target}")
    if target.exists() or target.is_symlink():
        if exchange(staged, target):
            fault_point(f"after swap {target}")
            os.rename(staged, backup)
            return
        os.rename(target, backup)
        fault_point(f"between renames {target}")
    os.rename(staged, target)


def swap_back(target: Path, backup: Path, staged: Path) -> None:
    """Undo `swap_in`: the previous version back at `target`, the new one back at `staged`."""
    if backup.exists() or backup.is_symlink():
        if target.exists() and exchange(backup, target):
            os.rename(backup, staged)
            return
        if target.exists():
            os.rename(target, staged)
        os.rename(backup, target)
    elif target.exists():
        os.rename(target, staged)


def notice(message: str) -> None:
    """A line for the person waiting, said at once: a WARNING of the `rameau_cli` logger, which
    Python prints bare on stderr unless the application set up logging its own way (the
    last-resort handler: https://docs.python.org/3/howto/logging.html#what-happens-if-no-configuration-is-provided)."""
    import logging

    logging.getLogger("rameau_cli").warning(message)


LOCK_FILE = ".rameau.lock"
LOCK_WAIT = 120.0


@contextlib.contextmanager
def output_lock(out_dir: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """One writer per output folder: a second build waits for the first, then gives up clearly."""
    import fcntl

    with open(out_dir / LOCK_FILE, "a+b") as handle:
        deadline = time.monotonic() + wait
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    waited = True
                    notice(f"waiting: another rameau command is writing in {out_dir}; this one goes on when it is done")
                if time.monotonic() > deadline:
                    raise OutputError(Problem(str(out_dir), f"another rameau build has been writing here for over {wait:g} s; "
                                                            "wait for it to end, or use another --out")) from None
                time.sleep(0.1)
        if waited:
            notice(f"going on: {out_dir} is free")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
