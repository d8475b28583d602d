"""What each tool is told beyond the body: Mailchimp's part of an audience, Brevo's fields,
listmonk's Reply-To and permissions, Buttondown without naked emails, and every tool's own
error details in the one-line failure (stand-ins: tests/standins.py)."""

import json
import shutil

import pytest
from test_placeholders import seen

import rameau_cli.push.client as client
from rameau_cli.push.base import Campaign
from rameau_cli.push.brevo import Brevo

from helpers import ARTICLE, checked, starter
from standins import PREFIX, STANDINS, TOKEN, USER, Canned, MergeTagError

ENV = {"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": TOKEN}
SEGMENTS = ["daily", "weekly-business", "weekly-nonprofits", "weekly-public"]


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(client, "TIMEOUT", 2.0)
    monkeypatch.setattr(client, "BACKOFF", 0.01)


@pytest.fixture(scope="module")
def built_starter(tmp_path_factory):
    """The English starter built for each tool, made once; tests copy it."""
    made = {}

    def make(tool: str):
        if tool not in made:
            made[tool] = starter(tmp_path_factory.mktemp(tool), tool)
        return made[tool]

    return make


@pytest.fixture
def project_for(tmp_path, built_starter):
    servers = []

    def make(tool: str, push: dict | None = None, **starter_options):
        if starter_options:
            project = starter(tmp_path, tool, **starter_options)
        else:  # the starter as `starter` builds it, in a copy of this test's own
            project = tmp_path / tool
            shutil.copytree(built_starter(tool), project)
        server = STANDINS[tool]()
        servers.append(server)
        lists = {s: ["aud1"] if tool == "mailchimp" else [n] for n, s in enumerate(SEGMENTS, start=3)}
        settings = {"url": server.url + PREFIX[tool], "lists": lists, **(push or {})}
        config = project / "rameau.yaml"
        text = checked(config.read_text(encoding="utf-8")).replace(
            f"profile: {tool}", f"profile: {tool}\n  push: {json.dumps(settings)}")
        config.write_text(text, encoding="utf-8")
        return project, server

    yield make
    for server in servers:
        server.stop()


def campaign_of(server, segment_index):
    return list(server.campaigns.values())[segment_index]


