"""The plain-text part: blocks as text of at most 78 columns, with every link kept.

Links are numbered in reading order across the whole email (`text [3]`) and each section lists
its new ones after itself; a bare link stays as it is. Code keeps its lines, indented by four
spaces (the only lines allowed past 78 columns, with URLs); a table is aligned columns when it
fits, else one `Column: value` block per row.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from ..content.blocks import (
    Block,
    Blocks,
    Code,
    Heading,
    Image,
    Inline,
    ListBlock,
    Notes,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
    Video,
)
from ..content.language import typography
from ..project.reading import one_line

TEXT_WIDTH = 78
CODE_INDENT = "    "
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def upper_first(text: str) -> str:
    """`mardi 24 novembre` -> `Mardi 24 novembre`; unlike Jinja's capitalize, the rest is kept
    (`Monday, November 30`, not `Monday, november 30`)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None) -> str:
    """Fold at `width` columns; long URLs stay whole on their own line (a link must stay one
    piece to be followed), longer words are cut. The first line starts with `first` (default:
    `indent`), the others with `indent`."""
    text = one_line(str(text))
    room = width - len(indent)
    if room > 10 and len(text) > room:
        text = " ".join(_cut(word, room) for word in text.split(" "))
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _cut(word: str, room: int) -> str:
    if len(word) <= room or "://" in word or word.startswith("www."):
        return word
    return " ".join(word[i:i + room] for i in range(0, len(word), room))


class LinkList:
    """The links of one text part, numbered in reading order; the same address keeps its number."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.listed = 0

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def listing(self) -> str:
        """`[n] address` for each link numbered since the last listing."""
        lines = [f"[{n}] {url}" for n, url in enumerate(self.urls, start=1) if n > self.listed]
        self.listed = len(self.urls)
        return "\n".join(lines)


@dataclass(frozen=True)
class TextLook:
    image_label: str = "Image"
    video_label: str = "Watch the video on {provider}"
    notes_label: str = "Notes"
    colon: str = ":"


def inline_text(spans: Inline, links: LinkList) -> str:
    return "".join(_span(span, links) for span in spans)


def _span(span: Span, links: LinkList) -> str:
    if span.kind in ("text", "code"):
        return span.text
    if span.kind == "br":
        return "\n"
    inner = inline_text(span.children, links)
    if span.kind == "sup" and inner.isdigit():
        return inner.translate(SUPERSCRIPT)
    if span.kind == "del":
        return f"~~{inner}~~"  # struck out: said so, as people write it in plain text
    if span.kind != "link":
        return inner
    label = one_line(inner)
    if span.href.startswith("mailto:"):
        address = span.href.removeprefix("mailto:")
        return label if label == address else f"{label} ({address})"
    if not label or label in (span.href, span.href.rstrip("/"), re.sub(r"^https?://", "", span.href)):
        return span.href
    return f"{inner} [{links.number(span.href)}]"


def blocks_text(blocks: Blocks, links: LinkList, look: TextLook = TextLook(), width: int = TEXT_WIDTH) -> str:
    return "\n\n".join(text for block in blocks if (text := _block(block, links, look, width)))


def _paragraph(text: str, width: int, first: str = "", indent: str = "") -> str:
    lines = [line for line in text.split("\n")]
    out = []
    for index, line in enumerate(lines):
        lead = first if index == 0 else indent
        out.append(wrap(line, width, indent, lead) or lead.rstrip())
    return "\n".join(out)


def _block(block: Block, links: LinkList, look: TextLook, width: int) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(inline_text(block.spans, links), width)
    if isinstance(block, Heading):
        return _paragraph(inline_text(block.spans, links).upper(), width)
    if isinstance(block, ListBlock):
        return _list(block, links, look, width)
    if isinstance(block, Quote):
        inner = blocks_text(block.blocks, links, look, width - 2)
        return "\n".join(f"> {line}".rstrip() for line in inner.split("\n"))
    if isinstance(block, Code):
        return "\n".join(f"{CODE_INDENT}{line}".rstrip() for line in block.text.split("\n"))
    if isinstance(block, Rule):
        return "* * *"
    if isinstance(block, Table):
        return _table(block, links, look, width)
    if isinstance(block, Image):
        text = f"({look.image_label}{look.colon} {block.alt})" if block.alt else f"({look.image_label})" if block.href else ""
        if block.href:
            text += f" [{links.number(block.href)}]"
        return _paragraph(text, width)
    if isinstance(block, Video):
        return _paragraph(f"▶ {look.video_label.format(provider=block.provider)} [{links.number(block.url)}]", width)
    if isinstance(block, Notes):
        items = [_item(f"{n}. ", blocks_text(note, links, look, width - len(f"{n}. ")))
                 for n, note in enumerate(block.items, start=1)]
        return look.notes_label.upper() + "\n" + "\n".join(items)
    return ""


def _item(marker: str, text: str) -> str:
    """A list item: its marker on the first line, the next lines indented under its text."""
    pad = " " * len(marker)
    lines = text.split("\n")
    return "\n".join([marker + lines[0]] + [(pad + line).rstrip() for line in lines[1:]])


def _list(block: ListBlock, links: LinkList, look: TextLook, width: int) -> str:
    out = []
    for index, item in enumerate(block.items, start=block.start):
        marker = f"{index}. " if block.ordered else "- "
        if item.checked is not None:
            marker += "[x] " if item.checked else "[ ] "
        inner = "\n".join(blocks_text((b,), links, look, width - len(marker)) for b in item.blocks)
        out.append(_item(marker, inner))
    return "\n".join(out)


def _table(table: Table, links: LinkList, look: TextLook, width: int) -> str:
    header = [one_line(inline_text(cell, links)) for cell in table.header]
    rows = [[one_line(inline_text(cell, links)) for cell in row] for row in table.rows]
    columns = table.columns
    grid = [header] + rows if header else rows
    for row in grid:
        row.extend([""] * (columns - len(row)))
    sizes = [max(len(row[i]) for row in grid) for i in range(columns)]
    if sum(sizes) + 3 * (columns - 1) <= width:
        def line(row: list[str]) -> str:
            cells = [cell.rjust(sizes[i]) if i < len(table.align) and table.align[i] == "right" else cell.ljust(sizes[i])
                     for i, cell in enumerate(row)]
            return " | ".join(cells).rstrip()

        lines = [line(row) for row in grid]
        if header:
            lines.insert(1, "-+-".join("-" * size for size in sizes))
        return "\n".join(lines)
    blocks = ["\n".join(wrap(pair, width, indent="  ", first="") for pair in pairs)
              for pairs in row_pairs(header, rows, look)]
    return "\n\n".join(blocks)


def row_pairs(header: list[str], rows: list[list[str]], look: TextLook) -> list[list[str]]:
    """A table too wide for its screen, as a block per row: each value after its column's name
    (`Site: Canal East`), or the row's values alone when the table has no header."""
    if header:
        return [[f"{name or '—'}{look.colon} {value}" for name, value in zip(header, row, strict=False)] for row in rows]
    return [[value for value in row if value] for row in rows]


def finish_text(text: str, language: str, keep: tuple[str, ...] = ()) -> str:
    """Typography and tidy line ends for the whole text part; `keep` (merge tags) and code lines
    (indented by four spaces) stay as they are."""
    for index, tag in enumerate(keep):
        text = text.replace(tag, f"\x00{index}\x00")
    lines = [line if line.startswith(CODE_INDENT) else typography(line, language) for line in text.split("\n")]
    text = "\n".join(lines)
    for index, tag in enumerate(keep):
        text = text.replace(f"\x00{index}\x00", tag)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
