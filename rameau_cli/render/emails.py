"""An `Issue` rendered as an email: MJML (Jinja2) to HTML (mjml-python), and the text part."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..compose.issue import Issue, marked_for_rendering
from ..compose.placeholders import fill_placeholders
from .mjml import mjml_to_html
from .templates import render_template
from .text import LinkList, finish_text

HTML_TEMPLATE = "email.mjml"
TEXT_TEMPLATE = "email.txt"


@dataclass(frozen=True)
class Email:
    """One segment's email in one edition: its issue, its HTML and its text part."""

    issue: Issue
    html: str
    text: str


def render_email(issue: Issue, project_templates: Path | None) -> Email:
    """The email as the profile's tool gets it: its content's braces written as the tool writes a
    literal `{`, and each placeholder of the content the tool's merge tag."""
    marked = marked_for_rendering(issue)
    mjml_source = render_template(project_templates, "mjml", HTML_TEMPLATE, issue=marked)
    text = render_template(project_templates, "text", TEXT_TEMPLATE, issue=marked, links=LinkList())
    profile = issue.profile
    tags = tuple(tag for tag in (str(profile.unsubscribe), str(issue.view_online), str(profile.first_name),
                                     str(profile.manage)) if tag)
    text = finish_text(fill_placeholders(text, {"first_name": str(profile.first_name)}), issue.language, tags)
    return Email(issue, profile.for_tool(mjml_to_html(mjml_source), html=True), profile.for_tool(text, html=False))


def render_within(issue: Issue, project_templates: Path | None) -> Email:
    """Render; when the HTML is over the segment's `max_bytes`, move the last articles into the
    short "more online" list, keeping as many full cards as fit (at least one)."""
    rendered = render_email(issue, project_templates)
    limit = issue.segment.max_bytes
    if not limit or len(rendered.html.encode()) <= limit or len(issue.articles) <= 1:
        return rendered
    pool = issue.articles + issue.more
    low, high, best, one = 1, len(issue.articles) - 1, None, None
    while low <= high:
        cards = (low + high) // 2
        candidate = render_email(replace(issue, articles=pool[:cards], more=pool[cards:]), project_templates)
        if cards == 1:
            one = candidate
        if len(candidate.html.encode()) <= limit:
            best, low = candidate, cards + 1
        else:
            high = cards - 1
    if best is None:  # none fits: the search tried one card last, the least an email keeps
        assert one is not None
        return one
    return best
