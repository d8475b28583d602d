"""What the CLI tells a person: rich on a terminal, plain lines in a CI log or with NO_COLOR."""

from __future__ import annotations

import os
import sys

from rich.console import Console

from .build import BuildResult


def stderr_console() -> Console:
    plain = not sys.stderr.isatty() or "NO_COLOR" in os.environ
    return Console(stderr=True, no_color=plain, highlight=False, soft_wrap=plain)


def report_build(console: Console, result: BuildResult) -> None:
    for problem in result.warnings:
        console.print(f"warning: {problem}", markup=False, style="yellow")
    where = f" in {result.path}" if result.path else ""
    console.print(f"Edition {result.edition.id}: {len(result.issues)} segment(s) built{where}", markup=False, style="bold")
    for rendered in result.issues:
        issue = rendered.issue
        size = len(rendered.html.encode()) // 1024
        console.print(
            f"  {issue.segment.id}: {len(issue.articles)} article(s), {size} KB HTML, subject: {issue.subject}",
            markup=False,
        )
    for segment_id in result.manifest["empty_segments"]:
        console.print(f"  {segment_id}: skipped, no article", markup=False, style="yellow")
