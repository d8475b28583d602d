"""Outlook for Windows: what its Word engine gets instead of what it cannot show, and the email
as it reads it.

Word ignores `overflow` and `white-space` (caniemail.com: "overflow", "white-space"), so a wide
table's scroll box and a code block's `pre-wrap` stretch the email past its 600 px column there.
Such a block is given twice: for Outlook, inside its conditional comments (`<!--[if mso]>`,
which only Outlook reads; Microsoft, "Conditional comments", and MJML's own output), a form that
fits the column, as the text part does: a table as "Column: value" blocks, one per row; code
with its lines kept and a break opportunity after each punctuation mark; for every other client,
in `<!--[if !mso]><!-->` (which Outlook skips), the block as it was.

`as_outlook_reads` applies those comments as Outlook does and drops the CSS it ignores, for
`check` and the tests; `as_others_read` is the same email for every other client.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import escape

from ..content.blocks import Inline, Table

CODE_COLUMNS = 64  # characters of 13 px monospace that fit the 552 px column, with the box's padding
PUNCTUATION = re.compile(r"([/.?&=,;:()\[\]{}<>#|+*!@~^%-]+)")  # a code line breaks after these first


def only_outlook(html: str) -> str:
    # Inside a comment, `--` is a parse error for validators (html5lib): written as references.
    return f"<!--[if mso]>{html.replace('--', '&#45;&#45;')}<![endif]-->"


def not_outlook(html: str) -> str:
    return f"<!--[if !mso]><!-->{html}<!--<![endif]-->"


def code_is_wide(text: str) -> bool:
    return any(len(line) > CODE_COLUMNS for line in text.split("\n"))


def breakable_code(text: str, mark: str, every: int = 0) -> str:
    """Code escaped, `mark` (a <wbr /> or a zero-width space) after each run of punctuation of
    its long words, so that a line breaks at `/` or `.` before it breaks inside a name; `every`:
    also inside a name longer than that, for a client that would not break it at all."""
    out = []
    for word in re.split(r"(\s+)", text):
        escaped = str(escape(word))
        if len(word) > 24 and not word.isspace():
            escaped = "".join(_part(part, mark, every) for part in PUNCTUATION.split(word))
        out.append(escaped)
    return "".join(out)


def _part(part: str, mark: str, every: int) -> str:
    if PUNCTUATION.fullmatch(part):
        return str(escape(part)) + mark
    if every and len(part) > every:
        return mark.join(str(escape(part[i:i + every])) for i in range(0, len(part), every))
    return str(escape(part))


def outlook_code(text: str, style: str) -> str:
    """Code for Word: a box of lines, indentation kept with no-break spaces, breakable."""
    lines = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        body = re.sub(r"  +", lambda m: "\u00a0" * (len(m[0]) - 1) + " ", line[indent:])
        lines.append("\u00a0" * indent + breakable_code(body, "\u200b", every=CODE_COLUMNS // 2))
    return f'<div class="rm-code" style="{style}">{"<br />".join(lines)}</div>'


def outlook_table(table: Table, cell: Callable[[Inline], str], label: str) -> str:
    """A table for Word: each row a block of "Column: value" lines, as the text part shows it."""
    rows = []
    for row in table.rows:
        lines = []
        for index, spans in enumerate(row):
            name = cell(table.header[index]) if index < len(table.header) else ""
            value = cell(spans)
            lines.append(f'<p style="margin:0 0 2px;">{f"<strong>{name}{label}</strong> " if name else ""}{value}</p>')
        rows.append('<div style="margin:0 0 8px;padding:0 0 6px;border-bottom:1px solid #e4dfd4;font-size:14px;'
                    f'line-height:1.4;">{"".join(lines)}</div>')
    return f'<div style="margin:0 0 12px;">{"".join(rows)}</div>'


# --- The email as Outlook reads it ---------------------------------------------------------------

_HIDDEN = re.compile(r"<!--\[if ([^\]]+)\]>(.*?)<!\[endif\]-->", re.S)  # others never see the content
_REVEALED = re.compile(r"<!--\[if ([^\]]+)\]><!-->(.*?)<!--<!\[endif\]-->", re.S)  # others see it
_IGNORED_CSS = re.compile(r"(?<![\w-])(?:overflow(?:-x|-y)?|white-space)\s*:[^;\"'}]*;?", re.I)
OUTLOOK_VERSION = 16  # Outlook 2016, 2019, 2021 and Microsoft 365 all say "mso 16"


def outlook_reads(condition: str) -> bool:
    """Whether Outlook for Windows takes a conditional comment's `[if ...]` as true: terms
    joined by `|` (or) and `&` (and), each `mso`, `IE`, `!term`, or `gte mso 9` and the like."""
    def term(text: str) -> bool:
        text = text.strip().strip("()").strip()
        if text.startswith("!"):
            return not term(text[1:])
        parts = text.split()
        if not parts:
            return False
        if len(parts) == 1:
            return parts[0].lower() == "mso"
        operator, name, version = (parts + ["", ""])[:3]
        if name.lower() != "mso":
            return False
        wanted = float(version or 0)
        return {"gte": wanted <= OUTLOOK_VERSION, "gt": wanted < OUTLOOK_VERSION, "lte": wanted >= OUTLOOK_VERSION,
                "lt": wanted > OUTLOOK_VERSION}.get(operator.lower(), False)

    return any(all(term(part) for part in alternative.split("&")) for alternative in condition.split("|"))


def as_outlook_reads(html: str) -> str:
    """The HTML that Outlook for Windows lays out: its conditional comments applied (the content
    of those it takes as true kept, the others dropped), the CSS it ignores removed."""
    html = _REVEALED.sub(lambda m: m[2] if outlook_reads(m[1]) else "", html)
    html = _HIDDEN.sub(lambda m: m[2] if outlook_reads(m[1]) else "", html)
    return _IGNORED_CSS.sub("", html)


def as_others_read(html: str) -> str:
    """The HTML every other client lays out: Outlook's own parts dropped, the rest kept."""
    html = _REVEALED.sub(lambda m: m[2], html)
    return _HIDDEN.sub("", html)
