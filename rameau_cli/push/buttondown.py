"""Buttondown (API v1, https://docs.buttondown.com/api-emails-create): `POST /emails` with
`"status": "draft"`, then `PATCH /emails/{id}`; `Authorization: Token …`.

Buttondown SENDS an email created without a status (its default is `about_to_send`): the create
always says `draft`, an update never sends a status at all, and procedure.py checks the status
the create answered with. Segments map to subscriber tags (`lists` are tag ids); a segment
without lists goes to every subscriber. Buttondown makes its own text part.

What a subscriber gets is what was built (Buttondown's OpenAPI file, github.com/buttondown/openapi):
- `template: "naked"`: "the email body itself is used as the template, with no outside
  scaffolding provided by Buttondown" (enums.json, EmailTemplate); any other template wraps the
  finished document in Buttondown's layout, with a second unsubscribe link. An account that
  cannot have it is told which setting sends only the content instead (`explain`).
- `slug`, one per edition and segment ("a short, human-readable identifier for the email",
  `^[a-zA-Z0-9_-]+$`, at most 100): the segments of one edition share a subject, and Buttondown
  can refuse a same-subject email as `email_duplicate` (EmailCreationErrorCode).
- The body is rendered with Django's template engine; the content's braces are written inside
  `{% verbatim %}` when the email is built (compose/profiles.py).
"""

from __future__ import annotations

import re
from typing import Any

from .base import Campaign, Request, Tool, quoted

API_VERSION = "2026-04-01"  # pinned, so that answers keep their shape
EDITOR_MODE = "<!-- buttondown-editor-mode: fancy -->"  # the body is finished HTML, not Markdown


class Buttondown(Tool):
    name = "buttondown"
    title = "Buttondown"
    default_url = "https://api.buttondown.com/v1"
    sends_text = False
    needs_lists = False  # without tags, every subscriber

    def headers(self, user: str, token: str) -> dict[str, str]:
        return {"Authorization": f"Token {token}", "X-API-Version": API_VERSION}

    def read(self, campaign_id: str) -> Request:
        return Request("GET", f"/emails/{quoted(campaign_id)}")

    def create(self, campaign: Campaign) -> Request:
        return Request("POST", "/emails", {**_fields(campaign), "status": "draft"})

    def find(self, campaign: Campaign) -> Request:  # an email has no name: its drafts, by subject and preheader
        return Request("GET", "/emails?status=draft&ordering=-creation_date")

    def found(self, answer: Any, campaign: Campaign) -> list[str]:
        items = answer.get("results") if isinstance(answer, dict) else None
        return [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id") is not None
                and item.get("status") == self.draft and item.get("subject") == campaign.subject
                and item.get("description", campaign.preheader) == campaign.preheader] if isinstance(items, list) else []

    def update(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        return [Request("PATCH", f"/emails/{quoted(campaign_id)}", _fields(campaign))]

    def explain(self, code: int | None, message: str) -> str:
        if code is None or not 400 <= code < 500 or not re.search(r"template|naked", message, re.I):
            return message
        return (f"{message}: this Buttondown account cannot have naked emails (template \"naked\"); set "
                "emailing.push.buttondown.content_only: true to send only the email's content into the newsletter's "
                "own template, without rameau's header, footer and unsubscribe link")


def _fields(campaign: Campaign) -> dict[str, Any]:
    tags = [{"field": "subscriber.tags", "operator": "contains", "value": tag} for tag in campaign.lists]
    template = {} if campaign.content_only else {"template": "naked"}  # content only: the newsletter's own
    return {
        "subject": campaign.subject,
        "description": campaign.preheader,
        "body": EDITOR_MODE + campaign.html,
        **template,
        "slug": slug(campaign.edition, campaign.segment),
        "filters": {"filters": tags, "groups": [], "predicate": "or"},
    }


def slug(edition: str, segment: str) -> str:
    """`2026-w48-weekly-business`: the edition's and the segment's ids, as Buttondown takes a slug."""
    return re.sub(r"[^a-z0-9_-]+", "-", f"{edition}-{segment}".lower()).strip("-")[:100]
