"""Blocks as the email's HTML: strict, closed markup that mjml-python passes through, with the
inline styles mail clients need, and nothing that can make the email wider than its column.

Code wraps inside its box (`pre-wrap`), at its spaces, then after punctuation, then anywhere;
long words and URLs break; a table fits the column, its cells wrap between words (a word breaks
only when it is longer than its column), and one with many columns scrolls inside its own
labelled, keyboard-focusable region. Outlook for Windows, which can neither scroll nor wrap code,
gets a form of wide tables and long code lines that fits (render/outlook.py). Images never grow
past the column and always say their height, so that the layout holds while they load or when
they are blocked. A block whose text is right to left (Arabic, Hebrew) says `dir="rtl"` and is
aligned right, its quote border on the right; the others say `dir="auto"`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

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
    plain,
    text_of,
)
from .outlook import breakable_code, code_is_wide, not_outlook, only_outlook, outlook_code, outlook_table

COLUMN = 552  # the width of the email's content, in pixels (600 less the card's padding)
WIDE_TABLE = 4  # columns above which a table keeps readable cells and scrolls inside its box
MONO = "Menlo, Consolas, 'Courier New', monospace"
BREAK = "overflow-wrap:anywhere;word-break:break-word;"
LIST = "margin:0 0 12px;padding-left:22px;"
NESTED_LIST = "margin:4px 0 0;padding-left:22px;"
RATIO = (3, 2)  # the box kept for an image whose proportions are unknown (width to height)
CODE = (f"font-family:{MONO};font-size:13px;line-height:1.45;background-color:#f1eee7;color:#1d2b27;padding:10px 12px;"
        "margin:0 0 12px;border-radius:4px;")


@dataclass(frozen=True)
class Look:
    accent: str = "#1f5c4a"
    table_label: str = "Table"  # "Tableau", in the newsletter's language
    video_label: str = "Watch the video on {provider}"
    notes_label: str = "Notes"
    colon: str = ":"  # between a column's name and its value, in Outlook's form of a wide table


def direction(text: str) -> str:
    """`rtl` when the text's first strong character is right to left (Unicode's bidirectional
    algorithm, rule P2, as `dir="auto"` decides), `ltr` when it is left to right, else ""."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""


def _dir(text: str) -> tuple[str, str]:
    """A block's direction attribute and the alignment it needs: right to left blocks are laid
    out from the right edge (the theme's cells say text-align:left, which `dir` alone keeps)."""
    return (' dir="rtl"', "text-align:right;") if direction(text) == "rtl" else (' dir="auto"', "")


def text_dir(content: str | Inline) -> str:
    """The `dir` of a template's line of content (a title, a summary): rtl, else auto."""
    return "rtl" if direction(content if isinstance(content, str) else text_of(content)) == "rtl" else "auto"


def start_align(content: str | Inline) -> str:
    """The alignment a right-to-left line needs in a template (the theme's columns say left)."""
    return "text-align:right;" if text_dir(content) == "rtl" else ""


def _block_text(block: Block) -> str:
    if isinstance(block, (Paragraph, Heading)):
        return text_of(block.spans)
    if isinstance(block, Quote):
        return "".join(_block_text(b) for b in block.blocks[:1])
    if isinstance(block, ListBlock):
        return "".join(_block_text(b) for item in block.items[:1] for b in item.blocks[:1])
    return ""


def inline_html(spans: Inline, look: Look = Look(), cell: bool = False) -> Markup:
    """`cell`: in a table's cell, where words break only when one is longer than its column (a
    link or code that may break anywhere would let the table squeeze its column, cutting every
    word of it: "Statement|s")."""
    return Markup("".join(_span(span, look, cell) for span in spans))


def blocks_html(blocks: Blocks, look: Look = Look()) -> Markup:
    return Markup(f'<div style="{BREAK}">' + "".join(_block(block, look) for block in blocks) + "</div>")


