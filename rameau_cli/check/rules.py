"""`rameau check`: lint what would be sent, against what mail clients and readers need.

Each finding names its rule by a stable id (project/checks.py lists them, with their default
levels): "error" (the CLI exits 1), "warning" (exits 1 only under --strict) or "info"; the
project's `check.rules` may change a rule's level or turn it off. The rules read the finished
parts, HTML and text, as a mail client would. (`check --links` asks the links' servers:
links.py; which emails are checked, and how: edition.py.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any

import html5lib

from ..compose.placeholders import unknown_placeholders
from ..memo import kept
from ..project.checks import RULES, Checks
from ..render.body_html import WIDE_TABLE  # more columns scroll inside their box on phones
from ..render.outlook import CODE_COLUMNS, as_others_read, as_outlook_reads
from ..render.text import CODE_INDENT, TEXT_WIDTH

GMAIL_CLIP = 102_000  # Gmail hides the rest of a message whose HTML is over about 102 KB
SIZE_WARNING = 85_000
STYLE_LIMIT = 16 * 1024  # Gmail drops a <style> block over 16 KB
SUBJECT_MAX, SUBJECT_WARN = 78, 50
PREHEADER_MIN, PREHEADER_MAX = 40, 140
IMAGE_HEAVY, IMAGE_TOO_HEAVY = 200_000, 1_000_000  # bytes of an image from disk, once made email-ready


@dataclass(frozen=True)
class CheckedEmail:
    """One segment's email as it would be sent: what the rules read."""

    segment: str
    subject: str
    preheader: str
    html: str
    text: str
    placeholders: tuple[str, ...]  # the emailing tool's merge tags that stand for URLs
    unsubscribe: str
    articles: int
    assets: tuple[tuple[str, int | None], ...] = ()  # its images from disk: name, bytes (None: missing)
    article_urls: tuple[tuple[str, str], ...] = ()  # (article id, its canonical URL)
    list_unsubscribe: tuple[str, ...] = ()  # the targets of the List-Unsubscribe header
    profile: Any = None  # the emailing tool's profile (compose/profiles.py), when known


@dataclass(frozen=True)
class Finding:
    segment: str
    level: str  # "error", "warning" or "info"
    rule: str  # its stable id, such as "subject-length" (project/checks.py)
    message: str
    url: str = ""  # the link a finding is about, if any
    article: str = ""  # the article that link is in, when known


def finding(segment: str, rule: str, message: str, url: str = "", article: str = "") -> Finding:
    """A finding of `rule`, at the rule's default level."""
    return Finding(segment, RULES[rule].level, rule, message, url, article)


def with_levels(findings: list[Finding], checks: Checks) -> list[Finding]:
    """The findings at the levels the project gives their rules; those of rules turned off are gone."""
    if not checks.levels:
        return findings

    leveled = [replace(f, level=checks.level(f.rule)) for f in findings]
    return [f for f in leveled if f.level != "off"]


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.links: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self.tables: list[int] = []  # the columns of each content table (role="table")
        self._row: int | None = None
        self.code: list[str] = []  # the text of each <pre>
        self._in_pre = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("role") == "table":
            self.tables.append(0)
            self._row = 0
        elif tag == "tr" and self._row is not None:
            self._row = 0
        elif tag in ("td", "th") and self._row is not None and self.tables:
            self._row += 1
            self.tables[-1] = max(self.tables[-1], self._row)
        if tag == "img":
            self.images.append(attributes)
        elif tag == "a" and "href" in attributes:
            self.links.append((attributes["href"] or "").strip())
        elif tag == "style":
            self._in_style = True
            self.styles.append("")
        elif tag == "pre":
            self._in_pre = True
            self.code.append("")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        elif tag == "pre":
            self._in_pre = False
        elif tag == "table":
            self._row = None

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data
        elif self._in_pre:
            self.code[-1] += data


@kept(32)  # memo.py: four emails, each in both views, a few checks back
def scanned(html: str, view: Callable[[str], str]) -> _Scan:
    """What the rules read of `html` as a client reads it (`view`): its images, links, styles,
    tables and code. Read it, never change it."""
    scan = _Scan()
    scan.feed(view(html))
    return scan


