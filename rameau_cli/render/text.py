"""The plain-text part: folding at 78 columns, text blocks, typography and tidy line ends."""

from __future__ import annotations

import re
import textwrap

from ..compose.language import typography
from ..project.reading import one_line
from .markup import PlainText

TEXT_WIDTH = 78


def upper_first(text: str) -> str:
    """`mardi 24 novembre` -> `Mardi 24 novembre`; unlike Jinja's capitalize, the rest is kept
    (`Monday, November 30`, not `Monday, november 30`)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str = "") -> str:
    """Fold at `width` columns; long URLs stay whole on their own line."""
    return textwrap.fill(
        one_line(str(text)),
        width=width,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def text_blocks(text: PlainText) -> str:
    parts = []
    for block in text.blocks:
        if block.kind == "li":
            parts.append(wrap(block.text, first="- ", indent="  "))
            continue
        if parts:
            parts.append("")
        if block.kind == "h":
            parts.append(wrap(block.text.upper()))
        elif block.kind == "quote":
            parts.append(wrap(block.text, indent="> "))
        elif block.kind == "pre":
            parts.append(block.text)
        else:
            parts.append(wrap(block.text))
    return "\n".join(parts)


def finish_text(text: str, language: str, keep: tuple[str, ...] = ()) -> str:
    """Typography and tidy line ends for the whole text part; `keep` (merge tags) stay as they are."""
    for index, tag in enumerate(keep):
        text = text.replace(tag, f"\x00{index}\x00")
    text = typography(text, language)
    for index, tag in enumerate(keep):
        text = text.replace(f"\x00{index}\x00", tag)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
