"""`rameau check`: lint what would be sent, against what mail clients and readers need.

Each rule gives findings of level "error" (the CLI exits 1) or "warning" (exits 1 only under
--strict). The rules read the finished parts, HTML and text, as a mail client would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

GMAIL_CLIP = 102_000  # Gmail hides the rest of a message whose HTML is over about 102 KB
SIZE_WARNING = 85_000
STYLE_LIMIT = 16 * 1024  # Gmail drops a <style> block over 16 KB
TEXT_WIDTH = 78
SUBJECT_MAX, SUBJECT_WARN = 78, 50
PREHEADER_MIN, PREHEADER_MAX = 40, 140


@dataclass(frozen=True)
class Part:
    """One segment's email as it would be sent."""

    segment: str
    subject: str
    preheader: str
    html: str
    text: str
    placeholders: tuple[str, ...]  # the emailing tool's merge tags that stand for URLs
    unsubscribe: str
    articles: int


@dataclass(frozen=True)
class Finding:
    segment: str
    level: str  # "error" or "warning"
    rule: str
    message: str


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.links: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        elif tag == "a" and "href" in attributes:
            self.links.append((attributes["href"] or "").strip())
        elif tag == "style":
            self._in_style = True
            self.styles.append("")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data


def check_part(part: Part) -> list[Finding]:
    findings: list[Finding] = []

    def add(level: str, rule: str, message: str) -> None:
        findings.append(Finding(part.segment, level, rule, message))

    scan = _Scan()
    scan.feed(re.sub(r"<!--\[if.*?<!\[endif\]-->", "", part.html, flags=re.S))
    _size(part, add)
    _styles(scan, add)
    _images(scan, part, add)
    _links(scan, part, add)
    _headers(part, add)
    _text(scan, part, add)
    _validity(part, add)
    return findings


