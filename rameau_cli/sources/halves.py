"""Reading many article files on two cores: one half in a forked process, the other here
(and, for a warm build of a large folder, the folder's scan beside the article cache's loading).

Parsing front matter is CPU work in Python (PyYAML's constructor, the schema), so threads do
not share it; a forked process does, and sends back what it read (pickled plain data). It is
used only where it pays: many files to read (a cold build of a large folder), a system with
fork and more than one core, and no other thread running (forking a process with threads,
such as the live preview, is not safe). Whatever goes wrong in the forked process, its half
is read here instead: the result never depends on it.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORTH_IT = 1000  # items below which the fork and the transfer cost more than they save


def map_in_halves(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """`work(items)`, with the second half done in a forked process when that pays."""
    if len(items) < WORTH_IT or not _can_fork():
        return work(items)
    middle = len(items) // 2
    first, second = items[:middle], items[middle:]
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked process: read its half, send it, leave without running anything else
        os.close(reader)
        code = 1
        try:
            with os.fdopen(writer, "wb") as out:
                pickle.dump(work(second), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    received = os.fdopen(reader, "rb")
    theirs = None
    try:
        done = work(first)
        try:
            theirs = pickle.load(received)  # read as it comes: never the whole pickle in memory
        except Exception:
            theirs = None
    finally:
        received.close()  # on an interrupt, the forked process stops at its next write
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not isinstance(theirs, list) or len(theirs) != len(second):
        theirs = work(second)
    return done + theirs


def beside(work: Callable[[], R], worth_it: bool) -> Callable[[], R]:
    """`work()` started in a forked process, to run beside what this process does next, when
    `worth_it` and forking is possible; the function returned waits for its result (and runs
    `work()` here when there was no fork or the forked process failed). Call it once, always."""
    if not worth_it or not _can_fork():
        return work
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked process: do the work, send it, leave without running anything else
        os.close(reader)
        code = 1
        try:
            with os.fdopen(writer, "wb") as out:
                pickle.dump(work(), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)

    def result() -> R:
        received = os.fdopen(reader, "rb")
        try:
            try:
                done = pickle.load(received)
            except Exception:
                done = None
        finally:
            received.close()
            _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or done is None:
            return work()
        return done

    return result


def _can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
