"""A speed trick for `check`'s html-parse rule (rules.py): html5lib's parse errors of an email's
HTML, kept by the HTML itself, beside the parse each time (`plain_parse_errors`), which a test
holds it to (tests/test_parse_errors_kept.py).

html5lib's parse is pure Python and is more than half of a check's time. Its errors are a
function of the text parsed alone (a fresh parser, no options read from anywhere else), so a
process that checks the same HTML again (an unchanged segment checked again in a long-running
process; a test suite checking the example's emails many times) reads them from here. A
one-shot `rameau check` parses each email once either way.
"""

from __future__ import annotations

import html5lib

Errors = tuple[tuple[int, int, str], ...]  # line, column and html5lib's code of each error, in order

KEPT_AT_MOST = 32  # emails' HTML (each some tens of KB)
_kept: dict[tuple[str, int], Errors] = {}


def plain_parse_errors(html: str, first: int) -> Errors:
    """The first `first` errors html5lib finds in `html`."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    return tuple((line, column, code) for (line, column), code, _ in parser.errors[:first])


def parse_errors(html: str, first: int) -> Errors:
    """What `plain_parse_errors` finds, kept by `html` and `first`."""
    if type(html) is not str:  # a str subclass could hash or compare its own way
        return plain_parse_errors(html, first)
    key = (html, first)
    found = _kept.get(key)
    if found is None:
        if len(_kept) >= KEPT_AT_MOST:
            _kept.clear()
        found = _kept[key] = plain_parse_errors(html, first)
    return found
