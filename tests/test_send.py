"""Test sends against real SMTP servers (aiosmtpd) on 127.0.0.1: STARTTLS and AUTH with a
non-ASCII password, a server that refuses a recipient, one that fails mid-transaction, one
that stalls, and the review copy each reviewer gets."""

import contextlib
import datetime as dt
import email
import email.policy
import email.utils
import shutil
import signal
import socket
import ssl
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import rameau_cli.send.smtp as send
from rameau_cli.errors import ConfigError
from rameau_cli.send.smtp import SmtpSettings, check_plaintext

import helpers
from helpers import SEGMENTS, Child, Listener, RawServer, checked, wait_for, with_photos

PASSWORD = "pässwörd-ÿ-que-personne-ne-doit-voir"
SECRET_LETTERS = sorted({c for c in PASSWORD if not c.isascii()})


class Inbox:
    def __init__(self, refuse=(), fail_after=None):
        self.envelopes = []
        self.refuse = refuse  # recipients answered 550
        self.fail_after = fail_after  # messages accepted before a 452

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_after is not None and len(self.envelopes) >= self.fail_after:
            return "452 4.5.3 Too many messages for today"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in self.envelopes]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"relecture" \
        and auth_data.password == PASSWORD.encode("utf-8")  # RFC 4954: UTF-8
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(certificate, inbox, tls=True):
    options = {}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*map(str, certificate))
        options = {"tls_context": context, "require_starttls": True}
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=tls, **options)
    controller.start()
    return controller


@pytest.fixture
def smtp(certificate):
    inbox = Inbox(refuse=("refuse@example.org",))
    controller = start_server(certificate, inbox)
    yield inbox, controller.port, certificate[0]
    controller.stop()


@pytest.fixture
def built(built_example):
    """The example as built once for the session: `send` reads a build and writes nothing into
    its project, and the tests that change one change a copy of their own."""
    return built_example


def environment(port, cafile, **more):
    return {"RAMEAU_SMTP_HOST": "127.0.0.1", "RAMEAU_SMTP_PORT": str(port), "RAMEAU_SMTP_USER": "relecture",
            "RAMEAU_SMTP_PASSWORD": PASSWORD, "RAMEAU_SMTP_CAFILE": str(cafile), **more}


def leaks(*outputs: str) -> list[str]:
    """Any trace of the password: itself, one of its non-ASCII letters, a position in it."""
    return [f"{piece!r} in output" for text in outputs for piece in [PASSWORD, *SECRET_LETTERS, "position", "\\x"]
            if piece in text]


