"""message.eml, emailing-tool profiles and link tagging, as a mail parser and a sending tool see them."""

import email
import email.policy
import json
import re

import hypothesis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rameau_cli.compose.links import tag_url
from rameau_cli.output.manifest import email_files
from rameau_cli.pipeline import BuildOptions, build, load_project
from rameau_cli.project.config import Tracking
from rameau_cli.render.message import build_message

from helpers import checked


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


@pytest.fixture(scope="module")
def built(example_build):
    return example_build


@pytest.fixture
def example(warm_example):
    """These tests are not about a first build: their copy starts with the caches of one."""
    return warm_example


def test_every_segment_has_a_two_part_alternative_message(built):
    for rendered in built.emails:
        data = email_files(rendered)["message.eml"]
        assert all(byte < 128 for byte in data), "7-bit clean"
        assert max(len(line) for line in data.split(b"\r\n")) <= 76  # RFC 2045, 6.7 (5)
        message = parse(data)
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == rendered.text
        assert message.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip("\n") == rendered.html
        assert message["Subject"] == rendered.issue.subject
        assert message["From"].addresses[0].addr_spec == "lettres@rameau-alliances.org"
        assert message["Reply-To"] == "contact@rameau-alliances.org"
        assert message["To"] == "undisclosed-recipients:;"
        assert message["Date"] == "Mon, 30 Nov 2026 08:00:00 +0100"
        assert message["MIME-Version"] == "1.0"
        assert message["Message-ID"].startswith(f"<2026-W48.{rendered.issue.segment.id}.")
        assert message["List-Unsubscribe"] == "<{{unsubscribe_url}}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        title, segment = rendered.issue.segment.title, rendered.issue.segment.id
        assert message["List-Id"] == f'"{title}" <{segment}.rameau-alliances.org>'  # a quoted phrase (RFC 2919)
        assert message["List-Archive"] is None  # no output.public_url
        for part in (rendered.text, rendered.html.replace("<br />", "\n")):
            assert "Rameau des alliances\n14 rue de la Charité\n69002 Lyon\nFrance" in part


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@hypothesis.example(text="aa€😀😀😀😀😀 \n")  # a space encoded at the end of a full line: 77 columns once
@given(text=st.lists(st.sampled_from(list("ab =.\t\n-é€😀\u202f") + ["From ", "=3D", ". ", "--", "\n.\n", " \n"]),
                    max_size=150).map("".join))
def test_any_text_comes_back_from_the_message_exactly(built, text):
    rendered = built.emails[0]
    data = build_message(rendered.issue, "<p>" + text + "</p>", text)
    assert all(byte < 128 for byte in data) and max(len(line) for line in data.split(b"\r\n")) <= 76
    message = parse(data)
    expected = text if text.endswith("\n") else text + "\n"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == expected
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip("\n") == "<p>" + text + "</p>"


def test_subject_keeps_french_spaces_and_cannot_inject_headers(example):
    (example / "rameau.yaml").write_text(checked((example / "rameau.yaml").read_text(encoding="utf-8")).replace(
        "  profile: generic", "  profile: generic\n  unsubscribe_mailto: desinscription@rameau-alliances.org"), encoding="utf-8")
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text(encoding="utf-8")).replace(
        'subject: "Alliances : ce qui a bougé cette semaine"', 'subject: "Alliances : quoi de neuf ?\\r\\nBcc: victime@example.org"'),
        encoding="utf-8")
    rendered = build(load_project(example), BuildOptions(segments=("quotidienne",))).emails[0]
    message = parse(email_files(rendered)["message.eml"])
    assert message["Subject"] == "Alliances\u00a0: quoi de neuf\u202f? Bcc: victime@example.org"
    assert message["Bcc"] is None
    assert message["List-Unsubscribe"] == ("<{{unsubscribe_url}}>, "
                                           "<mailto:desinscription@rameau-alliances.org?subject=unsubscribe>")


@pytest.mark.parametrize("profile, unsubscribe, view_online, first_name", [
    ("mailchimp", "*|UNSUB|*", "*|ARCHIVE|*", "*|IF:FNAME|**|FNAME|**|ELSE:|*à vous*|END:IF|*"),
    ("brevo", "{{ unsubscribe }}", "{{ mirror }}", "{{ contact.FIRSTNAME|default:'à vous' }}"),
    ("listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}", '{{ .Subscriber.FirstName | default "à vous" }}'),
    ("mailjet", "[[UNSUB_LINK_FR]]", "[[PERMALINK]]", '[[data:firstname:"à vous"]]'),
    ("buttondown", "{{ unsubscribe_url }}", "{{ email_url }}", '{{ subscriber.metadata.first_name|default:"à vous" }}'),
    ("generic", "{{unsubscribe_url}}", "{{view_online_url}}", "{{first_name|à vous}}"),
])
def test_profiles_write_their_own_merge_tags_intact(example, profile, unsubscribe, view_online, first_name):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("profile: generic", f"profile: {profile}")
                      + "links:\n  utm: {source: lettre}\n", encoding="utf-8")
    rendered = build(load_project(example), BuildOptions(segments=("hebdo-association",))).emails[0]
    for part in (rendered.html, rendered.text):
        assert unsubscribe in part and view_online in part and first_name in part
    assert f'href="{unsubscribe}"' in rendered.html
    assert parse(email_files(rendered)["message.eml"])["List-Unsubscribe"] == f"<{unsubscribe}>"


TRACKING = Tracking(enabled=True, source="lettre", medium="email", campaign="{segment}-{edition}", domains=("rameau-alliances.org",))


