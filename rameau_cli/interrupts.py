"""Moments a stop signal must not cut in two: a request that creates something in another
system, until its answer is recorded here (a draft made in the emailing tool whose id is not
yet in history.json would be made a second time by the next push).

The command line's signal handler asks `held()` before it interrupts: inside `uninterrupted()`
the first signal is kept and raised as KeyboardInterrupt when the block ends; a second one
interrupts at once (the person insists), and the block's caller says what was cut short.

Python runs a signal handler wherever the main thread is, a weakref callback or a `__del__`
included, and a KeyboardInterrupt raised there is "ignored": printed with its traceback, and
lost, while the command goes on. The console script hands such an exception to
`quiet_when_lost`, which keeps it: the command stops at the next `check()` (before anything is
written for good), or says it was stopped when it returns.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# The signals that ask a command to stop, by name (a system lacks some: compat.STOP_SIGNALS has
# this system's): Ctrl-C everywhere, a polite kill, a closed terminal (POSIX), Ctrl-Break (a
# Windows console). The launcher reads these names before anything heavier is imported.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")


class _Hold:
    depth = 0
    pending = False


_hold = _Hold()
_main = threading.main_thread()


class _Lost:
    stop = False


_lost = _Lost()


def check() -> None:
    """KeyboardInterrupt when a stop signal's exception was lost where its handler ran (see
    `quiet_when_lost`). Called before what cannot be undone, and around a command; inside
    `uninterrupted()` the block's end interrupts instead."""
    if _lost.stop and not _hold.depth and threading.current_thread() is _main:
        _lost.stop = False
        raise KeyboardInterrupt


def take_lost() -> bool:
    """Whether a stop's exception was lost and not acted on since; forgotten once asked."""
    lost, _lost.stop = _lost.stop, False
    return lost


def quiet_when_lost(default: Callable[[Any], None]) -> Callable[[Any], None]:
    """A sys.unraisablehook that remembers a KeyboardInterrupt Python could not raise (it came in
    a weakref callback or a `__del__`, and would be printed with its traceback, then lost), for
    `check()` to raise again, and hands anything else to `default`."""

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _lost.stop = True
            return
        default(unraisable)

    hook.keeps_lost_stops = True  # type: ignore[attr-defined]
    return hook


def keep_lost_stops() -> None:
    """sys.unraisablehook made `quiet_when_lost`, once in a process that runs several commands."""
    if not getattr(sys.unraisablehook, "keeps_lost_stops", False):
        sys.unraisablehook = quiet_when_lost(sys.unraisablehook)


def held() -> bool:
    """Called by the signal handler: True when the signal is kept for later (the handler then
    returns); False when it must interrupt now."""
    if _hold.depth and not _hold.pending:
        _hold.pending = True
        return True
    return False


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A block a first stop signal does not cut: the interruption comes when it ends. Only the
    main thread takes signals; elsewhere this holds nothing."""
    if threading.current_thread() is not _main:
        yield
        return
    _hold.depth += 1
    try:
        yield
    finally:
        _hold.depth -= 1
        if not _hold.depth and _hold.pending:
            _hold.pending = False
            raise KeyboardInterrupt