def test_each_test_is_a_new_message_naming_its_segment(built, run, smtp):
    inbox, port, cafile = smtp
    for sample in ([], ["--sample", "first_name=Claire"]):
        result = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", *sample, cwd=built,
                     env=environment(port, cafile))
        assert result.code == 0, result.stderr
        assert leaks(result.stdout, result.stderr) == []
    first, second = inbox.messages()
    assert [e.rcpt_tos for e in inbox.envelopes] == [["relecture@example.org"]] * 2
    assert inbox.envelopes[0].mail_from == "lettres@rameau-alliances.org"
    assert first["Message-ID"] != second["Message-ID"] and first["Message-ID"].endswith("@rameau-alliances.org>")
    sent_at = email.utils.parsedate_to_datetime(first["Date"])
    assert abs(sent_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert first["Subject"] == "[TEST · L'hebdo association] Alliances\u00a0: ce qui a bougé cette semaine"
    assert first["To"] == "relecture@example.org" and first["List-Unsubscribe"] is None
    assert first["List-Id"] == '"L\'hebdo association" <hebdo-association.rameau-alliances.org>'
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    for message, name in ((first, "à vous"), (second, "Claire")):
        for part in message.iter_parts():
            body = part.get_content()
            assert "{{" not in body and f"Bonjour {name}," in body
            assert "https://unsubscribe.test-send.invalid/" in body
    assert result.stderr == ("sent hebdo-association to relecture@example.org: [TEST · L'hebdo association] "
                             "Alliances\u00a0: ce qui a bougé cette semaine\n")


def test_every_segment_by_default_and_several_recipients(built, run, smtp):
    inbox, port, cafile = smtp
    result = run("send", "--to", "a@example.org", "--to", "b@exämple.fr", cwd=built, env=environment(port, cafile))
    assert result.code == 0, result.stderr
    assert all(sorted(e.rcpt_tos) == ["a@example.org", "b@xn--exmple-cua.fr"] for e in inbox.envelopes)
    assert sorted(m["Subject"].split("]")[0] for m in inbox.messages()) == sorted(
        f"[TEST · {title}" for title in ("La quotidienne", "L'hebdo entreprise, fondation, partenaire",
                                         "L'hebdo association", "L'hebdo grand public"))
    assert [line.split(" to ")[0] for line in result.stderr.splitlines()] == [f"sent {s}" for s in SEGMENTS]


def test_a_refused_recipient_is_an_error_naming_it(built, run, smtp):
    inbox, port, cafile = smtp
    alone = run("send", "--to", "refuse@example.org", "--segment", "quotidienne", cwd=built, env=environment(port, cafile))
    assert alone.code == 1 and inbox.envelopes == []
    assert f"error: 127.0.0.1:{port}: refuse@example.org: recipient refused by the server (550 5.1.1" in alone.stderr
    assert "error: no test message went out" in alone.stderr and "sent " not in alone.stderr
    both = run("send", "--to", "a@example.org", "--to", "refuse@example.org", "--segment", "quotidienne", cwd=built,
               env=environment(port, cafile))
    assert both.code == 1 and [e.rcpt_tos for e in inbox.envelopes] == [["a@example.org"]]
    assert both.stderr.startswith("sent quotidienne to a@example.org: [TEST · La quotidienne]")
    assert "refuse@example.org: recipient refused by the server" in both.stderr
    assert "error: 1 of 1 test message(s) went out (quotidienne), to a@example.org only" in both.stderr


def test_a_failure_mid_way_says_exactly_what_went_out(built, run, certificate):
    inbox = Inbox(fail_after=1)
    controller = start_server(certificate, inbox)
    try:
        result = run("send", "--to", "a@example.org", cwd=built, env=environment(controller.port, certificate[0]))
    finally:
        controller.stop()
    assert result.code == 1 and len(inbox.envelopes) == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("sent quotidienne to a@example.org: ")
    assert lines[1:] == [f"error: 127.0.0.1:{controller.port}: hebdo-entreprise: the server refused the message "
                         "(452 4.5.3 Too many messages for today)",
                         "error: 1 of 4 test message(s) went out (quotidienne); not sent: hebdo-entreprise, "
                         "hebdo-association, hebdo-grand-public"]


def test_a_wrong_non_ascii_password_is_refused_without_a_trace_of_it(built, run, smtp):
    inbox, port, cafile = smtp
    wrong = "mauvais-mot-de-passe-ß-œ"
    result = run("send", "--to", "a@example.org", cwd=built, env=environment(port, cafile, RAMEAU_SMTP_PASSWORD=wrong))
    assert result.code == 1 and inbox.envelopes == []
    assert f"error: 127.0.0.1:{port}: login refused for 'relecture' (535)" in result.stderr
    assert not any(piece in result.stderr + result.stdout for piece in (wrong, "ß", "œ", "position", "\\x"))


def test_credentials_never_go_unencrypted_except_to_a_loopback_address(built, run, certificate):
    inbox = Inbox()
    controller = start_server(certificate, inbox, tls=False)
    try:
        local = run("send", "--to", "a@example.org", "--segment", "quotidienne", cwd=built,
                    env=environment(controller.port, "", RAMEAU_SMTP_TLS="none"))
    finally:
        controller.stop()
    assert local.code == 0, local.stderr  # a relay on this machine: the password never leaves it
    assert len(inbox.envelopes) == 1 and leaks(local.stderr) == []
    with Listener() as nobody:
        remote = run("send", "--to", "a@example.org", cwd=built,
                     env=environment(nobody.port, "", RAMEAU_SMTP_TLS="none", RAMEAU_SMTP_HOST="192.0.2.25"))
    assert remote.code == 2
    assert remote.stderr == ("error: RAMEAU_SMTP_TLS: none would send the password unencrypted to 192.0.2.25; use "
                             "starttls or ssl, or set RAMEAU_SMTP_ALLOW_PLAINTEXT=1 to allow it\n")
    check_plaintext(SmtpSettings("192.0.2.25", 25, "none", "relecture", PASSWORD, allow_plaintext=True))
    with pytest.raises(ConfigError):
        check_plaintext(SmtpSettings("192.0.2.25", 25, "none", "relecture", PASSWORD))


def test_a_tls_server_that_refuses_plain_login_is_explained(built, run, smtp):
    inbox, port, cafile = smtp
    result = run("send", "--to", "a@example.org", cwd=built, env=environment(port, cafile, RAMEAU_SMTP_TLS="none"))
    assert result.code == 1 and result.stderr.startswith(f"error: 127.0.0.1:{port}: the server offers no login on this "
                                                         "connection (no AUTH; many offer it only over TLS); check "
                                                         "RAMEAU_SMTP_TLS\n")
    assert leaks(result.stderr) == [] and inbox.envelopes == []


def test_a_certificate_from_an_unknown_ca_says_which_setting_helps(built, run, smtp):
    inbox, port, _ = smtp
    result = run("send", "--to", "a@example.org", cwd=built, env=environment(port, ""))
    assert result.code == 1 and inbox.envelopes == []
    assert f"error: 127.0.0.1:{port}: test send failed: the server's certificate is not valid (self-signed " \
           "certificate); if it comes from a private CA, set RAMEAU_SMTP_CAFILE" in result.stderr


@pytest.mark.parametrize("cafile, why", [("absent.pem", "no such file"), ("rameau.yaml", "holds no CA certificate"),
                                         ("articles", "is a folder")])
def test_a_bad_ca_file_is_named_before_any_connection(built, run, cafile, why):
    with Listener() as server:
        result = run("send", "--to", "a@example.org", cwd=built, env=environment(server.port, built / cafile))
        assert not server.connected()
    assert result.code == 2 and f"error: RAMEAU_SMTP_CAFILE: {built / cafile}: {why}" in result.stderr


@pytest.mark.parametrize("recipient, why", [
    ("a..b@c.de", "two periods in a row"),
    ("a(b@c.de", "invalid characters before the @-sign"),
    ("a@b.cd.", "cannot end with a period"),
    ("é@exämple.fr", "Internationalized characters before the @-sign are not supported"),
    ("liste@example.org, autre@example.org", "invalid characters"),
    ("pas-une-adresse", "must have an @-sign"),
])
def test_malformed_addresses_are_usage_errors_naming_them(built, run, recipient, why):
    result = run("send", "--to", "ok@example.org", "--to", recipient, cwd=built, env={"RAMEAU_SMTP_HOST": "127.0.0.1"})
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"error: --to: {recipient!r} is not one email address: ") and why in result.stderr


