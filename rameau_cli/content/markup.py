"""Markup: Markdown to HTML, and any HTML (from Markdown or a feed) sanitized.

Markdown is read by markdown-it-py with tables, strikethrough, footnotes, bare links made
links (linkify-it-py) and `{width=300}` on images (mdit-py-plugins). Raw HTML in Markdown is
allowed, as authors use it, and sanitized with everything else: nothing that runs, loads or
submits survives `clean_html` (nh3, Ammonia). The sanitized HTML is then read into blocks
(content/blocks.py), which every renderer uses.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from ..project.reading import CONTROLS, one_line

ALLOWED_TAGS = {
    "p", "br", "a", "strong", "em", "b", "i", "u", "s", "del", "strike", "ul", "ol", "li", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "code", "kbd", "samp", "pre", "hr", "sub", "sup", "span", "abbr", "cite", "q",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "img", "figure", "figcaption", "aside", "div",
    "section", "article", "dl", "dt", "dd", "details", "summary", "mark",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "width", "height"},
                      "th": {"align", "style"}, "td": {"align", "style"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
DANGEROUS = {"script", "style", "iframe", "object", "embed", "form", "template", "noscript", "svg", "math", "button",
             "select", "textarea", "input", "frameset", "frame", "applet", "audio", "video", "canvas"}
MAX_HTML_CHARS = 2_000_000


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"]).use(footnote_plugin).use(attrs_plugin)
    assert md.linkify is not None
    md.linkify = _WrittenOut(md.linkify)
    # Footnotes as plain markup the sanitizer keeps: a superscript number, and the notes as a
    # numbered list in an <aside> at the end (no anchors: an email has no page to jump in).
    rules = {
        "footnote_ref": lambda renderer, tokens, idx, *_: f"<sup>{tokens[idx].meta['id'] + 1}</sup>",
        "footnote_block_open": lambda *_: "<aside><ol>\n",
        "footnote_block_close": lambda *_: "</ol></aside>\n",
        "footnote_open": lambda *_: "<li>",
        "footnote_close": lambda *_: "</li>\n",
        "footnote_anchor": lambda *_: "",
    }
    for name, rule in rules.items():
        md.add_render_rule(name, rule)
    return md


class _WrittenOut:
    """linkify-it, making links only of addresses written out: https://..., and www.... (with
    https://, as browsers now open a typed address). linkify-it's fuzzy links would also make
    `README.md` or `budget.py` links (.md and .py are country domains), so its fuzzy matches
    are kept only when they start with www."""

    def __init__(self, linkify: Any):
        linkify.set({"fuzzy_link": True, "fuzzy_email": False})
        self.linkify = linkify

    def __getattr__(self, name: str) -> Any:
        return getattr(self.linkify, name)

    @staticmethod
    def _written_out(found: Any) -> bool:
        return bool(found.schema) or found.text.lower().startswith("www.")

    def match(self, text: str) -> list[Any] | None:
        found = [m for m in self.linkify.match(text) or () if self._written_out(m)]
        for link in found:
            if not link.schema and link.url.startswith("http://"):
                link.url = "https://" + link.url.removeprefix("http://")
        return found or None

    def match_at_start(self, text: str) -> Any:
        found = self.linkify.match_at_start(text)
        return found if found is not None and self._written_out(found) else None


def markdown_to_html(text: str) -> str:
    return str(_markdown().render(text))


def inline_markdown_to_html(text: str) -> str:
    """Markdown of one paragraph (a summary): emphasis, code and links, no blocks."""
    return str(_markdown().renderInline(text))


MAX_DEPTH = 256  # elements inside one another; deeper HTML is read as its text alone
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
# Elements that never hold others, or whose end tag HTML lets authors leave out: not counted.
_FLAT = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "base", "col", "embed", "param", "track",
         "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot", "colgroup", "rt", "rp"}


def too_deep(raw: str) -> bool:
    """Whether HTML nests elements deeper than MAX_DEPTH. The HTML parser's time grows with the
    square of the depth (20,000 nested <div>: a second; the 180,000 that fit in MAX_HTML_CHARS:
    hours), so a hostile feed entry could stall every build."""
    if raw.count("<") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _TAG.finditer(raw):
        if match[2].lower() in _FLAT or match[3]:
            continue
        depth = depth - 1 if match[1] else depth + 1
        if depth > MAX_DEPTH:
            return True
    return False


_HIDDEN = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.I | re.S)


def _as_text(raw: str) -> str:
    """HTML too deep to parse, as one paragraph of its text (never a script's), escaped."""
    text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", raw)))
    return f"<p>{html.escape(' '.join(text.split()))}</p>"


def clean_html(raw: str) -> str:
    """Untrusted HTML with nothing left that runs, loads or submits: scripts, styles, frames,
    forms, event handlers and non-web links removed (nh3, Ammonia)."""
    raw = raw[:MAX_HTML_CHARS]
    if too_deep(raw):
        raw = _as_text(raw)
    return str(nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags=DANGEROUS,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    ))


def absolute_url(url: str, base_url: str) -> str:
    """Make a link absolute; return "" for anything that is not http(s) or mailto."""
    url = url.strip()
    if not url or CONTROLS.search(url) or "\n" in url or "\r" in url or "\t" in url:
        return ""
    url = url.replace(" ", "%20")
    if base_url and not urlsplit(url).scheme:
        url = urljoin(base_url, url)
    return url if urlsplit(url).scheme in URL_SCHEMES else ""


def plain_text(raw_html: str) -> str:
    """Text content of untrusted HTML, on one line (for titles and summaries from feeds)."""
    if "<" not in raw_html and "&" not in raw_html:
        return one_line(raw_html)  # no markup, no entity: nothing to clean
    raw_html = raw_html[:MAX_HTML_CHARS]
    if too_deep(raw_html):
        raw_html = _as_text(raw_html)
    cleaned = nh3.clean(raw_html, tags=set(), clean_content_tags={"script", "style"})
    return one_line(html.unescape(cleaned))
