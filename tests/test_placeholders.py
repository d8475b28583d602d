"""Personal words in the content ({first_name} from the wording), content that reads like an
emailing tool's own syntax, and merge tags kept whole in the raw message: what readers of each
tool's email, of web.html, of the previews and of a test send see."""

import email
import email.policy
import html
import json
import re

import pytest
from test_send import Inbox, environment, start_server

from rameau_cli.compose.profiles import profile_for
from rameau_cli.push.listmonk import literal_braces, safe_comments

import go_template
from helpers import THANKS, TYPED, starter
from standins import DjangoContext, django_engine

PROFILES = ["generic", "mailchimp", "brevo", "listmonk", "mailjet", "buttondown"]
SEGMENT = "weekly-nonprofits"  # it shows the article whose summary and body are edited
WRITTEN = [  # (as written in Markdown, as readers see it)
    (r"Write \{first_name} to greet.", "Write {first_name} to greet."),
    ("Our `{first_name}` field.", "Our {first_name} field."),
    ("Dear {firstname}, {{first_name}} or {% if x %}.", "Dear {firstname}, {{first_name}} or {% if x %}."),
    ('Send `{"name": {"first": "Ann"}}` as JSON.', 'Send {"name": {"first": "Ann"}} as JSON.'),
]
CODE = '```\n{"greeting": "{first_name}", "tpl": "{{ x }}"}\n```'
BODY = "\n\n".join(written for written, _ in WRITTEN) + "\n\n" + CODE


GREETINGS = "Thanks, {first_name}!\n\n" + "Thanks again, {first_name}! " * 6  # a merge tag alone, and many in a long line


@pytest.fixture(scope="module")
def starters(tmp_path_factory):
    """`starters(profile, body=...)`: the starter built for `profile` (helpers.starter), made once
    for the tests of this module that only read it."""
    made = {}

    def get(profile: str, body: str = ""):
        if (profile, body) not in made:
            made[profile, body] = starter(tmp_path_factory.mktemp(profile), profile, body=body)
        return made[profile, body]

    return get


def read(project, segment, name):
    return (project / "dist" / "2026-W48" / segment / name).read_text(encoding="utf-8")


