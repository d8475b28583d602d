"""Reading sanitized HTML (from Markdown or a feed, see content/markup.py) into blocks.

Links and images are made absolute against the article's address; a heading is shifted so
that an article's `#` never outranks the email's own headings; a YouTube or Vimeo link alone on
its line becomes a video card; `[x]` opening a list item makes it a task; the newsletter's
typography applies to text, never to code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import unquote

from ..project.reading import one_line
from .blocks import (
    Block,
    Blocks,
    Code,
    Heading,
    Image,
    Inline,
    ListBlock,
    ListItem,
    Notes,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
    Video,
    text_of,
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)


VOID = {"br", "hr", "img", "input", "col", "wbr"}
MAX_DEPTH = 24  # deeper nesting is flattened: no reader needs it, and renderers recurse


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("body", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        if len(self.stack) > MAX_DEPTH and tag not in VOID:
            return
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_tree(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


INLINE_KINDS = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "cite": "em", "code": "code", "kbd": "code",
                "samp": "code", "s": "del", "del": "del", "strike": "del", "sup": "sup", "sub": "sub"}
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "hr", "table", "aside", "div",
              "section", "article", "figure", "figcaption", "header", "footer", "details", "summary", "dl", "dt", "dd",
              "li", "img", "main", "nav", "address", "center"}


@dataclass(frozen=True)
class Reading:
    """How to read one piece of content: where its relative links point, how far headings go down,
    and what happens to its text (typography)."""

    resolve: Callable[[str], str] = lambda url: url
    heading_shift: int = 3  # the level `#` becomes: the email has h1 (the segment) and h2 (articles)
    text: Callable[[str], str] = lambda text: text
    # An image that names a file (no scheme): (its address, width, height) for the width asked,
    # or None to leave it out. None: such an image is a link like any other (a feed's content).
    local_image: Callable[[str, int | None], tuple[str, int, int] | None] | None = None
    # A remote image's width and height, when they can be learned (None: only what its tag says).
    remote_size: Callable[[str], tuple[int, int] | None] | None = None


def read_blocks(html: str, reading: Reading = Reading()) -> Blocks:
    """Sanitized HTML as blocks."""
    return heading_levels(_Reader(reading).blocks(parse_tree(html).children), reading.heading_shift)


def heading_levels(blocks: Blocks, top: int) -> Blocks:
    """Headings shifted so that the content's highest one is `top` (an article's `##` under its
    own h2 title is an h3, as its `#` would be), and so that none skips a level on the way down
    (`##` then `####` are h3 then h4): screen readers and validators read the email's outline."""
    levels = [block.level for block in blocks if isinstance(block, Heading)]
    if not levels:
        return blocks
    highest, previous, out = min(levels), top - 1, []
    for block in blocks:
        if isinstance(block, Heading):
            level = max(top, min(6, block.level - highest + top, previous + 1))
            previous = level
            block = replace(block, level=level)
        out.append(block)
    return tuple(out)


def read_inline(html: str, reading: Reading = Reading()) -> Inline:
    """Sanitized inline HTML (a summary) as spans."""
    return _Reader(reading).inline(parse_tree(html).children)


YOUTUBE = re.compile(r"https?://(?:www\.|m\.)?(?:youtube\.com/watch\?(?:[^#]*&)?v=|youtu\.be/|youtube\.com/shorts/)"
                     r"([A-Za-z0-9_-]{11})\b")
VIMEO = re.compile(r"https?://(?:www\.)?vimeo\.com/(?:video/)?(\d{5,12})\b")


def video(url: str) -> Video | None:
    match = YOUTUBE.match(url)
    if match:
        # hqdefault.jpg is 480×360 (4:3, letterboxed for a 16:9 video), for every video
        return Video(url, f"https://img.youtube.com/vi/{match.group(1)}/hqdefault.jpg", "YouTube", 480, 360)
    match = VIMEO.match(url)
    if match:
        return Video(url, f"https://vumbnail.com/{match.group(1)}.jpg", "Vimeo", 640, 360)  # vumbnail.com: 640×360
    return None