def test_sample_values_are_checked(built, run):
    result = run("send", "--to", "a@example.org", "--sample", "prenom=Claire", cwd=built)
    assert result.code == 2 and "error: --sample: 'prenom=Claire': expected KEY=VALUE with KEY one of first_name" \
        in result.stderr


def test_missing_settings_and_unbuilt_editions_are_explained(example, built, run):
    result = run("send", "--to", "a@example.org", cwd=example, env={"RAMEAU_SMTP_HOST": ""})
    assert result.code == 2 and "no built message here; run rameau build-issue first" in result.stderr
    result = run("send", "--to", "a@example.org", cwd=built, env={"RAMEAU_SMTP_HOST": ""})  # the example, built
    assert result.code == 2 and "RAMEAU_SMTP_HOST: not set" in result.stderr


def test_a_signal_stops_a_send_to_a_stalled_server_at_once(built):
    def stall(connection):
        time.sleep(10)  # never says hello

    # A real process (helpers.Child): what is proved is its exit on a signal.
    with RawServer(stall, read_request=False) as server, \
            Child("send", "--to", "a@example.org", cwd=built, pipe=True,
                  env=environment(server.port, "", RAMEAU_SMTP_TLS="none")) as process:
        assert wait_for(lambda: server.connections == 1)
        process.send_signal(signal.SIGTERM)
        done = process.result(timeout=60)
    assert done.code == 130 and done.stderr == "error: interrupted; no test message went out\n"


