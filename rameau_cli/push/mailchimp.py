"""Mailchimp (Marketing API 3.0, https://mailchimp.com/developer/marketing/api/campaigns/): `POST
/campaigns` creates a campaign, saved as a draft (status `save`), then `PUT
/campaigns/{id}/content` gives it its HTML and text; an update is `PATCH /campaigns/{id}` and
the same content `PUT`.

The key's suffix names its data centre (`…-us21`: https://us21.api.mailchimp.com/3.0); it is
sent with HTTP Basic, any user name.

A campaign goes to one audience (`recipients.list_id`), or to a part of it
(`recipients.segment_opts`, https://mailchimp.com/developer/marketing/api/campaigns/add-campaign/):
`saved_segment_id` for a saved segment, or a `StaticSegment` condition `static_is` for a tag
(tags are static segments: https://mailchimp.com/developer/marketing/api/list-segments/).
Mailchimp ties the reply-to address to the campaign's `settings.reply_to` (an address verified in
the account); there is no separate Reply-To header. Its merge tags are `*|…|*`
(https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/) and no way to write `*|` as text is
documented: `rameau check` reports content that holds it (rule merge-tag-in-content).
"""

from __future__ import annotations

import base64
from typing import Any

from .base import Campaign, Request, Tool, drafts_named, quoted


class Mailchimp(Tool):
    name = "mailchimp"
    title = "Mailchimp"
    draft = "save"

    def base_url(self, url: str, token: str) -> str:
        if url:
            return url
        centre = token.rsplit("-", 1)[1] if "-" in token else ""
        return f"https://{centre if centre.isalnum() else '<dc>'}.api.mailchimp.com/3.0"

    def headers(self, user: str, token: str) -> dict[str, str]:
        pair = base64.b64encode(f"rameau:{token}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def read(self, campaign_id: str) -> Request:
        return Request("GET", f"/campaigns/{quoted(campaign_id)}?fields=id,status")

    def create(self, campaign: Campaign) -> Request:
        return Request("POST", "/campaigns", {"type": "regular", **_settings(campaign)})

    def fill(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        return [Request("PUT", f"/campaigns/{quoted(campaign_id)}/content",
                        {"html": campaign.html, "plain_text": campaign.text})]

    def find(self, campaign: Campaign) -> Request:  # drafts are `save`; a campaign's name is settings.title
        return Request("GET", "/campaigns?status=save&count=1000&sort_field=create_time&sort_dir=DESC"
                              "&fields=campaigns.id,campaigns.status,campaigns.settings.title")

    def found(self, answer: Any, campaign: Campaign) -> list[str]:
        return drafts_named(answer.get("campaigns") if isinstance(answer, dict) else None, campaign.name, self.draft,
                            lambda item: (item.get("settings") or {}).get("title"))

    def update(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        return [Request("PATCH", f"/campaigns/{quoted(campaign_id)}", _settings(campaign)),
                *self.fill(campaign_id, campaign)]


def _settings(campaign: Campaign) -> dict[str, Any]:
    recipients: dict[str, Any] = {"list_id": campaign.lists[0]}
    if campaign.audience_part:
        recipients["segment_opts"] = segment_opts(*campaign.audience_part)
    return {
        "recipients": recipients,
        "settings": {"subject_line": campaign.subject, "preview_text": campaign.preheader, "title": campaign.name,
                     "from_name": campaign.sender_name, "reply_to": campaign.sender_email},
    }


def segment_opts(kind: str, part_id: int) -> dict[str, Any]:
    """The part of the audience a campaign goes to: a saved segment by its id, or a tag (a static
    segment to the API) as a condition."""
    if kind == "saved_segment":
        return {"saved_segment_id": part_id}
    return {"match": "all", "conditions": [{"condition_type": "StaticSegment", "field": "static_segment",
                                            "op": "static_is", "value": part_id}]}
