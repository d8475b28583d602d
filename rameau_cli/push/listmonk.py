"""listmonk (https://listmonk.app/docs/apis/campaigns/): `POST /api/campaigns` creates a draft
("newly created campaigns are always drafts"), `PUT /api/campaigns/{id}` updates it.

HTTP Basic with `RAMEAU_PUSH_USER:RAMEAU_PUSH_TOKEN`: an API user and its token on listmonk 4 and
later, the admin user and password before. Give that user a role without `campaigns:send`.
listmonk answers a read of an unknown campaign with 400 "Campaign not found" rather than 404,
and wants `lists` on every update.
"""

from __future__ import annotations

import base64
from typing import Any

from .base import Campaign, Request, Tool, drafts_named, quoted


class Listmonk(Tool):
    name = "listmonk"
    title = "listmonk"
    needs_user = True
    needs_url = True
    gone_codes = (400, 404)  # a read by id has nothing else a 400 could be about (its message is translated)

    def headers(self, user: str, token: str) -> dict[str, str]:
        pair = base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def read(self, campaign_id: str) -> Request:
        return Request("GET", f"/api/campaigns/{quoted(campaign_id)}?no_body=true")

    def status(self, answer: Any) -> str:
        return super().status(_data(answer))

    def create(self, campaign: Campaign) -> Request:
        return Request("POST", "/api/campaigns", {**_fields(campaign), "type": "regular", "messenger": "email",
                                                  "tags": ["rameau"]})

    def new_id(self, answer: Any) -> str:
        return super().new_id(_data(answer))

    def update(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        return [Request("PUT", f"/api/campaigns/{quoted(campaign_id)}", _fields(campaign))]

    def find(self, campaign: Campaign) -> Request:  # https://listmonk.app/docs/apis/campaigns/#get-apicampaigns
        from urllib.parse import urlencode

        query = urlencode({"query": campaign.name, "status": "draft", "no_body": "true", "per_page": 100})
        return Request("GET", f"/api/campaigns?{query}")

    def found(self, answer: Any, campaign: Campaign) -> list[str]:
        data = _data(answer)
        return drafts_named(data.get("results") if isinstance(data, dict) else None, campaign.name, self.draft)

    def link(self, base: str, campaign_id: str) -> str:
        return f"{base}/admin/campaigns/{quoted(campaign_id)}"


def _fields(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "subject": campaign.subject,
        "lists": [int(i) for i in campaign.lists],
        "from_email": f"{campaign.sender_name} <{campaign.sender_email}>",
        "content_type": "html",
        "body": campaign.html,
        "altbody": campaign.text,
    }


def _data(answer: Any) -> Any:
    return answer.get("data") if isinstance(answer, dict) else None
