"""The images a build uses from disk: found, made email-ready once, named by their content.

An article's `image:`, or `![alt](photo.jpg)` in a Markdown body or the édito, names a file
relative to the file that names it (`/photos/x.jpg`: from the project folder). Each is made
email-ready (images/process.py) at twice the width the email shows it at, and named
`<hash>-<name>.<ext>` by its bytes: one photo is one file under `<output>/public/assets/`, shared by
every segment and edition, and the HTML points at it under `output.public_url`.

Only files inside the project folder are read; a feed's content never reads a file. A file that
is missing or cannot be read as an image is a warning naming it and the fix; the article goes
out without that image. Processed images are kept in the cache by the source's content and the
processing settings: a build whose photos have not changed does no image work.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..cache.base import CacheFolder
from ..errors import ConfigError, Problem, Warnings, show
from ..project.reading import OUTSIDE, slugify
from .remote import RemoteSizes

COLUMN = 552  # the width the theme shows a full-width image at, in CSS pixels
THUMBNAIL = 170  # the width it shows a card's image at beside the card's text (templates/card.mjml)
MAX_SOURCE_BYTES = 60_000_000
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
NOT_SHOWN = {  # formats Pillow cannot open (or mail clients cannot show), and what to do instead
    ".svg": "an SVG, which most mail clients do not show; export it as PNG",
    ".svgz": "an SVG, which most mail clients do not show; export it as PNG",
    ".pdf": "a PDF; export the page as PNG or JPEG",
    ".heic": "a HEIC photo, which cannot be read here; export it as JPEG (on an iPhone: Settings > Camera > "
             "Formats > Most Compatible)",
    ".heif": "a HEIF photo, which cannot be read here; export it as JPEG",
    ".avif": "an AVIF image, which cannot be read here; export it as JPEG or PNG",
}
PREVIEW_URL = "https://preview.rameau.invalid/assets"  # where previews show images from disk (see preview/)
NAME = re.compile(r"[0-9a-f]{16}-[a-z0-9-]{1,40}\.(?:jpg|png|gif)")  # a made file's name
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}


@dataclass(frozen=True)
class Picture:
    """An image as an email shows it: its address, and the size it is shown at (CSS pixels;
    None when unknown, for a remote image). `sizes`: the same image made for smaller places, by
    the width asked (`Assets.with_sizes`), before rendering: a template only reads them."""

    url: str
    width: int | None = None
    height: int | None = None
    sizes: tuple[tuple[int, Picture], ...] = ()

    def __str__(self) -> str:
        return self.url

    def at(self, width: int) -> Picture:
        """This image shown `width` pixels wide: the file the build made for that width, else this
        file, shown that wide at most (a remote image: as it is, that wide)."""
        for asked, picture in self.sizes:
            if asked == width:
                return picture
        if self.width is None or self.height is None:
            return Picture(self.url, width, None)
        shown = min(width, self.width)
        return Picture(self.url, shown, max(1, round(shown * self.height / self.width)))


SHOWN = re.compile(rf"/({NAME.pattern})")  # a made file's name where an email's HTML shows it


def shown_in(html: str, names: Iterable[str]) -> set[str]:
    """Which of `names` (made files) an email's HTML shows, found in one pass over the HTML."""
    return set(SHOWN.findall(html)).intersection(names)


def is_remote(ref: str) -> bool:
    return ref.startswith(("https://", "http://"))


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rpartition(".")[2], "application/octet-stream")


class NeedsPublicUrl(ConfigError):
    pass


@dataclass
class _Source:
    path: Path
    sha: str
    data: bytes | None  # read only when an image has to be made from it


