"""Unattended builds: calendar editions, numbering, no repeats, skipping empty weeks, the archive."""

import datetime as dt
import json
from pathlib import Path

import feedparser
import pytest

from helpers import checked, recorded, tree

WEEKLIES = ["hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
MONDAYS = [dt.date(2026, 10, 5) + dt.timedelta(weeks=i) for i in range(9)]  # builds run on these days


@pytest.fixture
def project(example):
    """The example without its edition files and articles: a project run by the calendar."""
    for path in (example / "issues").glob("*.md"):
        path.unlink()
    for path in (example / "articles").glob("*.md"):
        path.unlink()
    return example


def add_article(project: Path, slug: str, day: dt.date, audiences: str, **extra) -> None:
    lines = [f"title: \"{slug.replace('-', ' ').capitalize()}\"", f"date: {day.isoformat()}T10:00:00+01:00",
             f"audiences: [{audiences}]", "summary: \"Un résumé suffisamment long pour une lettre d'information.\""]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    (project / "articles" / f"{slug}.md").write_text("---\n" + "\n".join(lines) + "\n---\nCorps.\n", encoding="utf-8")


def build(run, project, day: dt.date, *more):
    return run("build-issue", "--date", day.isoformat(), *[a for s in WEEKLIES for a in ("--segment", s)], "--json", *more,
               cwd=project)


def history(project: Path) -> dict:
    return recorded(project)


def test_calendar_editions_of_mixed_cadences(project, run):
    add_article(project, "lundi", dt.date(2026, 11, 23), "association")
    add_article(project, "dimanche", dt.date(2026, 11, 29), "association")
    result = run("build-issue", "--date", "2026-11-30", "--json", cwd=project)
    assert result.code == 0, result.stderr
    daily, weekly = json.loads(result.stdout)
    assert daily["edition"] == "2026-11-29" and daily["window"] == {"since": "2026-11-29", "until": "2026-11-29"}
    assert [a["id"] for a in daily["segments"]["quotidienne"]["articles"]] == ["dimanche"]
    assert weekly["edition"] == "2026-W48" and weekly["window"] == {"since": "2026-11-23", "until": "2026-11-29"}
    assert [a["id"] for a in weekly["segments"]["hebdo-association"]["articles"]] == ["dimanche", "lundi"]
    assert (project / "dist" / "2026-11-29" / "quotidienne" / "message.eml").is_file()
    assert (project / "dist" / "2026-W48" / "hebdo-association" / "message.eml").is_file()
    recorded = history(project)
    assert [e["edition"] for e in recorded["quotidienne"]] == ["2026-11-29"]
    assert [e["edition"] for e in recorded["hebdo-association"]] == ["2026-W48"]  # both editions recorded
    daily = run("build-issue", "--date", "2026-12-01", "--segment", "quotidienne", "--json", cwd=project)
    assert json.loads(daily.stdout)["edition"] == "2026-11-30"


def test_eight_weekly_builds_send_each_article_once_and_skip_the_empty_week(project, run):
    sent_everywhere = set()
    for week, monday in enumerate(MONDAYS[:-1], start=1):
        if week != 5:  # week 5: nothing written
            add_article(project, f"asso-{week}", monday + dt.timedelta(days=1), "association")
            add_article(project, f"public-{week}", monday + dt.timedelta(days=2), "grand-public, association")
        if week == 3:  # written in week 3, embargoed until the Tuesday of week 4
            add_article(project, "annonce", monday + dt.timedelta(days=3), "association",
                        publish_at=(monday + dt.timedelta(days=8)).isoformat() + "T09:00:00+01:00")
        result = build(run, project, MONDAYS[week])
        if week == 5:
            assert result.code == 4, result.stderr  # nothing new: CI skips its send step
            manifest = json.loads(result.stdout)
            assert manifest["segments"] == {} and manifest["empty_segments"] == WEEKLIES
            assert "hebdo-association: skipped, nothing to send" in result.stderr
            continue
        assert result.code == 0, result.stderr
        manifest = json.loads(result.stdout)
        sent = [a["id"] for a in manifest["segments"]["hebdo-association"]["articles"]]
        assert set(sent) >= {f"asso-{week}", f"public-{week}"}
        sent_everywhere.update(sent)
    segments = history(project)
    association = segments["hebdo-association"]
    assert [e["number"] for e in association] == list(range(1, 8))  # 7 issues, numbered on
    carried = [article for e in association for article in e["articles"]]
    assert len(carried) == len(set(carried)), "an article went out twice"
    assert "annonce" in next(e["articles"] for e in association if e["edition"] == "2026-W44")
    assert "hebdo-entreprise" not in segments  # never had an article
    assert {e["edition"] for e in association} == {f"2026-W{n}" for n in (41, 42, 43, 44, 46, 47, 48)}


def test_rebuilding_a_week_is_idempotent_and_keeps_its_number(project, run):
    for week, monday in enumerate(MONDAYS[:3], start=1):
        add_article(project, f"asso-{week}", monday + dt.timedelta(days=1), "association")
        assert build(run, project, MONDAYS[week]).code == 0
    before, history_before = tree(project / "dist"), (project / "history.json").read_bytes()
    again = build(run, project, MONDAYS[2])  # week 2 again
    assert again.code == 0
    assert json.loads(again.stdout)["segments"]["hebdo-association"]["articles"][0]["id"] == "asso-2"
    after = tree(project / "dist")
    assert json.loads(after.pop("latest.json"))["segments"] == {"hebdo-association": "2026-W42"}  # the latest build
    before.pop("latest.json")
    assert after == before
    assert (project / "history.json").read_bytes() == history_before
    assert "N° 2 · Lundi\u00a019\u00a0octobre\u00a02026" in (project / "dist" / "2026-W42" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")


def test_resend_lets_an_article_go_again(project, run):
    add_article(project, "annonce", MONDAYS[0] + dt.timedelta(days=1), "association",
                publish_at=(MONDAYS[1] + dt.timedelta(days=1)).isoformat() + "T09:00:00+01:00")
    add_article(project, "ouverture", MONDAYS[0] + dt.timedelta(days=2), "association")
    assert build(run, project, MONDAYS[1]).code == 0
    week2 = json.loads(build(run, project, MONDAYS[2]).stdout)
    assert [a["id"] for a in week2["segments"]["hebdo-association"]["articles"]] == ["annonce"]
    result = run("build-issue", "--since", "2026-10-05", "--until", "2026-10-18", "--segment", "hebdo-association", "--json",
                 cwd=project)
    assert result.code == 4 and json.loads(result.stdout)["empty_segments"] == ["hebdo-association"]
    assert "segment hebdo-association: no new article" in result.stderr
    resent = run("build-issue", "--since", "2026-10-05", "--until", "2026-10-18", "--segment", "hebdo-association", "--json",
                 "--resend", cwd=project)
    assert [a["id"] for a in json.loads(resent.stdout)["segments"]["hebdo-association"]["articles"]] == ["ouverture", "annonce"]


def test_the_archive_lists_every_edition_and_its_feed_parses(project, run):
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "output:\n  dir: dist", "output:\n  dir: dist\n  public_url: https://lettres.rameau-alliances.org"), encoding="utf-8")
    for week, monday in enumerate(MONDAYS[:4], start=1):
        add_article(project, f"asso-{week}", monday + dt.timedelta(days=1), "association, grand-public")
        assert build(run, project, MONDAYS[week]).code == 0
    archive = project / "dist" / "public" / "archive"
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert 'href="hebdo-association/2026.html"' in index and 'href="hebdo-grand-public/2026.html"' in index
    assert "https://lettres.rameau-alliances.org/2026-W44/hebdo-association/web.html" in index  # the latest issue
    page = (archive / "hebdo-association" / "2026.html").read_text(encoding="utf-8")
    links = [line for line in page.splitlines() if line.startswith("<li>")]
    assert len(links) == 4 and "https://lettres.rameau-alliances.org/2026-W44/hebdo-association/web.html" in links[0]
    assert "https://lettres.rameau-alliances.org/2026-W41/hebdo-association/web.html" in links[3]
    feed = feedparser.parse((archive / "feed.xml").read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    assert len(feed.entries) == 8 and feed.entries[0].link.startswith("https://lettres.rameau-alliances.org/2026-W44/")
    email = (project / "dist" / "2026-W44" / "hebdo-association" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://lettres.rameau-alliances.org/2026-W44/hebdo-association/web.html"' in email
    message = (project / "dist" / "2026-W44" / "hebdo-association" / "message.eml").read_bytes()
    assert b"\r\nList-Archive: <https://lettres.rameau-alliances.org/archive/index.html>\r\n" in message
    web = (project / "dist" / "public" / "2026-W44" / "hebdo-association" / "web.html").read_text(encoding="utf-8")
    assert "Bonjour à vous," in web and "{{" not in web


def test_json_is_alone_on_stdout_and_logs_are_plain(project, run):
    add_article(project, "asso", MONDAYS[0] + dt.timedelta(days=1), "association")
    result = build(run, project, MONDAYS[1])
    json.loads(result.stdout)
    assert "\x1b[" not in result.stderr and "Edition 2026-W41" in result.stderr
    quiet = build(run, project, MONDAYS[1], "--quiet")
    assert quiet.stderr == ""
