"""Reading many article files on two cores: one half in a forked process, the other here
(and, for a warm build of a large folder, the folder's scan beside the article cache's loading).

Parsing front matter is CPU work in Python (PyYAML's constructor, the schema), so threads do
not share it; a forked process does, and sends back what it read (pickled plain data). It is
used only where it pays: many files to read (a cold build of a large folder), a system where
forking is safe (Linux: compat.CAN_FORK) and more than one core, and no other thread running (forking a process with threads,
such as the live preview, is not safe). Whatever goes wrong in the forked process, its half
is read here instead: the result never depends on it.

Elsewhere (macOS, Windows) everything is read on one core: a process started afresh ("spawn")
must import rameau before it reads anything, and sends its half back pickled. Measured with the
POSIX parts of Python hidden (tests/bench/generate.py --articles 10000, reading every article,
two cores under load, five runs each): one core 1.21-2.62 s, median 1.63 s; half in a spawned
process 1.25-2.76 s, median 2.04 s.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from .. import compat

T = TypeVar("T")
R = TypeVar("R")

WORTH_IT = 1000  # items below which the fork and the transfer cost more than they save


def map_in_halves(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """`work(items)`, with the second half done in a forked process when that pays."""
    if len(items) < WORTH_IT or not _can_fork():
        return work(items)
    middle = len(items) // 2
    first, second = items[:middle], items[middle:]
    with Beside(lambda: work(second), lambda theirs: isinstance(theirs, list) and len(theirs) == len(second)) as theirs:
        done = work(first)
        return done + theirs.result()


class Beside(Generic[R]):
    """`work()` in a forked process, running beside what this process does next, when forking
    is possible and `worth_it`; `result()` waits for it, and runs `work()` here when there was
    no fork, or the forked process failed or sent what `valid` refuses. Use it in a `with`:
    left without its result (an interrupt), the forked process is stopped at its next write
    and waited for."""

    def __init__(self, work: Callable[[], R], valid: Callable[[object], bool] = lambda _: True,
                 worth_it: bool = True):
        self.work, self.valid = work, valid
        self.pid, self.received = 0, None
        if not worth_it or not _can_fork():
            return
        reader, writer = os.pipe()
        self.pid = compat.fork()
        if self.pid == 0:  # the forked process: do the work, send it, leave without running anything else
            os.close(reader)
            code = 1
            try:
                with os.fdopen(writer, "wb") as out:
                    pickle.dump(work(), out, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self.received = os.fdopen(reader, "rb")

    def result(self) -> R:
        if self.received is None:
            return self.work()
        try:
            done = pickle.load(self.received)  # read as it comes: never the whole pickle in memory
        except Exception:
            done = None
        ok = self._close() and done is not None and self.valid(done)
        return done if ok else self.work()

    def _close(self) -> bool:
        """Whether the forked process ended well; closing first stops one still writing."""
        if self.received is None:
            return False
        self.received.close()
        self.received = None
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    def __enter__(self) -> Beside[R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


def _can_fork() -> bool:
    return compat.CAN_FORK and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