@pytest.mark.parametrize("url, expected", [
    ("https://www.rameau-alliances.org/a/", "https://www.rameau-alliances.org/a/?utm_source=lettre&utm_medium=email&utm_campaign=hebdo-2026-W48&utm_content=x"),
    ("https://rameau-alliances.org/a?page=2#suite", "https://rameau-alliances.org/a?page=2&utm_source=lettre&utm_medium=email&utm_campaign=hebdo-2026-W48&utm_content=x#suite"),
    ("https://www.rameau-alliances.org/a?utm_source=maison", "https://www.rameau-alliances.org/a?utm_source=maison&utm_medium=email&utm_campaign=hebdo-2026-W48&utm_content=x"),
    ("https://www.example.org/ailleurs", "https://www.example.org/ailleurs"),
    ("https://rameau-alliances.org.evil.example/x", "https://rameau-alliances.org.evil.example/x"),
    ("mailto:a@rameau-alliances.org", "mailto:a@rameau-alliances.org"),
    ("*|UNSUB|*", "*|UNSUB|*"),
])
def test_utm_tags_only_our_links_and_keeps_queries_and_fragments(url, expected):
    assert tag_url(url, TRACKING, "hebdo", "2026-W48", "x") == expected


def test_tagged_links_are_the_same_in_html_and_text_and_the_manifest_keeps_canonical_urls(example, run):
    config = example / "rameau.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "links:\n  utm: {source: lettre}\n", encoding="utf-8")
    result = run("build-issue", "--json", cwd=example)
    assert result.code == 0, result.stderr
    entry = json.loads(result.stdout)["segments"]["hebdo-association"]
    assert entry["articles"][0]["url"] == "https://www.rameau-alliances.org/articles/kit-accueil-benevoles/"
    html = (example / "dist" / "2026-W48" / "hebdo-association" / "index.html").read_text(encoding="utf-8")
    text = (example / "dist" / "2026-W48" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")
    tagged = ("https://www.rameau-alliances.org/articles/kit-accueil-benevoles/?utm_source=lettre&utm_medium=email"
              "&utm_campaign=hebdo-association-2026-W48&utm_content=kit-accueil-benevoles")
    assert tagged.replace("&", "&amp;") in html and tagged in text
    edito = "https://www.rameau-alliances.org/5-decembre?utm_source=lettre&utm_medium=email&utm_campaign=hebdo-association-2026-W48"
    assert edito.replace("&", "&amp;") in html and edito in text
    assert 'href="{{unsubscribe_url}}"' in html


def test_a_segment_can_turn_tagging_off(example):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "    accent: \"#8a3b12\"", "    accent: \"#8a3b12\"\n    links: {utm: false}") + "links:\n  utm: true\n", encoding="utf-8")
    # Only the two segments read below are built.
    result = build(load_project(example), BuildOptions(segments=("quotidienne", "hebdo-association")))
    by_id = {r.issue.segment.id: r for r in result.emails}
    assert "utm_source=newsletter" in by_id["quotidienne"].html
    assert "utm_" not in by_id["hebdo-association"].html


def test_a_title_that_is_no_phrase_is_quoted_or_encoded(example):
    """List-Id's phrase: `L'hebdo entreprise, fondation, partenaire` as is would end at the comma."""
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "title: L'hebdo association", 'title: "L\'hebdo « général », région \\"Sud\\""'), encoding="utf-8")
    rendered = build(load_project(example), BuildOptions(segments=("hebdo-association",))).emails[0]
    data = email_files(rendered)["message.eml"]
    raw = data.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ").decode("ascii")
    line = next(h for h in raw.split("\r\n") if h.startswith("List-Id: "))
    assert re.fullmatch(r"List-Id: (=\?utf-8\?[qb]\?[A-Za-z0-9!*+/=_-]+\?= ?)+ <hebdo-association\.rameau-alliances\.org>", line)
    assert parse(data)["List-Id"] == 'L\'hebdo « général », région "Sud" <hebdo-association.rameau-alliances.org>'


def test_the_web_version_has_no_link_that_leads_nowhere(example, run):
    """web.html is a public page: no unsubscribe link (only the emailing tool can fill it), no
    "view online" link to itself, in the default theme and in a project's own footer alike."""
    assert run("build-issue", "--segment", "hebdo-association", "--out", "ailleurs", cwd=example).code == 0
    folder = example / "ailleurs" / "2026-W48" / "hebdo-association"
    published = example / "ailleurs" / "public" / "2026-W48" / "hebdo-association"
    web, email_html = (path.read_text(encoding="utf-8") for path in (published / "web.html", folder / "index.html"))
    assert 'href="{{unsubscribe_url}}"' in email_html and 'href="{{view_online_url}}"' in email_html
    assert "{{" not in web and "Se désinscrire" not in web and "Voir la version en ligne" not in web
    assert "archive/index.html" not in web and "Bonjour à vous," in web and "69002 Lyon" in web
    (example / "templates").mkdir()
    (example / "templates" / "footer.mjml").write_text(
        '<mj-section><mj-column><mj-text><a href="{{ issue.profile.unsubscribe }}">Partir</a> — adieu</mj-text>'
        "</mj-column></mj-section>", encoding="utf-8")
    assert run("build-issue", "--segment", "hebdo-association", "--out", "ailleurs", cwd=example).code == 0
    web = (published / "web.html").read_text(encoding="utf-8")
    assert "Partir" not in web and "{{" not in web and "— adieu" in web


def test_check_warns_when_there_is_no_postal_address(example, run):
    config = example / "rameau.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("  address:")] + text[text.index("France\n") + len("France\n"):], encoding="utf-8")
    result = run("check", "--strict", cwd=example)
    assert result.code == 1
    assert "warning: rameau.yaml: newsletter.address: no postal address; add the organisation's (CAN-SPAM" in result.stdout
