"""Nothing dropped, misrouted or replaced without a loud signal: rebuilds that keep what they
do not replace, the newest edition by period, stale builds, skipped articles, odd files, dates."""

import datetime as dt
import json
import os
import shutil
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import rameau_cli.sources.feeds as feeds

from helpers import FEEDS, SEGMENTS, checked, posix_only, tree


@pytest.fixture
def built(built_example, tmp_path) -> Path:
    """A copy of the example as `rameau build-issue` built it (once for the session), safe to change."""
    return shutil.copytree(built_example, tmp_path / "project", symlinks=True)


def manifest(project: Path, edition: str = "2026-W48") -> dict:
    return json.loads((project / "dist" / edition / "manifest.json").read_text(encoding="utf-8"))


def test_a_rebuild_with_nothing_to_send_leaves_the_built_edition_alone(built, run):
    before = tree(built / "dist")
    for path in (built / "articles").glob("*.md"):
        path.unlink()
    (built / "articles" / "vieux.md").write_text("---\ntitle: Vieux\ndate: 2020-01-01\n---\n", encoding="utf-8")
    result = run("build-issue", cwd=built)
    assert result.code == 4
    assert tree(built / "dist") == before


def test_a_calendar_build_of_one_cadence_keeps_the_other_segments(built, run):
    quotidienne = tree(built / "dist" / "2026-W48" / "quotidienne")
    result = run("build-issue", "--date", "2026-11-30", cwd=built)
    assert result.code == 0, result.stderr
    assert tree(built / "dist" / "2026-W48" / "quotidienne") == quotidienne
    assert list(manifest(built)["segments"]) == SEGMENTS


def test_a_truncated_manifest_loses_no_segment(built, run):
    others = {s: tree(built / "dist" / "2026-W48" / s) for s in SEGMENTS[1:]}
    path = built / "dist" / "2026-W48" / "manifest.json"
    path.write_bytes(path.read_bytes()[:200])
    result = run("build-issue", "--segment", "quotidienne", cwd=built)
    assert result.code == 0
    assert "manifest.json: cannot be read; the segments already built are kept" in result.stderr
    for segment, files in others.items():
        assert tree(built / "dist" / "2026-W48" / segment) == files
    rebuilt = manifest(built)["segments"]
    assert list(rebuilt) == SEGMENTS
    assert rebuilt["hebdo-association"]["subject"] == "Alliances\u00a0: ce qui a bougé cette semaine"  # from its message


def test_the_newest_edition_is_the_latest_period_not_the_last_name(example, run):
    (example / "issues" / "2026-W9.md").write_text("---\nsubject: Semaine 9\n---\n", encoding="utf-8")
    result = run("build-issue", "--json", cwd=example)
    assert json.loads(result.stdout)["edition"] == "2026-W48"
    (example / "issues" / "2026-12-01.md").write_text("---\nsubject: Le 1er\n---\n", encoding="utf-8")
    assert json.loads(run("build-issue", "--json", cwd=example).stdout)["edition"] == "2026-12-01"


def test_the_manifest_gives_each_segments_issue_number(example, run):
    for path in (example / "issues").glob("*.md"):
        path.unlink()
    first = json.loads(run("build-issue", "--date", "2026-11-27", "--json", cwd=example).stdout)
    numbers = {m["edition"]: {s: e["number"] for s, e in m["segments"].items()} for m in first}
    assert numbers["2026-11-26"] == {"quotidienne": 1}
    assert set(numbers["2026-W47"].values()) == {1}
    second = json.loads(run("build-issue", "--date", "2026-11-25", "--segment", "quotidienne", "--json", cwd=example).stdout)
    assert second["segments"]["quotidienne"]["number"] == 2


def edit_title(project: Path) -> None:
    path = project / "articles" / "kit-accueil-benevoles.md"
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("notre kit gratuit", "notre kit revu"), encoding="utf-8")


