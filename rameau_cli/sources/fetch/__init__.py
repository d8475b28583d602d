"""Fetching feeds over HTTP: bounded in time and size, with a conditional-GET cache.

A feed is someone else's server: it may be slow, drip bytes, answer in another protocol, loop
on redirects, point them at the local network, send gigabytes or a gzip bomb. One deadline
covers the whole fetch (name lookup, connection, status line, headers and body, over every
redirect), each operation has its own timeout too, and the body is capped before and after
decompression. Redirects are followed by hand: http(s) only, at most `max_redirects` hops, and
never from a public address to a loopback, private or link-local one. Anything wrong is a
ContentError with one line saying why (the caller then warns and uses the last good copy).

`ask` is the same client for one request of any kind, for `check --links` and `push`: one
deadline over the whole of it, every malformed answer one FetchFailure line, and targets on a
local or private network refused unless the caller allows them.

The standard library's http.client does the HTTP: httpx would bring per-phase timeouts but not
an overall deadline (a server that drips one byte per read defeats any per-read timeout), and
costs twice the import time (see the commit that brought this package).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from ...errors import ContentError, Problem, show
from ...project.urls import FeedURL, feed_url, url_scheme
from ...version import user_agent

if TYPE_CHECKING:  # imported when first used: http.client, ssl and idna cost a build that fetches nothing
    from .deadline import Deadline
    from .exchange import Answer, Outgoing

REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # each connect or read
    deadline: float = 30.0  # the whole fetch, redirects included
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5  # hops followed; one more is refused
    offline: bool = False  # feeds from the cache only
    # Which addresses are on the public internet (an ipaddress address -> bool); None: the
    # internet's own rule, exchange.is_public_address. Tests on 127.0.0.1 give their own.
    is_public: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""  # the server's Last-Modified header, if any
    not_modified: bool = False  # 304: the cached copy is current


class HostNotFound(ContentError):
    """`fetch_url` could not find the address of `host` (the URL's, or one it was redirected to)."""

    def __init__(self, host: str, *problems: Problem | str):
        super().__init__(*problems)
        self.host = host


def fetch_url(url: str, policy: FetchPolicy, etag: str = "", last_modified: str = "") -> Fetched:
    """The body of `url`, asking only for changes since `etag`/`last_modified`; ContentError
    when it cannot be had within the policy's limits."""
    from .body import BodyError  # noqa: PLC0415 (start-up: fetching code)
    from .exchange import FetchFailure, Internal, UnknownHost  # noqa: PLC0415 (start-up: fetching code)

    try:
        return _fetch(url, policy, etag, last_modified)
    except UnknownHost as exc:
        raise HostNotFound(exc.host, Problem(url, str(exc))) from None
    except Internal as exc:
        raise ContentError(Problem(url, f"redirected from a public address to {exc.host} ({exc.address}), an address "
                                        "of a local or private network; refused")) from None
    except (FetchFailure, BodyError) as exc:
        raise ContentError(Problem(url, str(exc))) from None


def ask(url: str, outgoing: Outgoing, deadline: Deadline, max_bytes: int = 10 * 1024 * 1024, internal: bool = True,
        is_public: Callable[[Any], bool] | None = None) -> Answer:
    """One request to `url` within `deadline`, no redirect followed (the caller follows or
    refuses it). FetchFailure, its message one line naming what went wrong, when there is no
    usable answer; Internal when `internal` is False and the host is on a local or private
    network (nothing is then sent to it)."""
    from .exchange import FetchFailure, exchange, is_public_address  # noqa: PLC0415 (start-up: fetching code)

    try:
        target = feed_url(url)
    except ValueError as exc:
        raise FetchFailure(f"not a usable address: {exc}") from None
    return exchange(target, outgoing, deadline, max_bytes, is_public or is_public_address, internal)


def _fetch(url: str, policy: FetchPolicy, etag: str, last_modified: str) -> Fetched:
    from .body import decode_body  # noqa: PLC0415 (start-up: fetching code)
    from .deadline import Deadline  # noqa: PLC0415 (start-up: fetching code)
    from .exchange import FetchFailure, Outgoing, exchange, is_public_address  # noqa: PLC0415 (start-up: fetching code)

    try:
        target = feed_url(url)
    except ValueError as exc:
        raise FetchFailure(f"not a usable feed URL: {exc}") from None
    outgoing = Outgoing(_request_headers(etag, last_modified))
    deadline = Deadline(policy.deadline, policy.timeout)
    seen, hops, internal_allowed = {str(target)}, 0, True
    while True:
        answer = exchange(target, outgoing, deadline, policy.max_bytes, policy.is_public or is_public_address,
                          internal_allowed)
        internal_allowed = internal_allowed and not answer.public  # once on a public address, never back inside
        if answer.status not in REDIRECTS:
            break
        if hops == policy.max_redirects:
            raise FetchFailure(f"more than {policy.max_redirects} redirects; refused (a redirect loop?)")
        hops += 1
        target = _redirect_target(target, answer.headers.get("Location"), answer.status, seen)
    if answer.status == 304 and (etag or last_modified):
        return Fetched(b"", not_modified=True)
    if not 200 <= answer.status < 300:
        reason = " ".join(str(answer.reason or "").split())[:60]
        raise FetchFailure(f"feed unreachable: HTTP {answer.status} {reason}".rstrip())
    data = decode_body(answer.body, answer.headers.get("Content-Encoding") or "", policy.max_bytes)
    return Fetched(data, answer.headers.get("Content-Type") or "", answer.headers.get("ETag") or "",
                   answer.headers.get("Last-Modified") or "")


def _request_headers(etag: str, last_modified: str) -> dict[str, str]:
    headers = {"User-Agent": user_agent("feed reader"), "Accept-Encoding": "gzip, deflate", "Connection": "close",
               "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _redirect_target(current: FeedURL, location: str | None, status: int, seen: set[str]) -> FeedURL:
    from .exchange import FetchFailure  # noqa: PLC0415 (start-up: fetching code)

    if not location or not location.strip():
        raise FetchFailure(f"feed unreachable: a redirect (HTTP {status}) without a Location")
    try:
        absolute = urljoin(str(current), location.strip())
    except ValueError:
        absolute = location.strip()
    scheme = url_scheme(absolute)
    if scheme not in ("http", "https"):
        what = f"an address of scheme {scheme}:" if scheme else "an address that is not a URL"
        raise FetchFailure(f"redirected to {what} ({show(absolute)}); only http(s) redirects are followed")
    try:
        target = feed_url(absolute)
    except ValueError as exc:
        raise FetchFailure(f"redirected to {show(absolute)}, which {exc}") from None
    if str(target) in seen:
        raise FetchFailure(f"a redirect loop (back to {show(str(target))})")
    seen.add(str(target))
    return target