def test_mailchimp_sends_each_segment_to_its_saved_segment_or_tag(project_for, run):
    parts = {"segments": {"weekly-business": {"saved_segment": 1234}, "weekly-public": {"tag": 4821}}}
    project, server = project_for("mailchimp", {"mailchimp": parts})
    result = run("push", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    by_segment = dict(zip(SEGMENTS, (c["recipients"] for c in server.campaigns.values()), strict=True))
    assert by_segment["weekly-business"] == {"list_id": "aud1", "segment_opts": {"saved_segment_id": 1234}}
    assert by_segment["weekly-public"] == {"list_id": "aud1", "segment_opts": {"match": "all", "conditions": [
        {"condition_type": "StaticSegment", "field": "static_segment", "op": "static_is", "value": 4821}]}}
    assert by_segment["daily"] == {"list_id": "aud1"}
    maya = seen(server.render(list(server.campaigns)[2], {"FNAME": "Maya"}))
    assert "Thank you, Maya, for a great year." in maya
    assert "Thank you, there, for a great year." in seen(server.render(list(server.campaigns)[2], {}))


def test_mailchimp_settings_are_checked_with_rameau_yaml(project_for, run):
    wrong = {"segments": {"weekly-busines": {"tag": 1}, "daily": {"tag": 2, "saved_segment": 3}, "weekly-public": {}}}
    project, server = project_for("mailchimp", {"mailchimp": wrong})
    result = run("push", cwd=project, env=ENV)
    assert result.code == 2 and server.requests == []
    assert "emailing.push.mailchimp.segments.weekly-busines: unknown segment" in result.stderr
    assert result.stderr.count("give one saved segment or one tag") == 2

    other, _ = project_for("listmonk", {"mailchimp": {"segments": {"daily": {"tag": 2}}}})
    built = run("build-issue", cwd=other)
    assert built.code == 0 and "emailing.push.mailchimp: does nothing: emailing.profile is listmonk" in built.stderr


def test_mailchimp_merge_syntax_in_a_title_fails_the_checklist_and_check_says_so_first(project_for, run):
    project, server = project_for("mailchimp", build=False)
    article = project / "articles" / f"{ARTICLE}.md"
    article.write_text(checked(article.read_text(encoding="utf-8")).replace(
        'title: "Three councils', 'title: "*|Rota|* Three councils'), encoding="utf-8")
    assert run("build-issue", cwd=project).code == 0
    checked_run = run("check", cwd=project)
    assert checked_run.code == 1 and "merge-tag-in-content" in checked_run.stdout
    assert run("push", cwd=project, env=ENV).code == 0
    with pytest.raises(MergeTagError):
        server.render(list(server.campaigns)[2], {"FNAME": "Maya"})


def test_brevo_gets_no_empty_field_and_renders_the_email_as_built(project_for, run):
    project, server = project_for("brevo")
    assert run("push", cwd=project, env=ENV).code == 0
    for campaign_id, campaign in server.campaigns.items():
        assert all(value not in ("", None) for value in campaign.values())
        maya = seen(server.render(campaign_id, {"FIRSTNAME": "Maya"}))
        assert "Thank you, Maya, for a great year." in maya

    request = Brevo().create(Campaign("s", "e", "name", "Subject", "", "<p>x</p>", "x", ("3",), "N", "n@example.org", ""))
    assert "previewText" not in request.body and "replyTo" not in request.body


@pytest.mark.parametrize("tool, answer, said", [
    ("mailchimp", {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Invalid Resource",
                   "status": 400, "detail": "The resource submitted could not be validated.",
                   "errors": [{"field": "settings.reply_to", "message": "This value should be a valid email."},
                              {"field": "recipients.segment_opts.saved_segment_id", "message": "Segment not found."}]},
     "Mailchimp answered 400 (Invalid Resource: The resource submitted could not be validated.; settings.reply_to: "
     "This value should be a valid email.; recipients.segment_opts.saved_segment_id: Segment not found.)"),
    ("brevo", {"code": "invalid_parameter", "message": "previewText is not valid"},
     "Brevo answered 400 (invalid_parameter: previewText is not valid)"),
    ("buttondown", {"code": "email_duplicate", "detail": "An email with this subject already exists."},
     "Buttondown answered 400 (email_duplicate: An email with this subject already exists.)"),
])
def test_each_tools_error_details_are_in_the_one_line_failure(project_for, run, tool, answer, said):
    project, server = project_for(tool)
    server.script[0] = Canned(400, answer)
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1
    assert f"error: segment daily: {said}" in result.stderr.splitlines()


def test_listmonk_gets_reply_to_in_headers(project_for, run):
    project, server = project_for("listmonk")  # the starter replies at hello@, sends from newsletters@
    assert run("push", cwd=project, env=ENV).code == 0
    assert {json.dumps(c["headers"]) for c in server.campaigns.values()} == {
        json.dumps([{"Reply-To": "hello@hedgerow-network.org"}])}


def test_a_listmonk_role_without_a_permission_is_not_called_bad_credentials(project_for, run):
    project, server = project_for("listmonk")
    server.permissions = {"campaigns:manage"}
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1 and server.campaigns == {}
    assert "permission denied: templates:get" in result.stderr and "role lacks that permission" in result.stderr
    assert "check RAMEAU_PUSH_USER" not in result.stderr
    server.permissions = {"templates:get", "templates:manage"}
    refused = run("push", cwd=project, env=ENV)
    assert "permission denied: campaigns:manage" in refused.stderr and "check RAMEAU_PUSH_USER" not in refused.stderr


def test_listmonk_template_found_again_and_a_changed_one_refused(project_for, run):
    project, server = project_for("listmonk")
    assert run("push", cwd=project, env=ENV).code == 0
    assert run("push", cwd=project, env=ENV).code == 0
    assert len(server.templates) == 2  # the default one and rameau's, made once
    ours = max(server.templates)
    server.templates[ours]["body"] = '<div>{{ template "content" . }}</div>'
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1 and "was changed: its body must be only" in result.stderr


def test_buttondown_without_naked_emails_names_the_setting_then_sends_the_content_alone(project_for, run):
    project, server = project_for("buttondown")
    server.naked_allowed = False
    refused = run("push", cwd=project, env=ENV)
    assert refused.code == 1 and server.campaigns == {}
    assert "emailing.push.buttondown.content_only: true" in refused.stderr
    assert len([line for line in refused.stderr.splitlines() if "content_only" in line]) == 1

    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        '"lists":', '"buttondown": {"content_only": true}, "lists":'), encoding="utf-8")
    result = run("push", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    for campaign_id, email in server.campaigns.items():
        assert "template" not in email
        page = server.render(campaign_id, {"metadata": {"first_name": "Maya"}})
        words = seen(page)
        assert page.count("/unsubscribe/") == 1 and "Powered by Buttondown" in words  # the newsletter's own, once
        assert "Thank you, Maya, for a great year." in words
        assert "Hedgerow Network 3 Weavers Yard" not in words  # rameau's footer is not sent
