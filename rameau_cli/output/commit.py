"""Replacing several paths as one: the editions, the archive and the history of a build.

Everything is first staged beside its place (`.2026-W48.staging-<token>`), then swapped in one
path at a time, the history last. Until the last swap the build has changed nothing for good:
a failure rolls back what was swapped, and a build killed on the way is rolled back by the next
one, from the journal written before the first swap. Signals that arrive during the swaps wait
for them to end. The previous versions are removed only once the last swap is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import files as fs
from ..errors import OutputError, Problem
from ..project.addresses import STAGED_BELOW  # folders whose files a build stages one by one

JOURNAL = ".rameau-journal.json"
SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class InterruptedAfterCommit(KeyboardInterrupt):
    """A signal came while the build was being swapped in: it was let finish first."""


@dataclass(frozen=True)
class Swap:
    target: Path
    staged: Path
    backup: Path


class Commit:
    """The paths one build replaces; `out_dir` holds the journal."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.token = f"{os.getpid()}-{os.urandom(3).hex()}"
        self.swaps: list[Swap] = []

    def _swap_for(self, target: Path) -> Swap:
        swap = Swap(target, target.with_name(f".{target.name}.staging-{self.token}"),
                    target.with_name(f".{target.name}.backup-{self.token}"))
        self.swaps.append(swap)
        return swap

    def stage_folder(self, target: Path) -> Path:
        """An empty folder that will replace the folder `target`."""
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise OutputError(Problem(str(target), "is a file where rameau writes a folder; move it away"))
        staged = self._swap_for(target).staged
        fs.make_folder(staged)
        return staged

    def stage_file(self, target: Path, data: bytes, durable: bool = False) -> None:
        """`data` will replace the file `target` (`durable`: flushed to the disk before it does)."""
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OutputError(Problem(str(target), "is not a file; rameau writes a file there: move it away"))
        staged = self._swap_for(target).staged
        fs.fault_point(f"write {target}")
        with open(staged, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())

    def stage_tree(self, folder: Path, files: Mapping[str, bytes], durable: bool = False) -> None:
        """`files` (paths relative to `folder`, with `/`) will replace theirs, the others under
        `folder` stay; a folder that does not exist yet is staged whole."""
        if not folder.is_dir() or folder.is_symlink():
            staged = self.stage_folder(folder)
            for name, data in files.items():
                path = staged / _plain(name)
                if path.parent != staged and not path.parent.is_dir():
                    fs.make_folder(path.parent)
                fs.write_new(path, data, durable)
            return
        below: dict[str, dict[str, bytes]] = {}
        for name, data in files.items():
            first, _, rest = name.partition("/")
            if rest:
                below.setdefault(first, {})[rest] = data
            else:
                self.stage_file(folder / _plain(first), data, durable)
        for child, more in below.items():
            self.stage_tree(folder / _plain(child), more, durable)

    def abandon(self) -> None:
        for swap in self.swaps:
            fs.remove(swap.staged)

    def run(self) -> None:
        """Swap every staged path in, in order. A failure rolls back the swaps already made."""
        journal = self.out_dir / JOURNAL
        inodes = [os.lstat(s.staged).st_ino for s in self.swaps]
        entries = [{"target": str(s.target), "staged": str(s.staged), "backup": str(s.backup), "inode": inode}
                   for s, inode in zip(self.swaps, inodes, strict=True)]
        # Not flushed to the disk: it is there for a killed process, whose writes the system keeps.
        fs.write_atomic(journal, json.dumps({"token": self.token, "swaps": entries}).encode())
        with _signals_held() as held:
            try:
                for swap in self.swaps:
                    fs.swap_in(swap.staged, swap.target, swap.backup)
            except BaseException:
                for swap, inode in reversed(list(zip(self.swaps, inodes, strict=True))):
                    _put_back(swap, inode)
                with contextlib.suppress(OSError):
                    journal.unlink()
                raise
            # The last swap is made: the build is in place. What follows is tidying up.
            with contextlib.suppress(OSError):
                journal.unlink()
            for swap in self.swaps:
                fs.remove(swap.backup)
        if held:
            raise InterruptedAfterCommit


def _plain(name: str) -> str:
    """A relative path made of plain names only: nothing that could lead out of its folder (a
    link inside it is refused where it is met: stage_folder, stage_file)."""
    if name.startswith("/") or any(part in ("", ".", "..") or "\\" in part for part in name.split("/")):
        raise OutputError(Problem(name, "refusing to write outside the output folder"))
    return name


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends; the list says which came."""
    import threading

    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in SIGNALS}
    try:
        yield held
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def recover(out_dir: Path, *more_dirs: Path) -> None:
    """Finish what a killed build left (call under the output lock): if its last swap was made,
    remove the previous versions; otherwise put every previous version back. Never deletes a
    version that is not replaced."""
    journal = out_dir / JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        swaps = [(Swap(Path(e["target"]), Path(e["staged"]), Path(e["backup"])), int(e["inode"])) for e in data["swaps"]]
    except FileNotFoundError:
        return _remove_strays(out_dir, *more_dirs)
    except (OSError, ValueError, KeyError, TypeError):
        swaps = []  # a journal cut short: it was being written, so no swap was made
    if swaps and _inode(swaps[-1][0].target) == swaps[-1][1]:
        for swap, _ in swaps:
            fs.remove(swap.backup)
            fs.remove(swap.staged)
    else:
        for swap, inode in reversed(swaps):
            _put_back(swap, inode)
    with contextlib.suppress(OSError):
        journal.unlink()
    _remove_strays(out_dir, *more_dirs)


def _put_back(swap: Swap, new_inode: int) -> None:
    if _inode(swap.target) == new_inode:  # the new version is in place
        if not (swap.backup.exists() or swap.backup.is_symlink()) and _inode(swap.staged) not in (None, new_inode):
            os.rename(swap.staged, swap.backup)  # killed between the exchange and the rename after it
        fs.swap_back(swap.target, swap.backup, swap.staged)
    elif not swap.target.exists() and (swap.backup.exists() or swap.backup.is_symlink()):
        os.rename(swap.backup, swap.target)  # killed between two renames: the previous version goes back
    fs.remove(swap.staged)


def _inode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_ino
    except OSError:
        return None


def _remove_strays(*folders: Path) -> None:
    """What a build killed before it wrote its journal had staged: beside the paths it replaces,
    which may be files inside the public folder (an edition's web versions, the archive, the
    assets) or the history, one folder down."""
    for folder in folders:
        below = [folder / name for name in STAGED_BELOW]
        below += [child for path in below if path.is_dir() for child in _folders(path)]
        for place in (folder, *below):
            with contextlib.suppress(OSError):
                for path in place.iterdir():
                    if path.name.startswith(".") and ".staging-" in path.name:
                        fs.remove(path)


def _folders(path: Path) -> list[Path]:
    try:
        return [Path(entry.path) for entry in os.scandir(path) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
