"""The terminal preview: what each segment's email says, as a reader would go through it.

Built from the same `Issue` as the email, in memory; nothing is written.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from .build import BuildResult
from .content import PlainText
from .render import RenderedIssue, upper_first


def kilobytes(text: str) -> str:
    return f"{len(text.encode('utf-8')) / 1024:.1f} KB"


def overview(result: BuildResult) -> Table:
    """One row per segment: what it holds and how big its email is."""
    table = Table(title=f"Edition {result.edition.id}", box=box.SIMPLE_HEAD, expand=True, title_justify="left")
    table.add_column("Segment", overflow="fold", ratio=2)
    table.add_column("Articles", justify="right", no_wrap=True)
    table.add_column("Subject", overflow="fold", ratio=4)
    table.add_column("HTML", justify="right", no_wrap=True)
    table.add_column("Text", justify="right", no_wrap=True)
    for rendered in result.issues:
        issue = rendered.issue
        table.add_row(issue.segment.id, str(len(issue.articles)), Text(issue.subject), kilobytes(rendered.html), kilobytes(rendered.text))
    for segment_id in result.manifest["empty_segments"]:
        table.add_row(segment_id, "0", Text("no article: no email", style="italic"), "–", "–")
    return table


def inbox_row(rendered: RenderedIssue) -> Panel:
    """The subject and preheader as a mail client's inbox list shows them."""
    issue = rendered.issue
    row = Text()
    row.append(issue.newsletter.sender_name, style="bold")
    row.append("\n")
    row.append(issue.subject, style="bold")
    row.append(" — ")
    row.append(issue.preheader, style="dim")
    return Panel(row, title=f"{issue.segment.title}", title_align="left", box=box.ROUNDED)


def _blocks(text: PlainText) -> list[Text]:
    lines: list[Text] = []
    for block in text.blocks:
        if lines and block.kind != "li":
            lines.append(Text(""))
        prefix = {"li": "• ", "quote": "│ "}.get(block.kind, "")
        lines.append(Text(prefix + block.text, style="bold" if block.kind == "h" else ""))
    return lines


def segment_view(rendered: RenderedIssue) -> Group:
    """The email of one segment: inbox row, édito, articles with numbered links, the links."""
    issue = rendered.issue
    parts: list = [inbox_row(rendered)]
    links = list(issue.edito_text.links)
    if issue.edito_text.blocks:
        parts.append(Rule("Édito", align="left", style="dim"))
        parts.extend(_blocks(issue.edito_text))
    parts.append(Rule(f"{len(issue.articles)} article(s)", align="left", style="dim"))
    for index, article in enumerate(issue.articles):
        links.append(article.url)
        number = len(links)
        heading = Text(f"{index + 1}. ", style="bold")
        heading.append(article.title, style="bold")
        heading.append(f" [{number}]", style="cyan")
        meta = upper_first(article.date_long) + (f" · {article.author}" if article.author else "")
        parts.append(heading)
        parts.append(Text(meta, style="dim"))
        if article.summary:
            parts.append(Text(article.summary))
        if article.image:
            parts.append(Text(f"Image: {article.image_alt}", style="italic dim"))
        parts.append(Text(""))
    parts.append(Rule("Links", align="left", style="dim"))
    for number, url in enumerate(links, start=1):
        line = Text(f"[{number}] ", style="cyan")
        line.append(url, style=f"link {url}")
        parts.append(line)
    return Group(*parts)


def print_preview(console: Console, result: BuildResult, show_overview: bool) -> None:
    if show_overview:
        console.print(overview(result))
    for rendered in result.issues:
        console.print(segment_view(rendered))
        console.print()


def articles_table(result: BuildResult, everything: bool = False) -> Table:
    """The articles of the window (or, with `everything`, of the whole pool), and which
    segments take each one or why not."""
    from .grouping import IN_SEGMENT

    decisions: dict[str, dict[str, str]] = {}
    for selection in result.selections:
        for decision in selection.decisions:
            decisions.setdefault(decision.article_id, {})[decision.segment_id] = decision.reason
    window = result.edition.window("*").as_dict()
    table = Table(title=f"Articles, window {window['since']} to {window['until']}", box=box.SIMPLE_HEAD,
                  expand=True, title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("Article", overflow="fold", ratio=5)
    table.add_column("Segments", overflow="fold", ratio=4)
    outside = 0
    for article in sorted(result.articles, key=lambda a: (a.date, a.id), reverse=True):
        reasons = decisions.get(article.id, {})
        if not everything and reasons and all(r == "outside the window" for r in reasons.values()):
            outside += 1
            continue
        cell = Text(article.title, style="bold")
        cell.append(f"\n{article.id}", style="dim")
        cell.append(f"\n{', '.join(article.audiences) or 'no audience'}", style="dim")
        table.add_row(article.date.strftime("%Y-%m-%d"), cell, _segments_cell(reasons, IN_SEGMENT))
    if outside:
        table.caption = f"{outside} more article(s) outside the window; --all lists them too"
        table.caption_justify = "left"
    return table


def _segments_cell(reasons: dict[str, str], taken_marker: str) -> Text:
    cell = Text()
    taken = [segment for segment, reason in reasons.items() if reason == taken_marker]
    if taken:
        cell.append("✓ " + ", ".join(taken), style="green")
    by_reason: dict[str, list[str]] = {}
    for segment, reason in reasons.items():
        if reason != taken_marker:
            by_reason.setdefault(reason, []).append(segment)
    for reason, segments in by_reason.items():
        if cell:
            cell.append("\n")
        everywhere = len(segments) == len(reasons)
        cell.append(f"✗ {'all segments' if everywhere else ', '.join(segments)}: {reason}", style="yellow")
    return cell
