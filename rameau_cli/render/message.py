"""`message.eml`: one send-ready MIME message per segment.

multipart/alternative with the text part first and the HTML part second (clients show the
last part they can), UTF-8 in quoted-printable (no line over 76 octets), RFC 2047 headers,
and a Date, Message-ID and MIME boundary derived from the edition, so that the same inputs
give the same bytes. The Date is the edition's: the emailing tool stamps the real one when it
sends (and `rameau send` stamps the moment of the test).
"""

from __future__ import annotations

import hashlib
from binascii import b2a_qp
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any, cast

from ..compose.issue import Issue
from ..project.reading import one_line

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
    message = EmailMessage(policy=POLICY)  # header values go through one_line: never a line break
    message["Subject"] = one_line(issue.subject)
    message["From"] = Address(one_line(issue.newsletter.sender_name), addr_spec=issue.newsletter.sender_email)
    if issue.newsletter.reply_to:
        message["Reply-To"] = issue.newsletter.reply_to
    message["To"] = TO_PLACEHOLDER
    message["Date"] = format_datetime(issue.date)
    message["Message-ID"] = message_id(issue, digest)
    unsubscribe = [f"<{issue.profile.unsubscribe}>"]
    if issue.unsubscribe_mailto:
        unsubscribe.append(f"<mailto:{issue.unsubscribe_mailto}?subject=unsubscribe>")
    message["List-Unsubscribe"] = ", ".join(unsubscribe)
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"{one_line(issue.segment.title)} <{issue.segment.id}.{sender_domain(issue)}>"
    if issue.archive_url:
        message["List-Archive"] = f"<{issue.archive_url}>"
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = f'multipart/alternative; boundary="=_rameau_{digest[:24]}"'
    for part in (text_part(text, "plain"), text_part(html, "html")):
        message.attach(cast(EmailMessage, part))  # typeshed wants an EmailMessage; a MIMEPart is what a part is
    return message.as_bytes(policy=POLICY)


def text_part(content: str, subtype: str) -> MIMEPart:
    """A UTF-8 part in quoted-printable, encoded by binascii's C encoder: the email package's
    own encoder (quoprimime) took most of the time of writing the messages."""
    part = MIMEPart(policy=SMTP)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    body = content if content.endswith("\n") else content + "\n"
    part.set_payload(_at_most_76(b2a_qp(body.encode("utf-8"), istext=True)).decode("ascii"))
    return part


def _at_most_76(encoded: bytes) -> bytes:
    """binascii may leave a line of 77 when it encodes a space that ends a line; RFC 2045 wants
    76 at most: such a line gets one more soft break, never inside an =XX escape."""
    lines = encoded.split(b"\n")
    if all(len(line) <= 76 for line in lines):
        return encoded
    out = []
    for line in lines:
        while len(line) > 76:
            cut = 75
            while line[cut - 1 : cut] == b"=" or line[cut - 2 : cut - 1] == b"=":
                cut -= 1
            out.append(line[:cut] + b"=")
            line = line[cut:]
        out.append(line)
    return b"\n".join(out)
