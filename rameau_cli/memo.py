"""A speed trick for a process that builds more than once (a live preview, a program or a test
suite that runs rameau's commands in-process): a step whose result depends on its arguments
alone keeps what it gave, and gives it again for the same arguments, as Jinja keeps the
templates it has loaded. A command that builds once gains nothing and loses nothing.

The steps kept are pure functions of text: MJML to HTML (render/mjml.py), a theme template's
text to Python code (render/templates.py), an accent's shade for dark mode (render/palette.py),
and what `rameau check` reads of an email's HTML: its parse errors, and its images, links,
tables and code as each client reads them (check/rules.py). Each keeps a few results at most,
the most recent. RAMEAU_PLAIN_MEMO=1 runs without any of it; tests/test_memo.py holds the kept
steps to the plain ones.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

PLAIN = "RAMEAU_PLAIN_MEMO"
T = TypeVar("T")

_hits = [0]  # results given again, in this process: what the tests see of the trick


def plain() -> bool:
    """True when the environment asks for every step to be done again each time."""
    return os.environ.get(PLAIN, "") not in ("", "0")


def hits() -> int:
    """How many results were given again, kept, in this process."""
    return _hits[0]


class Kept(Generic[T]):
    """At most `size` results, by their key; the oldest goes first."""

    def __init__(self, size: int):
        self.size = size
        self._results: dict[Hashable, T] = {}
        self._lock = threading.Lock()  # a live preview builds in one thread while it serves in others

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept for `key`, else `make()` (kept when it returns). A key that cannot be
        one (a list a template passed a filter) is made, as without the memo."""
        if plain():
            return make()
        try:
            hash(key)
        except TypeError:
            return make()
        with self._lock:
            if key in self._results:
                _hits[0] += 1
                return self._results[key]
        result = make()
        with self._lock:
            self._results[key] = result
            if len(self._results) > self.size:
                del self._results[next(iter(self._results))]
        return result


def kept(size: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A function of hashable arguments, its last `size` results kept (`__wrapped__` is the function)."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        results: Kept[T] = Kept(size)

        @functools.wraps(function)
        def step(*args: Any) -> T:
            return results.get(args, lambda: function(*args))

        return step

    return decorate