def test_check_refuses_a_build_whose_sources_changed(built, run):
    assert run("check", cwd=built).code == 0
    edit_title(built)
    result = run("check", "--json", cwd=built)
    assert result.code == 1
    stale = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "build-stale"]
    assert {f["segment"] for f in stale} == {"quotidienne", "hebdo-association"}  # those that carry the article
    assert all("run rameau build-issue again, or pass --force" in f["message"] for f in stale)
    assert run("check", "--force", cwd=built).code == 0
    assert run("build-issue", cwd=built).code == 0
    assert run("check", cwd=built).code == 0


def test_check_and_articles_name_every_skipped_article(example, run):
    (example / "articles" / "casse.md").write_text("---\ntitle: Cassé\ndate: demain\n---\n", encoding="utf-8")
    built = run("build-issue", cwd=example)
    assert built.code == 0
    assert built.stderr.rstrip().endswith("casse.md: date: 'demain' is not a date; write it as 2026-11-24 or "
                                          "2026-11-24T09:30:00+01:00")
    assert "1 article(s) skipped, in no email:" in built.stderr
    checked = run("check", "--json", cwd=example)
    assert checked.code == 1
    (skipped,) = [f for f in json.loads(checked.stdout)["findings"] if f["rule"] == "article-skipped"]
    assert "casse.md: date: 'demain' is not a date" in skipped["message"] and skipped["level"] == "error"
    listed = run("articles", cwd=example)
    assert "1 article(s) skipped, in no email:" in listed.stdout and "casse.md" in listed.stdout


def test_an_empty_segment_says_when_articles_were_skipped(example, run):
    for path in (example / "articles").glob("*.md"):
        path.unlink()
    (example / "articles" / "casse.md").write_text("---\ntitle: Cassé\ndate: 2026-11-24\nfeatured: oui\n---\n")
    (example / "articles" / "vieux.md").write_text("---\ntitle: Vieux\ndate: 2020-01-01\n---\n", encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 4
    assert "no article in this edition's window that could be read (1 article(s) skipped, listed at the end)" \
        in result.stderr


@posix_only("os.mkfifo")
def test_odd_files_in_an_article_folder_are_named_and_nothing_blocks(example, run):
    articles = example / "articles"
    (articles / "dossier.md").mkdir()
    (articles / "lien-mort.md").symlink_to(example / "nulle-part.md")
    (articles / "boucle.md").symlink_to(articles / "boucle.md")
    os.mkfifo(articles / "tube.md")
    result = run("build-issue", cwd=example)  # would block forever on the FIFO if it opened it
    assert result.code == 0
    for name, why in (("dossier.md", "is a folder, not an article file"), ("lien-mort.md", "a link to nothing"),
                      ("boucle.md", "a link loop"), ("tube.md", "is not a regular file (a pipe or a device)")):
        assert f"warning: articles/{name}: " in result.stderr and why in result.stderr, name


@posix_only("os.mkfifo")  # and /dev/fd
def test_a_fifo_and_a_process_substitution_as_feeds(example, run):
    """`--source <(cat feed.xml)`: a pipe that is written to; a FIFO nobody writes to gives up."""
    reading, writing = os.pipe()
    feed = (FEEDS / "atom.xml").read_bytes()

    def write():
        with os.fdopen(writing, "wb") as handle:
            handle.write(feed)

    threading.Thread(target=write).start()
    result = run("build-issue", "--source", f"/dev/fd/{reading}", "--since", "2000-01-01", "--until", "2100-01-01",
                 "--segment", "quotidienne", "--out", "out", "--json", cwd=example)
    os.close(reading)
    assert result.code == 0, result.stderr
    assert [a["title"] for a in json.loads(result.stdout)["segments"]["quotidienne"]["articles"]] == ["Appel à projets"]
    os.mkfifo(example / "silence.xml")

    feeds.FIFO_WAIT, wait = 0.5, feeds.FIFO_WAIT
    try:
        silent = run("build-issue", "--source", str(example / "silence.xml"), "--out", "out2", cwd=example)
    finally:
        feeds.FIFO_WAIT = wait
    assert silent.code == 1 and "is a pipe with nothing written to it for 0.5 s" in silent.stderr


@pytest.mark.parametrize("args, message", [
    (("--date", "0001-01-01"), "--date: 0001-01-01 is out of range"),
    (("--week", "9999-W52"), "--week: "),
    (("--since", "0001-01-01", "--until", "0001-01-02"), "--since: 0001-01-01 is out of range"),
    (("--date", "2026-02-30"), "--date: '2026-02-30' is not a date"),
])
def test_out_of_range_dates_are_usage_errors(example, run, args, message):
    result = run("build-issue", *args, cwd=example)
    assert result.code == 2 and message in result.stderr


def test_today_is_today_in_the_newsletters_time_zone(example, run):
    for path in (example / "issues").glob("*.md"):
        path.unlink()
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("Europe/Paris", "Pacific/Kiritimati"), encoding="utf-8")
    today = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()  # UTC+14: another day than UTC half the time
    result = run("articles", "--date", "today", "--segment", "quotidienne", cwd=example)
    assert f"Edition {(today - dt.timedelta(days=1)).isoformat()}: articles" in result.stdout


