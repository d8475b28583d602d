"""What build-issue writes for each segment (`index.html`, `index.txt`, `message.eml`, and its
web version when it may be published) and each edition's `manifest.json`. Made only when
writing: previews never pay for the message or the checksums. Where each file goes:
project/addresses.py."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..project.addresses import HTML, MESSAGE, TEXT, WEB
from ..project.editions import Edition
from ..render.emails import Email


def email_files(email: Email) -> dict[str, bytes]:
    """The files for the emailing tool, beside the manifest: never published."""
    from ..render.message import build_message

    return {
        HTML: email.html.encode("utf-8"),
        TEXT: email.text.encode("utf-8"),
        MESSAGE: build_message(email.issue, email.html, email.text),
    }


def web_file(email: Email) -> bytes | None:
    """The web version's bytes, for the public folder (None: the segment publishes none)."""
    if not email.issue.web_page:
        return None
    return web_version(email).encode("utf-8")


NOINDEX = '<meta name="robots" content="noindex, nofollow">'


_EMAIL_ONLY = re.compile(r'<span class="email-only">.*?</span>', re.S)


def web_version(email: Email) -> str:
    """The email as a public web page: the first name takes its fallback, the content reads as
    written (no tool's escapes), and what only means
    something in an inbox is left out: the theme's `<span class="email-only">` (the unsubscribe
    and view-online links), and any other link to a merge tag only the emailing tool can fill
    (a project's own templates), so that no link on the page leads nowhere."""
    profile = email.issue.profile
    html = profile.readable(email.html, profile.first_name_fallback, html=True)
    html = _EMAIL_ONLY.sub("", html)
    for tag in profile.placeholders:
        html = re.sub(rf'<a\b[^>]*\bhref="{re.escape(tag)}"[^>]*>.*?</a>', "", html, flags=re.S)
    if email.issue.segment.archive == "unlisted":  # found by its address only, never by a search engine
        html = re.sub(r"(<head\b[^>]*>)", lambda m: m.group(1) + NOINDEX, html, count=1)
    return html


def segment_entry(email: Email, edition: Edition, files: dict[str, bytes], assets: list[str],
                  web: bytes | None = None) -> dict[str, Any]:
    """`assets`: the images from disk it shows, by name under public/assets/; `web`: its web
    version, recorded with where it sits under public/ (project/addresses.py)."""
    issue = email.issue
    published: dict[str, Any] = {"archive": issue.segment.archive}
    if web is not None:
        published["web"] = {"path": issue.web_page, "url": issue.web_url, **files_entry({WEB: web})[WEB]}
    return {
        "title": issue.segment.title,
        "number": issue.number,
        "subject": issue.subject,
        "preheader": issue.preheader,
        "window": edition.window.as_dict(),
        "articles": [{"id": a.id, "title": a.title, "url": a.canonical_url} for a in issue.articles + issue.more],
        "files": files_entry(files),
        "assets": assets,
        **published,
    }


def files_entry(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}


def make_manifest(edition: Edition, segments: dict[str, dict[str, Any]], empty: list[str],
                  history: bool = True) -> dict[str, Any]:
    """`history`: whether the build read and recorded the history (`--no-history`, `--out`
    elsewhere: not), so that a check builds it again the same way."""
    return {
        "edition": edition.id,
        "number": edition.number,
        "date": edition.date.isoformat(),
        "window": edition.window.as_dict(),
        "segments": segments,
        "empty_segments": empty,
        **({} if history else {"history": False}),
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
