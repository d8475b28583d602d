"""Personal words in the content, and content that an emailing tool would read as its own syntax.

- Placeholders. The édito and Markdown articles may use the wording's placeholders:
  `{first_name}` becomes the profile's merge tag (with its fallback) in the HTML and the text
  part, and the sample value wherever people read the email before it is sent (web.html, the
  previews, test sends). `\\{first_name}` writes it literally (Markdown drops the backslash); an
  unknown `{name}`, code and JSON are left as they are. A placeholder is read before Markdown, as
  a private-use token that no Markdown rule touches, and made a merge tag after the email is
  rendered, so that no escaping of the theme mangles the tag's quotes.
- Tool syntax. Every `{` of the content (titles, summaries, bodies, the édito, alt and link text,
  code) is marked while the email is rendered, then written as the profile's tool wants a literal
  `{` (profiles.py: `Profile.literal_braces`), so that `{{ not_a_tag }}` and `{% now "Y" %}`
  reach readers as typed. The theme's own merge tags are never marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ..content.blocks import Block, Blocks, Code, Heading, Image, Inline, ListBlock, Notes, Paragraph, Quote, Table

PLACEHOLDERS = ("first_name",)  # the wording's placeholders (the greeting's `{first_name}`)
OPEN, CLOSE = "\ue000", "\ue001"  # around a placeholder's name, from Markdown to the rendered email
BRACE = "\ue07b"  # a `{` of the content while the email is rendered
_WRITTEN = re.compile(r"(?<!\{)(\\?)\{(" + "|".join(PLACEHOLDERS) + r")\}(?!\})")  # not {{first_name}}
_TOKEN = re.compile(OPEN + "(" + "|".join(PLACEHOLDERS) + ")" + CLOSE)
LOOKS_LIKE = re.compile(r"(?<![{\w$%#])\{([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\}(?![}\w])", re.IGNORECASE)


def mark_placeholders(markdown: str) -> str:
    """Markdown with each known `{name}` a token; `\\{name}` is left for Markdown to unescape."""
    return _WRITTEN.sub(lambda m: m.group(0) if m.group(1) else OPEN + m.group(2) + CLOSE, markdown)


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Each token replaced by its value (a merge tag, or a sample name)."""
    return _TOKEN.sub(lambda m: values[m.group(1)], text)


def unknown_placeholders(text: str) -> list[str]:
    """The `{name}`s of a text that look like placeholders but are none rameau knows."""
    return [m.group(0) for m in LOOKS_LIKE.finditer(text) if m.group(1) not in PLACEHOLDERS]


def as_written(text: str) -> str:
    """A text as its author wrote it: tokens back to `{name}`, marked braces back to `{`."""
    return fill_placeholders(text, {name: "{" + name + "}" for name in PLACEHOLDERS}).replace(BRACE, "{")


# --- Marking the content's braces for rendering -------------------------------------------------


def mark(text: str) -> str:
    return text.replace("{", BRACE)


def mark_code(text: str) -> str:
    """Code is verbatim: a placeholder in it is the text its author typed."""
    return mark(as_written(text))


def mark_inline(spans: Inline) -> Inline:
    return map_inline_text(spans, mark, mark_code)


def mark_blocks(blocks: Blocks) -> Blocks:
    """The same blocks, every `{` of their text, code and alt text marked."""
    return map_text(blocks, mark, mark_code)


TextChange = Callable[[str], str]


def map_inline_text(spans: Inline, text: TextChange, code: TextChange) -> Inline:
    """The same inline content, its text passed through `text` and its code through `code`."""
    return tuple(replace(s, text=code(s.text)) if s.kind == "code"
                 else replace(s, text=text(s.text), children=map_inline_text(s.children, text, code)) for s in spans)


def map_text(blocks: Blocks, text: TextChange, code: TextChange) -> Blocks:
    """The same blocks, their text and alt text passed through `text`, their code through `code`."""

    def inline(spans: Inline) -> Inline:
        return map_inline_text(spans, text, code)

    def block(item: Block) -> Block:
        if isinstance(item, (Paragraph, Heading)):
            return replace(item, spans=inline(item.spans))
        if isinstance(item, ListBlock):
            return replace(item, items=tuple(replace(i, blocks=map_text(i.blocks, text, code)) for i in item.items))
        if isinstance(item, Quote):
            return replace(item, blocks=map_text(item.blocks, text, code))
        if isinstance(item, Code):
            return replace(item, text=code(item.text))
        if isinstance(item, Table):
            return replace(item, header=tuple(inline(c) for c in item.header),
                           rows=tuple(tuple(inline(c) for c in row) for row in item.rows))
        if isinstance(item, Notes):
            return replace(item, items=tuple(map_text(n, text, code) for n in item.items))
        if isinstance(item, Image):
            return replace(item, alt=text(item.alt))
        return item

    return tuple(block(item) for item in blocks)