class _Reader:
    def __init__(self, reading: Reading):
        self.reading = reading

    # blocks

    def blocks(self, nodes: list[Element | str]) -> Blocks:
        out: list[Block] = []
        loose: list[Element | str] = []  # inline content met at block level

        def flush() -> None:
            if loose:
                out.extend(self.paragraph(list(loose)))
                loose.clear()

        for node in nodes:
            if isinstance(node, str) or node.tag not in BLOCK_TAGS:
                loose.append(node)
                continue
            flush()
            out.extend(self.block(node))
        flush()
        return tuple(out)

    def block(self, node: Element) -> list[Block]:
        tag = node.tag
        if tag == "p" or tag in ("figcaption", "dt", "dd", "summary", "address"):
            return self.paragraph(node.children)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            spans = self.inline(node.children)
            level = min(6, int(tag[1]) + self.reading.heading_shift - 1)
            return [Heading(level, spans)] if _has_text(spans) else []
        if tag in ("ul", "ol"):
            return self.listing(node)
        if tag == "blockquote":
            inner = self.blocks(node.children)
            return [Quote(inner)] if inner else []
        if tag == "pre":
            text = _text(node).strip("\n")
            return [Code(text)] if text.strip() else []
        if tag == "hr":
            return [Rule()]
        if tag == "table":
            table = self.table(node)
            return [table] if table.columns else []
        if tag == "img":
            image = self.image(node)
            return [image] if image else []
        if tag == "aside" and (lists := [c for c in node.children if isinstance(c, Element) and c.tag == "ol"]):
            items = tuple(self.blocks(li.children) for li in lists[0].children if isinstance(li, Element) and li.tag == "li")
            return [Notes(items)] if items else []
        return list(self.blocks(node.children))  # div, section, figure...: their content

    def paragraph(self, nodes: list[Element | str]) -> list[Block]:
        """A paragraph; images in it become image blocks, and a video link alone is a video card."""
        out: list[Block] = []
        run: list[Element | str] = []

        def flush() -> None:
            spans = _trim(self.inline(run))
            if _has_text(spans):
                out.append(self._video(spans) or Paragraph(spans))
            run.clear()

        for node in nodes:
            inside = _only_image(node) if isinstance(node, Element) and node.tag == "a" else None
            if isinstance(node, Element) and (node.tag == "img" or inside is not None):
                flush()
                href = self.reading.resolve(node.attrs.get("href", "")) if inside is not None else ""
                image = self.image(inside or node, href)
                if image:
                    out.append(image)
            else:
                run.append(node)
        flush()
        return out

    def _video(self, spans: Inline) -> Video | None:
        if len(spans) == 1 and spans[0].kind == "link" and text_of(spans[0].children) in (spans[0].href,
                                                                                       spans[0].href.rstrip("/")):
            return video(spans[0].href)
        return None

    def listing(self, node: Element) -> list[Block]:
        items = []
        for child in node.children:
            if not isinstance(child, Element) or child.tag != "li":
                continue
            checked = _task_box(child)  # `- [x] done`: a task list
            blocks = self.blocks(child.children)
            if blocks:
                items.append(ListItem(blocks, checked))
        try:
            start = int(node.attrs.get("start") or 1)
        except ValueError:
            start = 1
        return [ListBlock(node.tag == "ol", tuple(items), start)] if items else []

    def table(self, node: Element) -> Table:
        rows: list[tuple[list[Inline], bool, list[str]]] = []
        for row in _rows(node):
            cells = [c for c in row.children if isinstance(c, Element) and c.tag in ("td", "th")]
            is_header = bool(cells) and all(c.tag == "th" for c in cells)
            rows.append(([_trim(self.inline(c.children)) for c in cells], is_header, [_align(c) for c in cells]))
        header: tuple[Inline, ...] = ()
        align: list[str] = []
        if rows and rows[0][1]:
            header, align = tuple(rows[0][0]), rows[0][2]
            rows = rows[1:]
        elif rows:
            align = rows[0][2]
        body = tuple(tuple(cells) for cells, _, _ in rows if any(_has_text(c) for c in cells))
        return Table(header, body, tuple(align))

    def image(self, node: Element, href: str = "") -> Image | None:
        raw = node.attrs.get("src", "").strip()
        alt = one_line(node.attrs.get("alt", ""))
        width, height = _pixels(node.attrs.get("width")), _pixels(node.attrs.get("height"))
        if self.reading.local_image is not None and raw and not _SCHEME.match(raw) and not raw.startswith("//"):
            local = self.reading.local_image(unquote(raw), width)
            return Image(local[0], alt, local[1], local[2], href) if local else None
        src = self.reading.resolve(raw)
        if not src:
            return None
        if not (width and height) and self.reading.remote_size is not None:
            size = self.reading.remote_size(src)
            if size:  # the tag's width (or the image's own), in the image's proportions
                width = width or size[0]
                height = max(1, round(width * size[1] / size[0]))
        return Image(src, alt, width, height, href)

    # inline

    def inline(self, nodes: list[Element | str]) -> Inline:
        out: list[Span] = []
        for node in nodes:
            if isinstance(node, str):
                text = re.sub(r"\s+", " ", node)
                if text:
                    out.append(Span("text", self.reading.text(text)))
                continue
            tag = node.tag
            if tag == "br":
                out.append(Span("br"))
            elif tag in ("code", "kbd", "samp"):
                out.append(Span("code", re.sub(r"\s+", " ", _text(node))))
            elif tag in INLINE_KINDS:
                children = self.inline(node.children)
                if children:
                    out.append(Span(INLINE_KINDS[tag], children=children))
            elif tag == "a":
                href = self.reading.resolve(node.attrs.get("href", ""))
                children = self.inline(node.children)
                out.append(Span("link", children=children, href=href) if href else Span("em", children=children))
            elif tag == "img":
                alt = one_line(node.attrs.get("alt", ""))
                if alt:
                    out.append(Span("text", alt))
            elif tag == "q":
                out.extend((Span("text", "“"), *self.inline(node.children), Span("text", "”")))
            else:
                out.extend(self.inline(node.children))  # span, abbr, u, mark, and anything unknown
        return tuple(out)