def _span(span: Span, look: Look, cell: bool = False) -> str:
    inner = "".join(_span(child, look, cell) for child in span.children)
    breaks = "" if cell else BREAK
    kind = span.kind
    if kind == "text":
        return str(escape(span.text))
    if kind == "br":
        return "<br />"
    if kind == "code":
        return (f'<code class="rm-code" style="font-family:{MONO};font-size:0.92em;background-color:#f1eee7;padding:0 3px;'
                f'border-radius:3px;{breaks}">{escape(span.text)}</code>')
    if kind == "link":
        return f'<a href="{escape(span.href)}" style="color:{look.accent};{breaks}">{inner}</a>'
    tag = {"strong": "strong", "em": "em", "del": "s", "sup": "sup", "sub": "sub"}.get(kind, "span")
    return f"<{tag}>{inner}</{tag}>"


def _block(block: Block, look: Look, tight: bool = False) -> str:
    """One block's HTML; `tight`: inside a list item, where paragraphs and lists sit closer."""
    below = "4px" if tight else "12px"
    if isinstance(block, (Paragraph, Heading, Quote)):  # the blocks whose own text sets their direction
        dir_, align = _dir(_block_text(block))
    if isinstance(block, Paragraph):
        return f'<p{dir_} style="margin:0 0 {below};{align}">{inline_html(block.spans, look)}</p>'
    if isinstance(block, Heading):
        size = {2: 20, 3: 18, 4: 16, 5: 15, 6: 14}[block.level]
        return (f'<h{block.level}{dir_} style="margin:18px 0 8px;font-size:{size}px;line-height:1.3;{align}">'
                f"{inline_html(block.spans, look)}</h{block.level}>")
    if isinstance(block, ListBlock):
        return _list(block, look, tight)
    if isinstance(block, Quote):
        inner = "".join(_block(b, look, tight) for b in block.blocks)
        side = "padding:0 12px 0 0;border-right:3px solid #c9c2b4;" if align else \
            "padding:0 0 0 12px;border-left:3px solid #c9c2b4;"  # the border on the side the text starts
        return f'<blockquote{dir_} style="margin:12px 0;{side}{align}">{inner}</blockquote>'
    if isinstance(block, Code):
        code = (f'<pre class="rm-code" style="white-space:pre-wrap;{BREAK}{CODE}"><code>'
                f"{breakable_code(block.text, '<wbr />')}</code></pre>")
        if not code_is_wide(block.text):
            return code
        return only_outlook(outlook_code(block.text, CODE)) + not_outlook(code)
    if isinstance(block, Rule):
        return '<hr style="border:0;border-top:1px solid #e4dfd4;margin:16px 0;" />'
    if isinstance(block, Table):
        return _table(block, look)
    if isinstance(block, Image):
        return _image(block)
    if isinstance(block, Video):
        label = look.video_label.format(provider=block.provider)
        thumbnail = Image(block.thumbnail, label, COLUMN, round(COLUMN * block.height / block.width), block.url)
        return (f'{_image(thumbnail, hidden=True)}<p dir="auto" style="margin:0 0 {below};">'
                f'<a href="{escape(block.url)}" style="color:{look.accent};">▶ {escape(label)}</a></p>')
    if isinstance(block, Notes):
        items = "".join(f'<li style="margin:0 0 4px;">{"".join(_block(b, look, tight) for b in note)}</li>'
                        for note in block.items)
        return (f'<div class="rm-notes" style="font-size:13px;line-height:1.5;color:#5b615e;border-top:1px solid #e4dfd4;'
                f'margin:16px 0 0;padding-top:8px;"><p style="margin:0 0 6px;font-weight:bold;">{escape(look.notes_label)}'
                f'</p><ol style="margin:0;padding-left:20px;">{items}</ol></div>')
    return ""


def _list(block: ListBlock, look: Look, nested: bool = False) -> str:
    items = []
    for item in block.items:
        blocks = item.blocks
        if item.checked is not None and blocks and isinstance(blocks[0], Paragraph):  # the box opens the text
            box = Span("text", ("☑" if item.checked else "☐") + "\u00a0")
            blocks = (Paragraph((box, *blocks[0].spans)), *blocks[1:])
        inner = "".join(_block(b, look, tight=True) for b in blocks)
        bullet = "list-style:none;" if item.checked is not None else ""
        dir_, align = _dir("".join(_block_text(b) for b in blocks[:1]))
        items.append(f'<li{dir_} style="margin:0 0 4px;{bullet}{align}">{inner}</li>')
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
    style = NESTED_LIST if nested else LIST
    dir_, align = _dir(_block_text(block))
    if align:  # the bullets and their room on the right
        style = style.replace("padding-left", "padding-right")
        return f'<{tag}{start} dir="rtl" style="{style}">{"".join(items)}</{tag}>'
    return f'<{tag}{start} style="{style}">{"".join(items)}</{tag}>'


