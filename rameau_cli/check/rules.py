"""`rameau check`: lint what would be sent, against what mail clients and readers need.

Each rule gives findings of level "error" (the CLI exits 1) or "warning" (exits 1 only under
--strict); "info" findings only inform. The rules read the finished parts, HTML and text, as a
mail client would. (`check --links` asks the links' servers: links.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

WIDE_TABLE = 4  # as render/body_html.py: more columns scroll inside their box on phones
GMAIL_CLIP = 102_000  # Gmail hides the rest of a message whose HTML is over about 102 KB
SIZE_WARNING = 85_000
STYLE_LIMIT = 16 * 1024  # Gmail drops a <style> block over 16 KB
TEXT_WIDTH = 78
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


@dataclass(frozen=True)
class Finding:
    segment: str
    level: str  # "error", "warning" or "info"
    rule: str
    message: str
    url: str = ""  # the link a finding is about, if any
    article: str = ""  # the article that link is in, when known


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.links: list[str] = []
        self.styles: list[str] = []
        self._in_style = False
        self.tables: list[int] = []  # the columns of each content table (role="table")
        self._row: int | None = None

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

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        elif tag == "table":
            self._row = None

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data


def check_email(email: CheckedEmail) -> list[Finding]:
    findings: list[Finding] = []

    def add(level: str, rule: str, message: str) -> None:
        findings.append(Finding(email.segment, level, rule, message))

    scan = _Scan()
    scan.feed(re.sub(r"<!--\[if.*?<!\[endif\]-->", "", email.html, flags=re.S))
    _size(email, add)
    _styles(scan, add)
    _images(scan, email, add)
    _links(scan, email, add)
    _headers(email, add)
    _tables(scan, add)
    _text(scan, email, add)
    _validity(email, add)
    return findings


def _size(email: CheckedEmail, add) -> None:
    size = len(email.html.encode("utf-8"))
    if size > SIZE_WARNING:
        per_article = max(1, size // max(1, email.articles))
        cut = -(-(size - SIZE_WARNING) // per_article)
        level = "error" if size > GMAIL_CLIP else "warning"
        add(level, "size", f"HTML is {size / 1000:.0f} KB; Gmail clips messages over {GMAIL_CLIP // 1000} KB. "
                           f"Cut about {cut} article(s), or set segments.{email.segment}.max_bytes to move the overflow "
                           "into a 'more online' list")


def _styles(scan: _Scan, add) -> None:
    for style in scan.styles:
        if len(style.encode()) > STYLE_LIMIT:
            add("error", "style", f"a <style> block is {len(style.encode()) // 1024} KB; Gmail drops blocks over 16 KB")


def _images(scan: _Scan, email: CheckedEmail, add) -> None:
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
    for name, size in email.assets:
        if size is None:
            add("error", "image", f"assets/{name} is missing from the output folder; run rameau build-issue again")
        elif size > IMAGE_HEAVY:
            level = "error" if size > IMAGE_TOO_HEAVY else "warning"
            add(level, "image", f"assets/{name} weighs {size // 1000} KB (over {IMAGE_HEAVY // 1000} KB): slow on a "
                                "phone; export it smaller or crop it, or use a JPEG rather than a PNG for a photo")


def _links(scan: _Scan, email: CheckedEmail, add) -> None:
    for href in scan.links:
        if href in email.placeholders:
            continue
        if re.match(r"^\s*(javascript|vbscript|data):", href, re.I):
            add("error", "link", f"link {href[:60]!r} runs code; remove it")
        elif not re.match(r"^(https?://[^\s/]+|mailto:)", href):
            add("error", "link", f"link {href[:60]!r} is not an absolute http(s) URL")
    if email.unsubscribe not in email.html:
        add("error", "unsubscribe", f"the HTML part has no unsubscribe link ({email.unsubscribe})")
    if email.unsubscribe not in email.text:
        add("error", "unsubscribe", f"the text part has no unsubscribe link ({email.unsubscribe})")


def _headers(email: CheckedEmail, add) -> None:
    length = len(email.subject)
    if not 1 <= length <= SUBJECT_MAX:
        add("error", "subject", f"subject is {length} characters; keep it between 1 and {SUBJECT_MAX}")
    elif length > SUBJECT_WARN:
        add("warning", "subject", f"subject is {length} characters; inboxes on phones show about {SUBJECT_WARN}")
    length = len(email.preheader)
    if not length:
        add("error", "preheader", "no preheader; inboxes will show the first words of the email instead")
    elif not PREHEADER_MIN <= length <= PREHEADER_MAX:
        add("warning", "preheader", f"preheader is {length} characters; {PREHEADER_MIN} to {PREHEADER_MAX} read best")


CODE_LINE = re.compile(r"^(> )*    ")  # code keeps its lines, indented by four spaces (render/text.py)


def _tables(scan: _Scan, add) -> None:
    for columns in scan.tables:
        if columns > WIDE_TABLE:
            add("warning", "table", f"a table has {columns} columns: on a phone it scrolls sideways, and mail clients "
                                    "that cannot scroll (some Outlook and Gmail apps) may show it wider than the screen; "
                                    "consider fewer columns, or two tables")


def _text(scan: _Scan, email: CheckedEmail, add) -> None:
    if not email.text.strip():
        add("error", "text", "no text part")
        return
    for href in dict.fromkeys(scan.links):
        if href not in email.placeholders and href.startswith("http") and href not in email.text:
            add("error", "text", f"link {href[:70]} is in the HTML but not in the text part")
    for number, line in enumerate(email.text.splitlines(), start=1):
        if len(line) > TEXT_WIDTH and not re.fullmatch(r"(\[\d+\] )?\S+://\S+", line) and not CODE_LINE.match(line):
            add("error", "text", f"text line {number} is {len(line)} columns; keep lines to {TEXT_WIDTH}")
    for image in scan.images:
        source = (image.get("src") or "").strip()
        if source and source in email.text:
            add("error", "text", f"the text part shows an image URL ({source[:60]})")


def _validity(email: CheckedEmail, add) -> None:
    import html5lib

    parser = html5lib.HTMLParser(strict=False)
    parser.parse(email.html)
    for (line, column), code, _ in parser.errors[:10]:
        add("error", "html", f"HTML parse error at line {line}, column {column}: {code}")


def emails_from_build(built: Any) -> list[CheckedEmail]:
    """The emails of an edition built in memory (a pipeline.Build)."""
    from ..render.message import build_message

    return [
        CheckedEmail(e.issue.segment.id, e.issue.subject, e.issue.preheader, e.html, e.text,
                     e.issue.profile.placeholders, str(e.issue.profile.unsubscribe), len(e.issue.articles),
                     tuple((name, len(data)) for name, data in built.assets.items() if f"/{name}" in e.html),
                     tuple((a.id, a.canonical_url) for a in e.issue.articles + e.issue.more),
                     list_unsubscribe(build_message(e.issue, e.html, e.text)))
        for e in built.emails
    ]


def list_unsubscribe(message: bytes) -> tuple[str, ...]:
    """The targets of a message's List-Unsubscribe header: `<a>, <b>` gives (a, b)."""
    from email.parser import BytesHeaderParser

    header = str(BytesHeaderParser().parsebytes(message).get("List-Unsubscribe") or "")
    return tuple(re.findall(r"<([^>]*)>", header))


