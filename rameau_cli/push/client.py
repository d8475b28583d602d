"""HTTP to an emailing tool's API: JSON in and out, bounded in time, honest about failures.

The requests go through rameau's one HTTP client (sources/fetch): each has a timeout for every
read and a deadline for the whole of it, so a tool that drips its answer is cut off as one that
is silent, and an answer that is not HTTP is one line naming the tool. The tool's own address
(emailing.push.url) may be on a local network. A 429 is waited out (its Retry-After, bounded; a short backoff when
the tool gives none, as Brevo does), three tries at most; so is a 502, 503 or 504, except on a
create: a create that may have gone through is never repeated, since that could make a second
draft. Redirects are not followed (an API that redirects is a wrong
address). Every message says the tool's own words on one line, and never holds the token nor
anything made from it (the Basic header's base64, an echoed `Bearer ...`): redact.py.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from typing import Any

from ..redact import derived, mask
from ..version import user_agent
from .base import Request

TIMEOUT = 30.0  # each read or write of a request
DEADLINE = 60.0  # the whole of one request, however the tool drips its answer
MAX_WAIT = 60.0  # the longest Retry-After waited out
BACKOFF = 2.0  # the first wait after a 429 that says nothing; doubled each time
ATTEMPTS = 3
MAX_ANSWER = 10 * 1024 * 1024


class ApiError(Exception):
    """A request that failed: `code` is the HTTP status (None: no answer), `message` one line."""

    def __init__(self, code: int | None, message: str):
        super().__init__(message)
        self.code = code
        self.message = message



class Api:
    def __init__(self, title: str, base: str, headers: dict[str, str], secrets: tuple[str, ...], user: str = ""):
        self.title = title
        self.base = base.rstrip("/")
        self._headers = headers  # holds the credentials: never shown
        values = [v for v in headers.values()] + [v.split(" ", 1)[-1] for v in headers.values()]
        self._secrets = derived(*secrets, *values, user=user)

    def __repr__(self) -> str:
        return f"Api({self.title!r}, {self.base!r})"

    def url(self, request: Request) -> str:
        return self.base + request.path

    def call(self, request: Request) -> Any:
        """The JSON the tool answered with (None for an empty answer); ApiError otherwise."""
        from ..sources.fetch import ask
        from ..sources.fetch.deadline import Deadline
        from ..sources.fetch.exchange import FetchFailure, Outgoing

        data = None if request.body is None else json.dumps(request.body, ensure_ascii=False).encode("utf-8")
        headers = {"User-Agent": user_agent("push"), "Accept": "application/json", "Connection": "close",
                   **self._headers}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        outgoing = Outgoing(headers, request.method, data, self.title, read_body=lambda status: True)
        for attempt in range(ATTEMPTS):
            try:
                answer = ask(self.url(request), outgoing, Deadline(DEADLINE, TIMEOUT), MAX_ANSWER)
            except FetchFailure as exc:
                raise ApiError(None, self._unreachable(exc, request)) from None
            if 200 <= answer.status < 300:
                return _json(answer.body)
            wait = self._wait(answer.status, answer.headers, attempt, request)
            if wait is None:
                raise ApiError(answer.status, self._failure(answer.status, answer.headers, _json(answer.body)))
            time.sleep(wait)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _wait(self, code: int, headers: Any, attempt: int, request: Request) -> float | None:
        """How long to wait before trying `request` again, or None not to."""
        if attempt + 1 >= ATTEMPTS:
            return None
        if code == 429:
            said = _asked_wait(headers)
            wait = BACKOFF * 2 ** attempt if said is None else said
            return wait if wait <= MAX_WAIT else None
        if code in (502, 503, 504) and request.method != "POST":
            return BACKOFF * 2 ** attempt
        return None

    def _failure(self, code: int, headers: Any, answer: Any) -> str:
        said = self.clean(tool_message(answer)) or "no message"
        what = f"{self.title} answered {code} ({said})"
        if code in (401, 403):
            return f"{what}: it refused the credentials; check RAMEAU_PUSH_USER and RAMEAU_PUSH_TOKEN (and the key's permissions)"
        if code == 429:
            wait = _asked_wait(headers)
            later = f"it asks to wait {wait:g} s" if wait and wait > MAX_WAIT else f"still after {ATTEMPTS} tries"
            return f"{what}: too many requests, {later}; push again later"
        if 300 <= code < 400:
            where = self.clean(headers.get("Location") or "elsewhere")
            return f"{self.title} answered {code}, moving to {where}: set emailing.push.url to the API's own address"
        return what

    def _unreachable(self, exc: Exception, request: Request) -> str:
        from ..sources.fetch.exchange import TimedOut

        said = self.clean(str(exc).removeprefix(f"{self.title} unreachable: "))
        if isinstance(exc, TimedOut):
            why = f"gave no answer within {exc.seconds:g} s" if "no answer" in str(exc) else \
                f"did not answer whole within {exc.seconds:g} s"
        elif said.startswith("the server"):
            why = f"at {self.base} answered in a way rameau cannot read: {said}"
        else:
            why = f"cannot be reached ({said})"
        if request.method == "POST" and not said.startswith(("connection refused", "cannot find")):
            why += f"; the draft may have been created all the same: the next push looks for it in {self.title} " \
                   "before making another"
        return f"{self.title} {why}"

    def clean(self, text: str) -> str:
        """One line of at most 300 characters, with no secret in it, nor anything made from one."""
        text = mask(re.sub(r"<[^>]*>", " ", text), self._secrets)
        text = " ".join(text.split())
        return text if len(text) <= 300 else text[:299] + "…"


def tool_message(answer: Any) -> str:
    """What the tool said: listmonk `message`, Brevo `code` and `message`, Mailchimp `title`,
    `detail` and its `errors` (`field`: `message`), Buttondown `code` and `detail` (a list of
    problems on a 422)."""
    if isinstance(answer, str):
        return answer
    if not isinstance(answer, dict):
        return ""
    main = next((answer[k] for k in ("message", "detail", "error") if answer.get(k)), "")
    if isinstance(main, list):
        main = "; ".join(f"{'.'.join(map(str, item.get('loc', [])))}: {item.get('msg', '')}" if isinstance(item, dict)
                         else str(item) for item in main)
    title = answer.get("title")
    if isinstance(title, str) and title and title != main:
        main = f"{title}: {main}" if main else title
    code = answer.get("code")
    if isinstance(code, str) and code and code not in str(main):
        main = f"{code}: {main}" if main else code
    fields = [f"{e.get('field') or '?'}: {e.get('message', '')}" for e in answer.get("errors") or []
              if isinstance(e, dict)] if isinstance(answer.get("errors"), list) else []
    return "; ".join([str(main), *fields]) if fields else str(main)


def _json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:2000].decode("utf-8", errors="replace")  # an HTML error page: its words


def _asked_wait(headers: Any) -> float | None:
    """How long the tool asks to wait: Retry-After, or Brevo's x-sib-ratelimit-reset."""
    said = [_seconds(headers.get(name)) for name in ("Retry-After", "x-sib-ratelimit-reset")]
    return next((wait for wait in said if wait is not None), None)


def _seconds(value: str | None) -> float | None:
    """A Retry-After in seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
