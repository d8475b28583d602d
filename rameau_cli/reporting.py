"""What the CLI tells a person: rich on a terminal, plain lines in a CI log or with NO_COLOR."""

from __future__ import annotations

import contextlib
import os
import sys

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console



class PlainConsole:
    """Messages for a CI log or a pipe: one plain line each, no colour, no spinner (and no rich
    import, which a one-shot build does not need)."""

    is_terminal = False
    no_color = True

    def print(self, *objects, markup=True, style=None, **_options) -> None:
        print(*objects, file=sys.stderr)


def stderr_console():
    if not sys.stderr.isatty() or "NO_COLOR" in os.environ:
        return PlainConsole()
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def building(console, quiet: bool):
    """A spinner while building, on a terminal only: CI logs get plain lines."""
    if quiet or not console.is_terminal or console.no_color:
        yield
        return
    with console.status("Building…", spinner="dots"):
        yield


def report_warnings(console, warnings) -> None:
    for problem in warnings:
        console.print(f"warning: {problem}", markup=False, style="yellow")


def report_build(console, results) -> None:
    report_warnings(console, results[0].warnings if results else ())
    for result in results:
        where = f" in {result.path}" if result.path else ""
        console.print(f"Edition {result.edition.id}: {len(result.issues)} segment(s) built{where}", markup=False, style="bold")
        for rendered in result.issues:
            issue = rendered.issue
            size = len(rendered.html.encode()) // 1024
            number = f"n° {issue.number}, " if issue.number else ""
            console.print(
                f"  {issue.segment.id}: {number}{len(issue.articles)} article(s), {size} KB HTML, subject: {issue.subject}",
                markup=False,
            )
        for segment_id in result.manifest["empty_segments"]:
            console.print(f"  {segment_id}: skipped, nothing to send", markup=False, style="yellow")


def report_check(console: "Console", where: str, parts, findings) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Checked {where}", title_justify="left", expand=True)
    table.add_column("Segment", no_wrap=True)
    table.add_column("HTML", justify="right", no_wrap=True)
    table.add_column("Result", overflow="fold", ratio=1)
    for part in parts:
        mine = [f for f in findings if f.segment == part.segment]
        lines = [f"[{'red' if f.level == 'error' else 'yellow'}]{f.level}[/]: {escape(f.message)}" for f in mine] or ["[green]ok[/]"]
        table.add_row(part.segment, f"{len(part.html.encode()) / 1000:.0f} KB", "\n".join(lines))
    console.print(table)
    errors = sum(f.level == "error" for f in findings)
    console.print(f"{errors} error(s), {len(findings) - errors} warning(s) in {len(parts)} segment(s)")
