"""Test sends against a real SMTP server (aiosmtpd) on 127.0.0.1, with STARTTLS and AUTH."""

import email
import email.policy
import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PASSWORD = "s3cret-Pa55-que-personne-ne-doit-voir"


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"relecture" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    yield inbox, controller.port, certificate[0]
    controller.stop()


def environment(port, cafile, **more):
    return {"RAMEAU_SMTP_HOST": "127.0.0.1", "RAMEAU_SMTP_PORT": str(port), "RAMEAU_SMTP_USER": "relecture",
            "RAMEAU_SMTP_PASSWORD": PASSWORD, "RAMEAU_SMTP_CAFILE": str(cafile), **more}


def test_a_test_send_reaches_only_the_given_recipient(example, run, smtp):
    inbox, port, cafile = smtp
    assert run("build-issue", cwd=example).code == 0
    result = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", cwd=example,
                 env=environment(port, cafile))
    assert result.code == 0, result.stderr
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["relecture@example.org"]
    assert envelope.mail_from == "lettres@rameau-alliances.org"
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == "[TEST] Alliances\u00a0: ce qui a bougé cette semaine"
    assert message["To"] == "relecture@example.org"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "sent '[TEST] Alliances" in result.stderr
    for text in (result.stdout, result.stderr, envelope.original_content.decode("latin-1")):
        assert PASSWORD not in text


def test_every_segment_by_default_and_several_recipients(example, run, smtp):
    inbox, port, cafile = smtp
    assert run("build-issue", cwd=example).code == 0
    result = run("send", "--to", "a@example.org", "--to", "b@example.org", cwd=example, env=environment(port, cafile))
    assert result.code == 0, result.stderr
    assert len(inbox.envelopes) == 4
    assert all(sorted(e.rcpt_tos) == ["a@example.org", "b@example.org"] for e in inbox.envelopes)


def test_a_wrong_password_is_a_clear_error_that_does_not_show_it(example, run, smtp):
    inbox, port, cafile = smtp
    assert run("build-issue", cwd=example).code == 0
    wrong = "mauvais-mot-de-passe-secret"
    result = run("send", "--to", "a@example.org", cwd=example,
                 env=environment(port, cafile, RAMEAU_SMTP_PASSWORD=wrong))
    assert result.code == 1
    assert "login refused for 'relecture'" in result.stderr
    assert wrong not in result.stderr and wrong not in result.stdout
    assert inbox.envelopes == []


def test_without_tls_the_server_refuses_and_we_say_why(example, run, smtp):
    inbox, port, cafile = smtp
    assert run("build-issue", cwd=example).code == 0
    result = run("send", "--to", "a@example.org", cwd=example, env=environment(port, cafile, RAMEAU_SMTP_TLS="none"))
    assert result.code == 1 and result.stderr.startswith(f"error: 127.0.0.1:{port}: ")
    assert PASSWORD not in result.stderr and inbox.envelopes == []


@pytest.mark.parametrize("recipient", ["liste@example.org, autre@example.org", "pas-une-adresse", "a@example.org;b@example.org"])
def test_only_single_addresses_are_accepted(example, run, recipient):
    result = run("send", "--to", recipient, cwd=example, env={"RAMEAU_SMTP_HOST": "127.0.0.1"})
    assert result.code == 2 and "is not one email address" in result.stderr


def test_missing_settings_and_unbuilt_editions_are_explained(example, run):
    result = run("send", "--to", "a@example.org", cwd=example, env={"RAMEAU_SMTP_HOST": ""})
    assert result.code == 2 and "no built message here; run rameau build-issue first" in result.stderr
    assert run("build-issue", cwd=example).code == 0
    result = run("send", "--to", "a@example.org", cwd=example, env={"RAMEAU_SMTP_HOST": ""})
    assert result.code == 2 and "RAMEAU_SMTP_HOST: not set" in result.stderr


def test_send_takes_what_the_latest_build_built(example, run, smtp):
    """After `build-issue --date 2026-12-08 --segment hebdo-association`, `send` sends that issue
    of week 49, not the W48 file that comes last by name."""
    inbox, port, cafile = smtp
    assert run("build-issue", cwd=example).code == 0
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


def test_a_stale_build_is_not_sent(example, run, smtp):
    inbox, port, cafile = smtp
    assert run("build-issue", cwd=example).code == 0
    path = example / "articles" / "kit-accueil-benevoles.md"
    path.write_text(path.read_text(encoding="utf-8").replace("notre kit gratuit", "notre kit revu"), encoding="utf-8")
    result = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", cwd=example,
                 env=environment(port, cafile))
    assert result.code == 1
    assert "hebdo-association: was built before its sources changed" in result.stderr
    assert "error: nothing was sent" in result.stderr and inbox.envelopes == []
    forced = run("send", "--to", "relecture@example.org", "--segment", "hebdo-association", "--force", cwd=example,
                 env=environment(port, cafile))
    assert forced.code == 0 and len(inbox.envelopes) == 1
