"""`rameau push` against local stand-ins of listmonk, Brevo, Mailchimp and Buttondown
(tests/standins.py): drafts made once and updated after, never sent, never a token shown."""

import json
import re
import shutil
import time

import pytest

import rameau_cli.push.client as client
from rameau_cli import files as fs
from rameau_cli.push.mailchimp import Mailchimp

import helpers
from helpers import SEGMENTS, Reply, checked, recorded, set_public_url, with_front_matter
from standins import PREFIX, STANDINS, TOKEN, USER, Canned

LISTS = {"quotidienne": "3", "hebdo-entreprise": "4", "hebdo-association": "5", "hebdo-grand-public": "6"}
MAILCHIMP_LISTS = {segment: f"aud{number}" for segment, number in LISTS.items()}
# Endpoints that schedule, send, test or change a status, in any of the four tools.
FORBIDDEN = re.compile(r"/(status|schedule|unschedule|send|sendNow|sendTest|sendReport|test|actions|publish|send-draft)\b")
ENV = {"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": TOKEN}


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(client, "BACKOFF", 0.01)  # the waits after a 429 that names none: 0.01 s, then 0.02


@pytest.fixture
def tool_project(built_for, tmp_path):
    """A built project whose emailing.push points at a running stand-in of `tool`."""
    servers = []

    def make(tool: str, lists: dict | None = None):
        project = tmp_path / tool
        shutil.copytree(built_for(tool), project)
        server = STANDINS[tool]()
        servers.append(server)
        lists = lists if lists is not None else (MAILCHIMP_LISTS if tool == "mailchimp" else LISTS)
        push = {"url": server.url + PREFIX[tool], "lists": {s: [int(i) if i.isdigit() else i] for s, i in lists.items()}}
        config = project / "rameau.yaml"
        config.write_text(checked(config.read_text(encoding="utf-8")).replace(
            f"profile: {tool}", f"profile: {tool}\n  push: {json.dumps(push)}"), encoding="utf-8")
        return project, server

    yield make
    for server in servers:
        server.stop()


def campaigns_in_history(project):
    return {segment: entries[-1].get("campaign") for segment, entries in recorded(project).items()}


def built(project, segment, name):
    return (project / "dist" / "2026-W48" / segment / name).read_text(encoding="utf-8")


def assert_never_sent_nor_shown(server, *outputs):
    for request in server.requests:
        assert not FORBIDDEN.search(request.path.split("?")[0]), request.path
        assert request.method in ("GET", "POST", "PUT", "PATCH")
        body = request.json or {}
        assert not {"send_at", "scheduledAt", "publish_date"} & set(body)
        if request.method == "POST":
            assert body.get("status", "draft") == "draft"
        else:
            assert "status" not in body
        assert "rameau-cli/" in request.headers["User-Agent"]
    for text in outputs:
        assert TOKEN not in text


def draft_contents(tool, server, campaign_id):
    """(html, text or None, subject, lists) of a campaign, as the stand-in holds it."""
    campaign = server.campaigns[campaign_id]
    if tool == "listmonk":  # its comments written as listmonk keeps them (test_push_rendered.py)
        body = re.sub(r'{{ "(<!--.*?-->)" \| Safe }}', lambda m: m.group(1).replace('\\"', '"').replace("\\n", "\n"),
                      campaign["body"], flags=re.S)
        return body, campaign["altbody"], campaign["subject"], [str(i) for i in campaign["lists"]]
    if tool == "brevo":
        return campaign["htmlContent"], None, campaign["subject"], [str(i) for i in campaign["recipients"]["listIds"]]
    if tool == "mailchimp":
        content = campaign["content"]
        return content["html"], content["plain_text"], campaign["settings"]["subject_line"], [campaign["recipients"]["list_id"]]
    body = campaign["body"].removeprefix("<!-- buttondown-editor-mode: fancy -->")
    return body, None, campaign["subject"], [f["value"] for f in campaign["filters"]["filters"]]