def seen(rendered: str) -> str:
    body = re.sub(r"(?s)<head\b.*?</head>|<style\b.*?</style>|<!--.*?-->", " ", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize("profile", PROFILES)
def test_first_name_becomes_the_profiles_merge_tag_in_html_and_text(starters, profile):
    project = starters(profile, body=GREETINGS)
    tag = str(profile_for(profile, "en").first_name)
    for name in ("index.html", "index.txt"):
        part = read(project, SEGMENT, name)
        assert "{first_name}" not in part, name
        assert THANKS.replace("{first_name}", tag) in " ".join(part.split()), name
        assert f"Thanks, {tag}!" in part, name


@pytest.mark.parametrize("profile", ["listmonk", "buttondown", "brevo"])
def test_what_readers_get_is_what_was_written(starters, profile):
    """Each tool's engine (Go's html/template, Django) renders the built body; readers see the
    literal placeholder, code, JSON and template-looking text as written, Maya her name."""
    project = starters(profile, body=BODY)
    built = read(project, SEGMENT, "index.html")
    if profile == "listmonk":
        maya = go_template.execute('{{ template "content" . }}', safe_comments(built),
                                   go_template.Message({"FirstName": "Maya"}))
    else:
        context = {"subscriber": {"metadata": {"first_name": "Maya"}}, "contact": {"FIRSTNAME": "Maya"}}
        maya = django_engine().from_string(built).render(DjangoContext(context))
    words = seen(maya)
    for _, as_read in WRITTEN:
        assert as_read in words
    assert '{"greeting": "{first_name}", "tpl": "{{ x }}"}' in words
    assert "Thank you, Maya, for a great year." in words
    web = seen((project / "dist" / "public" / "2026-W48" / SEGMENT / "web.html").read_text(encoding="utf-8"))
    for _, as_read in WRITTEN:
        assert as_read in web
    assert "Thank you, there, for a great year." in web


def test_previews_show_the_sample_value_and_the_content_as_written(tmp_path, run):
    project = starter(tmp_path, "listmonk", body=WRITTEN[0][0], build=False)  # preview builds it in memory
    shown = run("preview", "--segment", SEGMENT, "--no-pager", cwd=project)
    assert shown.code == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "Thank you, there, for a great year." in text and WRITTEN[0][1] in text
    assert "\ue000" not in shown.stdout and "\ue07b" not in shown.stdout


def test_a_test_send_gives_the_sample_name(tmp_path, run, certificate):
    project = starter(tmp_path, "buttondown")
    inbox = Inbox()
    controller = start_server(certificate, inbox)
    try:
        result = run("send", "--to", "relecture@example.org", "--segment", SEGMENT, "--sample", "first_name=Claire",
                     cwd=project, env=environment(controller.port, certificate[0]))
    finally:
        controller.stop()
    assert result.code == 0, result.stderr
    message = email.message_from_bytes(inbox.envelopes[0].original_content, policy=email.policy.default)
    for part in message.iter_parts():
        words = seen(part.get_content()) if part.get_content_subtype() == "html" else " ".join(part.get_content().split())
        assert "Thank you, Claire, for a great year." in words and TYPED in words


def test_the_themes_greeting_is_left_out_when_the_edito_greets_by_name(tmp_path):
    project = starter(tmp_path, "listmonk", opening="Hello {first_name}, what a year!\n\n")
    tag = '{{ .Subscriber.FirstName | default "there" }}'
    page = read(project, SEGMENT, "index.html")
    assert f"Hello {tag}, what a year!" in page and page.count(f"Hello {tag}") == 1


def test_check_flags_an_unknown_placeholder_but_not_literal_code_or_json(starters, run):
    project = starters("listmonk", body=BODY)
    result = run("check", "--json", cwd=project)
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "placeholder-unknown"]
    assert findings and all(f["level"] == "warning" for f in findings)
    assert {re.search(r"\{\w+\}", f["message"]).group(0) for f in findings} == {"{firstname}"}


def test_check_refuses_mailchimp_merge_syntax_in_the_content_before_any_push(tmp_path, run):
    # Not built: check builds the edition in memory, as before the first build-issue.
    project = starter(tmp_path, "mailchimp", body=r"Our rota: \*|early|\* and \*|late|\* shifts.", build=False)
    result = run("check", cwd=project)
    assert result.code == 1
    assert "merge-tag-in-content" in result.stdout + result.stderr and "*|early|*" in result.stdout + result.stderr
    (tmp_path / "clean").mkdir()
    clean = starter(tmp_path / "clean", "mailchimp", build=False)
    assert "merge-tag-in-content" not in run("check", cwd=clean).stdout


@pytest.mark.parametrize("profile", PROFILES)
def test_no_soft_line_break_cuts_a_merge_tag_in_the_raw_message(starters, profile):
    """A relay or mail merge that fills tags in the raw message finds each one whole; the HTML
    part keeps lines of at most 76 octets."""
    project = starters(profile, body=GREETINGS)
    tags = profile_for(profile, "en").tags
    found = 0
    for path in sorted((project / "dist" / "2026-W48").glob("*/message.eml")):
        raw = path.read_bytes()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.iter_parts():
            encoded, decoded = part.get_payload(), part.get_content()
            assert max(len(line) for line in encoded.splitlines()) <= 76
            for tag in tags:
                whole = tag.replace("=", "=3D") if tag.isascii() else None
                if whole is not None:
                    assert encoded.count(whole) == decoded.count(tag), (path.parent.name, tag)
                    found += decoded.count(tag)
    assert found > 20


def test_subject_with_template_code_is_escaped_for_listmonk_only_where_it_compiles():
    subject = "Templates: {{ not_a_tag }} and {x}"
    compiled = go_template.execute('{{ template "content" . }}', literal_braces(subject), go_template.Message({}))
    assert html.unescape(compiled) == subject
