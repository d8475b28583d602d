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

from . import compat
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
        rename(temporary, path, path)
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
    """Swap two paths in one atomic step where the system can (compat.exchange: renameat2 on
    Linux, renamex_np on macOS); False where it or its file system cannot, changing nothing."""
    return compat.exchange(first, second)


# Called with the path about to be renamed before each try; a test raises the error Windows
# gives for a file held open, to prove that a refused rename is tried again, then named.
refusals: Callable[[Path], None] | None = None
RENAME_PATIENCE = 10.0  # seconds a rename refused because a file is open is tried again for


def rename(source: Path, target: Path, shown: Path) -> None:
    """`os.replace`, tried again for a while when Windows refuses it because a program (the live
    preview, an editor, an antivirus scanning a new file) has the path, or a file in it, open;
    then an error naming `shown`, the path the user knows. A folder is never renamed onto an
    existing path here (which Windows refuses), so the call behaves alike on every system."""
    deadline = None
    while True:
        try:
            if refusals is not None:
                refusals(source)
            os.replace(source, target)
            return
        except OSError as exc:
            if not compat.held_open(exc):
                raise
            deadline = deadline if deadline is not None else time.monotonic() + RENAME_PATIENCE
            if time.monotonic() >= deadline:
                raise OutputError(Problem(str(shown), "cannot be replaced while a program has it or a file in it open "
                                                      "(the live preview, an editor, an antivirus?); close it and "
                                                      "build again (the previous version is kept)")) from None
            time.sleep(0.2)


def swap_in(staged: Path, target: Path, backup: Path) -> None:
    """Put `staged` where `target` is; the previous `target`, if any, ends up at `backup`.

    Atomic where the file system can exchange two names. Elsewhere (Windows, exFAT, network
    shares) two renames: a process killed between them leaves the previous version at `backup`,
    and the commit's journal lets the next command put it back (see commit.py)."""
    fault_point(f"swap {target}")
    if target.exists() or target.is_symlink():
        if exchange(staged, target):
            fault_point(f"after swap {target}")
            rename(staged, backup, target)
            return
        rename(target, backup, target)
        fault_point(f"between renames {target}")
    rename(staged, target, target)


def swap_back(target: Path, backup: Path, staged: Path) -> None:
    """Undo `swap_in`: the previous version back at `target`, the new one back at `staged`."""
    if backup.exists() or backup.is_symlink():
        if target.exists() and exchange(backup, target):
            rename(backup, staged, target)
            return
        if target.exists():
            rename(target, staged, target)
        rename(backup, target, target)
    elif target.exists():
        rename(target, staged, target)


def notice(message: str) -> None:
    """A line for the person waiting, said at once: a WARNING of the `rameau_cli` logger, which
    Python prints bare on stderr unless the application set up logging its own way (the
    last-resort handler: https://docs.python.org/3/howto/logging.html#what-happens-if-no-configuration-is-provided)."""
    import logging

    logging.getLogger("rameau_cli").warning(message)


LOCK_FILE = ".rameau.lock"
SOFT_LOCK_FILE = ".rameau.soft-lock"  # see output_lock
LOCK_WAIT = 120.0


@contextlib.contextmanager
def output_lock(out_dir: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """One writer per output folder: a second build waits for the first, then gives up clearly.

    filelock gives each system its own primitive (flock on POSIX, msvcrt.locking on Windows),
    both released by the system when the process dies, so a killed build never leaves the
    folder locked."""
    import warnings

    with warnings.catch_warnings():
        # Where a POSIX system lacks fcntl, filelock falls back to a lock file that records its
        # owner's process (reclaimed once that process is gone), and says so at import.
        warnings.simplefilter("ignore")
        import filelock

    # That soft lock is held while its file exists: it gets a name of its own, or the empty file
    # a system lock leaves behind (a folder copied from another machine) would read as held.
    name = SOFT_LOCK_FILE if filelock.FileLock is filelock.SoftFileLock else LOCK_FILE
    lock = filelock.FileLock(out_dir / name, timeout=wait)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:  # another command holds it: say so at once, then wait for it
        notice(f"waiting: another rameau command is writing in {out_dir}; this one goes on when it is done")
        try:
            lock.acquire(poll_interval=0.1)
        except filelock.Timeout:
            raise OutputError(Problem(str(out_dir), f"another rameau build has been writing here for over {wait:g} s; "
                                                    "wait for it to end, or use another --out")) from None
        notice(f"going on: {out_dir} is free")
    try:
        yield
    finally:
        lock.release()
