"""Where everything a build makes sits: in the output folder, and at `output.public_url`.

    <out>/latest.json                          segment id -> the edition it was last built in
    <out>/<edition>/manifest.json              the edition's manifest (for CI and `push`)
    <out>/<edition>/<segment>/index.html       the email, for the emailing tool
    <out>/<edition>/<segment>/index.txt        its text part
    <out>/<edition>/<segment>/message.eml      the send-ready message
    <out>/public/                              what is meant for the web, and only that:
        assets/<hash>-<name>.jpg               images from disk (named by their content)
        archive/index.html, feed.xml, ...      the archive of the segments with `archive: public`
        <edition>/<segment>/web.html           the web version of a segment with `archive: public`
        <edition>/<token>/web.html             that of a segment with `archive: unlisted`

`output.public_url` is the address of `<out>/public/`: publish that folder, never the output
folder itself. A segment with `archive: none` has nothing under public/ but the images its
emails show. Every other module asks here rather than spelling a path or an address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

PUBLIC_DIR = "public"
ASSETS_DIR = "assets"
ARCHIVE_DIR = "archive"
MANIFEST = "manifest.json"
LATEST = "latest.json"
HTML, TEXT, MESSAGE, WEB = "index.html", "index.txt", "message.eml", "web.html"
EMAIL_FILES = (HTML, TEXT, MESSAGE)  # a segment's files beside its manifest, never published

ARCHIVE_MODES = ("public", "unlisted", "none")
TOKEN_LENGTH = 32  # hex digits of an unlisted web version's folder: 128 bits, not to be guessed
SECRET_ENV = "RAMEAU_ARCHIVE_SECRET"  # the project secret unlisted addresses are derived from, when set


def unlisted_token(secret: str, edition: str, segment: str, content: str) -> str:
    """The folder name of an unlisted web version: from the project secret when there is one
    (the address stays the same when the issue is built again), else from the issue's content
    (its articles and édito, which nobody outside can put together to the byte)."""
    if secret:
        digest = hmac.new(secret.encode("utf-8"), f"{edition}\0{segment}".encode(), hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(f"rameau-unlisted\0{edition}\0{segment}\0{content}".encode()).hexdigest()
    return digest[:TOKEN_LENGTH]


def web_page(edition: str, segment: str, archive: str, token: str = "") -> str:
    """Where a segment's web version sits under public/ ("" when it has none: `archive: none`)."""
    if archive == "public":
        return f"{edition}/{segment}/{WEB}"
    if archive == "unlisted":
        assert len(token) >= 16, "an unlisted web version needs its token"
        return f"{edition}/{token}/{WEB}"
    return ""


@dataclass(frozen=True)
class Addresses:
    """The output folder `out` and the address `public_url` its public/ folder is published at
    ("" when unknown)."""

    out: Path
    public_url: str = ""

    @property
    def public(self) -> Path:
        return self.out / PUBLIC_DIR

    @property
    def assets(self) -> Path:
        return self.public / ASSETS_DIR

    @property
    def archive(self) -> Path:
        return self.public / ARCHIVE_DIR

    @property
    def latest(self) -> Path:
        return self.out / LATEST

    def edition(self, edition: str) -> Path:
        return self.out / edition

    def manifest(self, edition: str) -> Path:
        return self.out / edition / MANIFEST

    def email(self, edition: str, segment: str) -> Path:
        """The folder of a segment's email files (EMAIL_FILES)."""
        return self.out / edition / segment

    def public_edition(self, edition: str) -> Path:
        """The folder under public/ that holds an edition's web versions."""
        return self.public / edition

    def asset(self, name: str) -> Path:
        return self.assets / name

    def url(self, page: str) -> str:
        """The address of a path under public/ ("" when public_url is unknown or there is no page)."""
        return f"{self.public_url}/{page}" if self.public_url and page else ""

    @property
    def assets_url(self) -> str | None:
        """Where the images from disk are shown from (None: public_url unknown)."""
        return f"{self.public_url}/{ASSETS_DIR}" if self.public_url else None

    def asset_url(self, name: str) -> str:
        return f"{self.public_url}/{ASSETS_DIR}/{name}"

    def archive_index_url(self, folder: str = "") -> str:
        """The archive's index page (`folder`: "" or a language's, "en/")."""
        return self.url(f"{ARCHIVE_DIR}/{folder}index.html")

    def archive_feed(self, folder: str = "") -> tuple[str, str]:
        """The archive feed's id and its link (the index page), under public_url."""
        return self.url(f"{ARCHIVE_DIR}/{folder}"), self.archive_index_url(folder)


STAGED_BELOW = (PUBLIC_DIR, f"{PUBLIC_DIR}/{ARCHIVE_DIR}", f"{PUBLIC_DIR}/{ASSETS_DIR}", "history")
"""Folders, relative to the output folder or the project, whose files a build stages one by one."""
