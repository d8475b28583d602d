"""`rameau send`: a test send of a built message over SMTP, for review before the real sending.

Only to the addresses given on the command line, never to a list; "[TEST]" before the subject.
The connection comes from the environment (RAMEAU_SMTP_HOST, _PORT, _USER, _PASSWORD, _TLS,
_CAFILE). The password is used to log in and nowhere else: never printed, logged or written.
"""

from __future__ import annotations

import email
import email.policy
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path

from ..errors import ConfigError, ContentError, OutputError, Problem, UsageError
from ..project.schema import EMAIL

TLS_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str = ""
    password: str = field(default="", repr=False)  # never shown, not even in a repr
    cafile: str = ""


def smtp_settings(environ=os.environ) -> SmtpSettings:
    problems = []
    host = environ.get("RAMEAU_SMTP_HOST", "").strip()
    if not host:
        problems.append(Problem("RAMEAU_SMTP_HOST", "not set; export the SMTP server's name, e.g. smtp.example.org"))
    tls = environ.get("RAMEAU_SMTP_TLS", "starttls").strip().lower()
    if tls not in TLS_MODES:
        problems.append(Problem("RAMEAU_SMTP_TLS", f"{tls!r} is not one of {', '.join(TLS_MODES)}"))
    default_port = {"ssl": 465, "none": 25}.get(tls, 587)
    port_text = environ.get("RAMEAU_SMTP_PORT", str(default_port)).strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        problems.append(Problem("RAMEAU_SMTP_PORT", f"{port_text!r} is not a port number"))
    user, password = environ.get("RAMEAU_SMTP_USER", ""), environ.get("RAMEAU_SMTP_PASSWORD", "")
    if password and not user:
        problems.append(Problem("RAMEAU_SMTP_USER", "not set while RAMEAU_SMTP_PASSWORD is; set both or neither"))
    if problems:
        raise ConfigError(*problems)
    return SmtpSettings(host, int(port_text), tls, user, password, environ.get("RAMEAU_SMTP_CAFILE", ""))


def test_message(path: Path, recipients: tuple[str, ...]) -> email.message.EmailMessage:
    """The built message, addressed to the reviewers only, its subject marked as a test."""
    try:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.SMTP)
    except OSError as exc:
        raise ContentError(Problem(str(path), f"cannot be read ({exc.strerror}); run rameau build-issue first")) from None
    subject = str(message["Subject"] or "")
    del message["Subject"], message["To"], message["Cc"], message["Bcc"]
    message["Subject"] = subject if subject.startswith("[TEST]") else f"[TEST] {subject}"
    message["To"] = [Address(addr_spec=r) for r in recipients]
    return message


def check_recipients(recipients: tuple[str, ...]) -> None:
    if not recipients:
        raise UsageError(Problem("--to", "give at least one address to send the test to"))
    bad = [r for r in recipients if not EMAIL.pattern or not EMAIL.pattern.fullmatch(r)]
    if bad:
        raise UsageError(*(Problem("--to", f"{r!r} is not one email address") for r in bad))


def send_messages(paths: list[Path], recipients: tuple[str, ...], settings: SmtpSettings) -> list[str]:
    """Send each built message to `recipients`; return the subjects sent."""
    check_recipients(recipients)
    messages = [test_message(path, recipients) for path in paths]
    context = ssl.create_default_context(cafile=settings.cafile or None)
    try:
        client: smtplib.SMTP
        if settings.tls == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=30, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=30)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, settings.password)
            for message in messages:
                sender = message["From"].addresses[0].addr_spec if message["From"] else ""
                client.send_message(message, from_addr=sender, to_addrs=list(recipients))
    except smtplib.SMTPAuthenticationError as exc:
        where = f"{settings.host}:{settings.port}"
        raise OutputError(Problem(where, f"login refused for {settings.user!r} ({exc.smtp_code}); "
                                         "check RAMEAU_SMTP_USER and RAMEAU_SMTP_PASSWORD")) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise OutputError(Problem(f"{settings.host}:{settings.port}", f"the server does not support this ({exc}); "
                                                                       "check RAMEAU_SMTP_TLS")) from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        reason = _describe(exc)
        raise OutputError(Problem(f"{settings.host}:{settings.port}", f"test send failed: {reason}")) from None
    return [str(m["Subject"]) for m in messages]


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        return f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    return str(exc) or type(exc).__name__
