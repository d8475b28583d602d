"""Fetching feeds over HTTP: bounded in time and size, with a conditional-GET cache.

A feed is someone else's server: it may be slow, drip bytes, loop on redirects, send
gigabytes or a gzip bomb. Every read here has a per-operation timeout *and* the whole
fetch an overall deadline; the body is capped before and after decompression.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem
from .files import write_atomic

USER_AGENT = "rameau newsletter compiler (+https://pypi.org/project/rameau/)"


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 10.0  # each connect or read
    deadline: float = 30.0  # the whole fetch
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    cache_dir: Path | None = None
    offline: bool = False


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str
    from_cache: bool = False
    note: str = ""  # why the cache was used, when it was
    last_modified: str = ""  # the server's Last-Modified header, if any


def fetch_url(url: str, policy: FetchPolicy) -> Fetched:
    """The body of `url`, from the network or, when offline or unreachable, from the cache."""
    cache = _Cache(policy.cache_dir, url) if policy.cache_dir else None
    if policy.offline:
        if cache and cache.exists():
            return Fetched(cache.body(), cache.meta().get("content_type", ""), True, "offline", cache.meta().get("last_modified") or "")
        raise ContentError(Problem(url, "not in the cache and --offline is set; build once online first"))
    try:
        return _fetch(url, policy, cache)
    except ContentError as exc:
        if cache and cache.exists():
            return Fetched(cache.body(), cache.meta().get("content_type", ""), True,
                           f"{exc.problems[0].message}; used the cached copy", cache.meta().get("last_modified") or "")
        raise


def _opener(redirects: int):
    import urllib.request  # imported here: only feeds fetched over HTTP need it

    handler = urllib.request.HTTPRedirectHandler()
    handler.max_redirections, handler.max_repeats = redirects, 1
    return urllib.request.build_opener(handler)


def _fetch(url: str, policy: FetchPolicy, cache: "_Cache | None") -> Fetched:
    import urllib.error
    import urllib.request

    started = time.monotonic()
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
               "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if cache and cache.exists():
        meta = cache.meta()
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    opener = _opener(policy.max_redirects)
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=policy.timeout) as response:  # noqa: S310 - http(s) only, checked by the caller
            raw = _read_bounded(response, url, policy, started)
            encoding = (response.headers.get("Content-Encoding") or "").lower()
            content_type = response.headers.get("Content-Type", "")
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and cache and cache.exists():
            return Fetched(cache.body(), cache.meta().get("content_type", ""), True, "not modified", cache.meta().get("last_modified") or "")
        reason = "too many redirects (a redirect loop?)" if exc.code in (301, 302, 303, 307, 308) else f"HTTP {exc.code} {exc.reason}"
        raise ContentError(Problem(url, f"feed unreachable: {reason}")) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = f"no answer within {policy.timeout:g} s"
        raise ContentError(Problem(url, f"feed unreachable: {reason}")) from None
    data = _decode_body(raw, encoding, url, policy.max_bytes)
    if cache:
        cache.store(data, {"url": url, "etag": etag, "last_modified": modified, "content_type": content_type})
    return Fetched(data, content_type, last_modified=modified or "")


def _read_bounded(response, url: str, policy: FetchPolicy, started: float) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        raise ContentError(Problem(url, f"feed is {int(length) // 1024 // 1024} MB, over the {policy.max_bytes // 1024 // 1024} MB limit; refused"))
    chunks, total = [], 0
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
            raise ContentError(Problem(url, f"feed is over the {policy.max_bytes // 1024 // 1024} MB limit; refused"))
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
        raise ContentError(Problem(url, f"feed expands to over {limit // 1024 // 1024} MB; refused"))
    return data


class _Cache:
    """One feed's last good body and validators, under the project's cache folder."""

    def __init__(self, folder: Path, url: str):
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        self.body_path = folder / "feeds" / f"{key}.xml"
        self.meta_path = folder / "feeds" / f"{key}.json"

    def exists(self) -> bool:
        return self.body_path.is_file() and self.meta_path.is_file()

    def body(self) -> bytes:
        return self.body_path.read_bytes()

    def meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def store(self, data: bytes, meta: dict) -> None:
        try:
            self.body_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.body_path, data)
            write_atomic(self.meta_path, json.dumps(meta).encode())
        except OSError:
            pass  # a cache that cannot be written only costs a download next time
