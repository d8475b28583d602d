"""What build-issue writes for each segment (`index.html`, `index.txt`, `message.eml`,
`web.html`) and each edition's `manifest.json`. Made only when writing: previews never pay for
the message or the checksums."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..project.editions import Edition
from ..render.emails import Email

MANIFEST = "manifest.json"


def email_files(email: Email) -> dict[str, bytes]:
    from ..render.message import build_message

    return {
        "index.html": email.html.encode("utf-8"),
        "index.txt": email.text.encode("utf-8"),
        "message.eml": build_message(email.issue, email.html, email.text),
        "web.html": web_version(email).encode("utf-8"),
    }


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
    return html


def segment_entry(email: Email, edition: Edition, files: dict[str, bytes], assets: list[str]) -> dict[str, Any]:
    """`assets`: the images from disk it shows, by name under the output folder's assets/."""
    issue = email.issue
    return {
        "title": issue.segment.title,
        "number": issue.number,
        "subject": issue.subject,
        "preheader": issue.preheader,
        "window": edition.window.as_dict(),
        "articles": [{"id": a.id, "title": a.title, "url": a.canonical_url} for a in issue.articles + issue.more],
        "files": files_entry(files),
        "assets": assets,
    }


def files_entry(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()}


def make_manifest(edition: Edition, segments: dict[str, dict[str, Any]], empty: list[str]) -> dict[str, Any]:
    return {
        "edition": edition.id,
        "number": edition.number,
        "date": edition.date.isoformat(),
        "window": edition.window.as_dict(),
        "segments": segments,
        "empty_segments": empty,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
