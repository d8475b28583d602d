"""`rameau send`: test sends of built messages over SMTP, for review before the real sending.

Only to the addresses given on the command line, never to a list. The connection comes from the
environment (RAMEAU_SMTP_HOST, _PORT, _USER, _PASSWORD, _TLS, _CAFILE, _ALLOW_PLAINTEXT). The
password is used to log in and nowhere else: never printed, logged or written, and sent as UTF-8
(RFC 4954), which smtplib's own login cannot do (it encodes to ASCII and its error shows the
character and its position). Credentials never cross an unencrypted connection except to a
loopback address, unless RAMEAU_SMTP_ALLOW_PLAINTEXT=1. Each message is reported as it goes
out; a failure says exactly which went out and which did not.

smtplib's timeout bounds each read, so a server that drips its greeting a byte at a time would
hold a send for hours: a watchdog gives the whole conversation (the greeting, TLS and login,
every message) one deadline, and cuts the connection when it passes, saying in which phase. A server that says nothing at
all is said to be silent, not to have closed the connection.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, Interrupted, OutputError, Problem
from .review import ReviewCopy

TLS_MODES = ("starttls", "ssl", "none")
TIMEOUT = 30.0  # each SMTP operation; a signal stops a send at once whatever it waits for
DEADLINE = 90.0  # the whole conversation: greeting, TLS, login and every test message


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str = ""
    password: str = field(default="", repr=False)  # never shown, not even in a repr
    cafile: str = ""
    allow_plaintext: bool = False

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(environ=os.environ) -> SmtpSettings:
    """The SMTP settings from the environment, every problem reported at once, the CA file
    checked before any connection is made."""
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
    cafile = environ.get("RAMEAU_SMTP_CAFILE", "").strip()
    if cafile:
        problems.extend(_cafile_problems(cafile))
    allow = environ.get("RAMEAU_SMTP_ALLOW_PLAINTEXT", "").strip().lower() in ("1", "true", "yes")
    if problems:
        raise ConfigError(*problems)
    return SmtpSettings(host, int(port_text), tls, user, password, cafile, allow)


def _cafile_problems(cafile: str) -> list[Problem]:
    where = f"RAMEAU_SMTP_CAFILE: {cafile}"
    try:
        with open(cafile, "rb") as handle:
            handle.read(1)
    except IsADirectoryError:
        return [Problem(where, "is a folder; give a PEM file of CA certificates")]
    except FileNotFoundError:
        return [Problem(where, "no such file; give a PEM file of CA certificates")]
    except OSError as exc:
        return [Problem(where, f"cannot be read ({exc.strerror or exc})")]
    try:
        ssl.create_default_context(cafile=cafile)
    except (ssl.SSLError, ValueError):
        return [Problem(where, "holds no CA certificate in PEM form")]
    return []


def check_plaintext(settings: SmtpSettings) -> None:
    """Credentials over an unencrypted connection: only to a loopback address, or when allowed."""
    if settings.tls != "none" or not settings.user or settings.allow_plaintext or _loopback(settings.host):
        return
    raise ConfigError(Problem("RAMEAU_SMTP_TLS", f"none would send the password unencrypted to {settings.host}; use "
                                                 "starttls or ssl, or set RAMEAU_SMTP_ALLOW_PLAINTEXT=1 to allow it"))


def _loopback(host: str) -> bool:
    import ipaddress
    import socket

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in found)


class _Stop(Exception):
    """The send cannot go on; the message says why."""


class _Watchdog:
    """Cuts the connection when the conversation outlasts DEADLINE: the read it waits
    in then ends at once, and `late` names the phase."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.phase = ""
        self.late = ""
        self._timer: threading.Timer | None = None

    def start(self, phase: str) -> None:
        """Name the phase the conversation is in; the first one starts the clock."""
        self.phase = phase
        if self._timer is not None:
            return
        self._timer = threading.Timer(DEADLINE, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _cut(self) -> None:
        self.late = self.phase
        if self.sock is not None:
            try:
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)  # the TCP connection, under any TLS
            except OSError:
                pass


class _Watched(smtplib.SMTP):
    watchdog: _Watchdog
    _host: str

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self.watchdog.sock = sock  # before SMTP_SSL wraps it: its handshake is watched too
        return sock


class _WatchedSSL(smtplib.SMTP_SSL, _Watched):
    pass


