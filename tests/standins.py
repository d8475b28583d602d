"""Local stand-ins for the emailing tools' APIs (listmonk, Brevo, Mailchimp, Buttondown), on
127.0.0.1, answering as each API documents, and recording every request: method, path,
headers and body. A test can script the reply to the n-th request (a 429, a 500) or make the
server hang."""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import django
from django.conf import settings
from django.template import Context, Engine

import go_template
from helpers import Serving

TOKEN = "tok-4e7c1d9a52b8f0e6-secret-us21"  # its suffix names Mailchimp's data centre
USER = "rameau-api"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Canned:
    """A reply a test scripts in place of the stand-in's own answer."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class StandIn:
    """A threaded HTTP server whose `answer` plays one tool. Campaigns live in `campaigns`."""

    draft = "draft"
    not_found = 404

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.script: dict[int, Canned] = {}  # request number (from 0) -> the reply it gets
        self.hang = threading.Event()  # set: requests get no answer until the test ends
        self.released = threading.Event()
        self.next_id = 11
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
                if outer.hang.is_set():
                    outer.released.wait(5)
                    return
                number = len(outer.requests) - 1
                reply = outer.script.pop(number, None) or outer.answer(self.command, self.path, self.headers, body)
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.serving = Serving(self.httpd)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.released.set()
        self.serving.stop()

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def answer(self, method: str, path: str, headers: Any, body: bytes) -> Canned:
        if not self.authorised(headers):
            return self.refused()
        data = json.loads(body) if body else {}
        path = path.split("?")[0]
        return self.route(method, path, data)

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        raise NotImplementedError

    def authorised(self, headers: Any) -> bool:
        raise NotImplementedError

    def refused(self) -> Canned:
        raise NotImplementedError

    def missing(self) -> Canned:
        return Canned(404, {"message": "not found"})


def basic(headers: Any) -> tuple[str, str]:
    value = headers.get("Authorization", "")
    if not value.startswith("Basic "):
        return "", ""
    user, _, secret = base64.b64decode(value[6:]).decode().partition(":")
    return user, secret


class Listmonk(StandIn):
    """listmonk: 403 on bad credentials, 400 "Campaign not found", `lists` required on PUT; the
    templates API (cmd/templates.go); a body that does not compile is refused with 400 (as
    cmd/campaigns.go validateCampaignFields does); `render` is what a subscriber gets
    (tests/go_template.py: the campaign's template, else the default one, around the body)."""

    DEFAULT = 1

    def __init__(self) -> None:
        super().__init__()
        # static/email-templates/default.tpl, cut to what shows: its 525 px box and its footer
        self.templates: dict[int, dict[str, Any]] = {self.DEFAULT: {
            "id": self.DEFAULT, "name": "Default campaign template", "type": "campaign", "is_default": True,
            "body": '<!doctype html><html><body><div class="wrap" style="max-width: 525px;">'
                    '{{ template "content" . }}</div><div class="footer"><a href="{{ UnsubscribeURL }}">'
                    '{{ L.T "email.unsub" }}</a> <a href="{{ MessageURL }}">{{ L.T "email.viewInBrowser" }}</a>'
                    '</div><p>Powered by listmonk</p>{{ TrackView }}</body></html>'}}
        self.permissions: set[str] | None = None  # None: every permission (an admin)

    def authorised(self, headers: Any) -> bool:
        return basic(headers) == (USER, TOKEN)

    def refused(self) -> Canned:
        return Canned(403, {"message": "invalid API credentials"})  # internal/auth/auth.go

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if path.startswith("/api/templates"):
            return self.template_route(method, path, data)
        if self.permissions is not None and "campaigns:manage" not in self.permissions:
            return Canned(403, {"message": "permission denied: campaigns:manage"})
        if method == "POST" and path == "/api/campaigns":
            if not data.get("lists"):
                return Canned(400, {"message": "Invalid list IDs."})
            refused = self.refuse_body(data)
            if refused:
                return refused
            campaign_id = self.new_id()
            self.campaigns[campaign_id] = {"template_id": None, **data, "id": int(campaign_id), "status": "draft"}
            return Canned(200, {"data": self.campaigns[campaign_id]})
        if method == "GET" and path == "/api/campaigns":  # its search (the stand-in lists all: rameau picks by name)
            return Canned(200, {"data": {"results": list(self.campaigns.values()), "total": len(self.campaigns)}})
        match = re.fullmatch(r"/api/campaigns/(\d+)", path)
        if not match or method not in ("GET", "PUT"):
            return Canned(404, {"message": "Not Found"})
        campaign = self.campaigns.get(match.group(1))
        if campaign is None:
            return Canned(400, {"message": "Campaign not found."})
        if method == "GET":
            return Canned(200, {"data": campaign})
        if campaign["status"] not in ("draft", "paused", "scheduled"):
            return Canned(400, {"message": "Cannot update a running or a finished campaign."})
        if not data.get("lists"):
            return Canned(400, {"message": "Invalid list IDs."})
        refused = self.refuse_body(data)
        if refused:
            return refused
        campaign.update(data)
        return Canned(200, {"data": campaign})

    def refuse_body(self, data: dict[str, Any]) -> Canned | None:
        for key in ("body", "altbody"):
            why = go_template.compiles(str(data.get(key) or ""))
            if why:
                return Canned(400, {"message": f"Error compiling campaign body: template: content:1: {why}"})
        template_id = data.get("template_id")
        if template_id is not None and template_id not in self.templates:
            return Canned(400, {"message": "Template not found."})
        return None

    def template_route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if self.permissions is not None and f"templates:{'get' if method == 'GET' else 'manage'}" not in self.permissions:
            return Canned(403, {"message": f"permission denied: templates:{'get' if method == 'GET' else 'manage'}"})
        if method == "GET" and path == "/api/templates":
            return Canned(200, {"data": list(self.templates.values())})
        if method == "POST" and path == "/api/templates":
            if data.get("type") == "campaign" and not go_template.TEMPLATE_TAG.search(str(data.get("body", ""))):
                return Canned(400, {"message": "Template content must contain {{ template \"content\" . }}"})
            template_id = max(self.templates) + 1
            self.templates[template_id] = {"id": template_id, "name": data.get("name"), "type": data.get("type"),
                                           "body": data.get("body"), "is_default": False}
            return Canned(200, {"data": self.templates[template_id]})
        return Canned(404, {"message": "Not Found"})

    def render(self, campaign_id: str, subscriber: dict[str, Any]) -> str:
        """The HTML `subscriber` ({"FirstName": "Maya"}) would get from this campaign."""
        campaign = self.campaigns[campaign_id]
        template = self.templates[campaign.get("template_id") or self.DEFAULT]
        return go_template.execute(template["body"], campaign["body"], go_template.Message({**subscriber}))

    def render_text(self, campaign_id: str, subscriber: dict[str, Any]) -> str:
        campaign = self.campaigns[campaign_id]
        return go_template.execute('{{ template "content" . }}', campaign["altbody"], go_template.Message({**subscriber}))


class Brevo(StandIn):
    """Brevo: the `api-key` header, 201 `{"id"}` on create, 204 with no body on update."""

    def authorised(self, headers: Any) -> bool:
        return headers.get("api-key") == TOKEN

    def refused(self) -> Canned:
        return Canned(401, {"code": "unauthorized", "message": "Key not found"})

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if method == "POST" and path == "/emailCampaigns":
            campaign_id = self.new_id()
            self.campaigns[campaign_id] = {**data, "id": int(campaign_id), "status": "draft"}
            return Canned(201, {"id": int(campaign_id)})
        if method == "GET" and path == "/emailCampaigns":
            return Canned(200, {"campaigns": list(self.campaigns.values()), "count": len(self.campaigns)})
        match = re.fullmatch(r"/emailCampaigns/(\d+)", path)
        campaign = self.campaigns.get(match.group(1)) if match else None
        if campaign is None or method not in ("GET", "PUT"):
            return Canned(404, {"code": "document_not_found", "message": "Campaign ID does not exist"})
        if method == "GET":
            return Canned(200, campaign)
        campaign.update(data)
        return Canned(204)

    def render(self, campaign_id: str, contact: dict[str, Any]) -> str:
        """The HTML `contact` ({"FIRSTNAME": "Maya"}) would get. Brevo's template language is
        Django-like ({{ contact.ATTRIBUTE }}, filters as `|default:'there'`, {% verbatim %}:
        https://help.brevo.com/hc/en-us/articles/4402386448530, /360018252080); Django's engine
        renders it here, with `unsubscribe` and `mirror` (Email link variables)."""
        context = {"contact": {"EMAIL": "maya@example.org", **contact}, "params": {},
                   "unsubscribe": f"https://r.brevo.example/unsubscribe/{campaign_id}",
                   "mirror": f"https://r.brevo.example/mirror/{campaign_id}"}
        return django_engine().from_string(self.campaigns[campaign_id]["htmlContent"]).render(DjangoContext(context))


class Mailchimp(StandIn):
    """Mailchimp: Basic with any user, status `save`, content set by PUT .../content."""

    draft = "save"

    def authorised(self, headers: Any) -> bool:
        return basic(headers)[1] == TOKEN

    def refused(self) -> Canned:
        return Canned(401, {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid",
                            "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
                            "instance": "5f1c"})

    def render(self, campaign_id: str, merge: dict[str, str]) -> str:
        """The HTML a member with merge fields `merge` ({"FNAME": "Maya"}) would get: each merge tag
        `*|TAG|*` filled, `*|IF:TAG|*…*|ELSE:|*…*|END:IF|*` chosen on the field, `*|UNSUB|*`,
        `*|UPDATE_PROFILE|*` and `*|ARCHIVE|*` the links (https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/,
        https://mailchimp.com/help/use-conditional-merge-tag-blocks/). A tag Mailchimp does not
        know fails the campaign's checklist: MergeTagError."""
        html = self.campaigns[campaign_id]["content"]["html"]
        conditional = re.compile(r"\*\|IF:(\w+)\|\*(.*?)(?:\*\|ELSE:\|\*(.*?))?\*\|END:IF\|\*", re.S)
        html = conditional.sub(lambda m: m.group(2) if merge.get(m.group(1)) else (m.group(3) or ""), html)
        links = {"UNSUB": f"https://example.us21.list-manage.com/unsubscribe?u=1&id={campaign_id}",
                 "ARCHIVE": f"https://mailchi.mp/example/{campaign_id}",
                 "UPDATE_PROFILE": f"https://example.us21.list-manage.com/profile?u=1&id={campaign_id}"}

        def tag(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in links:
                return links[name]
            if name in merge or name in ("FNAME", "LNAME", "EMAIL"):
                return merge.get(name, "")
            raise MergeTagError(f"*|{name}|* is not a merge tag of this audience")

        return re.sub(r"\*\|([^|*]*)\|\*", tag, html)

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if method == "POST" and path == "/3.0/campaigns":
            campaign_id = f"c{self.new_id()}"
            self.campaigns[campaign_id] = {**data, "id": campaign_id, "status": "save"}
            return Canned(200, self.campaigns[campaign_id])
        if method == "GET" and path == "/3.0/campaigns":
            return Canned(200, {"campaigns": [{"id": c["id"], "status": c["status"], "settings": c.get("settings", {})}
                                              for c in self.campaigns.values()], "total_items": len(self.campaigns)})
        match = re.fullmatch(r"/3\.0/campaigns/(\w+)(/content)?", path)
        campaign = self.campaigns.get(match.group(1)) if match else None
        if campaign is None:
            return Canned(404, {"title": "Resource Not Found", "status": 404, "detail": "The requested resource could not be found."})
        if match and match.group(2) and method == "PUT":
            campaign["content"] = data
            return Canned(200, data)
        if method == "GET":
            return Canned(200, {"id": campaign["id"], "status": campaign["status"]})
        if method == "PATCH":
            campaign.update(data)
            return Canned(200, campaign)
        return Canned(405, {"title": "Method Not Allowed", "status": 405, "detail": ""})


class MergeTagError(Exception):
    """Mailchimp's checklist: the campaign holds a merge tag the audience does not have."""


class Buttondown(StandIn):
    """Buttondown: `Token` auth; an email created without a status would be SENT (about_to_send).

    `render` is what a subscriber gets: the body rendered with Django's template engine (Buttondown
    renders bodies with Django templates: https://docs.buttondown.com/template-tags), its
    editor-mode comment taken off, inside Buttondown's own layout and unsubscribe link unless
    the email's template is "naked" (OpenAPI enums.json: "the email body itself is used as the
    template"). A same-subject create without a slug of its own is refused as `email_duplicate`
    (EmailCreationErrorCode; Buttondown does not document the exact rule). With
    `naked_allowed` False, a naked email is refused (the refusal's words are not documented
    either: these are a guess, naming the template)."""

    def __init__(self) -> None:
        super().__init__()
        self.naked_allowed = True

    def authorised(self, headers: Any) -> bool:
        return headers.get("Authorization") == f"Token {TOKEN}"

    def refused(self) -> Canned:
        return Canned(401, {"code": "authentication_invalid", "detail": "Invalid token."})

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if data.get("template") == "naked" and not self.naked_allowed:
            return Canned(400, {"code": "template_invalid", "detail": "The naked template is not available on your plan."})
        if method == "POST" and path == "/v1/emails":
            if any(e["subject"] == data.get("subject") and e.get("slug") in (None, data.get("slug"))
                   for e in self.campaigns.values()):
                return Canned(400, {"code": "email_duplicate", "detail": "An email with this subject already exists."})
            campaign_id = f"em_{self.new_id()}"
            self.campaigns[campaign_id] = {**data, "id": campaign_id, "status": data.get("status", "about_to_send")}
            return Canned(201, self.campaigns[campaign_id])
        if method == "GET" and path == "/v1/emails":
            return Canned(200, {"results": list(self.campaigns.values()), "count": len(self.campaigns)})
        match = re.fullmatch(r"/v1/emails/(\w+)", path)
        campaign = self.campaigns.get(match.group(1)) if match else None
        if campaign is None or method not in ("GET", "PATCH"):
            return Canned(404, {"code": "not_found", "detail": "Not found."})
        if method == "PATCH":
            campaign.update(data)
        return Canned(200, campaign)

    def render(self, campaign_id: str, subscriber: dict[str, Any]) -> str:
        """The HTML `subscriber` ({"metadata": {"first_name": "Maya"}}) would get."""
        campaign = self.campaigns[campaign_id]
        body = re.sub(r"^<!-- buttondown-editor-mode: \w+ -->", "", campaign["body"])
        if campaign.get("template") != "naked":
            body = (f'<html><body><div class="buttondown-modern">{body}</div><footer>'
                    '<a href="{{ unsubscribe_url }}">Unsubscribe</a> · Powered by Buttondown</footer></body></html>')
        context = {"subscriber": {"email": "maya@example.org", **subscriber}, "email_url": f"https://buttondown.com/archive/{campaign_id}",
                   "unsubscribe_url": f"https://buttondown.com/unsubscribe/{campaign_id}/sub-1"}
        return django_engine().from_string(body).render(DjangoContext(context))


def django_engine() -> Any:
    """Django's template engine, set up on its own (no project, no apps)."""

    if not settings.configured:
        settings.configure(USE_TZ=True)
        django.setup()
    return Engine(debug=False)


def DjangoContext(values: dict[str, Any]) -> Any:  # it makes a django.template.Context

    return Context(values)


STANDINS = {"listmonk": Listmonk, "brevo": Brevo, "mailchimp": Mailchimp, "buttondown": Buttondown}
PREFIX = {"listmonk": "", "brevo": "", "mailchimp": "/3.0", "buttondown": "/v1"}  # emailing.push.url = server + this
