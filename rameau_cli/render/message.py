"""`message.eml`: one send-ready MIME message per segment.

multipart/alternative with the text part first and the HTML part second (clients show the
last part they can), UTF-8 in quoted-printable (no line over 76 octets), RFC 2047 headers,
and a Date, Message-ID and MIME boundary derived from the edition, so that the same inputs
give the same bytes. The Date is the edition's: the emailing tool stamps the real one when it
sends (and `rameau send` stamps the moment of the test).
"""

from __future__ import annotations

import hashlib
import re
from binascii import b2a_qp
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import MIMEPart
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from ..compose.issue import Issue
from ..project.reading import one_line
from .message_bytes import NamedValue, message_bytes, payload_part

TO_PLACEHOLDER = "undisclosed-recipients:;"
LINE = 76  # header lines are folded to this, as quoted-printable body lines are


class ListIdHeader(UnstructuredHeader, BaseHeader):
    """List-Id (RFC 2919): `phrase <list-id>`. The segment's title is written as a phrase: a
    quoted string, or RFC 2047 encoded words when it is not ASCII. Written as it is, a title
    such as `L'hebdo entreprise, fondation, partenaire` is no phrase: the comma ends it."""

    def fold(self, *, policy: Any) -> str:
        title, _, list_id = str(self).rpartition(" <")
        lines, line = [], f"{self.name}:"
        for word in [*_phrase_words(title), f"<{list_id}"]:
            if len(line) + 1 + len(word) > LINE and line != f"{self.name}:":
                lines.append(line)
                line = ""
            line += " " + word
        return policy.linesep.join([*lines, line]) + policy.linesep


def _phrase_words(title: str) -> list[str]:
    if title.isascii():
        return ('"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"').split(" ")
    return Header(title, "utf-8", maxlinelen=LINE - len("List-Id: ")).encode(splitchars=" ", linesep="\n").split()


_REGISTRY = HeaderRegistry()
_REGISTRY.map_to_type("list-id", ListIdHeader)
POLICY = SMTP.clone(header_factory=_REGISTRY)


def sender_domain(issue: Issue) -> str:
    """The sender's domain: of the Message-ID and the List-Id."""
    return issue.newsletter.sender_email.rsplit("@", 1)[-1]


def message_id(issue: Issue, digest: str) -> str:
    return f"<{issue.edition_id}.{issue.segment.id}.{digest[:12]}@{sender_domain(issue)}>"


def build_message(issue: Issue, html: str, text: str) -> bytes:
    digest = hashlib.sha256(f"{issue.segment.id}\0{text}\0{html}".encode()).hexdigest()
    boundary = f"=_rameau_{digest[:24]}"
    tags = (str(issue.profile.unsubscribe), str(issue.view_online), str(issue.profile.first_name))
    parts = [(subtype, quoted_printable(content, tags)) for subtype, content in (("plain", text), ("html", html))]
    return message_bytes(message_headers(issue, digest, boundary), boundary, parts, POLICY)


def message_headers(issue: Issue, digest: str, boundary: str) -> list[NamedValue]:
    """The message's headers, in order. Their values go through one_line: never a line break."""
    headers: list[NamedValue] = [
        ("Subject", one_line(issue.subject)),
        ("From", Address(one_line(issue.newsletter.sender_name), addr_spec=issue.newsletter.sender_email)),
    ]
    if issue.newsletter.reply_to:
        headers.append(("Reply-To", issue.newsletter.reply_to))
    headers += [("To", TO_PLACEHOLDER), ("Date", format_datetime(issue.date)), ("Message-ID", message_id(issue, digest))]
    unsubscribe = [f"<{issue.profile.unsubscribe}>"]
    if issue.unsubscribe_mailto:
        unsubscribe.append(f"<mailto:{issue.unsubscribe_mailto}?subject=unsubscribe>")
    headers += [("List-Unsubscribe", ", ".join(unsubscribe)), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("List-Id", f"{one_line(issue.segment.title)} <{issue.segment.id}.{sender_domain(issue)}>")]
    if issue.archive_url:
        headers.append(("List-Archive", f"<{issue.archive_url}>"))
    headers += [("MIME-Version", "1.0"), ("Content-Type", f'multipart/alternative; boundary="{boundary}"')]
    return headers


def text_part(content: str, subtype: str, tags: tuple[str, ...] = ()) -> MIMEPart:
    """A UTF-8 part of `content` in quoted-printable (see `quoted_printable`)."""
    return payload_part(subtype, quoted_printable(content, tags))


def quoted_printable(content: str, tags: tuple[str, ...] = ()) -> str:
    """`content` in UTF-8 and quoted-printable, encoded by binascii's C encoder (the email
    package's own encoder, quoprimime, took most of the time of writing the messages), its lines
    then broken again so that no soft line break falls inside a merge tag: `tags` (the
    profile's), or anything written like one ({{ … }}, {% … %}, *|…|*, [[…]]). A relay or a
    mail merge that fills merge tags in the raw message finds them whole."""
    body = content if content.endswith("\n") else content + "\n"
    encoded = b2a_qp(body.encode("utf-8"), istext=True).replace(b"=\n", b"")  # one line per line of text
    whole = [re.compile(re.escape(b2a_qp(tag.encode("utf-8"), istext=True))) for tag in tags if tag]
    return b"\n".join(_broken(line, whole) for line in encoded.split(b"\n")).decode("ascii")


_EQUALS = ord("=")
_TAG_LIKE = re.compile(rb"\{\{.{0,70}?\}\}|\{%.{0,70}?%\}|\*\|.{0,70}?\|\*|\[\[.{0,70}?\]\]")


def _broken(line: bytes, tags: list[re.Pattern[bytes]]) -> bytes:
    """An encoded line in lines of at most 76 octets (RFC 2045), each but the last ending in a
    soft break; never inside an =XX escape, nor inside a merge tag that fits on a line."""
    if len(line) <= LINE:
        return line
    spans = sorted({(m.start(), m.end()) for tag in tags for m in tag.finditer(line)}
                   | {(m.start(), m.end()) for m in _TAG_LIKE.finditer(line)})
    out, start, size, after = [], 0, len(line), 0  # spans[after:] start after `start`
    while size - start > LINE:
        cut = start + LINE - 1
        while line[cut - 1] == _EQUALS or line[cut - 2] == _EQUALS:
            cut -= 1
        while after < len(spans) and spans[after][0] <= start:
            after += 1
        at = after  # the first tag the cut falls in, if any
        while at < len(spans) and spans[at][0] < cut:
            if spans[at][1] > cut:
                cut = spans[at][0]
                break
            at += 1
        out.append(line[start:cut])
        start = cut
    out.append(line[start:])
    return b"=\n".join(out)  # each line but the last ends in a soft break
