"""A speed trick: the garbage collector tuned for a build, and the plain way to run without it.

A build is a short batch run that makes many objects and few cycles: collecting them rarely
saves a fifth of a large build, and freezing what is alive at the end spares the interpreter a
last full collection on exit. Memory use is unchanged (measured in tests/bench/). Reading a
folder of articles makes tens of thousands of new objects, none in a cycle: the collector is
paused meanwhile, as it would only rescan them.

RAMEAU_PLAIN_GC=1 runs with Python's own collector settings: the reference the tuned build is
compared with (tests/test_gc_tuning.py), and the first thing to try if memory ever grows.
Python's documentation of these calls: https://docs.python.org/3/library/gc.html
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

PLAIN = "RAMEAU_PLAIN_GC"
BUILD_THRESHOLD = (100_000, 20, 20)  # Python's default: (700, 10, 10)


def plain() -> bool:
    """True when the environment asks for Python's own collector settings."""
    return os.environ.get(PLAIN, "") not in ("", "0")


def tune_for_a_build() -> None:
    """Collect the youngest objects far less often, for the rest of this process."""
    if not plain():
        gc.set_threshold(*BUILD_THRESHOLD)


def freeze_before_exit() -> None:
    """Move what is alive to the permanent generation, which exit does not collect."""
    if not plain():
        gc.freeze()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collection inside the block (unless the run is plain); a disabled collector stays so."""
    if plain():
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