@pytest.mark.parametrize("where, template, message", [
    ("config", "{{ 1/0 }}", "rameau.yaml: segments.quotidienne.subject: template error: ZeroDivisionError"),
    ("config", "{{ edition.number + articles }}", "rameau.yaml: segments.quotidienne.subject: template error"),
    ("edition", "{{ 1/0 }}", "issues/2026-W48.md: subject: template error: ZeroDivisionError"),
    ("edition", "{% if %}", "issues/2026-W48.md: subject: template error"),
])
def test_a_failing_subject_template_names_its_file(example, run, where, template, message):
    if where == "config":
        config = example / "rameau.yaml"
        config.write_text(checked(config.read_text(encoding="utf-8")).replace(
            'subject: "La quotidienne – {{ edition.date_short }}"', f'subject: "{template}"'), encoding="utf-8")
        edition = example / "issues" / "2026-W48.md"
        edition.write_text(checked(edition.read_text(encoding="utf-8")).replace(
            'subject: "Alliances : ce qui a bougé cette semaine"\n', ""), encoding="utf-8")
    else:
        edition = example / "issues" / "2026-W48.md"
        edition.write_text(checked(edition.read_text(encoding="utf-8")).replace(
            'subject: "Alliances : ce qui a bougé cette semaine"', f'subject: "{template}"'), encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code in (1, 2) and "Traceback" not in result.stderr
    assert message in result.stderr


def test_a_pinned_article_that_is_not_found_gets_a_suggestion(example, run):
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text(encoding="utf-8")).replace(
        "pinned: [journee-alliances-citoyennes-5-decembre]", "pinned: [journee-alliances-citoyennes-5-decembr]"))
    result = run("build-issue", cwd=example)
    assert "pinned article 'journee-alliances-citoyennes-5-decembr' not found; did you mean " \
           "'journee-alliances-citoyennes-5-decembre'?" in result.stderr


def test_a_template_cache_that_cannot_be_written_is_no_error(example, run, tmp_path):
    (example / ".rameau-cache").mkdir()
    (example / ".rameau-cache" / "jinja").write_text("a file where the folder goes")
    result = run("build-issue", "--out", str(tmp_path / "out"), cwd=example)
    assert result.code == 0, result.stderr


def test_a_cache_folder_that_is_a_file_costs_speed_and_one_warning(example, run, tmp_path):
    (example / ".rameau-cache").write_text("oops")
    result = run("build-issue", "--out", str(tmp_path / "a"), cwd=example)
    assert result.code == 0
    assert result.stderr.count("the cache cannot be written") == 1
    strict = run("build-issue", "--strict", "--out", str(tmp_path / "b"), cwd=example)
    assert strict.code == 0 and "the cache cannot be written" in strict.stderr  # speed only, even under --strict
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