def _table(table: Table, look: Look) -> str:
    columns = table.columns
    wide = columns > WIDE_TABLE
    # Words break only when one is longer than its column: a narrow table keeps whole words and
    # scrolls in its box rather than cutting "Bénévoles" in two.
    cell = "padding:6px 8px;border-bottom:1px solid #e4dfd4;vertical-align:top;word-break:normal;overflow-wrap:break-word;"
    if wide:
        cell += "min-width:72px;"

    every = [spans for row in (table.header, *table.rows) for spans in row]
    rtl = direction("".join(text_of(spans) for spans in every)) == "rtl"

    def align(index: int) -> str:
        value = table.align[index] if index < len(table.align) else ""
        if value == "right":
            return "text-align:right;white-space:nowrap;"  # figures stay whole
        # Unaligned columns start where their text starts: the right edge in a right-to-left table.
        return f"text-align:{value};" if value else "text-align:right;" if rtl else "text-align:left;"

    def dir_(spans: Inline) -> str:
        found = direction(text_of(spans))
        return f' dir="{found}"' if found == "rtl" or (rtl and found) else ""

    head = ""
    if table.header:
        cells = "".join(f'<th scope="col"{dir_(spans)} style="{cell}{align(i)}border-bottom:2px solid #c9c2b4;">'
                        f"{inline_html(spans, look, cell=True)}</th>" for i, spans in enumerate(table.header))
        head = f"<thead><tr>{cells}</tr></thead>"
    rows = "".join("<tr>" + "".join(f'<td{dir_(spans)} style="{cell}{align(i)}">{inline_html(spans, look, cell=True)}</td>'
                                    for i, spans in enumerate(row)) + "</tr>" for row in table.rows)
    names = ", ".join(plain(spans) for spans in table.header)
    label = f"{look.table_label}: {names}" if names else look.table_label
    direction_attr = ' dir="rtl"' if rtl else ""
    html = (f'<div role="region" aria-label="{escape(label)}" tabindex="0"{direction_attr} style="overflow-x:auto;width:0;'
            f'min-width:100%;margin:0 0 12px;"><table role="table" cellpadding="0" cellspacing="0"{direction_attr} '
            f'style="border-collapse:collapse;width:100%;font-size:14px;line-height:1.4;">{head}<tbody>{rows}'
            f"</tbody></table></div>")
    if not wide:
        return html
    fallback = outlook_table(table, lambda spans: str(inline_html(spans, look, cell=True)), look.colon)
    return only_outlook(f'<div dir="rtl" style="text-align:right;">{fallback}</div>' if rtl else fallback) + not_outlook(html)


def box_height(width: int, height: int | None) -> int:
    """The height an image says in the HTML: its own, else that of a box of the stated ratio,
    which the layout keeps while it loads or when images are blocked."""
    return height or round(width * RATIO[1] / RATIO[0])


def _image(image: Image, hidden: bool = False) -> str:
    """An image, a link when it has one; `hidden`: a duplicate of the link next to it, kept out
    of a screen reader's way."""
    width = min(image.width or COLUMN, COLUMN)
    height = box_height(width, max(1, round(image.height * width / image.width)) if image.height and image.width else None)
    tag = (f'<img src="{escape(image.src)}" alt="{escape(image.alt)}" width="{width}" height="{height}" '
           f'style="display:block;width:100%;max-width:{width}px;height:auto;border:0;color:#5b615e;font-size:14px;'
           f'line-height:1.4;margin:0 0 12px;" />')
    if image.href:
        aside = ' aria-hidden="true" tabindex="-1"' if hidden else ""
        return f'<a href="{escape(image.href)}"{aside} style="color:#5b615e;text-decoration:none;">{tag}</a>'
    return tag
