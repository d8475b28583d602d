"""Moments a stop signal must not cut in two: a request that creates something in another
system, until its answer is recorded here (a draft made in the emailing tool whose id is not
yet in history.json would be made a second time by the next push).

The command line's signal handler asks `held()` before it interrupts: inside `uninterrupted()`
the first signal is kept and raised as KeyboardInterrupt when the block ends; a second one
interrupts at once (the person insists), and the block's caller says what was cut short.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The signals that ask a command to stop, by name (a system lacks some: compat.STOP_SIGNALS has
# this system's): Ctrl-C everywhere, a polite kill, a closed terminal (POSIX), Ctrl-Break (a
# Windows console). The launcher reads these names before anything heavier is imported.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")


class _Hold:
    depth = 0
    pending = False


_hold = _Hold()
_main = threading.main_thread()


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