def send_messages(copies: list[ReviewCopy], recipients: tuple[str, ...], settings: SmtpSettings,
                  on_sent: Callable[[ReviewCopy, list[str]], None]) -> None:
    """Send each review copy to `recipients`, calling `on_sent(copy, accepted)` as each goes out.
    OutputError when the server refuses a recipient or a message: it names them and says which
    messages went out; Interrupted on a signal, saying the same."""
    check_plaintext(settings)
    context = ssl.create_default_context(cafile=settings.cafile or None) if settings.tls != "none" else None
    sent: list[str] = []
    refused: dict[str, str] = {}
    client: smtplib.SMTP | None = None
    watchdog = _Watchdog()
    try:
        client = _open(settings, context, watchdog)
        for copy in copies:
            watchdog.start(f"sending {copy.segment}")
            accepted = _send_one(client, copy, recipients, refused, watchdog)
            sent.append(copy.segment)
            on_sent(copy, accepted)
        watchdog.stop()
    except KeyboardInterrupt:
        watchdog.stop()
        _close(client, polite=False)
        raise Interrupted(f"interrupted; {_summary(copies, sent)}") from None
    except _Stop as exc:
        watchdog.stop()
        _close(client, polite=not watchdog.late)
        raise OutputError(*_refusals(settings.where, refused), *([Problem(settings.where, str(exc))] if str(exc) else []),
                          Problem("", _summary(copies, sent))) from None
    _close(client, polite=True)
    if refused:
        accepted = [r for r in recipients if r not in refused]
        raise OutputError(*_refusals(settings.where, refused),
                          Problem("", f"{_summary(copies, sent)}, to {', '.join(accepted)} only"))


def _refusals(where: str, refused: dict[str, str]) -> list[Problem]:
    return [Problem(where, f"{r}: recipient refused by the server ({why})") for r, why in refused.items()]


def _summary(copies: list[ReviewCopy], sent: list[str]) -> str:
    if not sent:
        return "no test message went out"
    missed = [c.segment for c in copies if c.segment not in sent]
    went = f"{len(sent)} of {len(copies)} test message(s) went out ({', '.join(sent)})"
    return f"{went}; not sent: {', '.join(missed)}" if missed else went


def _open(settings: SmtpSettings, context: ssl.SSLContext | None, watchdog: _Watchdog) -> smtplib.SMTP:
    client: smtplib.SMTP | None = None
    try:
        client = _WatchedSSL(timeout=TIMEOUT, context=context) if settings.tls == "ssl" else _Watched(timeout=TIMEOUT)
        client.watchdog = watchdog
        client._host = _smtp_host(settings.host)  # what SMTP(host) would set: the name TLS checks the certificate for
        watchdog.start("greeting")
        code, greeting = client.connect(client._host, settings.port)
        if watchdog.late:  # the cut ended the greeting's read early: what came is not a greeting
            raise smtplib.SMTPServerDisconnected("cut")
        if code != 220:
            raise smtplib.SMTPConnectError(code, greeting)
        watchdog.start("TLS and login")
        if settings.tls == "starttls":
            client.starttls(context=context)
        if settings.user:
            login(client, settings.user, settings.password)
        else:
            client.ehlo_or_helo_if_needed()  # within this phase's deadline, not the first message's
        if watchdog.late:
            raise smtplib.SMTPServerDisconnected("cut")
        return client
    except smtplib.SMTPAuthenticationError as exc:
        _close(client, polite=True)
        raise _Stop(f"login refused for {settings.user!r} ({exc.smtp_code}); check RAMEAU_SMTP_USER and "
                    "RAMEAU_SMTP_PASSWORD") from None
    except smtplib.SMTPNotSupportedError as exc:
        _close(client, polite=False)
        raise _Stop(f"{_text(exc).rstrip('.')}; check RAMEAU_SMTP_TLS") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        _close(client, polite=False)
        raise _Stop(f"test send failed: {_reason(exc, watchdog)}") from None


def _smtp_host(host: str) -> str:
    """The server's name as DNS knows it, in IDNA 2008 (smtplib would use Python's IDNA 2003)."""
    from ..project.urls import ascii_host

    try:
        return ascii_host(host.strip("[]")) if not host.startswith("[") else host.strip("[]")
    except ValueError:
        return host


