"""What the CLI tells a person: rich on a terminal, plain lines in a CI log or with NO_COLOR."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..redact import mask

if TYPE_CHECKING:
    from rich.console import Console

    from ..builds import Build, EditionBuild
    from ..errors import Problem
    from ..pipeline import Result
    from ..render.emails import Email


class PlainConsole:
    """Messages for a CI log or a pipe: one plain line each, no colour, no spinner (and no rich
    import, which a one-shot build does not need)."""

    def print(self, *objects: Any, markup: bool = True, style: str | None = None, **_options: Any) -> None:
        print(*objects, file=sys.stderr)


def is_terminal(stream: Any) -> bool:
    """A terminal a person reads: not a pipe, a file or a CI log, and not `TERM=dumb`."""
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # a closed or stand-in stream
        return False


def plain_output(stream: Any) -> bool:
    """Plain text for `stream`: no colour, no box drawing, no spinner. Off a terminal, and with
    `NO_COLOR` set to anything but nothing (no-color.org)."""
    return not is_terminal(stream) or bool(os.environ.get("NO_COLOR"))


def stdout_console() -> Console:
    from rich.console import Console

    return Console(no_color=plain_output(sys.stdout), highlight=False, emoji=False)


def stderr_console() -> Any:
    if plain_output(sys.stderr):
        return PlainConsole()
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def report_warnings(console: Any, warnings: Iterable[Problem]) -> None:
    for problem in warnings:
        console.print(f"warning: {mask(str(problem))}", markup=False, style="yellow")


def report_build(console: Any, result: Result) -> None:
    report_warnings(console, result.warnings)
    for built, written in zip(result.build.editions, result.written, strict=True):
        where = f" in {written.path}" if written.path else "; nothing written"
        console.print(f"Edition {built.edition.id}: {len(built.emails)} segment(s) built{where}", markup=False,
                      style="bold")
        for email in built.emails:
            issue = email.issue
            size = len(email.html.encode()) // 1024
            number = f"issue {issue.number}, " if issue.number else ""
            count = f"{len(issue.articles)} article{'' if len(issue.articles) == 1 else 's'}"
            console.print(f"  {issue.segment.id}: {number}{count}, {size} KB HTML, "
                          f"subject: {issue.subject}", markup=False)
            report_late(console, built, issue.segment.id)
        for segment_id in built.empty:
            console.print(f"  {segment_id}: skipped, nothing to send", markup=False, style="yellow")
            report_late(console, built, segment_id)
    report_skipped(console, result.build.pool.skipped)


def report_late(console: Any, built: EditionBuild, segment_id: str) -> None:
    """The articles a segment's email carries late, or leaves out as late (`late: skip`)."""
    from ..compose.grouping import Reason

    for selection in built.selections:
        if selection.segment.id != segment_id:
            continue
        for decision in selection.decisions:
            if decision.reason in (Reason.LATE, Reason.LATE_SKIPPED):
                console.print(f"    {decision.article_id}: {decision}", markup=False)


def report_skipped(console: Any, skipped: Iterable[Problem]) -> None:
    """The article files and entries that are in no email because they could not be used."""
    skipped = list(skipped)
    if skipped:
        console.print(f"{len(skipped)} article(s) skipped, in no email:", markup=False, style="bold yellow")
        for problem in skipped:
            console.print(f"  {problem}", markup=False)


def report_preview(built: Build, show_overview: bool, pager: bool) -> None:
    """The preview on stdout: rich on a terminal, plain text otherwise; through the pager when
    it is taller than the terminal."""
    if plain_output(sys.stdout):
        from ..preview.plain import plain_preview

        content = plain_preview(built, show_overview, shutil.get_terminal_size().columns)
    else:
        from ..preview.terminal import render_preview

        content = render_preview(stdout_console(), built, show_overview)
    print_long(content, pager)


def print_long(content: str, pager: bool = True) -> None:
    """`content` on stdout: on a terminal, through the pager when it is taller than the screen."""
    if pager and is_terminal(sys.stdout):
        from .pager import page  # rich's pager, never imported for a pipe

        page(content)
    else:
        sys.stdout.write(content)


