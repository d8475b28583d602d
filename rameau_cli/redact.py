"""Secrets out of what is shown: a credential, and anything made from it (the base64 of
`user:token` in a Basic header, `Bearer <token>`, the token percent-encoded in a URL), even cut
short, as a server that echoes a header in its error page may cut it."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

WINDOW = 8  # a run of this many characters of a secret, found anywhere, is masked
MASK = "***"
# A credential after its scheme's name, whatever it is made of: what an echoed header shows.
_SCHEMES = re.compile(r"(?i)\b(basic|bearer|token|digest|api[-_]?key)([ :=\"']+)([A-Za-z0-9+/=._~-]{6,})")
_URL_SECRETS = re.compile(r"(?i)([?&;](?:access_token|api[-_]?key|apikey|key|token|secret|password|passwd|sig|signature|"
                          r"auth)=)([^&;#\s\"'<>]+)")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@\"'<>]*:)([^/\s@\"'<>]+)(@)")


def derived(*secrets: str, user: str = "") -> tuple[str, ...]:
    """The forms a secret takes on the wire: itself, percent-encoded, base64 alone and with the
    user (Basic), and the values of the headers made from it."""
    forms: list[str] = []
    for secret in (s for s in secrets if s):
        forms += [secret, quote(secret, safe=""), _b64(secret), _b64(f"{user}:{secret}"), _b64(f":{secret}")]
    return tuple(dict.fromkeys(f for f in forms if f))


def mask(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with every run of WINDOW characters of a secret, every credential after an
    authentication scheme's name and every password or token in a URL replaced by ***."""
    hidden = [False] * len(text)
    for secret in secrets:
        for piece in _pieces(secret):
            start = text.find(piece)
            while start != -1:
                hidden[start:start + len(piece)] = [True] * len(piece)
                start = text.find(piece, start + 1)
    if any(hidden):
        text = "".join(MASK if flag and (i == 0 or not hidden[i - 1]) else "" if flag else char
                       for i, (char, flag) in enumerate(zip(text, hidden, strict=True)))
    text = _SCHEMES.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}" if _credential(m.group(3)) else m.group(0), text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    return _URL_SECRETS.sub(lambda m: f"{m.group(1)}{MASK}", text)


def _credential(word: str) -> bool:
    """Whether a word after `Bearer` or `token` is a credential rather than prose ("invalid
    token provided"): it has a digit or a base64 sign, or mixes cases over 12 characters."""
    return bool(re.search(r"[0-9+/=]", word)) or (len(word) >= 12 and word.lower() != word and word.upper() != word)


def _pieces(secret: str) -> list[str]:
    if len(secret) <= WINDOW:
        return [secret] if len(secret) >= 4 else []
    return [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
