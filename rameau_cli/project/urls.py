"""Feed URLs as people write them, and as an HTTP request needs them.

A feed URL is checked where it is written (rameau.yaml, `--source`), so that a malformed one is
a configuration error naming its source, and the same function makes it ASCII before it is
fetched: an internationalised host name in IDNA 2008 (`exämple.fr` -> `xn--exmple-cua.fr`;
`straße.de` -> `xn--strae-oqa.de`, never `strasse.de` as Python's own IDNA 2003 codec makes
it, another domain), other non-ASCII characters of the path and query percent-encoded as UTF-8 (RFC 3987). Spaces and
control characters are refused rather than guessed at.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..errors import show

HTTP_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")  # a % that starts no escape
# Characters a path or query may hold as they are (RFC 3986 pchar, plus / and ?); the rest is escaped.
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True)
class FeedURL:
    """An http(s) URL made ready for a request: every part ASCII."""

    scheme: str  # http or https
    host: str  # lowercase, IDNA-encoded; an IPv6 address without its brackets
    port: int
    target: str  # path and query, percent-encoded: what the request line asks for

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == (443 if self.scheme == "https" else 80) else f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.target}"


def url_scheme(text: str) -> str:
    """The scheme of an absolute URL (`ftp`, `data`, `http`), lowercase, or "" for a path.
    A Windows drive (`C:\\feeds`) is a path."""
    match = _SCHEME.match(text.strip())
    return match.group(1).lower() if match and len(match.group(1)) > 1 else ""


def looks_like_url(text: str) -> bool:
    """Whether a source location is meant as a URL rather than a file path."""
    scheme = url_scheme(text)
    return scheme in HTTP_SCHEMES or (bool(scheme) and text.strip()[len(scheme) + 1:].startswith("//"))


def feed_location_problem(location: str) -> str:
    """What is wrong with a feed's location meant as a URL: "" when nothing is, or for a path."""
    if not looks_like_url(location):
        return ""
    try:
        feed_url(location)
    except ValueError as exc:
        return f"{show(location)} {exc}"
    return ""


def feed_url(text: str) -> FeedURL:
    """`text` as an http(s) URL ready for a request; ValueError says what is wrong with it."""

    text = text.strip()
    bad = next((c for c in text if c.isspace() or ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise ValueError("contains a space; write it as %20" if bad == " " else
                         f"contains a control character ({bad!r}); remove it")
    scheme = url_scheme(text)
    if scheme not in HTTP_SCHEMES:
        raise ValueError(f"uses the {scheme}: scheme; feeds are fetched over http(s) only" if scheme else
                         "is not an http(s) URL such as https://www.example.org/feed.xml")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"is not a well-formed URL ({exc})") from None
    netloc = parts.netloc.rsplit("@", 1)[-1]  # user:password@ is never sent
    if not netloc or not parts.hostname:
        raise ValueError("has no host name; write it as https://www.example.org/feed.xml")
    host = _host(parts.hostname, bracketed=netloc.startswith("["))
    if port == 0:
        raise ValueError("has port 0, which no server listens on")
    target = _escape(parts.path or "/", _PATH_SAFE) + (f"?{_escape(parts.query, _QUERY_SAFE)}" if parts.query else "")
    return FeedURL(scheme, host, port or (443 if scheme == "https" else 80), target)


def _host(name: str, bracketed: bool) -> str:
    if bracketed:
        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            raise ValueError(f"has {show(name)} between brackets, which is not an IPv6 address") from None
    try:
        return str(ipaddress.IPv4Address(name))
    except ValueError:
        pass
    try:
        ascii_name = ascii_host(name.rstrip("."))
    except ValueError:
        raise ValueError(f"has the host name {show(name)}, which cannot be written in IDNA") from None
    if not all(_HOST_LABEL.fullmatch(label) for label in ascii_name.split(".")):
        raise ValueError(f"has the host name {show(name)}, which is not a host name")
    return ascii_name


def ascii_host(name: str) -> str:
    """A host name as DNS knows it, lowercase: each non-ASCII label in IDNA 2008 after the UTS #46
    mapping, non-transitional (ß and ς stay themselves, as browsers do since 2017); ASCII labels
    as they are (an underscore, which IDNA refuses, is found in real host names). ValueError when
    a label cannot be written in IDNA.

    Every host rameau connects to or compares goes through here: Python's "idna" codec, which the
    socket module and http.client use for a non-ASCII name, is IDNA 2003."""
    import idna  # noqa: PLC0415 (start-up: loaded only when a host name is checked)


    if name.isascii():
        return name.lower()
    try:
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
        return ".".join(label.lower() if label.isascii() else idna.alabel(label).decode("ascii")
                        for label in mapped.split("."))
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError(str(exc)) from None


def _escape(text: str, safe: str) -> str:
    return quote(_ESCAPE.sub("%25", text), safe=safe, encoding="utf-8", errors="strict")
