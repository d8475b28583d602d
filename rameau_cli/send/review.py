"""The message a test send sends: the built `message.eml`, made into a review copy.

A built message is made for the emailing tool: its Date is the edition's (builds stay
byte-identical), its Message-ID comes from its content, and it carries the tool's merge tags.
A reviewer's copy is a new message each time: a fresh Message-ID (Gmail would hide a repeat) and
the current Date, a subject naming the segment (`[TEST · L'hebdo association] …`), the merge
tags filled with the profile's fallbacks or `--sample` values, and no List-Unsubscribe: nothing
in a test leads to a real unsubscribe link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import cast

from ..compose.profiles import Profile
from ..errors import ContentError, Problem, UsageError, show

SAMPLE_KEYS = ("first_name",)
# Where a merge tag stood for a link: an address that can never resolve (RFC 2606 .invalid).
TEST_LINKS = {"unsubscribe": "https://unsubscribe.test-send.invalid/",
              "view_online": "https://view-online.test-send.invalid/",
              "manage": "https://manage.test-send.invalid/"}
DROPPED_HEADERS = ("To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")


@dataclass(frozen=True)
class ReviewCopy:
    segment: str
    subject: str
    message: EmailMessage
    sender: str  # the address of its From header: the SMTP envelope's sender


def check_recipients(values: tuple[str, ...]) -> tuple[str, ...]:
    """The --to addresses, checked by email-validator (syntax only: no DNS lookup), each as it
    is sent (an internationalised domain in IDNA). UsageError naming every bad one."""
    if not values:
        raise UsageError(Problem("--to", "give at least one address to send the test to"))
    from email_validator import validate_email

    problems, found = [], []
    for value in values:
        try:
            checked = validate_email(value.strip(), check_deliverability=False, allow_smtputf8=False,
                                     allow_quoted_local=False, allow_domain_literal=False)
        except ValueError as exc:  # EmailNotValidError, and anything the parser trips on
            problems.append(Problem("--to", f"{show(value)} is not one email address: {exc}"))
            continue
        address = checked.ascii_email or checked.normalized
        problem = _header_problem(address)
        if problem:
            problems.append(Problem("--to", f"{show(value)} cannot be written in a To header: {problem}"))
            continue
        found.append(address)
    if problems:
        raise UsageError(*problems)
    return tuple(dict.fromkeys(found))


def _header_problem(address: str) -> str:
    """Why an address email-validator accepts cannot go in a mail header as itself ("" when it
    can): `=?utf-8?q?x?=@a.bc` is valid RFC 5322 syntax, but a header's reader decodes the
    encoded word (RFC 2047) and finds another address, which Python's email package refuses."""
    from email.headerregistry import Address

    try:
        written = Address(addr_spec=address).addr_spec
    except ValueError:  # the email package's header defects are ValueErrors
        written = ""
    if written == address:
        return ""
    if "=?" in address and "?=" in address:
        return "it holds an encoded word (=?…?=), which mail programs would decode into another address"
    return "the mail header would read it as another address"


def parse_samples(values: tuple[str, ...]) -> dict[str, str]:
    """`--sample first_name=Claire` values, by key."""
    from ..project.reading import one_line

    samples, problems = {}, []
    for value in values:
        key, equals, text = value.partition("=")
        if not equals or key.strip() not in SAMPLE_KEYS:
            problems.append(Problem("--sample", f"{show(value)}: expected KEY=VALUE with KEY one of "
                                                f"{', '.join(SAMPLE_KEYS)}, e.g. first_name=Claire"))
            continue
        samples[key.strip()] = one_line(text)
    if problems:
        raise UsageError(*problems)
    return samples


def review_copy(path: Path, segment: str, title: str, recipients: tuple[str, ...], profile: Profile,
                samples: dict[str, str], now: dt.datetime) -> ReviewCopy:
    """The built message at `path`, made into a test for `recipients` (see the module's doc)."""
    import email
    from email.headerregistry import Address
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    try:
        message = email.message_from_bytes(path.read_bytes(), policy=SMTP)
    except OSError as exc:
        raise ContentError(Problem(str(path), f"cannot be read ({exc.strerror}); run rameau build-issue first")) from None
    assert isinstance(message, EmailMessage)
    subject = _fill(str(message["Subject"] or ""), profile, samples, html=False)
    sender = message["From"].addresses[0].addr_spec if message["From"] else ""
    for name in DROPPED_HEADERS:
        del message[name]
    message["Subject"] = f"[TEST · {title}] {subject}"
    message["To"] = [Address(addr_spec=r) for r in recipients]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(idstring=f"test.{segment}", domain=sender.rsplit("@", 1)[-1] or None)
    _fill_parts(message, profile, samples)
    return ReviewCopy(segment, str(message["Subject"]), message, sender)


def _fill_parts(message: EmailMessage, profile: Profile, samples: dict[str, str]) -> None:
    from ..render.message import text_part

    parts = []
    for part in message.iter_parts():
        subtype = part.get_content_subtype()
        content = part.get_content().replace("\r\n", "\n")
        parts.append(text_part(_fill(content, profile, samples, html=subtype == "html"), subtype))
    message.set_payload(cast(list, parts))  # typeshed wants Messages; MIMEParts are what parts are


def _fill(text: str, profile: Profile, samples: dict[str, str], html: bool) -> str:
    name = samples.get("first_name") or profile.first_name_fallback
    text = profile.readable(text, name, html)
    for key in ("unsubscribe", "view_online", "manage"):
        if getattr(profile, key):
            text = text.replace(str(getattr(profile, key)), TEST_LINKS[key])
    return text
