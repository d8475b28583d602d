"""What the emailing tool SENDS is what rameau built: an English starter with personal words and
template-looking text, built and pushed to stand-ins that render as listmonk (Go's
html/template, its comment stripping, its default template) and Buttondown (Django's engine) do
(tests/standins.py), read as a subscriber named Maya reads it."""

import html
import json
import re

import pytest

import rameau_cli.push.client as client

from helpers import ARTICLE, TYPED, checked, invoke, recorded, starter
from standins import PREFIX, STANDINS, TOKEN, USER

ENV = {"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": TOKEN}
LISTS = {"daily": 3, "weekly-business": 4, "weekly-nonprofits": 5, "weekly-public": 6}
OUTLOOK = re.compile(r"<!--\[if [^\]]*mso")


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(client, "TIMEOUT", 2.0)


def pushed(tmp_path, tool: str, body: str = ""):
    project = starter(tmp_path, tool, body=body)
    server = STANDINS[tool]()
    push = {"url": server.url + PREFIX[tool], "lists": {s: [n] for s, n in LISTS.items()}}
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(f"profile: {tool}",
                                                                 f"profile: {tool}\n  push: {json.dumps(push)}"),
                      encoding="utf-8")
    result = invoke("push", cwd=project, env=ENV)
    assert result.code == 0, result.stderr
    return project, server


def campaigns(project):
    """segment -> (its campaign id, its built index.html, whether it shows the article)."""
    edition = project / "dist" / "2026-W48"
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    history = recorded(project)
    found = {}
    for segment, entry in manifest["segments"].items():
        campaign = history[segment][-1]["campaign"]["id"]
        shows = ARTICLE in [a["id"] for a in entry["articles"]]
        found[segment] = campaign, (edition / segment / "index.html").read_text(encoding="utf-8"), shows
    assert any(shows for _, _, shows in found.values())
    return found


def seen(rendered: str) -> str:
    """The words a reader sees: no head, style, comment or tag; entities read; spaces as one."""
    body = re.sub(r"(?s)<head\b.*?</head>|<style\b.*?</style>|<!--.*?-->", " ", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_listmonk_subscribers_get_the_email_as_built(tmp_path):
    project, server = pushed(tmp_path, "listmonk")
    try:
        ours = [t for t in server.templates.values() if not t["is_default"]]
        assert len(ours) == 1 and ours[0]["body"] == '{{ template "content" . }}' and "rameau" in ours[0]["name"]
        for segment, (campaign_id, built, shows) in campaigns(project).items():
            assert server.campaigns[campaign_id]["template_id"] == ours[0]["id"], segment
            maya = server.render(campaign_id, {"FirstName": "Maya"})  # compiles, or raises
            assert "Powered by listmonk" not in maya and "525px" not in maya  # not in the default template
            assert len(OUTLOOK.findall(maya)) == len(OUTLOOK.findall(built)) > 0
            assert maya.count("<!--") == built.count("<!--")
            words = seen(maya)
            assert "Thank you, Maya, for a great year." in words and "{first_name}" not in words
            assert (TYPED in words) == shows, segment
            assert "Thank you, there, for a great year." in seen(server.render(campaign_id, {"FirstName": ""}))
            text = " ".join(server.render_text(campaign_id, {"FirstName": "Maya"}).split())
            assert "Thank you, Maya, for a great year." in text and (TYPED in text) == shows
    finally:
        server.stop()


def test_buttondown_subscribers_get_the_naked_email_as_built(tmp_path):
    project, server = pushed(tmp_path, "buttondown")
    try:
        slugs = set()
        for segment, (campaign_id, _, shows) in campaigns(project).items():
            email = server.campaigns[campaign_id]
            assert email["template"] == "naked"
            slugs.add(email["slug"])
            maya = server.render(campaign_id, {"metadata": {"first_name": "Maya"}})  # compiles, or raises
            assert "Powered by Buttondown" not in maya
            assert f'href="https://buttondown.com/unsubscribe/{campaign_id}/sub-1"' in maya
            words = seen(maya)
            assert "Thank you, Maya, for a great year." in words
            assert (TYPED in words) == shows, segment
        assert len(slugs) == 4
    finally:
        server.stop()


WHOLE = """| Café | Opened | Sessions | Réparations | Success rate | Bénévoles |
|------|--------|---------:|------------:|-------------:|----------:|
| Chapeltown | 2021 | 44 | 910 | 71% | 23 |
| Kirkstall Forge community hall | 2024 | 22 | 305 | 58% | 9 |

```python
repairs_by_cafe = {cafe: sum(1 for visit in visits if visit.cafe == cafe and visit.outcome == "repaired") for cafe in cafes}
```

<p dir="rtl" lang="ar">شكراً لكل المتطوعين الذين أصلحوا أكثر من ألف جهاز هذا العام.</p>
"""


def test_listmonk_renders_a_table_a_code_line_and_arabic_as_built(tmp_path):
    """A wide table's Outlook copy is an HTML comment, which listmonk gets as a Go string constant:
    its accents must come out of listmonk's template engine as written, as must a line of code
    with braces and a right-to-left paragraph."""
    project, server = pushed(tmp_path, "listmonk", body=WHOLE)
    try:
        campaign_id, built, shows = campaigns(project)["weekly-nonprofits"]
        assert shows
        maya = server.render(campaign_id, {"FirstName": "Maya"})  # compiles, or raises
        outlook = re.findall(r"(?s)<!--\[if [^\]]*mso.*?<!\[endif\]-->", maya)
        assert len(outlook) == len(OUTLOOK.findall(built)) > 0
        assert any("Café" in block and "Bénévoles" in block and "Kirkstall" in block for block in outlook)
        assert any("repairs_by_cafe = {cafe: sum(" in block for block in outlook)  # the brace as written
        words = seen(maya)
        assert 'repairs_by_cafe = {cafe: sum(1 for visit in visits if visit.cafe == cafe and visit.outcome == "repaired")' \
            in words
        assert "شكراً لكل المتطوعين الذين أصلحوا أكثر من ألف جهاز هذا العام." in words and 'dir="rtl"' in maya
        text = server.render_text(campaign_id, {"FirstName": "Maya"})
        assert "repairs_by_cafe = {cafe: sum(1 for visit" in text and "{{" not in text and "Bénévoles" in text
    finally:
        server.stop()

