"""A progress display on stderr while rameau works, on a terminal only: a spinner at once, and a
bar for each long task as the library reports it (articles read, feeds fetched, links asked).
A pipe, a CI log, `TERM=dumb` or `NO_COLOR` get nothing, and do not import rich's progress.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .reporting import plain_output

Report = Callable[[str, int, int], None]  # (what, done, total)


@contextlib.contextmanager
def progress_display(doing: str, quiet: bool = False) -> Iterator[Report | None]:
    """`with progress_display("Building") as progress:` hand `progress` to the library; it is
    None (nothing to show) off a terminal or with `quiet`. The display goes when the work ends."""
    if quiet or plain_output(sys.stderr):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    display = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
                       TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    display.add_task(f"{doing}…", total=None, count="")
    tasks: dict[str, Any] = {}  # rich TaskIDs

    def report(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = display.add_task(what, total=total, count="")
        display.update(tasks[what], completed=done, total=total, count=f"{done:,}/{total:,}")

    with display:
        yield report
