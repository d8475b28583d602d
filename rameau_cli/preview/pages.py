"""The web preview's own pages (not the emails, which are served as built), from the theme's
`preview/` templates, autoescaped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..pipeline import Build
from ..render.emails import Email
from ..render.templates import THEME, render_template


@dataclass
class Snapshot:
    """The latest build: its result (kept from the last success) and the error of the latest try."""

    version: int = 0
    result: Build | None = None
    error: str = ""


def index_page(snapshot: Snapshot, templates: Path | None) -> str:
    return render_template(templates, "html", "preview/index.html", snapshot=snapshot)


def segment_page(snapshot: Snapshot, segment_id: str, email: Email | None, templates: Path | None) -> str:
    return render_template(templates, "html", "preview/segment.html", snapshot=snapshot, segment_id=segment_id,
                           email=email)


def asset(name: str) -> str:
    """The preview's script and style sheet, from the built-in theme only."""
    return (THEME / "preview" / name).read_text(encoding="utf-8")


def as_read(email: Email, html: bool) -> str:
    """A part as a reader sees it: the first name its fallback, the content as written."""
    profile = email.issue.profile
    return profile.readable(email.html if html else email.text, profile.first_name_fallback, html)