def print_tables(tables: list[Any]) -> None:
    """rich tables on stdout; in plain output, without their box and trailing spaces."""
    console = stdout_console()
    if not plain_output(sys.stdout):
        console.print(*tables)
        return
    for table in tables:
        table.box = None
    with console.capture() as capture:
        console.print(*tables)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def finding_line(finding: Any) -> str:
    """`hebdo-association: warning: subject is 63 characters; ... [subject-length]`."""
    where = f"{finding.segment}: " if finding.segment else ""
    return f"{where}{finding.level}: {finding.message} [{finding.rule}]"


def report_check(where: str, parts: list[Any], findings: list[Any]) -> None:
    """On stdout: a line per finding in a pipe or a CI log, a table per segment on a terminal;
    then how many errors and warnings."""
    order = {part.segment: index for index, part in enumerate(parts)}
    findings = sorted(findings, key=lambda f: order.get(f.segment, len(order)))
    errors = sum(f.level == "error" for f in findings)
    count = f"{errors} error(s), {sum(f.level == 'warning' for f in findings)} warning(s) in {len(parts)} segment(s)"
    if plain_output(sys.stdout):
        print("\n".join([f"Checked {where}", *map(finding_line, findings), count]))
        return
    console = stdout_console()
    console.print(_check_table(where, parts, findings))
    for finding in findings:
        if not finding.segment:  # about the sources (an article skipped, an image left out): every segment
            console.print(_finding_text(finding))
    console.print(count, markup=False)


def _check_table(where: str, parts: list[Any], findings: list[Any]) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Checked {where}", title_justify="left", expand=True)
    table.add_column("Segment", no_wrap=True)
    table.add_column("HTML", justify="right", no_wrap=True)
    table.add_column("Result", overflow="fold", ratio=1)
    for part in parts:
        lines = [_finding_text(f) for f in findings if f.segment == part.segment] or [Text("ok", style="green")]
        table.add_row(part.segment, f"{len(part.html.encode()) / 1000:.0f} KB", Text("\n").join(lines))
    return table


def _finding_text(finding: Any) -> Any:
    from rich.text import Text

    colour = {"error": "red", "warning": "yellow"}.get(finding.level, "blue")
    return Text.assemble((finding.level, colour), f": {finding.message} ", (f"[{finding.rule}]", "dim"))


def report_pushed(console: Any, result: Any) -> None:
    """One line per segment as it is pushed: what became of it, and where it is."""
    where = f" ({result.url})" if result.url else ""
    if result.action == "refused":
        console.print(f"{result.segment} ({result.edition}): campaign {result.campaign} left as it is, no longer a draft"
                      f"{where}", markup=False, style="red")
        return
    line = f"{result.segment} ({result.edition}): {result.action} campaign {result.campaign}{where}"
    console.print(line + (f"; {result.note}" if result.note else ""), markup=False)


def report_dry_run(console: Any, results: list[Any]) -> None:
    """What a push would do, segment by segment: never the token, which is in no request line."""
    for result in results:
        what = f"would update campaign {result.campaign} if it is still a draft" if result.action == "update" \
            else "would create a draft"
        console.print(f"{result.segment} ({result.edition}): {what}", markup=False, highlight=False)
        for request in result.requests:
            console.print(f"  {request}", markup=False, highlight=False)
        text = "made by the tool" if result.text_bytes is None else f"{result.text_bytes:,} bytes"
        lists = ", ".join(result.lists) or "every subscriber"
        for line in (f"subject: {result.subject}", f"lists: {lists}", f"HTML: {result.html_bytes:,} bytes; text: {text}"):
            console.print(f"  {line}", markup=False, highlight=False)
        if result.note:
            console.print(f"  note: {result.note}", markup=False, highlight=False)


def text_parts(emails: Sequence[Email]) -> str:
    """The text parts of the emails as they are sent: one alone as it is, several each under a
    line naming its segment and subject (they would run together otherwise)."""
    if len(emails) == 1:
        return emails[0].text
    return "\n".join(f"==== {email.issue.segment.id}: {email.issue.subject}\n\n{email.text}" for email in emails)
