"""Content as blocks: what an article's body, a summary or the édito says, once, for every
renderer (the email's HTML, its text part, the terminal preview): paragraphs, headings, lists,
quotes, code, tables, images, videos and notes, with their inline text, emphasis, code and
links. They are read from sanitized HTML by content/read_html.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Union

from ..project.reading import one_line

# --- The model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A run of inline content: `text`, `strong`, `em`, `code`, `del`, `sup`, `sub`, `link`, `br`."""

    kind: str
    text: str = ""  # text, code
    children: tuple[Span, ...] = ()  # strong, em, del, sup, sub, link
    href: str = ""  # link


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Paragraph:
    spans: Inline


@dataclass(frozen=True)
class Heading:
    level: int  # 2 to 6 in the email
    spans: Inline


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]
    checked: bool | None = None  # a task: done or not


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Code:
    text: str  # verbatim, lines kept


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]  # may be empty (a table without a header row)
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str, ...] = ()  # "left", "right", "center" or "" per column

    @property
    def columns(self) -> int:
        return max([len(self.header), *(len(row) for row in self.rows)], default=0)


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    width: int | None = None
    height: int | None = None
    href: str = ""  # the image is a link


@dataclass(frozen=True)
class Video:
    """A YouTube or Vimeo link alone on its line: a thumbnail card that links to the video."""

    url: str
    thumbnail: str
    provider: str
    width: int = 480  # the thumbnail's own size: shown in its proportions, never stretched
    height: int = 360


@dataclass(frozen=True)
class Notes:
    """Footnotes, numbered, at the end of their article."""

    items: tuple[tuple[Block, ...], ...]


Block = Union[Paragraph, Heading, ListBlock, Quote, Code, Rule, Table, Image, Video, Notes]
Blocks = tuple[Block, ...]


def text_of(spans: Inline) -> str:
    return "".join(span.text if span.kind in ("text", "code") else " " if span.kind == "br" else text_of(span.children)
                   for span in spans)


def plain(spans: Inline) -> str:
    """The words of inline content, on one line."""
    return one_line(text_of(spans))


def map_links(blocks: Blocks, change: Callable[[str], str]) -> Blocks:
    """The same blocks, every link's address passed through `change` (UTM tagging)."""

    def spans(items: Inline) -> Inline:
        return map_inline_links(items, change)

    def block(item: Block) -> Block:
        if isinstance(item, (Paragraph, Heading)):
            return replace(item, spans=spans(item.spans))
        if isinstance(item, ListBlock):
            return replace(item, items=tuple(replace(i, blocks=map_links(i.blocks, change)) for i in item.items))
        if isinstance(item, Quote):
            return replace(item, blocks=map_links(item.blocks, change))
        if isinstance(item, Table):
            return replace(item, header=tuple(spans(c) for c in item.header),
                           rows=tuple(tuple(spans(c) for c in row) for row in item.rows))
        if isinstance(item, Notes):
            return replace(item, items=tuple(map_links(n, change) for n in item.items))
        if isinstance(item, Image) and item.href:
            return replace(item, href=change(item.href))
        if isinstance(item, Video):
            return replace(item, url=change(item.url))
        return item

    return tuple(block(item) for item in blocks)


def map_inline_links(items: Inline, change: Callable[[str], str]) -> Inline:
    """The same inline content, every link's address passed through `change`."""
    return tuple(replace(s, href=change(s.href), children=map_inline_links(s.children, change)) if s.kind == "link"
                 else replace(s, children=map_inline_links(s.children, change)) if s.children else s for s in items)
