"""`rameau check --links` against pages on 127.0.0.1 that answer 200, 301, 404, 410, refuse
HEAD or never answer; and unsubscribe links that must never be asked."""

import json

import pytest

import rameau_cli.check.links as links

from helpers import checked
from standins import Canned, Recorded, StandIn

PAGES = {"/ok": 200, "/missing": 404, "/gone": 410, "/new-home": 200, "/no-head": 200, "/hang": 200}


class Site(StandIn):
    """Pages a newsletter links to. /hang gets no answer until the test ends, while `silent`."""

    def __init__(self):
        super().__init__()
        self.silent = True

    def answer(self, method, path, headers, body):
        path = path.split("?")[0]
        if path == "/moved":
            return Canned(301, headers={"Location": "/new-home"})
        if path == "/no-head" and method == "HEAD":
            return Canned(405)
        if path == "/hang" and self.silent:
            self.released.wait(10)  # set when the server stops: the checker has given up long before
        return Canned(PAGES.get(path, 404))


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    # Every request has this long: only /hang, which never answers, waits for it; the pages that
    # answer do so in milliseconds, so 1 s leaves them a wide margin on a loaded machine.
    monkeypatch.setattr(links, "TIMEOUT", 1.0)
    monkeypatch.setattr(links, "DEADLINE", 60.0)


@pytest.fixture
def site():
    server = Site()
    yield server
    server.stop()


ARTICLE = """---
title: "Article {name}"
date: 2026-11-24T09:00:00+01:00
summary: "Un article qui mène à la page {name}."
url: {url}
---
Le corps.
"""


def newsletter(folder, site):
    """A small project whose every http link leads to `site` (no test reaches the network)."""
    (folder / "articles").mkdir(parents=True)
    (folder / "issues").mkdir()
    (folder / "rameau.yaml").write_text(f"""newsletter:
  name: Lettre d'essai
  sender: "Lettre <lettre@example.org>"
  base_url: {site.url}
emailing:
  unsubscribe_mailto: desinscription@example.org
check:
  private_links: true  # the site is on 127.0.0.1
segments:
  hebdo:
    title: L'hebdo
""", encoding="utf-8")
    for name in ("ok", "moved", "missing", "gone", "no-head", "hang"):
        (folder / "articles" / f"{name}.md").write_text(ARTICLE.format(name=name, url=f"{site.url}/{name}"), encoding="utf-8")
    (folder / "issues" / "2026-W48.md").write_text(f"""---
since: 2026-11-23
until: 2026-11-29
subject: "Les nouvelles de la semaine, en quelques liens"
---
Lisez [la page](<{site.url}/ok>), écrivez-nous (<mailto:contact@example.org>), ou
[se désinscrire]({site.url}/se-d%C3%A9sinscrire?u=7), [unsubscribe]({site.url}/list/unsubscribe/abc),
[opt out]({site.url}/opt-out).
""", encoding="utf-8")
    return folder


def test_check_links_flags_exactly_the_broken_ones_and_never_unsubscribes(site, tmp_path, run):
    project = newsletter(tmp_path / "lettre", site)
    assert run("build-issue", "2026-W48", cwd=project).code == 0
    result = run("check", "--links", "--json", cwd=project)
    assert result.code == 1, result.stderr
    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"].startswith("link-")]
    errors = sorted((f["article"], f["url"].removeprefix(site.url)) for f in findings if f["level"] == "error")
    assert {f["rule"] for f in findings if f["level"] == "error"} == {"link-broken"}
    assert errors == [("gone", "/gone"), ("missing", "/missing")]
    by_url = {f["url"].removeprefix(site.url): f for f in findings}
    assert by_url["/missing"]["message"] == f"article missing: {site.url}/missing: not found (404)"
    assert by_url["/moved"]["level"] == "info" and by_url["/moved"]["rule"] == "link-moved"
    assert f"moved for good to {site.url}/new-home" in by_url["/moved"]["message"]
    assert by_url["/hang"]["rule"] == "link-doubtful" and by_url["/hang"]["level"] == "warning"
    assert "no answer within 1 s" in by_url["/hang"]["message"]
    assert "/no-head" not in by_url and "/ok" not in by_url and all(f["segment"] == "hebdo" for f in findings)

    asked: dict[str, list[Recorded]] = {}
    for request in site.requests:
        asked.setdefault(request.path, []).append(request)
    assert not [path for path in asked if "sinscri" in path or "unsubscribe" in path or "opt-out" in path]
    assert max(len(requests) for requests in asked.values()) <= 2
    assert [r.method for r in asked["/no-head"]] == ["HEAD", "GET"]
    assert [r.method for r in asked["/missing"]] == ["HEAD", "GET"] and len(asked["/hang"]) == 1
    assert all(r.headers["User-Agent"].startswith("rameau-cli/") for r in site.requests)

    site.requests.clear()
    site.silent = False  # a doubtful link is asked again, like a broken one (and answers quickly now)
    again = run("check", "--links", cwd=project)
    assert again.code == 1 and "not found (404)" in again.stdout
    assert sorted({r.path for r in site.requests}) == ["/gone", "/hang", "/missing"]  # the good ones are remembered


def test_an_unknown_host_is_an_error_and_a_lost_deadline_a_warning(monkeypatch, site):
    assert links.probe_all(["https://nulle-part.invalid/page"]) == {
        "https://nulle-part.invalid/page": links.Outcome("link-broken", "unknown host")}
    monkeypatch.setattr(links, "DEADLINE", 0.25)
    monkeypatch.setattr(links, "PER_HOST", 1)
    outcomes = links.probe_all([f"{site.url}/hang", f"{site.url}/hang?again"], private=True)  # one host, one at a time
    first, second = sorted(outcomes.values(), key=lambda outcome: outcome.note)
    assert first.rule == "link-doubtful" and first.note.startswith("no answer within 0.")  # the deadline bounds it
    assert second == links.Outcome("link-unchecked", "not checked: the check's 0.25 s deadline came first")


def test_images_are_asked_too(site, tmp_path, run):
    """A remote image that is gone, or an image from disk not yet published, is a 404 like a link."""
    project = newsletter(tmp_path / "lettre", site)
    site.silent = False  # no wait for /hang: this test is about the image
    article = project / "articles" / "ok.md"
    article.write_text(checked(article.read_text(encoding="utf-8")).replace(
        "summary:", f"image: {site.url}/photo-partie.jpg\nimage_alt: Une photo\nsummary:"), encoding="utf-8")
    assert run("build-issue", "2026-W48", cwd=project).code == 0
    result = run("check", "--links", "--json", cwd=project)
    found = {f["url"].removeprefix(site.url): f["level"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "link-broken"}
    assert found["/photo-partie.jpg"] == "error"


def test_the_links_asked_are_told_as_they_come_for_a_progress_bar(site):
    told = []
    urls = [f"{site.url}/ok", f"{site.url}/missing", f"{site.url}/gone"]
    outcomes = links.probe_all(urls, lambda what, done, total: told.append((what, done, total)), private=True)
    assert told == [("Checking links", 1, 3), ("Checking links", 2, 3), ("Checking links", 3, 3)]
    assert [outcomes[url].rule for url in urls] == ["", "link-broken", "link-broken"]
