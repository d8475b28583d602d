"""Blocks as the email's HTML: strict, closed markup that mjml-python passes through, with the
inline styles mail clients need, and nothing that can make the email wider than its column.

Code wraps inside its box (`pre-wrap`, breaking anywhere); long words and URLs break; a table
fits the column, its cells wrap, and one with many columns scrolls inside its own labelled,
keyboard-focusable region; images never grow past the column; every block says `dir="auto"` so
Arabic or Hebrew reads right to left.
"""

from __future__ import annotations

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
)

COLUMN = 552  # the width of the email's content, in pixels (600 less the card's padding)
WIDE_TABLE = 4  # columns above which a table keeps readable cells and scrolls inside its box
MONO = "Menlo, Consolas, 'Courier New', monospace"
BREAK = "overflow-wrap:anywhere;word-break:break-word;"
LIST = "margin:0 0 12px;padding-left:22px;"
NESTED_LIST = "margin:4px 0 0;padding-left:22px;"


@dataclass(frozen=True)
class Look:
    accent: str = "#1f5c4a"
    table_label: str = "Table"  # "Tableau", in the newsletter's language
    video_label: str = "Watch the video on {provider}"
    notes_label: str = "Notes"


def inline_html(spans: Inline, look: Look = Look()) -> Markup:
    return Markup("".join(_span(span, look) for span in spans))


def blocks_html(blocks: Blocks, look: Look = Look()) -> Markup:
    return Markup(f'<div style="{BREAK}">' + "".join(_block(block, look) for block in blocks) + "</div>")


def _span(span: Span, look: Look) -> str:
    inner = "".join(_span(child, look) for child in span.children)
    kind = span.kind
    if kind == "text":
        return str(escape(span.text))
    if kind == "br":
        return "<br />"
    if kind == "code":
        return (f'<code class="rm-code" style="font-family:{MONO};font-size:0.92em;background-color:#f1eee7;padding:0 3px;'
                f'border-radius:3px;{BREAK}">{escape(span.text)}</code>')
    if kind == "link":
        return f'<a href="{escape(span.href)}" style="color:{look.accent};{BREAK}">{inner}</a>'
    tag = {"strong": "strong", "em": "em", "del": "s", "sup": "sup", "sub": "sub"}.get(kind, "span")
    return f"<{tag}>{inner}</{tag}>"


def _block(block: Block, look: Look, tight: bool = False) -> str:
    """One block's HTML; `tight`: inside a list item, where paragraphs and lists sit closer."""
    below = "4px" if tight else "12px"
    if isinstance(block, Paragraph):
        return f'<p dir="auto" style="margin:0 0 {below};">{inline_html(block.spans, look)}</p>'
    if isinstance(block, Heading):
        size = {2: 20, 3: 18, 4: 16, 5: 15, 6: 14}[block.level]
        return (f'<h{block.level} dir="auto" style="margin:18px 0 8px;font-size:{size}px;line-height:1.3;">'
                f"{inline_html(block.spans, look)}</h{block.level}>")
    if isinstance(block, ListBlock):
        return _list(block, look, tight)
    if isinstance(block, Quote):
        inner = "".join(_block(b, look, tight) for b in block.blocks)
        return (f'<blockquote dir="auto" style="margin:12px 0;padding:0 0 0 12px;border-left:3px solid #c9c2b4;">'
                f"{inner}</blockquote>")
    if isinstance(block, Code):
        return (f'<pre class="rm-code" style="white-space:pre-wrap;{BREAK}word-break:break-all;font-family:{MONO};'
                f'font-size:13px;line-height:1.45;background-color:#f1eee7;color:#1d2b27;padding:10px 12px;'
                f'margin:0 0 12px;border-radius:4px;"><code>{escape(block.text)}</code></pre>')
    if isinstance(block, Rule):
        return '<hr style="border:0;border-top:1px solid #e4dfd4;margin:16px 0;" />'
    if isinstance(block, Table):
        return _table(block, look)
    if isinstance(block, Image):
        return _image(block)
    if isinstance(block, Video):
        label = look.video_label.format(provider=block.provider)
        thumbnail = Image(block.thumbnail, label, COLUMN, None, block.url)
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
        items.append(f'<li dir="auto" style="margin:0 0 4px;{bullet}">{inner}</li>')
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
    return f'<{tag}{start} style="{NESTED_LIST if nested else LIST}">{"".join(items)}</{tag}>'


def _table(table: Table, look: Look) -> str:
    columns = table.columns
    wide = columns > WIDE_TABLE
    # Words break only when one is longer than its column: a narrow table keeps whole words and
    # scrolls in its box rather than cutting "Bénévoles" in two.
    cell = "padding:6px 8px;border-bottom:1px solid #e4dfd4;vertical-align:top;word-break:normal;overflow-wrap:break-word;"
    if wide:
        cell += "min-width:72px;"

    def align(index: int) -> str:
        value = table.align[index] if index < len(table.align) else ""
        if value == "right":
            return "text-align:right;white-space:nowrap;"  # figures stay whole
        return f"text-align:{value};" if value else "text-align:left;"

    head = ""
    if table.header:
        cells = "".join(f'<th scope="col" style="{cell}{align(i)}border-bottom:2px solid #c9c2b4;">'
                        f"{inline_html(spans, look)}</th>" for i, spans in enumerate(table.header))
        head = f"<thead><tr>{cells}</tr></thead>"
    rows = "".join("<tr>" + "".join(f'<td style="{cell}{align(i)}">{inline_html(spans, look)}</td>'
                                    for i, spans in enumerate(row)) + "</tr>" for row in table.rows)
    names = ", ".join(plain(spans) for spans in table.header)
    label = f"{look.table_label}: {names}" if names else look.table_label
    return (f'<div role="region" aria-label="{escape(label)}" tabindex="0" style="overflow-x:auto;width:0;min-width:100%;'
            f'margin:0 0 12px;"><table role="table" cellpadding="0" cellspacing="0" '
            f'style="border-collapse:collapse;width:100%;font-size:14px;line-height:1.4;">{head}<tbody>{rows}'
            f"</tbody></table></div>")


def _image(image: Image, hidden: bool = False) -> str:
    """An image, a link when it has one; `hidden`: a duplicate of the link next to it, kept out
    of a screen reader's way."""
    width = min(image.width or COLUMN, COLUMN)
    height = f' height="{round(image.height * width / image.width)}"' if image.height and image.width else ""
    tag = (f'<img src="{escape(image.src)}" alt="{escape(image.alt)}" width="{width}"{height} '
           f'style="display:block;width:100%;max-width:{width}px;height:auto;border:0;color:#5b615e;font-size:14px;'
           f'line-height:1.4;margin:0 0 12px;" />')
    if image.href:
        aside = ' aria-hidden="true" tabindex="-1"' if hidden else ""
        return f'<a href="{escape(image.href)}"{aside} style="color:#5b615e;text-decoration:none;">{tag}</a>'
    return tag