def test_send_takes_what_the_latest_build_built(built, tmp_path, run, smtp):
    """After `build-issue --date 2026-12-08 --segment hebdo-association`, `send` sends that issue
    of week 49, not the W48 file that comes last by name."""
    inbox, port, cafile = smtp
    example = tmp_path / "project"
    shutil.copytree(built, example)  # the example built, in a copy of this test's own
    article = example / "articles" / "semaine-49.md"
    article.write_text("---\ntitle: Une nouvelle de la semaine 49\ndate: 2026-12-02\naudiences: [association]\n---\n",
                       encoding="utf-8")
    assert run("build-issue", "--date", "2026-12-08", "--segment", "hebdo-association", cwd=example).code == 0
    result = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", cwd=example,
                 env=environment(port, cafile))
    assert result.code == 0, result.stderr
    (envelope,) = inbox.envelopes
    assert b"Une nouvelle de la semaine 49" in envelope.original_content.replace(b"=\r\n", b"")
    week48 = run("send", "--to", "relecture@example.org", "--week", "2026-W48", "--segment", "hebdo-association",
                 cwd=example, env=environment(port, cafile))
    assert week48.code == 0 and len(inbox.envelopes) == 2
    assert b"semaine 49" not in inbox.envelopes[1].original_content


def test_a_stale_build_is_not_sent(built, tmp_path, run, smtp):
    inbox, port, cafile = smtp
    example = tmp_path / "project"
    shutil.copytree(built, example)  # the example built, in a copy of this test's own
    path = example / "articles" / "kit-accueil-benevoles.md"
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("notre kit gratuit", "notre kit revu"), encoding="utf-8")
    result = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", cwd=example,
                 env=environment(port, cafile))
    assert result.code == 1
    assert "hebdo-association: was built before its sources changed" in result.stderr
    assert "error: nothing was sent" in result.stderr and inbox.envelopes == []
    forced = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", "--force", cwd=example,
                 env=environment(port, cafile))
    assert forced.code == 0 and len(inbox.envelopes) == 1


def test_images_from_disk_are_attached_to_a_test(example, run, smtp):
    """Before the output folder is published, a reviewer sees its photos: attached, cid: in the HTML."""

    inbox, port, cafile = smtp
    project = with_photos(example, helpers.camera_files(scale=10))  # still wider than the email shows them
    assert run("build-issue", "--segment", "quotidienne", cwd=project).code == 0
    result = run("send", "--to", "a@example.org", "--segment", "quotidienne", cwd=project, env=environment(port, cafile))
    assert result.code == 0, result.stderr
    (message,) = inbox.messages()
    html = message.get_body(("html",)).get_content()
    attached = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert attached and all(f'src="cid:{part["Content-ID"][1:-1]}"' in html for part in attached)
    assert "/assets/" not in html and "{{" not in html and "Bonjour à vous," in html
    assert message["Subject"].startswith("[TEST · La quotidienne] ")


def _drip(data: bytes, stop, first: bytes = b""):
    def reply(connection):
        connection.sendall(first)
        for byte in data:
            if stop.is_set():
                return
            connection.sendall(bytes([byte]))
            time.sleep(0.05)
    return reply


def limits(timeout: str, deadline: str) -> None:
    """In a child (helpers.Child's prepare): the send's limits for one case."""
    send.TIMEOUT, send.DEADLINE = float(timeout), float(deadline)


