"""Fetching feeds over HTTP: bounded in time and size, with a conditional-GET cache.

A feed is someone else's server: it may be slow, drip bytes, loop on redirects, send
gigabytes or a gzip bomb. Every read here has a per-operation timeout *and* the whole
fetch an overall deadline; the body is capped before and after decompression.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

from ..errors import ContentError, Problem, size
from ..version import user_agent


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # each connect or read
    deadline: float = 30.0  # the whole fetch
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    offline: bool = False  # feeds from the cache only


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""  # the server's Last-Modified header, if any
    not_modified: bool = False  # 304: the cached copy is current


def _opener(redirects: int) -> Any:
    import urllib.request  # imported here: only feeds fetched over HTTP need it

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections, max_repeats = redirects, 1

    return urllib.request.build_opener(Redirects())


def fetch_url(url: str, policy: FetchPolicy, etag: str = "", last_modified: str = "") -> Fetched:
    """The body of `url`, asking only for changes since `etag`/`last_modified`; ContentError
    when it cannot be had within the policy's limits."""
    import urllib.error
    import urllib.request

    started = time.monotonic()
    headers = {"User-Agent": user_agent("feed reader"), "Accept-Encoding": "gzip, deflate",
               "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    opener = _opener(policy.max_redirects)
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=policy.timeout) as response:
            raw = _read_bounded(response, url, policy, started)
            encoding = (response.headers.get("Content-Encoding") or "").lower()
            content_type = response.headers.get("Content-Type", "")
            new_etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and (etag or last_modified):
            return Fetched(b"", not_modified=True)
        redirected = exc.code in (301, 302, 303, 307, 308)
        reason = "too many redirects (a redirect loop?)" if redirected else f"HTTP {exc.code} {exc.reason}"
        raise ContentError(Problem(url, f"feed unreachable: {reason}")) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        cause = getattr(exc, "reason", None) or exc
        why = f"no answer within {policy.timeout:g} s" if isinstance(cause, TimeoutError) or "timed out" in str(cause) \
            else str(cause)
        raise ContentError(Problem(url, f"feed unreachable: {why}")) from None
    data = _decode_body(raw, encoding, url, policy.max_bytes)
    return Fetched(data, content_type, new_etag or "", modified or "")


def _read_bounded(response, url: str, policy: FetchPolicy, started: float) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        raise ContentError(Problem(url, f"feed is {size(int(length))}, over the {size(policy.max_bytes)} limit; refused"))
    chunks: list[bytes] = []
    total = 0
    too_slow = ContentError(Problem(url, f"feed unreachable: not received within {policy.deadline:g} s"))
    while True:
        remaining = policy.deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise too_slow
        sock = getattr(getattr(response.fp, "raw", None), "_sock", None)
        if sock is not None:  # each read may not outlive the overall deadline
            sock.settimeout(min(policy.timeout, remaining))
        try:
            chunk = response.read1(65536)
        except TimeoutError:
            if policy.deadline - (time.monotonic() - started) <= 0.01:
                raise too_slow from None
            raise
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > policy.max_bytes:
            raise ContentError(Problem(url, f"feed is over the {size(policy.max_bytes)} limit; refused"))
        chunks.append(chunk)


def _decode_body(raw: bytes, encoding: str, url: str, limit: int) -> bytes:
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return raw
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        data = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise ContentError(Problem(url, f"feed is sent as {encoding} but cannot be decompressed")) from None
    if len(data) > limit:
        raise ContentError(Problem(url, f"feed expands to over {size(limit)}; refused"))
    if not inflater.eof:
        raise ContentError(Problem(url, f"feed is sent as {encoding} but cut short; the download is incomplete"))
    return data