class Assets:
    """The images of one build. `url`: where `<output>/public/assets/` is published (None: unknown;
    an image from disk is then refused, naming output.public_url). `files`: name -> bytes of
    every file the emails point at, to write under the output folder or serve in a preview."""

    def __init__(self, root: Path, url: str | None, cache: CacheFolder, warnings: Warnings,
                 remote: RemoteSizes | None = None):
        self.root = root.resolve()
        self.remote = remote  # the proportions of remote images (None: unknown)
        self.url = url.rstrip("/") if url is not None else None
        self.warnings = warnings
        self.files: dict[str, bytes] = {}
        self.problems: list[Problem] = []  # the images left out, each also a warning
        self.store = _Store(cache)
        self._sources: dict[Path, _Source | str] = {}  # by real path: the file, or why not
        self._resizers: dict[str, Callable[[int], Picture]] = {}  # by a picture's url: its file for other widths

    def save(self) -> None:
        self.store.save()
        if self.remote is not None:
            self.remote.save()

    def remote_size(self, url: str) -> tuple[int, int] | None:
        """A remote image's width and height in pixels, when they can be learned."""
        return self.remote.size(url) if self.remote is not None else None

    def picture(self, ref: str, base: Path | None, where: str, width: int = COLUMN) -> Picture | None:
        """The image `ref` names, shown `width` pixels wide at most: a remote address as it is, a
        file (relative to `base`, the folder of the file that names it) made email-ready. None,
        with a warning, when it cannot be used. `base` None: no file may be read (a feed)."""
        ref = ref.strip()
        if is_remote(ref):
            size = self.remote_size(ref)
            return Picture(ref, *size) if size else Picture(ref)
        if base is None or SCHEME.match(ref) or ref.startswith("//"):
            self._skip(where, ref, "is not an https address; link an image over https")
            return None
        source = self._source(ref, base, where)
        if source is None:
            return None
        made = self._made(source, 2 * width, where, ref)
        if made is None:
            return None
        shown = min(width, made.source_width)
        return self._picture(source, made, shown, where, ref)

    def with_sizes(self, picture: Picture, widths: Iterable[int]) -> Picture:
        """`picture` with a file made for each of `widths` (a thumbnail) when it is from disk: made
        now, before rendering, so that the templates' `at(width)` only reads them."""
        resize = self._resizers.get(picture.url)
        if resize is None:
            return picture
        return replace(picture, sizes=tuple((width, resize(width)) for width in widths))

    def _picture(self, source: _Source, made: _Made, shown: int, where: str, ref: str) -> Picture:
        if self.url is None:
            shown_in = where.split(": ")[0]
            raise NeedsPublicUrl(Problem("rameau.yaml: output.public_url", f"is not set, and {shown_in} shows an image "
                                         f"from disk ({ref}); set it to the address where the output folder is "
                                         "published, such as https://newsletter.example.org, so that readers see it "
                                         "(the manual: Publishing)"))
        self.files[made.name] = made.data
        height = max(1, round(shown * made.height / made.width))

        def resize(width: int) -> Picture:
            width = min(width, made.source_width)
            smaller = made if 2 * width >= made.width else self._made(source, 2 * width, where, ref) or made
            return self._picture(source, smaller, width, where, ref)

        url = f"{self.url}/{made.name}"
        self._resizers.setdefault(url, resize)
        return Picture(url, shown, height)

    def _skip(self, where: str, ref: str, why: str) -> None:
        problem = Problem(where, f"{show(ref)} {why}; it goes out without this image")
        if problem not in self.problems:
            self.problems.append(problem)
        self.warnings.warn(problem.where, problem.message)

    def _source(self, ref: str, base: Path, where: str) -> _Source | None:
        relative = ref.lstrip("/")
        path = (self.root if ref.startswith("/") else base.resolve()) / relative
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            real = path
        if real not in self._sources:
            if not real.is_relative_to(self.root):
                self._sources[real] = OUTSIDE
            else:
                self._sources[real] = self._read(real)
        found = self._sources[real]
        if isinstance(found, str):
            hint = " (a path starting with / is from the project folder)" if ref.startswith("/") and "found" in found \
                else ""
            self._skip(where, ref, found.replace("; ", f"{hint}; ", 1))
            return None
        return found

    def _read(self, path: Path) -> _Source | str:
        """The file, or why it cannot be used."""
        try:
            info = path.stat()
        except OSError:
            return ("was not found; check the file's name and folder, relative to the file that names it, or give an "
                    "https address")
        if not stat.S_ISREG(info.st_mode):
            return "is not a file; name an image file"
        why = NOT_SHOWN.get(path.suffix.lower())
        if why:
            return f"is {why}"
        if info.st_size > MAX_SOURCE_BYTES:
            return f"is {info.st_size // 1_000_000} MB; export it smaller (under {MAX_SOURCE_BYTES // 1_000_000} MB)"
        sha = self.store.known_sha(path, info)
        data = None
        if sha is None:
            try:
                data = path.read_bytes()
            except OSError as exc:
                return f"cannot be read ({exc.strerror or exc}); check its permissions"
            sha = hashlib.sha256(data).hexdigest()
            self.store.remember_sha(path, info, sha)
        return _Source(path, sha, data)

    def _made(self, source: _Source, max_width: int, where: str, ref: str) -> _Made | None:
        key = f"{source.sha}:{max_width}"
        made = self.store.get(key)
        if made is not None:
            if made.note:
                self.warnings.warn(where, f"{show(ref)} {made.note}")
            return made
        failed = self.store.failed(source.sha)
        if failed is not None:  # read and refused by an earlier build: not read again
            self._skip(where, ref, failed)
            return None
        from .process import CannotMake, NotAnImage, process

        if source.data is None:
            try:
                source.data = source.path.read_bytes()
            except OSError as exc:
                self._skip(where, ref, f"cannot be read ({exc.strerror or exc}); check its permissions")
                return None
        try:
            data, source.data = source.data, None  # not kept: twenty camera photos are 100 MB
            done = process(data, max_width)
        except NotAnImage as exc:
            kind = source.path.suffix.lower().lstrip(".") or "file"
            why = (f"cannot be read as an image ({_reason(exc)}); open it and save it again as JPEG or PNG (a {kind} "
                   "that is cut or corrupt, or of a format not supported)")
            self.store.fail(source.sha, why)
            self._skip(where, ref, why)
            return None
        except CannotMake as exc:  # a picture read well, that no email format can hold
            self.store.fail(source.sha, str(exc))
            self._skip(where, ref, str(exc))
            return None
        name = f"{hashlib.sha256(done.data).hexdigest()[:16]}-{slugify(source.path.stem, 40)}.{done.extension}"
        made = _Made(name, done.data, done.width, done.height, done.source_width, done.note)
        self.store.put(key, made)
        if made.note:
            self.warnings.warn(where, f"{show(ref)} {made.note}")
        return made