def login(client: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN, LOGIN or CRAM-MD5, whichever the server offers first in that order, with the
    user name and password in UTF-8 (RFC 4954). SMTPAuthenticationError when refused."""
    import base64

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    secret = password.encode("utf-8", "surrogateescape")
    name = user.encode("utf-8", "surrogateescape")
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server offers no login on this connection (no AUTH; many offer it "
                                            "only over TLS)")
    offered = client.esmtp_features["auth"].upper().split()
    if "PLAIN" in offered:
        code, reply = client.docmd("AUTH", "PLAIN " + b64(b"\0" + name + b"\0" + secret))
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN")
        if code == 334:
            code, reply = client.docmd(b64(name))
        if code == 334:
            code, reply = client.docmd(b64(secret))
    elif "CRAM-MD5" in offered:
        import hmac

        code, reply = client.docmd("AUTH", "CRAM-MD5")
        if code == 334:
            digest = hmac.new(secret, base64.b64decode(reply), "md5").hexdigest()
            code, reply = client.docmd(b64(name + b" " + digest.encode("ascii")))
    else:
        raise smtplib.SMTPNotSupportedError(f"the server offers no login method rameau knows ({' '.join(offered)[:60]})")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, b"")  # the reply is not kept: it might echo what was sent


def _send_one(client: smtplib.SMTP, copy: ReviewCopy, recipients: tuple[str, ...], refused: dict[str, str],
              watchdog: _Watchdog | None = None) -> list[str]:
    from email.policy import SMTP

    try:
        rejected = client.sendmail(copy.sender, list(recipients), copy.message.as_bytes(policy=SMTP))
        if watchdog is not None and watchdog.late:
            raise smtplib.SMTPServerDisconnected("cut")
    except (smtplib.SMTPException, OSError) as exc:
        if watchdog is not None and watchdog.late:  # what the cut left half read is no answer of the server's
            raise _Stop(f"{copy.segment}: test send failed: {_reason(exc, watchdog)}") from None
        raise _refusal(exc, copy, refused) from None
    refused.update({r: _reply(code, reply) for r, (code, reply) in rejected.items()})
    return [r for r in recipients if r not in rejected]


def _refusal(exc: Exception, copy: ReviewCopy, refused: dict[str, str]) -> _Stop:
    """What stops the send when the server refused a recipient or the message, or failed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused.update({r: _reply(code, reply) for r, (code, reply) in exc.recipients.items()})
        return _Stop("")
    if isinstance(exc, smtplib.SMTPResponseException):  # the sender or the message refused (452, 554...)
        return _Stop(f"{copy.segment}: the server refused the message ({_reply(exc.smtp_code, exc.smtp_error)})")
    return _Stop(f"{copy.segment}: test send failed: {_reason(exc)}")


def _close(client: smtplib.SMTP | None, polite: bool) -> None:
    """QUIT and close; after an interruption, close at once (a stalled server would hold QUIT)."""
    if client is None:
        return
    if polite:
        try:
            client.quit()
            return
        except (smtplib.SMTPException, OSError):
            pass
    client.close()


def _reply(code: int, reply: Any) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())[:120]}".strip()


def _reason(exc: BaseException, watchdog: _Watchdog | None = None) -> str:
    if watchdog is not None and watchdog.late:
        return (f"the send was not over within {DEADLINE:g} s: the server was still in the {watchdog.late} (it answers a "
                "little at a time, or not at all); the connection was cut" if watchdog.late != "greeting" else
                f"the server had not finished its greeting within {DEADLINE:g} s (it answers a little at a time); "
                "the connection was cut")
    phase = watchdog.phase if watchdog is not None else ""
    timed_out = isinstance(exc, TimeoutError) or (isinstance(exc, smtplib.SMTPServerDisconnected)
                                                  and "timed out" in str(exc))
    if timed_out and phase == "greeting":
        return (f"the server is silent: no greeting within {TIMEOUT:g} s of connecting (is RAMEAU_SMTP_PORT an SMTP "
                "port? A server on 465 waits for TLS first: RAMEAU_SMTP_TLS=ssl)")
    if timed_out:
        return f"no answer within {TIMEOUT:g} s" + (f" (during the {phase})" if phase else "")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"the server's certificate is not valid ({exc.verify_message}); if it comes from a private CA, "
                "set RAMEAU_SMTP_CAFILE to that CA's certificate")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, UnicodeError):
        return "a value could not be encoded"  # never str(exc): it would quote the character
    return _text(exc)


def _text(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__
