"""The proportions of images the emails link to (an article's `image:` URL, an image in a feed's
content or a body), learned once and kept in .rameau-cache/images/remote.json.

An `<img>` with its width and height keeps its place while it loads and when images are blocked;
without a height, the email jumps, or collapses to the alt text. So each remote image is fetched
once, by the build's bounded fetcher (injected: the same limits as a feed, in time, size and
redirects, sources/fetch), its size read from its header by Pillow, and remembered by its
address. An image that cannot be had or read is not remembered (it is asked again next build)
and the theme gives it a box of a stated ratio (render/body_html.py: RATIO). An offline build
fetches nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from ..cache.base import CacheFolder
from ..errors import RameauError

Fetch = Callable[[str], bytes]  # an image's bytes, or an exception when it cannot be had


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height read from an image's header, or None when it is not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None
    return (width, height) if width > 0 and height > 0 else None


class RemoteSizes:
    def __init__(self, cache: CacheFolder, fetch: Fetch | None):
        self.file = cache.file("images", "remote.json")
        loaded = self.file.load()
        self.known: dict[str, list[int]] = {
            url: size for url, size in (loaded.items() if isinstance(loaded, dict) else ())
            if isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) and n > 0 for n in size)}
        self.fetch = fetch
        self.used: dict[str, list[int]] = {}
        self.tried: set[str] = set()  # asked this build and not had: not asked twice

    def size(self, url: str) -> tuple[int, int] | None:
        """The image's width and height in pixels, when known or learned now."""
        found = self.known.get(url) or self.used.get(url)
        if found is None and self.fetch is not None and url not in self.tried:
            self.tried.add(url)
            try:
                data = self.fetch(url)
            except (RameauError, OSError, ValueError):  # unreachable, refused, too large, too slow
                data = b""
            size = image_size(data) if data else None
            found = list(size) if size else None
        if found is None:
            return None
        self.used[url] = found
        return found[0], found[1]

    def save(self) -> None:
        """Keep the sizes known, with those this build learned."""
        learned = {url: size for url, size in self.used.items() if url not in self.known}
        if learned:
            self.file.save(dict(sorted({**self.known, **learned}.items())))
