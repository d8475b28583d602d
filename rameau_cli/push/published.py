"""Before a draft is pushed: the images from disk it shows must be published already, or the
draft (and whoever looks at it in the emailing tool) shows broken images."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..built import BuiltEmail
from ..errors import Problem
from ..images.assets import NAME
from ..project.addresses import Addresses

TIMEOUT = 10.0


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
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda name: _ask(places.asset_url(name), sizes[name]), sorted(sizes)))
    return [Problem(url, why) for url, why in answers if why]


def _ask(url: str, size: int | None) -> tuple[str, str]:
    import urllib.error
    import urllib.request

    from ..version import user_agent

    fix = "publish the output folder's public/ first (the manual: Publishing), or pass --force"
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": user_agent("push")})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            length = answer.headers.get("Content-Length")
    except urllib.error.HTTPError as exc:
        return url, f"is not published (HTTP {exc.code}); the draft would show a broken image: {fix}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return url, f"cannot be reached ({reason}); {fix}"
    if size is not None and length is not None and length.isdigit() and int(length) != size:
        return url, f"is another file ({length} bytes, not the {size} built): {fix}"
    return url, ""
