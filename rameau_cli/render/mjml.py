"""MJML to HTML (mjml-python), with the MJML checks mjml-python itself does not make and
errors located at a line and column of the rendered MJML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from mjml import mjml2html

from ..errors import Problem, RenderError
from ..memo import kept
from ..project.reading import one_line


def _refuse_include(path: str) -> str:
    raise ValueError(f"mj-include is not supported (asked for {path!r})")


MJML_TAGS = frozenset({
    "mjml", "mj-head", "mj-body", "mj-attributes", "mj-all", "mj-class", "mj-breakpoint", "mj-font", "mj-preview",
    "mj-style", "mj-title", "mj-accordion", "mj-accordion-element", "mj-accordion-title", "mj-accordion-text",
    "mj-button", "mj-carousel", "mj-carousel-image", "mj-column", "mj-divider", "mj-group", "mj-hero", "mj-image",
    "mj-navbar", "mj-navbar-link", "mj-raw", "mj-section", "mj-social", "mj-social-element", "mj-spacer", "mj-table",
    "mj-text", "mj-wrapper",
})
_MJML_TAG = re.compile(r"<(mj-[A-Za-z0-9-]+|mjml)\b")


def check_mjml_tags(source: str) -> None:
    """mjml-python copies unknown `<mj-*>` tags into the HTML as they are: refuse them here."""
    for match in _MJML_TAG.finditer(source):
        if match.group(1) not in MJML_TAGS:
            line = source.count("\n", 0, match.start()) + 1
            why = f"unknown tag <{match.group(1)}>; check its spelling in your templates"
            raise RenderError(Problem(f"MJML line {line}", why))


def mjml_to_html(source: str) -> str:
    check_mjml_tags(source)
    # mjml-python still writes a button's vertical-align onto its column's <td>, an attribute
    # HTML does not have (MJML itself stopped in 2023): validators flag it, browsers ignore it.
    return _TD_VERTICAL_ALIGN.sub(r"\1", _mjml2html(source))


_TD_VERTICAL_ALIGN = re.compile(r'(<td\b[^<>]*?) vertical-align="[a-z]*"')


@kept(16)  # four segments' MJML, a few builds back (memo.py)
def _mjml2html(source: str) -> str:
    try:
        return mjml2html(source, disable_comments=True, fonts={}, include_loader=_refuse_include)
    except (ValueError, RuntimeError) as exc:
        located = locate_mjml_error(source)
        if located is None:
            raise RenderError(Problem("MJML rendered from the templates", f"MJML error: {exc}")) from None
        line, column, why = located
        snippet = one_line(source.split("\n")[line - 1])[max(0, column - 30): column + 40]
        raise RenderError(Problem(f"MJML rendered from the templates, line {line}, column {column}",
                                  f"{why}, near {snippet!r} (mjml-python: {exc})")) from None


VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


def locate_mjml_error(source: str) -> tuple[int, int, str] | None:
    """Where the rendered MJML stops being the strict markup mjml-python needs: line, column, why.
    mjml-python's own messages carry no position; this finds the usual causes."""

    checks = (
        (re.compile(r"<(?![A-Za-z/!?])"), "a bare `<`; write &lt;"),
        (re.compile(r"<[A-Z][A-Za-z0-9-]*"), "an uppercase tag; write tags in lowercase"),
        (re.compile(r"<[a-z][^<>]*?\s[a-z-]+=(?![\"'])[^\s>]"), "an unquoted attribute value; put it in quotes"),
    )
    found = []
    for pattern, why in checks:
        match = pattern.search(source)
        if match:
            found.append((match.start(), why))

    class Balance(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=False)
            self.stack, self.problem = [], None

        def _position(self):
            line, column = self.getpos()
            return sum(len(text) + 1 for text in source.split("\n")[: line - 1]) + column

        def handle_starttag(self, tag, attrs):
            if tag not in VOID:
                self.stack.append((tag, self._position()))

        def handle_endtag(self, tag):
            if self.problem or tag in VOID:
                return
            if not self.stack or self.stack[-1][0] != tag:
                open_tag = f"<{self.stack[-1][0]}> is still open" if self.stack else "nothing is open"
                self.problem = (self._position(), f"</{tag}> closes nothing here ({open_tag})")
            else:
                self.stack.pop()

    balance = Balance()
    balance.feed(source)
    if balance.problem:
        found.append(balance.problem)
    elif balance.stack:
        tag, offset = balance.stack[-1]
        found.append((offset, f"<{tag}> is never closed"))
    if not found:
        return None
    offset, why = min(found)
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1, why
