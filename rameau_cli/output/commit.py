"""Replacing several paths as one: the editions, the archive and the history of a build.

Everything is first staged beside its place (`.2026-W48.staging-<token>`), then swapped in one
path at a time, the history last; then the journal written before the first swap is renamed
to say the build is done: that one rename is the commit point. Until it the build has changed
nothing for good: a failure rolls back what was swapped, and a build killed on the way is
rolled back by the next command, from the journal; after it, the next command completes it.
Signals that arrive during the swaps wait for them to end. The previous versions are removed
only once the build is done.

Each path is swapped in one step where the system can (fs.exchange). Elsewhere (Windows, exFAT,
network shares) it takes two renames, and the journal keeps the whole all-or-nothing: recovery
completes a build whose last swap was made and rolls back any other. A journal rather than a
pointer file switched by one os.replace (new folders, and a file naming the current ones):
the output must stay plain folders that a web server, an emailing tool or a person opens as
they are, byte for byte the same on every system, and a pointer only rameau would follow.

Recovery tells what a build staged from what was there by what the build wrote, never by inode
numbers (0 for every file on FAT, exFAT and some network shares): a staged folder holds a mark
file with the build's token until the build is complete, and the journal keeps each staged
file's SHA-256 (a file staged with the bytes it had is the same either way).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import compat, interrupts
from .. import files as fs
from ..errors import OutputError, Problem
from ..project.addresses import STAGED_BELOW  # folders whose files a build stages one by one

JOURNAL = ".rameau-journal.json"
DONE = ".rameau-journal-done.json"  # the journal, renamed once the last swap is made
MARK = ".rameau-staged"  # in a staged folder, until the build is complete: the build's token


class InterruptedAfterCommit(KeyboardInterrupt):
    """A signal came while the build was being swapped in: it was let finish first."""


@dataclass(frozen=True)
class Swap:
    target: Path
    staged: Path
    backup: Path
    digest: str | None = None  # a staged file's SHA-256; None for a folder, which holds MARK


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Commit:
    """The paths one build replaces; `out_dir` holds the journal."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.token = f"{os.getpid()}-{os.urandom(3).hex()}"
        self.swaps: list[Swap] = []

    def _swap_for(self, target: Path, digest: str | None = None) -> Swap:
        swap = Swap(target, target.with_name(f".{target.name}.staging-{self.token}"),
                    target.with_name(f".{target.name}.backup-{self.token}"), digest)
        self.swaps.append(swap)
        return swap

    def stage_folder(self, target: Path) -> Path:
        """An empty folder that will replace the folder `target`."""
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise OutputError(Problem(str(target), "is a file where rameau writes a folder; move it away"))
        staged = self._swap_for(target).staged
        fs.make_folder(staged)
        fs.write_new(staged / MARK, self.token.encode())
        return staged

    def stage_file(self, target: Path, data: bytes, durable: bool = False) -> None:
        """`data` will replace the file `target` (`durable`: flushed to the disk before it does)."""
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OutputError(Problem(str(target), "is not a file; rameau writes a file there: move it away"))
        staged = self._swap_for(target, _sha256(data)).staged
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
        journal, done = self.out_dir / JOURNAL, self.out_dir / DONE
        entries = [{"target": str(s.target), "staged": str(s.staged), "backup": str(s.backup), "digest": s.digest}
                   for s in self.swaps]
        # Not flushed to the disk: it is there for a killed process, whose writes the system keeps.
        interrupts.check()  # a stop whose exception was lost: the build is not put in place
        fs.write_atomic(journal, json.dumps({"token": self.token, "swaps": entries}).encode())
        with _signals_held() as held:
            try:
                for swap in self.swaps:
                    fs.swap_in(swap.staged, swap.target, swap.backup)
                fs.fault_point(f"commit {journal}")
                fs.rename(journal, done, journal)
            except BaseException:
                ours = _identify(self.token)
                for swap in reversed(self.swaps):
                    _put_back(swap, ours)
                with contextlib.suppress(OSError):
                    journal.unlink()
                raise
            # The build is in place. What follows is tidying up, which the next command finishes
            # if this one is killed.
            fs.fault_point(f"after commit {journal}")
            _complete(self.swaps, done)
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
    """Hold the signals that stop a command (compat.STOP_SIGNALS) until the block ends; the
    list says which came."""

    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in compat.STOP_SIGNALS}
    try:
        yield held
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def pending(out_dir: Path) -> bool:
    """Whether a build killed on the way left work for `recover`."""
    return (out_dir / JOURNAL).exists() or (out_dir / DONE).exists()