@pytest.mark.parametrize("tool", ["listmonk", "brevo", "mailchimp", "buttondown"])
def test_a_first_push_makes_one_draft_per_segment_and_the_next_updates_them(tool, tool_project, run):
    project, server = tool_project(tool)
    first = run("push", cwd=project, env=ENV)
    assert first.code == 0, first.stderr
    kept = campaigns_in_history(project)
    assert sorted(kept) == sorted(SEGMENTS) and all(c["tool"] == tool for c in kept.values())
    assert len(server.campaigns) == 4 and {c["id"] for c in kept.values()} == set(server.campaigns)
    lists = MAILCHIMP_LISTS if tool == "mailchimp" else LISTS
    manifest = json.loads((project / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))
    for segment, campaign in kept.items():
        html, text, subject, list_ids = draft_contents(tool, server, campaign["id"])
        assert html == built(project, segment, "index.html")
        assert text in (None, built(project, segment, "index.txt"))
        assert subject == manifest["segments"][segment]["subject"]
        assert list_ids == [lists[segment]]
        assert f"{segment} (2026-W48): created campaign {campaign['id']}" in first.stderr
    creates = [r for r in server.requests if r.method == "POST" and "/templates" not in r.path]
    assert len(creates) == 4

    server.requests.clear()
    second = run("push", cwd=project, env=ENV)
    assert second.code == 0, second.stderr
    assert campaigns_in_history(project) == kept and len(server.campaigns) == 4
    assert not [r for r in server.requests if r.method == "POST"]  # listmonk's template was found, not made again
    assert sum(r.method in ("PUT", "PATCH") and "/content" not in r.path for r in server.requests) == 4
    assert second.stderr.count("updated campaign") == 4
    assert_never_sent_nor_shown(server, first.stdout, first.stderr, second.stdout, second.stderr,
                                (project / "history.json").read_text(encoding="utf-8"))