def _reason(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    return text[:120] if text else "unknown format"


@dataclass(frozen=True)
class _Made:
    name: str  # under assets/
    data: bytes
    width: int  # pixels of the file
    height: int
    source_width: int  # pixels of the photo as it was taken (upright)
    note: str = ""  # what the author should know of how it was made


class _Store:
    """Processed images in .rameau-cache/images/: an index (source file -> its hash; source hash
    and width -> the file made) and the files made, each checked against its hash when read."""

    def __init__(self, cache: CacheFolder):
        self.cache = cache
        self.folder = cache.path / "images" if cache.path else None
        self.index_file = cache.file("images", "index.json")
        loaded = self.index_file.load()
        self.index: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        for part in ("sources", "made", "failed"):
            if not isinstance(self.index.get(part), dict):
                self.index[part] = {}
        # The files this cache made before (those its index named), all it may ever delete: a file
        # it did not write (another project's, in a shared or linked folder) is left alone.
        self.ours: set[str] = {entry["name"] for entry in self.index["made"].values()
                     if isinstance(entry, dict) and isinstance(entry.get("name"), str) and NAME.fullmatch(entry["name"])}
        self.new: dict[str, bytes] = {}
        self.found: dict[str, _Made] = {}  # files read and checked by this build, by key: read once
        self.changed = False

    def known_sha(self, path: Path, info: os.stat_result) -> str | None:
        entry = self.index["sources"].get(str(path))
        if isinstance(entry, list) and entry[:2] == [info.st_size, info.st_mtime_ns] and len(entry) == 3:
            return str(entry[2])
        return None

    def remember_sha(self, path: Path, info: os.stat_result, sha: str) -> None:
        self.index["sources"][str(path)] = [info.st_size, info.st_mtime_ns, sha]
        self.changed = True

    def failed(self, sha: str) -> str | None:
        """Why a photo of this content could not be made, when an earlier build found out."""
        why = self.index["failed"].get(sha)
        return why if isinstance(why, str) else None

    def fail(self, sha: str, why: str) -> None:
        self.index["failed"][sha] = why
        self.changed = True

    def get(self, key: str) -> _Made | None:
        if key in self.found:
            return self.found[key]
        entry = self.index["made"].get(key)
        if not isinstance(entry, dict) or self.folder is None:
            return None
        try:
            name, width, height, source_width = entry["name"], entry["width"], entry["height"], entry["source"]
            note: object = entry.get("note", "")
            data = self.new.get(name) or (self.folder / name).read_bytes()
        except (KeyError, TypeError, OSError):
            return None
        if not isinstance(name, str) or not name.startswith(hashlib.sha256(data).hexdigest()[:16]) \
                or not isinstance(note, str):
            return None
        self.found[key] = _Made(name, data, width, height, source_width, str(note))
        return self.found[key]

    def put(self, key: str, made: _Made) -> None:
        self.index["made"][key] = {"name": made.name, "width": made.width, "height": made.height,
                                   "source": made.source_width, **({"note": made.note} if made.note else {})}
        self.new[made.name] = made.data
        self.changed = True

    def save(self) -> None:
        """Keep what this build made (at the end of the build, when the cache is deferred): the
        files, then the index; what belongs to photos that are gone is dropped."""
        if self.changed and self.folder is not None:
            self.cache.later(self._save_files)
            self.index_file.save(self.index)

    def _drop(self, name: str) -> None:
        """Delete a file this cache made, unless the folder is a link (a folder shared with
        other projects: what it holds is theirs too)."""
        assert self.folder is not None
        if not any(place.is_symlink() for place in (self.folder, self.folder.parent)):
            (self.folder / name).unlink(missing_ok=True)

    def _save_files(self) -> None:
        from ..files import write_atomic

        assert self.folder is not None
        sources = {path: entry for path, entry in self.index["sources"].items() if os.path.exists(path)}
        known = {entry[2] for entry in sources.values() if isinstance(entry, list) and len(entry) == 3}
        self.index["sources"] = sources
        self.index["made"] = {key: entry for key, entry in self.index["made"].items() if key.split(":")[0] in known}
        self.index["failed"] = {sha: why for sha, why in self.index["failed"].items() if sha in known}
        kept = {entry.get("name") for entry in self.index["made"].values() if isinstance(entry, dict)}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, data in self.new.items():
                if name in kept:
                    write_atomic(self.folder / name, data)
            for stale in self.ours - kept:
                self._drop(stale)
        except OSError as exc:
            self.cache.cannot_write(self.folder, exc)
