"""Markup: Markdown to HTML, HTML sanitized and made strict enough for MJML, HTML to text.

Everything that comes from an article or a feed goes through `clean_html` before it
reaches a template; the result is the only HTML the templates mark safe.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

from ..project.reading import CONTROLS, one_line, shorten

ALLOWED_TAGS = {
    "p", "br", "a", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "code", "pre", "hr", "sub", "sup", "span", "abbr", "cite", "q",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
VOID_TAGS = {"br", "hr", "img"}
BLOCK_TAGS = {"p", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "pre", "hr"}
MAX_DEPTH = 24  # deeper nesting is flattened: MJML's parser crashes on very deep trees
MAX_HTML_CHARS = 2_000_000


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # Raw HTML in Markdown stays allowed (authors use it) but is sanitized right after.
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")


def markdown_to_html(text: str) -> str:
    return _markdown().render(text)


def clean_html(raw: str, base_url: str = "") -> str:
    """Sanitize untrusted HTML and serialise it as strict, well-formed XHTML for MJML."""
    raw = raw[:MAX_HTML_CHARS]
    safe = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "form", "template", "noscript", "svg", "math"},
        link_rel=None,
        strip_comments=True,
    )
    return _Normaliser(base_url).run(safe)


class _Normaliser(HTMLParser):
    """Re-serialise sanitized HTML: lowercase tags, quoted one-line attributes, closed
    elements, absolute links, bounded depth: the subset mjml-python parses reliably."""

    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.out: list[str] = []
        self.stack: list[str] = []
        self.flattened = 0

    def run(self, text: str) -> str:
        self.feed(text)
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out).strip()

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            return
        attributes = "".join(self._attribute(tag, name, value) for name, value in attrs)
        if tag in VOID_TAGS:
            self.out.append(f"<{tag}{attributes} />")
            return
        if len(self.stack) >= MAX_DEPTH:
            self.flattened += 1
            return
        self.stack.append(tag)
        self.out.append(f"<{tag}{attributes}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in self.stack:
            if self.flattened and tag in ALLOWED_TAGS:
                self.flattened -= 1
            return
        while self.stack:
            open_tag = self.stack.pop()
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data):
        self.out.append(html.escape(data, quote=False))

    def _attribute(self, tag: str, name: str, value: str | None) -> str:
        if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
            return ""
        value = one_line(value or "")
        if tag == "a" and name == "href":
            value = absolute_url(value, self.base_url)
            if not value:
                return ""
        return f' {name}="{html.escape(value, quote=True)}"'


def absolute_url(url: str, base_url: str) -> str:
    """Make a link absolute; return "" for anything that is not http(s) or mailto."""
    url = url.strip()
    if not url or CONTROLS.search(url) or "\n" in url or "\r" in url or "\t" in url:
        return ""
    url = url.replace(" ", "%20")
    if base_url and not urlsplit(url).scheme:
        url = urljoin(base_url if base_url.endswith("/") else base_url + "/", url)
    return url if urlsplit(url).scheme in URL_SCHEMES else ""


@dataclass(frozen=True)
class TextBlock:
    kind: str  # "p", "li", "h", "quote", "pre"
    text: str


@dataclass(frozen=True)
class PlainText:
    blocks: tuple[TextBlock, ...]
    links: tuple[str, ...]  # numbered references [1], [2], ... in order


def html_to_text(clean: str, number_from: int = 1) -> PlainText:
    """Turn sanitized HTML into text blocks; each link becomes `text [n]` with its URL listed."""
    parser = _TextExtractor(number_from)
    parser.feed(clean)
    parser.close()
    parser.flush()
    return PlainText(tuple(parser.blocks), tuple(parser.links))


class _TextExtractor(HTMLParser):
    def __init__(self, number_from: int):
        super().__init__(convert_charrefs=True)
        self.blocks: list[TextBlock] = []
        self.links: list[str] = []
        self.number_from = number_from
        self.current: list[str] = []
        self.kind = "p"
        self.href_stack: list[str | None] = []
        self.in_pre = False
        self.quote_depth = 0

    def flush(self, next_kind: str = "p") -> None:
        text = "".join(self.current)
        text = text.strip("\n") if self.in_pre else one_line(text)
        if text:
            kind = "quote" if self.quote_depth and self.kind == "p" else self.kind
            self.blocks.append(TextBlock(kind, text))
        self.current = []
        self.kind = next_kind

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "blockquote", "ul", "ol", "hr"):
            self.flush()
        elif tag == "li":
            self.flush("li")
        elif tag in ("h2", "h3", "h4"):
            self.flush("h")
        elif tag == "pre":
            self.flush("pre")
            self.in_pre = True
        elif tag == "br":
            self.current.append("\n" if self.in_pre else " ")
        if tag == "blockquote":
            self.quote_depth += 1
        if tag == "a":
            self.href_stack.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "a" and self.href_stack:
            href = self.href_stack.pop()
            if href and not href.startswith("mailto:"):
                if href not in self.links:
                    self.links.append(href)
                self.current.append(f" [{self.number_from + self.links.index(href)}]")
            elif href:
                self.current.append(f" ({href.removeprefix('mailto:')})")
        elif tag in BLOCK_TAGS or tag in ("h2", "h3", "h4"):
            if tag == "pre":
                self.flush()
                self.in_pre = False
            else:
                self.flush()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data):
        self.current.append(data)


def summary_from_html(clean: str, limit: int = 280) -> str:
    """The first paragraphs of a body as one line of text, cut at a word boundary."""
    text = " ".join(block.text for block in html_to_text(clean).blocks if block.kind in ("p", "li", "quote"))
    text = re.sub(r" \[\d+\]", "", text)
    return shorten(text, limit)


def plain_text(raw_html: str) -> str:
    """Text content of untrusted HTML, on one line (for titles and summaries from feeds)."""
    if "<" not in raw_html and "&" not in raw_html:
        return one_line(raw_html)  # no markup, no entity: nothing to clean
    cleaned = nh3.clean(raw_html[:MAX_HTML_CHARS], tags=set(), clean_content_tags={"script", "style"})
    return one_line(html.unescape(cleaned))