def check_email(email: CheckedEmail) -> list[Finding]:
    findings: list[Finding] = []

    def add(rule: str, message: str) -> None:
        findings.append(finding(email.segment, rule, message))

    scan = scanned(email.html, as_others_read)  # Outlook's own parts are checked as Outlook reads them
    _size(email, add)
    _styles(scan, add)
    _images(scan, email, add)
    _links(scan, email, add)
    _headers(email, add)
    _tables(scan, add)
    _outlook(email, add)
    _text(scan, email, add)
    _content_syntax(email, add)
    _validity(email, add)
    return findings


def _size(email: CheckedEmail, add) -> None:
    size = len(email.html.encode("utf-8"))
    if size > SIZE_WARNING:
        per_article = max(1, size // max(1, email.articles))
        cut = -(-(size - SIZE_WARNING) // per_article)
        add("size-clipped" if size > GMAIL_CLIP else "size-heavy",
            f"HTML is {size / 1000:.0f} KB; Gmail clips messages over {GMAIL_CLIP // 1000} KB. Cut about {cut} "
            f"article(s), or set segments.{email.segment}.max_bytes to move the overflow into a 'more online' list")


def _styles(scan: _Scan, add) -> None:
    for style in scan.styles:
        if len(style.encode()) > STYLE_LIMIT:
            add("style-size", f"a <style> block is {len(style.encode()) // 1024} KB; Gmail drops blocks over 16 KB")


def _images(scan: _Scan, email: CheckedEmail, add) -> None:
    for image in scan.images:
        source = (image.get("src") or "").strip()
        shown = source[:60]
        if source.startswith("data:"):
            add("image-base64", "an image is embedded as base64 (data:); host it and link it over https")
        elif not source.startswith("https://"):
            add("image-https", f"image {shown!r} is not an absolute https URL")
        if not (image.get("alt") or "").strip():
            add("image-alt", f"image {shown!r} has no alt text")
        if not (image.get("width") or "").strip():
            add("image-width", f"image {shown!r} has no explicit width")
    for name, size in email.assets:
        if size is None:
            add("image-missing", f"assets/{name} is missing from the output folder; run rameau build-issue again")
        elif size > IMAGE_HEAVY:
            add("image-too-heavy" if size > IMAGE_TOO_HEAVY else "image-heavy",
                f"assets/{name} weighs {size // 1000} KB (over {IMAGE_HEAVY // 1000} KB): slow on a phone; export it "
                "smaller or crop it, or use a JPEG rather than a PNG for a photo")


def _links(scan: _Scan, email: CheckedEmail, add) -> None:
    for href in scan.links:
        if href in email.placeholders:
            continue
        if re.match(r"^\s*(javascript|vbscript|data):", href, re.I):
            add("link-script", f"link {href[:60]!r} runs code; remove it")
        elif not re.match(r"^(https?://[^\s/]+|mailto:)", href):
            add("link-absolute", f"link {href[:60]!r} is not an absolute http(s) URL")
    if email.unsubscribe not in email.html:
        add("unsubscribe-missing", f"the HTML part has no unsubscribe link ({email.unsubscribe})")
    if email.unsubscribe not in email.text:
        add("unsubscribe-missing", f"the text part has no unsubscribe link ({email.unsubscribe})")


def _headers(email: CheckedEmail, add) -> None:
    length = len(email.subject)
    if not length:
        add("subject-missing", f"no subject; give one of 1 to {SUBJECT_MAX} characters")
    elif length > SUBJECT_MAX:
        add("subject-too-long", f"subject is {length} characters; keep it between 1 and {SUBJECT_MAX}")
    elif length > SUBJECT_WARN:
        add("subject-length", f"subject is {length} characters; inboxes on phones show about {SUBJECT_WARN}")
    length = len(email.preheader)
    if not length:
        add("preheader-missing", "no preheader; inboxes will show the first words of the email instead")
    elif not PREHEADER_MIN <= length <= PREHEADER_MAX:
        add("preheader-length", f"preheader is {length} characters; {PREHEADER_MIN} to {PREHEADER_MAX} read best")


CODE_LINE = re.compile(rf"^(> )*{CODE_INDENT}")  # code keeps its lines, indented (render/text.py)


def _tables(scan: _Scan, add) -> None:
    for columns in scan.tables:
        if columns > WIDE_TABLE:
            add("table-wide", f"a table has {columns} columns: on a phone it scrolls sideways in its box (some "
                              "Gmail and Yahoo apps cannot scroll it and show it cut); consider fewer columns, or two "
                              "tables (Outlook for Windows: rule outlook-wide)")


OUTLOOK_COLUMN = 600


def _outlook(email: CheckedEmail, add) -> None:
    """What Outlook for Windows lays out wider than its column: it neither scrolls a table's box
    nor wraps a <pre>, and sizes an image by its width attribute."""
    scan = scanned(email.html, as_outlook_reads)
    for columns in scan.tables:
        if columns > WIDE_TABLE:
            add("outlook-wide", f"a table has {columns} columns and no form for Outlook for Windows, which cannot "
                                "scroll it: there it widens the whole email; give it an Outlook form inside "
                                "<!--[if mso]> (the default theme's cards do), or fewer columns")
    for text in scan.code:
        longest = max((len(line) for line in text.splitlines()), default=0)
        if longest > CODE_COLUMNS:
            add("outlook-wide", f"a code line is {longest} characters: Outlook for Windows does not wrap it and "
                                f"widens the whole email (about {CODE_COLUMNS} fit); break the line, or give an "
                                "Outlook form inside <!--[if mso]> (the default theme's cards do)")
    for image in scan.images:
        width = (image.get("width") or "").strip()
        if width.isdigit() and int(width) > OUTLOOK_COLUMN:
            add("outlook-wide", f"image {(image.get('src') or '')[:60]!r} says width={width}: Outlook for Windows "
                                f"shows it that wide, past the {OUTLOOK_COLUMN} px column")
    if re.search(r"class=\"[^\"]*\bdm-plate\b", email.html):
        add("logo-dark-contrast", "the logo's ink is dark on a transparent background and would vanish on the "
                                  "dark palette: dark mode shows it on a light plate; set newsletter.logo_dark to a "
                                  "version with light ink for a better look")


def _text(scan: _Scan, email: CheckedEmail, add) -> None:
    if not email.text.strip():
        add("text-missing", "no text part")
        return
    for href in dict.fromkeys(scan.links):
        if href not in email.placeholders and href.startswith("http") and href not in email.text:
            add("text-link-missing", f"link {href[:70]} is in the HTML but not in the text part")
    for number, line in enumerate(email.text.splitlines(), start=1):
        if len(line) > TEXT_WIDTH and not re.fullmatch(r"(\[\d+\] )?\S+://\S+", line) and not CODE_LINE.match(line):
            add("text-line-length", f"text line {number} is {len(line)} columns; keep lines to {TEXT_WIDTH}")
    for image in scan.images:
        source = (image.get("src") or "").strip()
        if source and source in email.text:
            add("text-image-url", f"the text part shows an image URL ({source[:60]})")


def _content_syntax(email: CheckedEmail, add) -> None:
    """The text part as readers get it: an unknown `{name}` (never in code); for Mailchimp, a
    `*|` that is none of the profile's merge tags."""

    profile = email.profile
    text = profile.readable(email.text, profile.first_name_fallback, False) if profile else email.text
    prose = [line for line in text.splitlines() if not CODE_LINE.match(line)]
    for name in dict.fromkeys(found for line in prose for found in unknown_placeholders(line)):
        add("placeholder-unknown", f"{name} is sent as it is: rameau fills only {{first_name}} (the greeting's "
                                   "placeholder); write that, or reword")
    if profile is not None and profile.name == "mailchimp":
        for part, content in (("HTML", email.html), ("text part", email.text)):
            for tag in profile.tags:
                content = content.replace(tag, "")
            found = re.search(r"\*\|[^\n]{0,30}", content)
            if found:
                add("merge-tag-in-content", f"the {part} holds {found.group(0)!r}: Mailchimp reads *|…|* as a merge tag "
                                            "and documents no way to write it as text; reword it (such as * | )")


@kept(16)  # memo.py
def _parse_errors(html: str) -> tuple[tuple[tuple[int, int], str], ...]:
    """The first ten errors an HTML5 parser meets in `html`: where (line, column), and its code."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(html)
    return tuple((where, code) for where, code, _ in parser.errors[:10])


def _validity(email: CheckedEmail, add) -> None:
    for (line, column), code in _parse_errors(email.html):
        add("html-parse", f"HTML parse error at line {line}, column {column}: {code}")
