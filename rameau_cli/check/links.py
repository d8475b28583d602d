"""`rameau check --links`: every distinct http(s) link and image of the emails asked of its
server, once (an image from disk not yet published under output.public_url is a 404).

HEAD first; GET when HEAD is refused or fails (a 4xx or 5xx other than 429, a dropped
connection), since some servers answer HEAD wrongly. At most two requests to one host at a
time, a timeout per request and a deadline for the whole check, both over every byte (a server
that drips its answer is cut off as one that is silent). Redirects are followed by hand
(a permanent one is reported as information). 404, 410 and unknown hosts are errors; 5xx,
429, timeouts, answers that are not HTTP and the rest are warnings. The requests are made by
the feeds' client (sources/fetch), so a server's malformed answer is one line about that link.

A link to a loopback, private or link-local address (an article's, or a feed's: anyone's) is
never asked, nor a redirect there: a link checker must not be a way into the local network
(`http://127.0.0.1/admin/delete-all`). `check.private_links: true` asks them, for a newsletter
of an intranet.

Never asked: merge tags, mailto: and other schemes, and anything that looks like an unsubscribe
or one-click action (the List-Unsubscribe targets, the profile's unsubscribe tag, `unsubscribe`,
`désinscri…`, `désabonn…`, `opt-out`, `one-click` in the address), not even as a redirect's
target: a link checker must never unsubscribe anyone.

A link found good is remembered for a day in .rameau-cache/links.json; a failure is asked
again at the next check. Findings: link-broken, link-doubtful, link-unchecked, link-moved
(project/checks.py).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from ..cache.base import CacheFolder
from ..version import user_agent
from .rules import CheckedEmail, Finding, _Scan, finding

TIMEOUT = 10.0  # each request
DEADLINE = 20.0  # the whole check
PER_HOST = 2  # requests to one host at a time
WORKERS = 8
MAX_REDIRECTS = 5
REMEMBER = 24 * 3600.0  # how long a good link is not asked again
KEPT = ("", "link-moved")  # the outcomes remembered: good, and moved for good

ACTIONS = re.compile(r"unsub|d[ée]sinscri|d[ée]sabonn|opt[-_]?out|one-?click|abmeld|list-unsubscribe", re.I)
MERGE_TAG = re.compile(r"\{\{|\{%|\*\||\|\*|\[\[|%7b%7b|%5b%5b", re.I)
TEXT_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Outcome:
    rule: str = ""  # "" (good), or the rule it breaks: "link-broken", "link-doubtful", "link-moved"...
    note: str = ""


GOOD = Outcome()



def check_links(emails: list[CheckedEmail], cache: CacheFolder,
                progress: Callable[[str, int, int], None] | None = None, private: bool = False, *,
                public_url: str = "", public_dir: Path | None = None, offline: bool = False) -> list[Finding]:
    """A finding for every link that is broken, doubtful or moved for good, in every segment
    and article it appears in. `progress("Checking links", done, total)` as they are asked.
    `private`: links to local and private networks are asked too (check.private_links).
    Addresses under `public_url` are looked up in `public_dir` (check/published.py); with
    `offline`, no other is asked (those found good lately stay good)."""
    where = gather(emails)
    outcomes = own_outcomes(where, public_url, public_dir)
    remembered = Remembered(cache)
    outcomes |= {url: outcome for url in where if url not in outcomes and (outcome := remembered.get(url)) is not None}
    asked = probe_all([url for url in where if url not in outcomes], progress, private) if not offline else {}
    for url, outcome in asked.items():
        remembered.put(url, outcome)
    remembered.save()
    outcomes |= asked
    findings = []
    for url, places in where.items():
        outcome = outcomes.get(url, GOOD)  # offline: not asked
        if outcome.rule:
            for segment, article in places:
                prefix = f"article {article}: " if article else ""
                findings.append(finding(segment, outcome.rule, f"{prefix}{url}: {outcome.note}", url, article))
    return findings


def own_outcomes(where: dict[str, list[tuple[str, str]]], public_url: str, public_dir: Path | None) -> dict[str, Outcome]:
    """The outcome of each address under `public_url`, from the folder published there: never asked."""
    if not public_url or public_dir is None:
        return {}
    from .published import published_problem, under

    found = {}
    for url in where:
        if under(url, public_url):
            problem = published_problem(url, public_url, public_dir)
            found[url] = Outcome("link-broken", problem) if problem else GOOD
    return found


def gather(emails: Iterable[CheckedEmail]) -> dict[str, list[tuple[str, str]]]:
    """Every link worth asking about -> the (segment, article id or "") it is found in."""
    where: dict[str, list[tuple[str, str]]] = {}
    for email in emails:
        scan = _Scan()
        scan.feed(email.html)
        never = set(email.placeholders) | set(email.list_unsubscribe) | {email.unsubscribe}
        images = [(image.get("src") or "").strip() for image in scan.images]  # remote ones, and the published assets
        urls = [*scan.links, *images, *(u.rstrip(".,;:!?)]") for u in TEXT_URL.findall(email.text))]
        for url in dict.fromkeys(u.strip() for u in urls):
            if url in never or not askable(url):
                continue
            place = (email.segment, article_of(url, email.article_urls))
            if place not in where.setdefault(url, []):
                where[url].append(place)
    return where


def askable(url: str) -> bool:
    """An http(s) link with no merge tag in it, that looks like no unsubscribe or one-click action."""
    return bool(re.match(r"https?://[^\s/]+", url, re.I)) and not MERGE_TAG.search(url) \
        and not ACTIONS.search(unquote(url))


def article_of(url: str, articles: tuple[tuple[str, str], ...]) -> str:
    """The article whose link `url` is: its canonical URL (whatever the query), or its utm_content."""
    parts = urlsplit(url)
    content = parse_qs(parts.query).get("utm_content", [""])[0]
    bare = parts._replace(query="", fragment="").geturl()
    for article_id, canonical in articles:
        if article_id == content or urlsplit(canonical)._replace(query="", fragment="").geturl() == bare:
            return article_id
    return ""


def probe_all(urls: list[str], progress: Callable[[str, int, int], None] | None = None,
              private: bool = False) -> dict[str, Outcome]:
    """Each URL's outcome, asked a few at a time per host, all within the deadline; those on a
    local or private network only when `private`."""
    if not urls:
        return {}
    from concurrent.futures import as_completed

    end = time.monotonic() + DEADLINE
    hosts: dict[str, threading.Semaphore] = {}
    for url in urls:
        hosts.setdefault(_host(url), threading.Semaphore(PER_HOST))
    with ThreadPoolExecutor(min(WORKERS, len(urls))) as pool:
        futures = {url: pool.submit(_probe, url, hosts[_host(url)], end, private) for url in urls}
        for done, _ in enumerate(as_completed(futures.values()), start=1):
            if progress:
                progress("Checking links", done, len(urls))
        return {url: future.result() for url, future in futures.items()}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _probe(url: str, host: threading.Semaphore, end: float, private: bool) -> Outcome:
    if _host(url).endswith(".invalid"):  # RFC 6761: never resolves, so never asked of a resolver
        return Outcome("link-broken", "unknown host")
    if not host.acquire(timeout=max(0.0, end - time.monotonic())):
        return _late()
    try:
        outcome, again = _follow(url, "HEAD", end, private)
        return _follow(url, "GET", end, private)[0] if again else outcome
    finally:
        host.release()


def _late() -> Outcome:
    return Outcome("link-unchecked", f"not checked: the check's {DEADLINE:g} s deadline came first")


def _follow(url: str, method: str, end: float, private: bool) -> tuple[Outcome, bool]:
    """The outcome of `url` after its redirects, and whether a GET should be tried after this HEAD."""
    from ..sources.fetch.exchange import FetchFailure

    moved, current, for_good = "", url, True
    for _ in range(MAX_REDIRECTS + 1):
        if end - time.monotonic() <= 0:
            return _late(), False
        try:
            status, location = _ask(current, method, end, private)
        except FetchFailure as exc:
            return _failure(exc, method, current != url)
        if 300 <= status < 400 and location:
            target = urljoin(current, location)
            if not askable(target):
                return Outcome("link-doubtful", f"redirects to {target[:80]}, not followed (not a page to ask)"), False
            for_good = for_good and status in (301, 308)
            if for_good:
                moved = target  # where the link should point now
            current = target
            continue
        return _status(status, moved), method == "HEAD" and status >= 400 and status != 429
    return Outcome("link-doubtful", f"more than {MAX_REDIRECTS} redirects (a loop?)"), False


def _ask(url: str, method: str, end: float, private: bool) -> tuple[int, str]:
    """The status of `url` and its Location, the body never read; FetchFailure otherwise."""
    from ..sources.fetch import ask
    from ..sources.fetch.deadline import Deadline
    from ..sources.fetch.exchange import Outgoing

    headers = {"User-Agent": user_agent("link check"), "Accept": "*/*", "Connection": "close"}
    deadline = Deadline(TIMEOUT, TIMEOUT, at=end)
    answer = ask(url, Outgoing(headers, method, what="page", read_body=lambda status: False), deadline,
                 internal=private)
    return answer.status, (answer.headers.get("Location") or "").strip()


def _status(status: int, moved: str) -> Outcome:
    if status in (404, 410):
        return Outcome("link-broken", f"{'not found' if status == 404 else 'gone'} ({status})")
    if status == 429:
        return Outcome("link-doubtful", "too many requests (429): the server would not say")
    if status >= 500:
        return Outcome("link-doubtful", f"server error ({status})")
    if status >= 300:
        return Outcome("link-doubtful", f"answered {status}")
    if moved:
        return Outcome("link-moved", f"moved for good to {moved}; link there directly")
    return GOOD


def _failure(exc: Exception, method: str, redirected: bool) -> tuple[Outcome, bool]:
    from ..sources.fetch.exchange import Internal, TimedOut, UnknownHost

    if isinstance(exc, Internal):
        where = "redirects to" if redirected else "leads to"
        return Outcome("link-unchecked", f"not asked: it {where} {exc.host} ({exc.address}), an address of a local or "
                                         "private network (check.private_links: true asks them, for an intranet)"), False
    if isinstance(exc, UnknownHost):
        return Outcome("link-broken", "unknown host"), False
    if isinstance(exc, TimedOut):
        return Outcome("link-doubtful", f"no answer within {exc.seconds:g} s"), False
    reason = str(exc).removeprefix("page unreachable: ")
    return Outcome("link-doubtful", f"cannot be reached ({reason})"), method == "HEAD"


class Remembered:
    """Links found good (or moved for good) in the last day, in .rameau-cache/links.json."""

    def __init__(self, cache: CacheFolder):
        self.file = cache.file("links.json")
        self.now = time.time()
        loaded = self.file.load()
        self.entries: dict[str, list[Any]] = {}
        if isinstance(loaded, dict):
            for url, value in loaded.items():
                if (isinstance(value, list) and len(value) == 3 and isinstance(value[0], (int, float))
                        and 0 <= self.now - value[0] < REMEMBER and value[1] in KEPT and isinstance(value[2], str)):
                    self.entries[url] = value
        self.changed = False

    def get(self, url: str) -> Outcome | None:
        value = self.entries.get(url)
        return Outcome(value[1], value[2]) if value else None

    def put(self, url: str, outcome: Outcome) -> None:
        if outcome.rule in KEPT and url not in self.entries:
            self.entries[url] = [self.now, outcome.rule, outcome.note]
            self.changed = True

    def save(self) -> None:
        if self.changed:
            self.file.save(self.entries)