def test_a_server_that_drips_or_says_nothing_is_named_for_what_it_does(built, run, monkeypatch):
    """smtplib's timeout bounds each read only: a greeting a byte at a time would last for ever."""

    # Each read may wait 0.3 s: far more than the drips' 0.05 s between bytes, and what the silent
    # server makes the send wait. The whole conversation gets 0.3 s where the server drips from the
    # start (the cut is all it waits for), 0.6 s where the silence must end it first, and where a
    # quick conversation must come before the drip.
    stop = threading.Event()
    cases = {
        "a dripped greeting": (_drip(b"220 " + b"mail.example.org ESMTP " * 20 + b"\r\n", stop), 0.3,
                               "the server had not finished its greeting within 0.3 s (it answers a little at a time); "
                               "the connection was cut"),
        "silence": (lambda connection: stop.wait(5), 0.6, "the server is silent: no greeting within 0.3 s of connecting"),
        "a dripped answer to EHLO": (_drip(b"250-mail.example.org\r\n" * 40, stop, b"220 mail.example.org ESMTP\r\n"),
                                     0.3, "the send was not over within 0.3 s: the server was still in the TLS and login"),
    }
    def slow_after_data(connection):  # a quick conversation until the message is sent, then its 250 dripped
        connection.sendall(b"220 mail.example.org ESMTP\r\n")
        reader = connection.makefile("rb")
        while line := reader.readline():
            if line.upper().startswith(b"DATA"):
                connection.sendall(b"354 go ahead\r\n")
                while reader.readline() not in (b".\r\n", b""):
                    pass
                return _drip(b"250 2.0.0 queued as " + b"A" * 200 + b"\r\n", stop)(connection)
            connection.sendall(b"250 ok\r\n")

    cases["a dripped answer to a message"] = (slow_after_data, 0.6, "quotidienne: test send failed: the send was not over "
                                              "within 0.6 s: the server was still in the sending quotidienne")
    def without_tls_or_login(port: int) -> dict[str, str]:  # the raw server speaks no TLS and asks no login
        return environment(port, "", RAMEAU_SMTP_TLS="none", RAMEAU_SMTP_USER="", RAMEAU_SMTP_PASSWORD="")

    # The first three cases each in a process of its own (helpers.Child, forked), with its limits,
    # the last in this one while they run: the four wait out their deadlines at the same time, not
    # one after the other.
    *forked, last = cases
    with contextlib.ExitStack() as stack:
        running, results = {}, {}
        for case in forked:
            reply, deadline, _ = cases[case]
            server = stack.enter_context(RawServer(reply, read_request=False))
            running[case] = server, stack.enter_context(Child(
                "send", "--to", "a@example.org", cwd=built, prepare=limits, given=("0.3", str(deadline)),
                env=without_tls_or_login(server.port)))
        stack.callback(stop.set)  # the servers that still drip stop before they are stopped
        reply, deadline, _ = cases[last]
        monkeypatch.setattr(send, "TIMEOUT", 0.3)
        monkeypatch.setattr(send, "DEADLINE", deadline)
        with RawServer(reply, read_request=False) as server:
            results[last] = server.port, run("send", "--to", "a@example.org", cwd=built,
                                             env=without_tls_or_login(server.port))
        for case, (server, process) in running.items():
            results[case] = server.port, process.result(timeout=60)
    for case, (port, result) in results.items():
        said = cases[case][2]
        assert result.code == 1, (case, result.stderr)
        where = f"error: 127.0.0.1:{port}: "
        assert where + (said if said.startswith("quotidienne") else f"test send failed: {said}") in result.stderr, \
            (case, result.stderr)
        assert "closed the connection" not in result.stderr


@pytest.mark.parametrize("address", ["=?utf-8?q?x?=@a.bc", "=?utf-8?b?eA==?=@example.org", "=?x?q?y?=z@a.bc"])
def test_an_address_a_mail_header_would_read_otherwise_is_refused_clearly(built, run, address):
    result = run("send", "--to", address, "--to", "ok@example.org", cwd=built,
                 env=environment(9, "", RAMEAU_SMTP_TLS="none"))
    assert result.code == 2, result.stderr
    assert result.stderr == f"error: --to: {address!r} cannot be written in a To header: it holds an encoded word " \
                            "(=?…?=), which mail programs would decode into another address\n"
