"""listmonk (https://listmonk.app/docs/apis/campaigns/): `POST /api/campaigns` creates a draft
("newly created campaigns are always drafts"), `PUT /api/campaigns/{id}` updates it.

HTTP Basic with `RAMEAU_PUSH_USER:RAMEAU_PUSH_TOKEN`: an API user and its token on listmonk 4 and
later, the admin user and password before. Give that user a role without `campaigns:send`.
listmonk answers a read of an unknown campaign with 400 "Campaign not found" rather than 404,
and wants `lists` on every update.

What a subscriber gets is what was built (github.com/knadh/listmonk):
- A campaign without `template_id` is wrapped in the default template (queries/campaigns.sql:
  `is_default = true`; static/email-templates/default.tpl: a 525 px box, a second footer and
  unsubscribe link). Every draft uses instead a campaign template whose body is only
  `{{ template "content" . }}`, named for rameau, found (or made once) through the templates
  API (docs/docs/content/apis/templates.md); one of that name whose body was changed is not used.
- listmonk compiles the body with Go's html/template (models/campaigns.go CompileTemplate), which
  strips HTML comments, the Outlook conditional comments included (issues #1088, #1159, #1273).
  Each comment is written `{{ "<!--[if mso]>…" | Safe }}`, the maintainer's answer there: a
  string constant through `Safe`, which returns template.HTML and is written as it is.
- The subject is compiled too when it holds `{{ … }}` (CompileTemplate): its braces are written
  as string constants, as the body's are (compose/profiles.py).
- Reply-To goes in `headers` (docs/docs/content/apis/campaigns.md: "Key-value pairs to send as
  SMTP headers").
- A 403 that says "permission denied" is the API user's role (internal/auth/auth.go), not its
  credentials ("invalid API credentials").
"""

from __future__ import annotations

import base64
import re
from typing import Any

from .base import Campaign, Prerequisite, Request, Tool, drafts_named, quoted
from .client import ApiError

TEMPLATE_NAME = "rameau: the email as built"
TEMPLATE_BODY = '{{ template "content" . }}'
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class Listmonk(Tool):
    name = "listmonk"
    title = "listmonk"
    needs_user = True
    needs_url = True
    gone_codes = (400, 404)  # a read by id has nothing else a 400 could be about (its message is translated)

    def __init__(self) -> None:
        self.template_id: int | None = None  # rameau's campaign template, once found or made

    def prerequisite(self) -> Prerequisite:
        return Prerequisite("listmonk's campaign template for rameau", Request("GET", "/api/templates"), _our_template,
                            Request("POST", "/api/templates", {"name": TEMPLATE_NAME, "type": "campaign",
                                                               "body": TEMPLATE_BODY}),
                            lambda answer: super(Listmonk, self).new_id(_data(answer)), self._use)

    def _use(self, template_id: str) -> None:
        self.template_id = int(template_id)

    def explain(self, code: int | None, message: str) -> str:
        said = re.search(r"permission denied[^)]*", message, re.I)
        if code != 403 or not said:
            return message
        return (f"listmonk answered 403 ({said.group(0)}): the API user's credentials were accepted, but its role "
                "lacks that permission (or the segment's lists); give it in listmonk, Users > User roles")

    def headers(self, user: str, token: str) -> dict[str, str]:
        pair = base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def read(self, campaign_id: str) -> Request:
        return Request("GET", f"/api/campaigns/{quoted(campaign_id)}?no_body=true")

    def status(self, answer: Any) -> str:
        return super().status(_data(answer))

    def create(self, campaign: Campaign) -> Request:
        return Request("POST", "/api/campaigns", {**self._fields(campaign), "type": "regular", "messenger": "email",
                                                  "tags": ["rameau"]})

    def new_id(self, answer: Any) -> str:
        return super().new_id(_data(answer))

    def update(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        return [Request("PUT", f"/api/campaigns/{quoted(campaign_id)}", self._fields(campaign))]

    def find(self, campaign: Campaign) -> Request:  # https://listmonk.app/docs/apis/campaigns/#get-apicampaigns
        from urllib.parse import urlencode

        query = urlencode({"query": campaign.name, "status": "draft", "no_body": "true", "per_page": 100})
        return Request("GET", f"/api/campaigns?{query}")

    def found(self, answer: Any, campaign: Campaign) -> list[str]:
        data = _data(answer)
        return drafts_named(data.get("results") if isinstance(data, dict) else None, campaign.name, self.draft)

    def link(self, base: str, campaign_id: str) -> str:
        return f"{base}/admin/campaigns/{quoted(campaign_id)}"


    def _fields(self, campaign: Campaign) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": campaign.name,
            "subject": literal_braces(campaign.subject) if "{{" in campaign.subject else campaign.subject,
            "lists": [int(i) for i in campaign.lists],
            "from_email": f"{campaign.sender_name} <{campaign.sender_email}>",
            "content_type": "html",
            "body": safe_comments(campaign.html),
            "altbody": campaign.text,
            "headers": [{"Reply-To": campaign.reply_to}] if campaign.reply_to != campaign.sender_email else [],
        }
        if self.template_id is not None:
            fields["template_id"] = self.template_id
        return fields


def safe_comments(html: str) -> str:
    """Each HTML comment as `{{ "<!--…-->" | Safe }}`: html/template would strip it."""
    return _COMMENT.sub(lambda m: _safe(m.group(0)), html)


def _safe(comment: str) -> str:
    # a merge tag in a comment (an Outlook button's href) stays an action
    parts = re.split(r"(\{\{.*?\}\})", comment)
    return "".join(part if index % 2 else "{{ " + go_string(part) + " | Safe }}" if part else ""
                   for index, part in enumerate(parts))


def go_string(text: str) -> str:
    """`text` as a Go interpreted string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def literal_braces(text: str) -> str:
    """A text that listmonk compiles (a subject), its braces written as string constants."""
    return re.sub(r"\{+", lambda m: "{{ " + go_string(m.group(0)) + " }}", text)


def _our_template(answer: Any) -> str:
    """The id of rameau's campaign template in a list of templates, "" when there is none."""
    templates = _data(answer)
    for template in templates if isinstance(templates, list) else []:
        if isinstance(template, dict) and template.get("name") == TEMPLATE_NAME and template.get("type") == "campaign":
            if str(template.get("body", "")).strip() != TEMPLATE_BODY:
                raise ApiError(None, f"listmonk's template {TEMPLATE_NAME!r} (id {template.get('id')}) was changed: "
                                     f"its body must be only {TEMPLATE_BODY}; put it back, or delete it for "
                                     "rameau to make it again")
            return str(template.get("id", ""))
    return ""


def _data(answer: Any) -> Any:
    return answer.get("data") if isinstance(answer, dict) else None