def email_from_folder(built: Any, profile: Any) -> CheckedEmail:
    """An email written by build-issue (a built.BuiltEmail: its files and manifest entry)."""
    from ..errors import ContentError, Problem

    entry = built.entry
    try:
        html = (built.folder / "index.html").read_text(encoding="utf-8")
        text = (built.folder / "index.txt").read_text(encoding="utf-8")
        message = (built.folder / "message.eml").read_bytes()
    except (OSError, ValueError) as exc:
        raise ContentError(Problem(str(built.folder), f"cannot read the built email ({exc}); build it again")) from None
    articles = [a for a in entry.get("articles", []) if isinstance(a, dict)]
    return CheckedEmail(built.segment, str(entry.get("subject", "")), str(entry.get("preheader", "")), html, text,
                        profile.placeholders, str(profile.unsubscribe), len(entry.get("articles", [])),
                        _asset_sizes(built.folder.parent.parent, entry.get("assets")),
                        tuple((str(a.get("id", "")), str(a.get("url", ""))) for a in articles),
                        list_unsubscribe(message))


def _asset_sizes(out_dir: Path, names: Any) -> tuple[tuple[str, int | None], ...]:
    from ..images.assets import ASSETS_DIR, NAME

    sizes: list[tuple[str, int | None]] = []
    for name in names if isinstance(names, list) else []:
        if isinstance(name, str) and NAME.fullmatch(name):
            path = out_dir / ASSETS_DIR / name
            sizes.append((name, path.stat().st_size if path.is_file() else None))
    return tuple(sizes)


def check_edition(config: Any, options: Any, out: Path | None = None,
                  force: bool = False) -> tuple[str, list[CheckedEmail], list[Finding]]:
    """Findings for what the options name: the built emails (with no edition named, each
    segment's latest build) when there are some, else the edition built in memory; a built
    email that the sources would now build differently (unless `force`), and every article
    that could not be read, are errors. Returns (where, emails, findings)."""
    from ..built import built_emails, stale
    from ..compose.profiles import profile_for
    from ..output.write import settle
    from ..pipeline import build

    out_dir = out or config.output_dir
    settle(config, out_dir)  # what a killed build left is put right first
    built = built_emails(config, options, out_dir)
    findings: list[Finding] = []
    if built:
        profile = profile_for(config.profile, config.newsletter.language)  # its fallback: the language's
        emails = [email_from_folder(email, profile) for email in built]
        where = ", ".join(dict.fromkeys(str(email.folder.parent) for email in built))
        problems, fresh = stale(config, built)
        if not force:
            findings += [Finding(Path(p.where).name, "error", "stale", f"{p.where}: {p.message}") for p in problems]
    else:
        fresh = build(config, options)
        emails = emails_from_build(fresh)
        where = f"edition {', '.join(e.edition.id for e in fresh.editions)}, built in memory"
    if fresh is not None:
        findings += [Finding("", "error", "skipped", f"{p}; it is in no email") for p in fresh.pool.skipped]
        findings += [Finding("", "warning", "image", str(p)) for p in fresh.image_warnings]
    if not config.newsletter.address:
        findings.append(Finding("", "warning", "address", "rameau.yaml: newsletter.address: no postal address; add the "
                                "organisation's (CAN-SPAM requires one, and several emailing tools refuse a campaign "
                                "without it)"))
    return where, emails, findings + [finding for email in emails for finding in check_email(email)]
