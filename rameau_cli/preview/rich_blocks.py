"""Blocks in the terminal (rich): paragraphs, headings, lists, quotes, code, tables, images,
videos and notes, with links numbered as in the text part and listed at the end."""

from __future__ import annotations

from typing import Any

from rich import box
from rich._wrap import divide_line
from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table as RichTable
from rich.text import Text

from ..content.blocks import Block, Blocks, Code, Heading, Image, ListBlock, Notes, Paragraph, Quote, Rule, Table, Video
from ..render.text import LinkList, TextLook, inline_text, row_pairs

# rich folds lines at any whitespace, no-break spaces included, which would start a French line
# with ":" or "»". They stand as private-use characters while rich folds, and come back after.
HELD = str.maketrans({"\u00a0": "\ue000", "\u202f": "\ue001"})
RELEASED = str.maketrans({"\ue000": "\u00a0", "\ue001": "\u202f"})


def held(text: str) -> str:
    """`text` with its no-break spaces held together through rich's folding."""
    return text.translate(HELD)


def released(text: str) -> str:
    """What rich printed, its no-break spaces back."""
    return text.translate(RELEASED)


def rich_blocks(blocks: Blocks, links: LinkList, look: TextLook, indent: int = 0) -> list[Any]:
    out: list[Any] = []
    for block in blocks:
        out.extend(_block(block, links, look, indent))
    return out


class Unbroken:
    """Text folded at spaces to the terminal's width, never inside a word: a URL, a long word
    or (`verbatim`) a code line longer than the width stays whole on its line, for the terminal
    to wrap. rich would fold it, or crop it inside a Padding: a link or a command copied from
    the preview would break."""

    def __init__(self, text: Text, indent: int = 0, verbatim: bool = False):
        self.text, self.indent, self.verbatim = text, indent, verbatim

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width - self.indent)
        lines = []
        for line in self.text.split("\n", allow_blank=True):
            pieces = [line] if self.verbatim else line.divide(divide_line(line.plain, width, fold=False))
            for piece in pieces:
                if not self.verbatim:
                    piece.rstrip()
                lines.append(Text(" " * self.indent) + piece if self.indent else piece)
        yield Text("\n", end="\n", no_wrap=True, overflow="ignore").join(lines)


def _pad(renderable: Any, indent: int) -> Any:
    if isinstance(renderable, Text):
        return Unbroken(renderable, indent)
    if isinstance(renderable, Unbroken):
        return Unbroken(renderable.text, renderable.indent + indent, renderable.verbatim)
    return Padding(renderable, (0, 0, 0, indent)) if indent else renderable


def _block(block: Block, links: LinkList, look: TextLook, indent: int) -> list[Any]:
    if isinstance(block, Paragraph):
        return [_pad(Text(held(inline_text(block.spans, links))), indent)]
    if isinstance(block, Heading):
        return [_pad(Text(held(inline_text(block.spans, links)), style="bold underline"), indent)]
    if isinstance(block, ListBlock):
        out: list[Any] = []
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}. " if block.ordered else "• "
            if item.checked is not None:
                marker += "☑ " if item.checked else "☐ "
            inner = rich_blocks(item.blocks, links, look, 0)
            head = inner[0] if inner else None
            first = head.text if isinstance(head, Unbroken) and not head.verbatim else \
                head if isinstance(head, Text) else Text("")
            out.append(_pad(Text(marker) + first, indent))
            out.extend(_pad(item, indent + len(marker)) for item in (inner[1:] if first.plain else inner))
        return out
    if isinstance(block, Quote):
        quoted = Text("\n").join(_texts(rich_blocks(block.blocks, links, look)))
        quoted.stylize("italic")
        return [_pad(quoted, indent + 2)]
    if isinstance(block, Code):
        return [Unbroken(Text(block.text, style="bold green"), indent + 4, verbatim=True)]
    if isinstance(block, Rule):
        return [_pad(Text("* * *", style="dim"), indent)]
    if isinstance(block, Table):
        return [_pad(_FittingTable(block, links, look), indent)]
    if isinstance(block, Image):
        return [_pad(Text(held(f"{look.image_label}{look.colon} {block.alt}"), style="italic dim"), indent)] if block.alt else []
    if isinstance(block, Video):
        label = look.video_label.format(provider=block.provider)
        return [_pad(Text(held(f"▶ {label} [{links.number(block.url)}]"), style="italic"), indent)]
    if isinstance(block, Notes):
        out = [_pad(Text(held(look.notes_label), style="bold dim"), indent)]
        for number, note in enumerate(block.items, start=1):
            parts = _texts(rich_blocks(note, links, look))
            out.append(_pad(Text(f"{number}. ", style="dim") + Text(" ").join(parts), indent))
        return out
    return []


class _FittingTable:
    """A table in columns where each word of each cell fits whole; on a terminal too narrow for
    that, a block per row as in the text part (`Site: Canal East`), rather than words cut."""

    def __init__(self, block: Table, links: LinkList, look: TextLook):
        header = [held(inline_text(cell, links)) for cell in block.header]
        rows = [[held(inline_text(cell, links)) for cell in row] for row in block.rows]
        self.table = RichTable(box=box.SIMPLE_HEAD, show_header=bool(header), expand=False)
        for index in range(block.columns):
            align = block.align[index] if index < len(block.align) and block.align[index] else "left"
            # rich shrinks a column below its longest word: that word is the column's least width
            words = [len(word) for row in [header, *rows] if index < len(row) for word in row[index].split()]
            self.table.add_column(Text(header[index] if index < len(header) else ""), justify=align,  # type: ignore[arg-type]
                                  overflow="fold", min_width=max(words, default=0))
        for row in rows:
            self.table.add_row(*(Text(cell) for cell in row))
        self.stacked = Text("\n\n").join(Text("\n").join(Text(held(pair)) for pair in pairs)
                                          for pairs in row_pairs(header, rows, look))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Laid out at this width (rich cannot shrink a column below its least width, and its own
        # measure of the table can be a column or two short): shown if every line fits.
        segments = list(console.render(self.table, options))
        if all(Segment.get_line_length(line) <= options.max_width for line in Segment.split_lines(segments)):
            yield from segments
        else:
            yield self.stacked


def _texts(items: list[Any]) -> list[Text]:
    return [item if isinstance(item, Text) else item.text if isinstance(item, Unbroken)
            else Text(str(getattr(item, "renderable", ""))) for item in items]
