"""Brevo (API v3, https://developers.brevo.com/reference/createemailcampaign): `POST
/emailCampaigns` creates a draft (201, `{"id": 5}`), `PUT /emailCampaigns/{id}` updates it (204,
no body). The key goes in the `api-key` header. Brevo makes its own text part.

Brevo renders the body with its template language, Django-like
(https://help.brevo.com/hc/en-us/articles/4402386448530): the content's braces are written inside
`{% verbatim %}` when the email is built (compose/profiles.py). Its errors say a `code` and a
`message` (https://developers.brevo.com/docs/how-it-works#error-codes), both shown.
"""

from __future__ import annotations

from typing import Any

from .base import Campaign, Request, Tool, drafts_named, quoted


class Brevo(Tool):
    name = "brevo"
    title = "Brevo"
    default_url = "https://api.brevo.com/v3"
    sends_text = False

    def headers(self, user: str, token: str) -> dict[str, str]:
        return {"api-key": token}

    def read(self, campaign_id: str) -> Request:
        return Request("GET", f"/emailCampaigns/{quoted(campaign_id)}")

    def create(self, campaign: Campaign) -> Request:
        return Request("POST", "/emailCampaigns", {**_fields(campaign), "tag": "rameau"})

    def update(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        return [Request("PUT", f"/emailCampaigns/{quoted(campaign_id)}", _fields(campaign))]

    def find(self, campaign: Campaign) -> Request:  # the newest drafts (getemailcampaigns: no search by name)
        return Request("GET", "/emailCampaigns?type=classic&status=draft&limit=100&sort=desc&excludeHtmlContent=true")

    def found(self, answer: Any, campaign: Campaign) -> list[str]:
        return drafts_named(answer.get("campaigns") if isinstance(answer, dict) else None, campaign.name, self.draft)


def _fields(campaign: Campaign) -> dict[str, Any]:
    fields = {
        "name": campaign.name,
        "subject": campaign.subject,
        "previewText": campaign.preheader,
        "sender": {"name": campaign.sender_name, "email": campaign.sender_email},
        "replyTo": campaign.reply_to,
        "htmlContent": campaign.html,
        "recipients": {"listIds": [int(i) for i in campaign.lists]},
    }
    # An optional field is sent only with a value: Brevo checks an empty previewText or replyTo
    # as given (createEmailCampaign: both optional).
    return {key: value for key, value in fields.items() if value not in ("", None)}
