"""The terminal preview: what each segment's email says, as a reader would go through it.

Built from the same `Issue` as the email, in memory; nothing is written. This is the view for
a terminal (rich: colours, a box for the inbox row, rules); a pipe, a CI log, `TERM=dumb` or
`NO_COLOR` get plain text from plain.py instead.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..compose.grouping import Decision, Reason
from ..compose.issue import for_reading
from ..pipeline import Build, EditionBuild
from ..render.emails import Email
from ..render.text import LinkList, inline_text
from .plain import image_line, meta_line, overview_rows
from .rich_blocks import Unbroken, held, released


def overview(built: EditionBuild) -> Table:
    """One row per segment: what it holds and how big its email is. The ids and sizes never
    fold; the subject takes the rest of the width (at 120 columns, the whole subject)."""
    table = Table(title=f"Edition {built.edition.id}", box=box.SIMPLE_HEAD, expand=True, title_justify="left")
    table.add_column("Segment", no_wrap=True)
    table.add_column("Articles", justify="right", no_wrap=True)
    table.add_column("Subject", ratio=1)
    table.add_column("HTML", justify="right", no_wrap=True)
    table.add_column("Text", justify="right", no_wrap=True)
    for segment_id, count, subject, html, text in overview_rows(built):
        style = "italic" if count == "0" else ""
        table.add_row(segment_id, count, Text(held(subject), style=style), html, text)
    return table


def inbox_row(email: Email) -> Panel:
    """The subject and preheader as a mail client's inbox list shows them."""
    issue = email.issue
    row = Text()
    row.append(held(issue.newsletter.sender_name), style="bold")
    row.append("\n")
    row.append(held(issue.subject), style="bold")
    row.append(" — ")
    row.append(held(issue.preheader), style="dim")
    return Panel(row, title=f"{issue.segment.title}", title_align="left", box=box.ROUNDED)


def segment_view(email: Email) -> Group:
    """The email of one segment: inbox row, édito, articles with numbered links, the links."""
    from ..render.templates import text_look
    from .rich_blocks import rich_blocks

    issue = for_reading(email.issue)
    look = text_look(issue)
    links = LinkList()
    parts: list = [inbox_row(email)]
    if issue.edito:
        parts.append(Rule(issue.words.edito, align="left", style="dim"))
        parts.extend(_spaced(rich_blocks(issue.edito, links, look)))
    parts.append(Rule(issue.words.articles(len(issue.articles)), align="left", style="dim"))
    for index, article in enumerate(issue.articles):
        heading = Text(f"{index + 1}. ", style="bold")
        heading.append(held(article.title), style="bold")
        heading.append(f" [{links.number(article.url)}]", style="cyan")
        parts.append(Unbroken(heading))
        parts.append(Unbroken(Text(held(meta_line(article)), style="dim")))
        if article.image:
            parts.append(Unbroken(Text(held(image_line(article, look)), style="italic dim")))
        if article.full:
            parts.extend(_spaced(rich_blocks(article.body, links, look)))
        elif article.summary:
            parts.append(Unbroken(Text(held(inline_text(article.summary, links)))))
        parts.append(Text(""))
    parts.append(Rule(issue.words.links, align="left", style="dim"))
    for number, url in enumerate(links.urls, start=1):
        line = Text(f"[{number}] ", style="cyan", no_wrap=True, overflow="ignore")  # a URL is never cut
        line.append(url, style=f"link {url}")
        parts.append(line)
    return Group(*parts)


def _spaced(items: list) -> list:
    """A blank line between blocks, as on paper."""
    out: list = []
    for item in items:
        if out:
            out.append(Text(""))
        out.append(item)
    return out


def render_preview(console: Console, built: Build, show_overview: bool) -> str:
    """The preview as `console` would print it (with its colours, at its width), in one string:
    the caller prints it or hands it to a pager. Lines longer than the width (a long URL) are
    kept whole, for the terminal to fold without cutting the link."""
    with console.capture() as capture:
        for edition in built.editions:
            if show_overview:
                console.print(overview(edition))
            for email in edition.emails:
                console.print(segment_view(email), crop=False)
                console.print()
    return released(capture.get())


def articles_tables(built: Build, everything: bool = False) -> list[Table]:
    """For each edition, its window's articles (or, with `everything`, the whole pool), and
    which segments take each one or why not."""
    return [_articles_table(built, edition, everything) for edition in built.editions]


def _articles_table(built: Build, edition: EditionBuild, everything: bool) -> Table:
    decisions: dict[str, dict[str, Decision]] = {}
    for selection in edition.selections:
        for decision in selection.decisions:
            decisions.setdefault(decision.article_id, {})[decision.segment_id] = decision
    outside = {s.segment.id: Decision("", s.segment.id, Reason.OUTSIDE_WINDOW) for s in edition.selections}
    window = edition.edition.window.as_dict()
    table = Table(title=f"Edition {edition.edition.id}: articles, window {window['since']} to {window['until']}",
                  box=box.SIMPLE_HEAD, expand=True, title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("Article", overflow="fold", ratio=5)
    table.add_column("Segments", overflow="fold", ratio=4)
    hidden = 0
    for article in sorted(built.pool.articles, key=lambda a: (a.date, a.id), reverse=True):
        if not everything and article.id not in decisions:
            hidden += 1
            continue
        cell = Text(article.title, style="bold")
        cell.append(f"\n{article.id}", style="dim")
        cell.append(f"\n{', '.join(article.audiences) or 'no audience'}", style="dim")
        table.add_row(article.date.strftime("%Y-%m-%d"), cell, _segments_cell(decisions.get(article.id, outside)))
    if hidden:
        table.caption = f"{hidden} more article(s) outside the window; --all lists them too"
        table.caption_justify = "left"
    return table


def _segments_cell(decisions: dict[str, Decision]) -> Text:
    """✓ the segments that take the article (a late one says so), ✗ the others, by reason."""
    cell = Text()
    taken = [segment for segment, decision in decisions.items() if decision.reason is Reason.SELECTED]
    if taken:
        cell.append("✓ " + ", ".join(taken), style="green")
    by_reason: dict[tuple[bool, str], list[str]] = {}
    for segment, decision in decisions.items():
        if decision.reason is not Reason.SELECTED:
            by_reason.setdefault((decision.taken, str(decision)), []).append(segment)
    for (took, reason), segments in by_reason.items():
        if cell:
            cell.append("\n")
        everywhere = len(segments) == len(decisions)
        mark, style = ("✓", "green") if took else ("✗", "yellow")
        cell.append(f"{mark} {'all segments' if everywhere else ', '.join(segments)}: {reason}", style=style)
    return cell