def test_dry_run_says_what_it_would_do_and_makes_no_request(tool_project, run):
    project, server = tool_project("listmonk")
    history = (project / "history.json").read_bytes()
    result = run("push", "--dry-run", "--segment", "hebdo-association", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    assert server.requests == [] and (project / "history.json").read_bytes() == history
    size = len(built(project, "hebdo-association", "index.html").encode())
    for line in ("hebdo-association (2026-W48): would create a draft", f"POST {server.url}/api/campaigns",
                 "subject: Alliances", "lists: 5", f"HTML: {size:,} bytes; text: "):
        assert line in result.stdout
    assert TOKEN not in result.stdout + result.stderr

    assert run("push", "--segment", "hebdo-association", cwd=project, env=ENV).code == 0
    server.requests.clear()
    again = run("push", "--dry-run", "--json", "--segment", "hebdo-association", cwd=project, env={})
    (planned,) = json.loads(again.stdout)["segments"]
    assert planned["action"] == "update" and planned["requests"] == [
        f"GET {server.url}/api/campaigns/12?no_body=true", f"PUT {server.url}/api/campaigns/12"]
    assert server.requests == [] and "RAMEAU_PUSH_TOKEN is not set" in again.stderr


@pytest.mark.parametrize("tool", ["listmonk", "brevo"])
def test_refused_credentials_name_the_variables_and_never_the_token(tool, tool_project, run):
    project, server = tool_project(tool)
    result = run("push", cwd=project, env={"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": "wrong-" + TOKEN})
    assert result.code == 1
    said = {"listmonk": "listmonk answered 403 (invalid API credentials)", "brevo": "Brevo answered 401 (unauthorized: Key not found)"}
    assert said[tool] in result.stderr and "check RAMEAU_PUSH_USER and RAMEAU_PUSH_TOKEN" in result.stderr
    assert "pushed: none; not pushed: quotidienne, hebdo-entreprise, hebdo-association, hebdo-grand-public" in result.stderr
    assert len(server.requests) == 1 and "Traceback" not in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_missing_settings_are_all_named_before_any_request(tool_project, run):
    project, server = tool_project("listmonk", lists={"quotidienne": "3"})
    config = project / "rameau.yaml"
    config.write_text(re.sub(r'"url": "[^"]*", ', "", config.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("push", cwd=project, env={})
    assert result.code == 2
    for problem in ("emailing.push.lists.hebdo-entreprise: missing", "emailing.push.lists.hebdo-grand-public: missing",
                    "RAMEAU_PUSH_TOKEN: not set", "RAMEAU_PUSH_USER: not set",
                    "emailing.push.url: missing; give your listmonk's address"):
        assert problem in result.stderr
    assert server.requests == []


def test_a_campaign_deleted_in_the_tool_is_made_again(tool_project, run):
    project, server = tool_project("listmonk")
    assert run("push", cwd=project, env=ENV).code == 0
    gone = campaigns_in_history(project)["hebdo-association"]["id"]
    del server.campaigns[gone]
    result = run("push", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    assert f"campaign {gone} is no longer in listmonk (listmonk answered 400 (Campaign not found.)); a new draft was made" \
        in result.stderr
    made = campaigns_in_history(project)["hebdo-association"]["id"]
    assert made != gone and made in server.campaigns and len(server.campaigns) == 4
    assert "hebdo-association (2026-W48): recreated campaign" in result.stderr


@pytest.mark.parametrize("tool, status", [("listmonk", "finished"), ("brevo", "sent")])
def test_a_campaign_no_longer_a_draft_is_left_alone(tool, status, tool_project, run):
    project, server = tool_project(tool)
    assert run("push", cwd=project, env=ENV).code == 0
    sent = campaigns_in_history(project)["quotidienne"]["id"]
    server.campaigns[sent]["status"] = status
    server.requests.clear()
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1
    assert f"campaign {sent} is no longer a draft in" in result.stderr and f"its status is {status}" in result.stderr
    touched = [r for r in server.requests if r.method != "GET" and r.path.split("?")[0].endswith(f"/{sent}")]
    assert touched == [] and result.stderr.count("updated campaign") == 3


def test_429_is_waited_out_as_retry_after_says(tool_project, run, monkeypatch):
    waits = []
    monkeypatch.setattr(client.time, "sleep", waits.append)
    project, server = tool_project("listmonk")
    server.script[2] = Canned(429, {"message": "slow down"}, {"Retry-After": "1"})  # after rameau's template: found, made
    result = run("push", "--segment", "quotidienne", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    assert waits == [1.0]
    assert [r.method for r in server.requests] == ["GET", "POST", "POST", "POST"] and len(server.campaigns) == 1

    server.script[len(server.requests)] = Canned(429, {"message": "quota"}, {"Retry-After": "3600"})
    refused = run("push", "--segment", "quotidienne", cwd=project, env=ENV)
    assert refused.code == 1
    assert "listmonk answered 429 (quota): too many requests, it asks to wait 3600 s; push again later" in refused.stderr


def test_429_without_retry_after_backs_off_then_gives_up(tool_project, run):
    project, server = tool_project("brevo")
    for number in range(3):
        server.script[number] = Canned(429, {"code": "too_many_requests", "message": "rate limit"})
    result = run("push", "--segment", "quotidienne", cwd=project, env=ENV)
    assert result.code == 1 and len(server.requests) == 3 and server.campaigns == {}
    assert "Brevo answered 429 (too_many_requests: rate limit): too many requests, still after 3 tries; push again later" in result.stderr

    server.script[3] = Canned(429, {"code": "too_many_requests", "message": "hourly"}, {"x-sib-ratelimit-reset": "3500"})
    hourly = run("push", "--segment", "quotidienne", cwd=project, env=ENV)
    assert "Brevo answered 429 (too_many_requests: hourly): too many requests, it asks to wait 3500 s; push again later" in hourly.stderr
    assert len(server.requests) == 4


def test_a_500_stops_the_push_and_says_what_was_pushed(tool_project, run):
    project, server = tool_project("listmonk")
    server.script[3] = Canned(500, {"message": "pq: could not connect to the database"})  # the second campaign
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert lines == ["error: segment hebdo-entreprise: listmonk answered 500 (pq: could not connect to the database)",
                     "error: pushed: quotidienne (created 12); not pushed: hebdo-entreprise, hebdo-association, "
                     "hebdo-grand-public"]
    assert list(campaigns_in_history(project).values()).count(None) == 3  # the first id was kept at once
    again = run("push", cwd=project, env=ENV)
    assert again.code == 0 and len(server.campaigns) == 4  # no second draft for quotidienne
    assert "quotidienne (2026-W48): updated campaign 12" in again.stderr


def test_a_tool_that_never_answers_is_given_up_quickly(tool_project, run, monkeypatch):
    monkeypatch.setattr(client, "TIMEOUT", 0.3)  # the stand-in never answers: only this bound ends the wait
    project, server = tool_project("brevo")  # listmonk's first request is a read of its templates
    server.hang.set()
    result = run("push", "--json", cwd=project, env=ENV)
    assert result.code == 1
    assert "Brevo gave no answer within 0.3 s; the draft may have been created all the same: the next push looks " \
           "for it in Brevo before making another" in result.stderr
    assert json.loads(result.stdout)["segments"] == [] and len(server.requests) == 1


def test_a_build_without_history_is_not_pushed(tool_project, run):
    project, server = tool_project("listmonk")
    (project / "history.json").unlink()
    shutil.rmtree(project / "history")
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1 and server.requests == []
    assert "history.json has no entry for it, where push keeps the campaign's id" in result.stderr


def test_push_needs_a_tool_it_knows(example, run):
    result = run("push", cwd=example, env=ENV)
    assert result.code == 2
    assert "emailing.profile: is generic; rameau push creates drafts in listmonk, brevo, mailchimp, buttondown" in result.stderr


def test_building_the_edition_again_keeps_its_campaigns(tool_project, run):
    project, server = tool_project("listmonk")
    assert run("push", "--segment", "quotidienne", cwd=project, env=ENV).code == 0
    kept = campaigns_in_history(project)["quotidienne"]
    assert run("build-issue", cwd=project).code == 0
    assert campaigns_in_history(project)["quotidienne"] == kept
    again = run("push", "--segment", "quotidienne", cwd=project, env=ENV)
    assert f"updated campaign {kept['id']}" in again.stderr and len(server.campaigns) == 1


def test_a_buttondown_email_that_is_not_a_draft_is_said_at_once(tool_project, run):
    project, server = tool_project("buttondown")
    server.script[0] = Canned(201, {"id": "em_99", "status": "about_to_send"})
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1
    assert "Buttondown made campaign em_99 with the status about_to_send, not a draft: look at it in Buttondown now" \
        in result.stderr
    assert campaigns_in_history(project)["quotidienne"]["id"] == "em_99" and len(server.requests) == 1


def test_mailchimp_finds_its_data_centre_in_the_key():
    assert Mailchimp().base_url("", "0123456789abcdef-us21") == "https://us21.api.mailchimp.com/3.0"
    assert Mailchimp().base_url("https://proxy.example.org/3.0", "key-us21") == "https://proxy.example.org/3.0"


def test_push_settings_are_checked_with_the_rest_of_rameau_yaml(example, run):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("profile: generic", (
        "profile: listmonk\n  push:\n    url: http://listes.example.org\n"
        "    lists: {quotidiene: [3], hebdo-association: [quatre]}\n    nmae: x")), encoding="utf-8")
    result = run("push", "--dry-run", cwd=example)
    assert result.code == 2
    for problem in ("emailing.push.nmae: unknown key; did you mean 'name'?",
                    "emailing.push.url: 'http://listes.example.org' would send the token in clear; use https",
                    "emailing.push.lists.quotidiene: unknown segment; did you mean 'quotidienne'?",
                    "emailing.push.lists.hebdo-association: listmonk list ids are numbers, such as [3]; got ['quatre']"):
        assert problem in result.stderr


def test_credentials_in_the_url_are_refused_without_being_shown(example, run):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("profile: generic", (
        f"profile: listmonk\n  push:\n    url: http://api:{TOKEN}@listes.example.org")), encoding="utf-8")
    result = run("push", "--dry-run", cwd=example)
    assert result.code == 2 and "emailing.push.url: holds credentials" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_a_history_that_cannot_be_written_says_which_draft_was_made(tool_project, run, monkeypatch):
    project, server = tool_project("brevo")

    writes = []

    def full_disk(point):  # after the mark that a create is under way: the disk fills while the tool makes it
        if point.startswith("write") and point.endswith("history.json"):
            writes.append(point)
            if len(writes) > 1:
                raise OSError(28, "No space left on device")

    monkeypatch.setattr(fs, "faults", full_disk)
    result = run("push", "--segment", "quotidienne", cwd=project, env=ENV)
    assert result.code == 1 and len(server.campaigns) == 1
    assert "draft 12 was made in Brevo, but history.json cannot be written (No space left on device); write its id " \
           "there by hand before pushing again" in result.stderr


def test_a_draft_whose_images_are_not_published_yet_is_not_pushed(tool_project, http_server, run):
    """The images from disk must be at output.public_url before a draft shows them."""

    project, server = tool_project("listmonk")
    site = f"{http_server.url}/site-{time.monotonic_ns()}"
    set_public_url(project, site)
    (project / "articles" / "logo.png").write_bytes(helpers.logo_png())
    with_front_matter(project / "articles" / "journee-alliances-citoyennes-5-decembre.md", "image: logo.png\nimage_alt: Logo")
    assert run("build-issue", "--resend", cwd=project).code == 0
    names = [path.name for path in (project / "dist" / "public" / "assets").iterdir()]
    assert names
    result = run("push", cwd=project, env=ENV)
    assert result.code == 1
    assert f"{site}/assets/{names[0]}: is not published (HTTP 404)" in result.stderr and "nothing was pushed" in result.stderr
    assert not server.requests  # no draft made
    for name in names:
        http_server.routes[f"/{site.rsplit('/', 1)[1]}/assets/{name}"] = Reply(
            (project / "dist" / "public" / "assets" / name).read_bytes(), content_type="image/png")
    result = run("push", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    html = draft_contents("listmonk", server, next(iter(server.campaigns)))[0]
    assert f"{site}/assets/{names[0]}" in html
