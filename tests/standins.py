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
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

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
    """listmonk: 403 on bad credentials, 400 "Campaign not found", `lists` required on PUT."""

    def authorised(self, headers: Any) -> bool:
        return basic(headers) == (USER, TOKEN)

    def refused(self) -> Canned:
        return Canned(403, {"message": "invalid API credentials"})

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if method == "POST" and path == "/api/campaigns":
            if not data.get("lists"):
                return Canned(400, {"message": "Invalid list IDs."})
            campaign_id = self.new_id()
            self.campaigns[campaign_id] = {**data, "id": int(campaign_id), "status": "draft"}
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
        campaign.update(data)
        return Canned(200, {"data": campaign})


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


class Mailchimp(StandIn):
    """Mailchimp: Basic with any user, status `save`, content set by PUT .../content."""

    draft = "save"

    def authorised(self, headers: Any) -> bool:
        return basic(headers)[1] == TOKEN

    def refused(self) -> Canned:
        return Canned(401, {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid",
                            "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
                            "instance": "5f1c"})

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


class Buttondown(StandIn):
    """Buttondown: `Token` auth; an email created without a status would be SENT (about_to_send)."""

    def authorised(self, headers: Any) -> bool:
        return headers.get("Authorization") == f"Token {TOKEN}"

    def refused(self) -> Canned:
        return Canned(401, {"code": "authentication_invalid", "detail": "Invalid token."})

    def route(self, method: str, path: str, data: dict[str, Any]) -> Canned:
        if method == "POST" and path == "/v1/emails":
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


STANDINS = {"listmonk": Listmonk, "brevo": Brevo, "mailchimp": Mailchimp, "buttondown": Buttondown}
PREFIX = {"listmonk": "", "brevo": "", "mailchimp": "/3.0", "buttondown": "/v1"}  # emailing.push.url = server + this