def _size(part: Part, add) -> None:
    size = len(part.html.encode("utf-8"))
    if size > SIZE_WARNING:
        per_article = max(1, size // max(1, part.articles))
        cut = -(-(size - SIZE_WARNING) // per_article)
        level = "error" if size > GMAIL_CLIP else "warning"
        add(level, "size", f"HTML is {size / 1000:.0f} KB; Gmail clips messages over {GMAIL_CLIP // 1000} KB. "
                           f"Cut about {cut} article(s), or set segments.{part.segment}.max_bytes to move the overflow "
                           "into a 'more online' list")


def _styles(scan: _Scan, add) -> None:
    for style in scan.styles:
        if len(style.encode()) > STYLE_LIMIT:
            add("error", "style", f"a <style> block is {len(style.encode()) // 1024} KB; Gmail drops blocks over 16 KB")


def _images(scan: _Scan, part: Part, add) -> None:
    for image in scan.images:
        source = (image.get("src") or "").strip()
        shown = source[:60]
        if source.startswith("data:"):
            add("error", "image", "an image is embedded as base64 (data:); host it and link it over https")
        elif not source.startswith("https://"):
            add("error", "image", f"image {shown!r} is not an absolute https URL")
        if not (image.get("alt") or "").strip():
            add("error", "image", f"image {shown!r} has no alt text")
        if not (image.get("width") or "").strip():
            add("error", "image", f"image {shown!r} has no explicit width")


def _links(scan: _Scan, part: Part, add) -> None:
    for href in scan.links:
        if href in part.placeholders:
            continue
        if re.match(r"^\s*(javascript|vbscript|data):", href, re.I):
            add("error", "link", f"link {href[:60]!r} runs code; remove it")
        elif not re.match(r"^(https?://[^\s/]+|mailto:)", href):
            add("error", "link", f"link {href[:60]!r} is not an absolute http(s) URL")
    if part.unsubscribe not in part.html:
        add("error", "unsubscribe", f"the HTML part has no unsubscribe link ({part.unsubscribe})")
    if part.unsubscribe not in part.text:
        add("error", "unsubscribe", f"the text part has no unsubscribe link ({part.unsubscribe})")


def _headers(part: Part, add) -> None:
    length = len(part.subject)
    if not 1 <= length <= SUBJECT_MAX:
        add("error", "subject", f"subject is {length} characters; keep it between 1 and {SUBJECT_MAX}")
    elif length > SUBJECT_WARN:
        add("warning", "subject", f"subject is {length} characters; inboxes on phones show about {SUBJECT_WARN}")
    length = len(part.preheader)
    if not length:
        add("error", "preheader", "no preheader; inboxes will show the first words of the email instead")
    elif not PREHEADER_MIN <= length <= PREHEADER_MAX:
        add("warning", "preheader", f"preheader is {length} characters; {PREHEADER_MIN} to {PREHEADER_MAX} read best")


def _text(scan: _Scan, part: Part, add) -> None:
    if not part.text.strip():
        add("error", "text", "no text part")
        return
    for href in dict.fromkeys(scan.links):
        if href not in part.placeholders and href.startswith("http") and href not in part.text:
            add("error", "text", f"link {href[:70]} is in the HTML but not in the text part")
    for number, line in enumerate(part.text.splitlines(), start=1):
        if len(line) > TEXT_WIDTH and not re.fullmatch(r"(\[\d+\] )?\S+://\S+", line):
            add("error", "text", f"text line {number} is {len(line)} columns; keep lines to {TEXT_WIDTH}")
    for image in scan.images:
        source = (image.get("src") or "").strip()
        if source and source in part.text:
            add("error", "text", f"the text part shows an image URL ({source[:60]})")


def _validity(part: Part, add) -> None:
    import html5lib

    parser = html5lib.HTMLParser(strict=False)
    parser.parse(part.html)
    for (line, column), code, _ in parser.errors[:10]:
        add("error", "html", f"HTML parse error at line {line}, column {column}: {code}")


def parts_from_result(result) -> list[Part]:
    """The parts of an edition built in memory."""
    return [
        Part(r.issue.segment.id, r.issue.subject, r.issue.preheader, r.html, r.text, r.issue.profile.placeholders,
             str(r.issue.profile.unsubscribe), len(r.issue.articles))
        for r in result.issues
    ]


def parts_from_folder(folder, profile) -> list[Part]:
    """The parts of an edition written by build-issue (its manifest and files)."""
    import json

    from .errors import ContentError, Problem

    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        parts = []
        for segment_id, entry in manifest["segments"].items():
            html = (folder / segment_id / "index.html").read_text(encoding="utf-8")
            text = (folder / segment_id / "index.txt").read_text(encoding="utf-8")
            parts.append(Part(segment_id, entry["subject"], entry["preheader"], html, text, profile.placeholders,
                              str(profile.unsubscribe), len(entry["articles"])))
    except (OSError, ValueError, KeyError) as exc:
        raise ContentError(Problem(str(folder), f"cannot read the built edition ({exc}); build it again")) from None
    return parts


def check_edition(config, options, out=None):
    """Findings for the edition(s) the options name: the built files when they are in the output
    folder, else a build in memory. Returns (where, parts, findings)."""
    from .build import build_editions, plan_editions, pick_segments
    from .errors import Warnings
    from .profiles import profile_for

    import datetime as dt

    plan = plan_editions(config, options, pick_segments(config, options.segments),
                         dt.datetime.now(config.newsletter.tz), Warnings())
    folders = [(out or config.output_dir) / edition.id for edition, _ in plan]
    if all((folder / "manifest.json").is_file() for folder in folders):
        profile = profile_for(config.profile, config.newsletter.language)
        parts = [part for folder in folders for part in parts_from_folder(folder, profile)]
        where = ", ".join(str(folder) for folder in folders)
    else:
        results = build_editions(config, options, write=False)
        parts = [part for result in results for part in parts_from_result(result)]
        where = f"edition {' + '.join(r.edition.id for r in results)}, built in memory"
    return where, parts, [finding for part in parts for finding in check_part(part)]
