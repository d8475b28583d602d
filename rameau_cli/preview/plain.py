"""The terminal preview as plain text, for a pipe, a file, a CI log, `TERM=dumb` or `NO_COLOR`.

The same reading order as on a terminal (terminal.py), with no colour, no box drawing and no
trailing space, and every URL whole on one line however long it is, so that a copied link
works. Lines are folded at spaces only (never at a no-break space, a hyphen or inside a word
that is a URL), as the text part's are. No rich here: a pipe does not pay for its import.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from ..compose.issue import for_reading
from ..render.text import LinkList, TextLook, blocks_text, inline_text, upper_first, wrap

if TYPE_CHECKING:
    from ..compose.issue import IssueArticle
    from ..pipeline import Build, EditionBuild
    from ..render.emails import Email

COLUMNS = ("Segment", "Articles", "Subject", "HTML", "Text")
GAP = "  "


def kilobytes(text: str) -> str:
    return f"{len(text.encode('utf-8')) / 1024:.1f} KB"


def plain_preview(built: Build, show_overview: bool, width: int) -> str:
    """Every edition: its overview (when asked), then each segment's email as a reader meets it."""
    parts: list[str] = []
    for edition in built.editions:
        if show_overview:
            parts.append(overview_text(edition, width))
        parts.extend(segment_text(email, width) for email in edition.emails)
    return tidy("\n\n".join(parts))


def overview_rows(built: EditionBuild) -> list[tuple[str, str, str, str, str]]:
    """One row per segment: id, article count, subject, HTML size, text size."""
    rows = [(e.issue.segment.id, str(len(e.issue.articles)), e.issue.subject, kilobytes(e.html), kilobytes(e.text))
            for e in built.emails]
    return rows + [(segment_id, "0", "no article: no email", "-", "-") for segment_id in built.empty]


def overview_text(built: EditionBuild, width: int) -> str:
    """Aligned columns; only the subject folds, under itself, when the line is too narrow."""
    rows = overview_rows(built)
    sizes = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    fixed = sum(sizes) - sizes[2] + len(GAP) * (len(COLUMNS) - 1)
    room = max(12, min(sizes[2], width - fixed))
    lines = [f"Edition {built.edition.id}", ""]
    for row in [COLUMNS, *rows]:
        subject = textwrap.wrap(row[2], room, break_long_words=False, break_on_hyphens=False) or [""]
        cells = [row[0].ljust(sizes[0]), row[1].rjust(sizes[1]), subject[0].ljust(room), row[3].rjust(sizes[3]),
                 row[4].rjust(sizes[4])]
        lines.append(GAP.join(cells))
        indent = " " * (sizes[0] + sizes[1] + 2 * len(GAP))
        lines.extend(indent + more for more in subject[1:])
    return "\n".join(lines)


def heading(text: str, underline: str = "-") -> str:
    return f"{text}\n{underline * len(text)}"


def segment_text(email: Email, width: int) -> str:
    """One segment's email: inbox row, édito, articles with numbered links, the links."""
    from ..render.templates import text_look

    issue = for_reading(email.issue)
    look = text_look(issue)
    links = LinkList()
    parts = [heading(issue.segment.title, "="), wrap(issue.newsletter.sender_name, width) + "\n"
             + wrap(f"{issue.subject} — {issue.preheader}", width)]
    if issue.edito:
        parts.append(heading(issue.words.edito) + "\n" + blocks_text(issue.edito, links, look, width))
    articles = [heading(issue.words.articles(len(issue.articles)))]
    for index, article in enumerate(issue.articles, start=1):
        lines = [wrap(f"{index}. {article.title} [{links.number(article.url)}]", width), wrap(meta_line(article), width)]
        if article.image:
            lines.append(wrap(image_line(article, look), width))
        if article.full:
            lines.append(blocks_text(article.body, links, look, width))
        elif article.summary:
            lines.append(wrap(inline_text(article.summary, links), width))
        articles.append("\n".join(lines))
    parts.append("\n\n".join(articles))
    parts.append(heading(issue.words.links) + "\n" + links.listing())
    return "\n\n".join(parts)


def tidy(text: str) -> str:
    """No trailing space on any line, and one newline at the end."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def meta_line(article: IssueArticle) -> str:
    """An article's date and author, as both previews show them under its title."""
    return upper_first(article.date_long) + (f" · {article.author}" if article.author else "")


def image_line(article: IssueArticle, look: TextLook) -> str:
    """The alt text of an article's image, where an email shows the picture."""
    return f"{look.image_label}{look.colon} {article.image_alt}"