def recover(out_dir: Path, *more_dirs: Path) -> None:
    """Finish what a killed build left (call under the output lock): if it was done, remove the
    previous versions; otherwise put every previous version back. Never deletes a version that
    is not replaced."""
    for name in (DONE, JOURNAL):
        journal = out_dir / name
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            token = str(data["token"])
            swaps = [Swap(Path(e["target"]), Path(e["staged"]), Path(e["backup"]), e["digest"]) for e in data["swaps"]]
        except FileNotFoundError:
            continue
        except (OSError, ValueError, KeyError, TypeError):
            token, swaps = "", []  # a journal cut short: it was being written, so no swap was made
        if name == DONE:
            _complete(swaps, journal)
        else:
            ours = _identify(token)
            for swap in reversed(swaps):
                _put_back(swap, ours)
            with contextlib.suppress(OSError):
                journal.unlink()
    _remove_strays(out_dir, *more_dirs)


def _identify(token: str) -> Callable[[Swap, Path], bool]:
    """`ours(swap, path)`: whether `path` holds what the build of `token` staged for `swap`."""
    def ours(swap: Swap, path: Path) -> bool:
        try:
            if swap.digest is None:
                return not path.is_symlink() and (path / MARK).read_bytes() == token.encode()
            return not path.is_symlink() and path.is_file() and _sha256(path.read_bytes()) == swap.digest
        except OSError:
            return False

    return ours


def _made(swap: Swap, ours: Callable[[Swap, Path], bool]) -> bool:
    """Whether the swap was made: the new version at its target, and not still at its staged
    name too (a file staged with the bytes it already had: then nothing needs undoing)."""
    return ours(swap, swap.target) and not (_exists(swap.staged) and ours(swap, swap.staged))


def _complete(swaps: list[Swap], journal: Path) -> None:
    """A build that is done: its marks taken out of its folders, the previous versions removed,
    then its journal."""
    for swap in swaps:
        if swap.digest is None:
            with contextlib.suppress(OSError):
                (swap.target / MARK).unlink()
        fs.remove(swap.backup)
        fs.remove(swap.staged)
    with contextlib.suppress(OSError):
        journal.unlink()


def _put_back(swap: Swap, ours: Callable[[Swap, Path], bool]) -> None:
    if _made(swap, ours):  # the new version is in place
        if not _exists(swap.backup) and _exists(swap.staged):
            fs.rename(swap.staged, swap.backup, swap.target)  # killed between the exchange and the rename after it
        fs.swap_back(swap.target, swap.backup, swap.staged)
    elif not _exists(swap.target) and _exists(swap.backup):
        fs.rename(swap.backup, swap.target, swap.target)  # killed between two renames: the previous version goes back
    fs.remove(swap.staged)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove_strays(*folders: Path) -> None:
    """What a build killed before it wrote its journal had staged, beside the paths it replaces
    (which may be files inside the public folder: an edition's web versions, the archive, the
    assets; or the history, one folder down), and what a complete build killed while tidying up
    left: previous versions, a folder's mark."""
    for folder in folders:
        below = [folder / name for name in STAGED_BELOW]
        below += [child for path in below if path.is_dir() for child in _folders(path)]
        for place in (folder, *below):
            with contextlib.suppress(OSError):
                for path in place.iterdir():
                    if path.name.startswith(".") and (".staging-" in path.name or ".backup-" in path.name):
                        fs.remove(path)
        for place in (*_folders(folder), *below):
            with contextlib.suppress(OSError):
                (place / MARK).unlink()


def _folders(path: Path) -> list[Path]:
    try:
        return [Path(entry.path) for entry in os.scandir(path) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
