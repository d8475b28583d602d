"""Before a draft is pushed: the images from disk it shows must be published already, or the
draft (and whoever looks at it in the emailing tool) shows broken images.

Each image is asked with HEAD by rameau's one HTTP client (sources/fetch), all of them within one
deadline however the server drips its answers; redirects are followed (a CDN's http -> https).
public_url is the project's own address: it may be on a local network."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

from ..built import BuiltEmail
from ..errors import Problem
from ..images.assets import NAME
from ..project.addresses import Addresses
from ..sources.fetch import REDIRECTS, ask
from ..sources.fetch.deadline import Deadline
from ..sources.fetch.exchange import FetchFailure, Outgoing, TimedOut
from ..version import user_agent

TIMEOUT = 10.0  # each read or write
DEADLINE = 30.0  # every image asked, together
MAX_REDIRECTS = 5


def unpublished(public_url: str, out_dir: Path, built: list[BuiltEmail]) -> list[Problem]:
    """One problem per image the built emails show that is not at its address under
    `public_url` (missing, another file, or the server cannot be reached)."""
    places = Addresses(out_dir, public_url)
    sizes: dict[str, int | None] = {}
    for email in built:
        names = email.entry.get("assets")
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str) and NAME.fullmatch(name) and name not in sizes:
                path = places.asset(name)
                sizes[name] = path.stat().st_size if path.is_file() else None
    if not sizes:
        return []

    deadline = Deadline(DEADLINE, TIMEOUT)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda name: _ask(places.asset_url(name), sizes[name], deadline.at), sorted(sizes)))
    return [Problem(url, why) for url, why in answers if why]


def _ask(url: str, size: int | None, end: float) -> tuple[str, str]:
    fix = "publish the output folder's public/ first (the manual: Publishing), or pass --force"
    outgoing = Outgoing({"User-Agent": user_agent("push"), "Connection": "close"}, "HEAD", what="image",
                        read_body=lambda status: False)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            answer = ask(current, outgoing, Deadline(DEADLINE, TIMEOUT, at=end))
            location = (answer.headers.get("Location") or "").strip()
            if answer.status not in REDIRECTS or not location:
                break
            current = urljoin(current, location)
    except TimedOut as exc:
        return url, f"cannot be reached (no whole answer within {exc.seconds:g} s); {fix}"
    except FetchFailure as exc:
        return url, f"cannot be reached ({str(exc).removeprefix('image unreachable: ')}); {fix}"
    if not 200 <= answer.status < 300:
        return url, f"is not published (HTTP {answer.status}); the draft would show a broken image: {fix}"
    length = (answer.headers.get("Content-Length") or "").strip()
    if size is not None and length.isdigit() and int(length) != size:
        return url, f"is another file ({length} bytes, not the {size} built): {fix}"
    return url, ""
