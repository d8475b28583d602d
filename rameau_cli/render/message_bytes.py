"""A speed trick: message.eml's bytes written directly, beside the email package's own way of
writing them (`plain_message_bytes`), which a test holds it to (tests/test_message_bytes.py).

Writing a message through EmailMessage and BytesGenerator took most of the time of writing a
build: every header was parsed when set (its header class made anew each time by the
registry) and parsed and folded again when written, and every body line went through the
generator one write at a time. Here each header is folded once by the same policy
(`policy.header_store_parse`, then `policy.fold_binary`, as EmailMessage.__setitem__ and
BytesGenerator._write_headers do), and kept: a folded header depends on its name and value
only (see `folded`), and the segments of an edition share most of theirs (From, To, Date,
the parts' Content-Type). The body is laid out as BytesGenerator._handle_multipart and
_write_lines lay it out: the parts between boundary lines, their line ends made CRLF.
https://github.com/python/cpython/blob/3.11/Lib/email/generator.py
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP, EmailPolicy
from typing import Any, cast

NamedValue = tuple[str, Any]  # a name and its value: a str, or an email.headerregistry.Address
Part = tuple[str, str]  # a text part's subtype ("plain", "html") and its quoted-printable payload

_NEWLINE = re.compile(r"\r\n|\r|\n")  # the generator's NLCRE
_KEPT_AT_MOST = 512
_folded: dict[tuple[EmailPolicy[Any], str, type, str], bytes] = {}


def folded(name: str, value: Any, policy: EmailPolicy[Any]) -> bytes:
    """`name: value` as BytesGenerator writes it under `policy`, with its line end.

    Why the key decides the bytes: policy.header_store_parse(name, value) makes the header
    class that `policy.header_factory` maps the name to (the same for the same name under the
    same policy, which is why the policy is part of the key: a policy is hashed by identity,
    and is never changed, only cloned), and that class parses the value. A str value is parsed from itself. An Address
    is read by AddressHeader.parse through str(Address) only (its `decoded` text, from which
    the parse tree that is folded is made), so its type and str() decide it. Any other kind
    of value is not kept."""
    if not isinstance(value, (str, Address)):
        return policy.fold_binary(*policy.header_store_parse(name, value))
    key = (policy, name, type(value), str(value))
    found = _folded.get(key)
    if found is None:
        found = policy.fold_binary(*policy.header_store_parse(name, value))
        if len(_folded) >= _KEPT_AT_MOST:
            _folded.clear()
        _folded[key] = found
    return found


def message_bytes(headers: Sequence[NamedValue], boundary: str, parts: Sequence[Part], policy: EmailPolicy[Any]) -> bytes:
    """The multipart message with `headers` (its Content-Type naming `boundary`) and `parts`,
    as `plain_message_bytes` writes it."""
    newline = policy.linesep.encode("ascii")
    out = [folded(name, value, policy) for name, value in headers]
    out.append(newline)
    between = b"--" + boundary.encode("ascii") + newline
    for index, (subtype, payload) in enumerate(parts):
        out.append(between if index == 0 else newline + between)
        out.append(folded("Content-Type", f'text/{subtype}; charset="utf-8"', policy))
        out.append(folded("Content-Transfer-Encoding", "quoted-printable", policy))
        out.append(newline)
        out.append(policy.linesep.join(_NEWLINE.split(payload)).encode("ascii", "surrogateescape"))
    out.append(newline + b"--" + boundary.encode("ascii") + b"--" + newline)
    return b"".join(out)


def plain_message_bytes(headers: Sequence[NamedValue], boundary: str, parts: Sequence[Part],
                        policy: EmailPolicy[Any]) -> bytes:
    """What `message_bytes` writes, through EmailMessage and its generator (`boundary` is read
    from the Content-Type among `headers`)."""
    message = EmailMessage(policy=policy)
    for name, value in headers:
        message[name] = value
    for part in parts:
        message.attach(cast(EmailMessage, payload_part(*part)))  # typeshed wants an EmailMessage
    return message.as_bytes(policy=policy)


def payload_part(subtype: str, payload: str) -> MIMEPart:
    """A text part whose payload is already quoted-printable."""
    part = MIMEPart(policy=SMTP)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(payload)
    return part
