"""`rameau check --links`, for the addresses under `output.public_url`: what the output folder's
public/ will publish there is looked up in that folder itself (project/addresses.py says where
it is), not asked of a server. Before the first publication nothing answers there yet (a web
version, an image from disk, the archive), and a check run before publishing must not bury the
one real broken link under them; a file missing from the folder is broken for good."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import OutputError


def under(url: str, public_url: str) -> bool:
    """Whether `url` is an address of the published output folder."""
    base = public_url.rstrip("/")
    return bool(base) and (url == base or url.startswith(base + "/"))


def published_problem(url: str, public_url: str, public_dir: Path) -> str:
    """"" when the file `url` names is in `public_dir`, the folder published at `public_url` (a
    folder's address: its index.html), else why not."""
    from ..files import safe_join

    path = unquote(urlsplit(url).path)
    base = unquote(urlsplit(public_url.rstrip("/")).path)
    relative = path[len(base):].lstrip("/") if path.startswith(base) else path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    try:
        found = safe_join(public_dir, *relative.split("/"))
    except OutputError:
        return f"leads outside {public_dir}"
    if found.is_file():
        return ""
    return f"not in the output folder ({public_dir / relative}), which is published at {public_url}; " \
           f"build it (rameau build-issue) or fix the link"