def _text(node: Element | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text(child) for child in node.children)


def _has_text(spans: Inline) -> bool:
    return bool(text_of(spans).strip())


def _trim(spans: Inline) -> Inline:
    """Without the spaces that open or close a paragraph."""
    items = list(spans)
    while items and items[0].kind == "br":
        items.pop(0)
    while items and items[-1].kind == "br":
        items.pop()
    if items and items[0].kind == "text":
        items[0] = replace(items[0], text=items[0].text.lstrip())
    if items and items[-1].kind == "text":
        items[-1] = replace(items[-1], text=items[-1].text.rstrip())
    return tuple(item for item in items if item.kind != "text" or item.text)


def _only_image(node: Element) -> Element | None:
    children = [c for c in node.children if not (isinstance(c, str) and not c.strip())]
    return children[0] if len(children) == 1 and isinstance(children[0], Element) and children[0].tag == "img" else None


TASK_BOX = re.compile(r"^\s*\[([ xX])\]\s+")


def _task_box(item: Element) -> bool | None:
    """Whether a list item opens with `[x] ` (done) or `[ ] ` (to do); the box is taken out."""
    node: Element = item
    while True:
        first = next((c for c in node.children if not (isinstance(c, str) and not c.strip())), None)
        if isinstance(first, Element) and first.tag in ("p", "span"):
            node = first
            continue
        if isinstance(first, str):
            match = TASK_BOX.match(first)
            if match:
                node.children[node.children.index(first)] = first[match.end():]
                return match.group(1) != " "
        return None


def _rows(table: Element) -> list[Element]:
    rows = []
    for child in table.children:
        if isinstance(child, Element):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(c for c in child.children if isinstance(c, Element) and c.tag == "tr")
    return rows


def _align(cell: Element) -> str:
    style = cell.attrs.get("style", "") + " " + cell.attrs.get("align", "")
    for value in ("right", "center", "left"):
        if value in style:
            return value
    return ""


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


def _pixels(value: str | None) -> int | None:
    if value and value.strip().isdigit() and 0 < int(value) <= 10_000:
        return int(value)
    return None


