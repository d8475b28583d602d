"""The history kept as an index and a file per segment and year, as projects leave it: an old
history.json, one half migrated, conflicts in a year file, a year file deleted by hand; and the
archive made from it (pages by segment and year, a feed of the latest 50)."""

import datetime as dt
import json
import os

import pytest

from rameau_cli.project.history_files import load_history

from helpers import checked, recorded

QUOTIDIENNE = ["--segment", "quotidienne"]


def entry(day: dt.date, number: int, **more) -> dict:
    sent = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(7), dt.timezone(dt.timedelta(hours=1)))
    return {"edition": day.isoformat(), "number": number, "date": sent.isoformat(), "subject": f"Le {day}",
            "preheader": "P", "articles": [f"article-{number}"], **more}


def days(first: dt.date, count: int, number: int = 1) -> list[dict]:
    return [entry(first + dt.timedelta(days=i), number + i) for i in range(count)]


def old_history(project, entries, **top):
    """history.json as rameau wrote it before history/ (the first format)."""
    (project / "history.json").write_text(json.dumps({"format": 1, **top, "segments": {"quotidienne": entries}},
                                                     indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def daily(example):
    """The example without its edition file: each build is a calendar edition."""
    for path in (example / "issues").glob("*.md"):
        path.unlink()
    return example


def build_day(run, project, day: str, *more):
    return run("build-issue", "--date", day, *QUOTIDIENNE, *more, cwd=project)


def test_an_old_history_json_works_and_the_next_build_writes_it_by_year(daily, run):
    old_history(daily, days(dt.date(2025, 12, 30), 3) + [entry(dt.date(2026, 11, 20), 4, campaign={"id": 7})],
                push={"tool": "listmonk"})
    result = build_day(run, daily, "2026-11-26")
    assert result.code == 0, result.stderr
    assert "quotidienne: issue 5," in result.stderr  # numbering goes on from the old file
    index = json.loads((daily / "history.json").read_text(encoding="utf-8"))
    assert index["format"] == 2 and index["push"] == {"tool": "listmonk"}
    assert index["segments"]["quotidienne"] == {"last_number": 5, "years": [2025, 2026]}
    assert [e["edition"] for e in json.loads((daily / "history/quotidienne/2025.json").read_text())["editions"]] == \
        ["2025-12-30"]  # sent on the 31st
    written = recorded(daily)["quotidienne"]
    assert [e["edition"] for e in written] == ["2025-12-30", "2025-12-31", "2026-01-01", "2026-11-20", "2026-11-25"]
    assert written[3]["campaign"] == {"id": 7}  # keys of later versions kept
    again = build_day(run, daily, "2026-11-27")
    assert "quotidienne: issue 6," in again.stderr


def test_one_edition_per_line_so_a_new_edition_is_one_added_line(daily, run):
    assert build_day(run, daily, "2026-11-26").code == 0
    before = (daily / "history/quotidienne/2026.json").read_text(encoding="utf-8").splitlines()
    assert build_day(run, daily, "2026-11-27").code == 0
    after = (daily / "history/quotidienne/2026.json").read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before) + 1 and '"edition": "2026-11-26"' in after[-3]


def test_a_half_migrated_history_is_read_whole_and_written_by_year(daily, run):
    assert build_day(run, daily, "2026-11-26").code == 0  # history/ and an index
    old_history(daily, [entry(dt.date(2026, 11, 1), 7)])  # a branch still on the first format, merged in
    result = build_day(run, daily, "2026-11-27")
    assert result.code == 0, result.stderr
    assert "history.json: still holds editions in the first format beside history/" in result.stderr
    assert [e["edition"] for e in recorded(daily)["quotidienne"]] == ["2026-11-01", "2026-11-25", "2026-11-26"]
    assert json.loads((daily / "history.json").read_text())["format"] == 2


def conflicted(ours: list[str], theirs: list[str], common: list[str]) -> str:
    """A year file as Git leaves it when two jobs each appended editions after `common`."""
    def side(added: list[str]) -> list[str]:
        lines = [common[-1], *added]
        return [f"    {line}{',' if i < len(lines) - 1 else ''}\n" for i, line in enumerate(lines)]

    head = ['{\n', '  "format": 2,\n', '  "editions": [\n', *(f"    {line},\n" for line in common[:-1])]
    return "".join(head + ["<<<<<<< HEAD\n", *side(ours), "=======\n", *side(theirs), ">>>>>>> other\n",
                           "  ]\n", "}\n"])


def test_a_conflict_in_a_year_file_is_merged_and_resolved(daily, run):
    assert build_day(run, daily, "2026-11-24").code == 0  # n° 1: 2026-11-23
    path = daily / "history/quotidienne/2026.json"
    first = json.loads(path.read_text())["editions"][0]
    ours, theirs = entry(dt.date(2026, 11, 24), 2), entry(dt.date(2026, 11, 25), 3)
    path.write_text(conflicted([json.dumps(ours)], [json.dumps(theirs)], [json.dumps(first)]), encoding="utf-8")
    assert load_history(daily / "history.json").merged
    result = run("history", "resolve", cwd=daily)
    assert result.code == 0 and "3 edition(s) of 1 segment(s) kept" in result.stderr, result.stderr
    assert "<<<<<<<" not in path.read_text()
    assert [e["edition"] for e in recorded(daily)["quotidienne"]] == ["2026-11-23", "2026-11-24", "2026-11-25"]


def test_a_build_over_a_conflicted_year_file_warns_and_names_it(daily, run):
    assert build_day(run, daily, "2026-11-24").code == 0
    path = daily / "history/quotidienne/2026.json"
    first = json.loads(path.read_text())["editions"][0]
    clash = entry(dt.date(2026, 11, 24), 1)  # the same number as the common edition
    path.write_text(conflicted([], [json.dumps(clash)], [json.dumps(first)]), encoding="utf-8")
    result = build_day(run, daily, "2026-11-27")
    assert result.code == 1
    assert "history/quotidienne/2026.json: issue 1 is both 2026-11-23" in result.stderr
    assert "renumber one by hand" in result.stderr and "Traceback" not in result.stderr


def test_a_year_file_deleted_by_hand_is_an_error_that_names_it(daily, run):
    old_history(daily, days(dt.date(2025, 6, 1), 3) + [entry(dt.date(2026, 11, 20), 4)])
    assert build_day(run, daily, "2026-11-26").code == 0
    (daily / "history/quotidienne/2025.json").unlink()
    before = sorted(p.name for p in (daily / "dist").iterdir())
    result = build_day(run, daily, "2026-11-27")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "history/quotidienne/2025.json: is missing, but history.json lists it; restore it from version control" \
        in result.stderr
    assert sorted(p.name for p in (daily / "dist").iterdir()) == before  # nothing written


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(format=3), "history/quotidienne/2026.json: format: history of format 3 was written by a "
                                   "newer rameau"),
    (lambda d: d["editions"][0].update(number="un"), "history/quotidienne/2026.json: editions[0].number: expected a "
                                                     "whole number, got 'un'"),
])
def test_a_damaged_year_file_is_named_key_by_key(daily, run, damage, message):
    assert build_day(run, daily, "2026-11-24").code == 0
    path = daily / "history/quotidienne/2026.json"
    data = json.loads(path.read_text())
    damage(data)
    path.write_text(json.dumps(data))
    result = build_day(run, daily, "2026-11-25")
    assert result.code == 1 and message in result.stderr, result.stderr


def test_unknown_keys_of_a_year_file_and_of_the_index_are_kept(daily, run):
    assert build_day(run, daily, "2026-11-24").code == 0
    path, index = daily / "history/quotidienne/2026.json", daily / "history.json"
    path.write_text(checked(path.read_text()).replace('"format": 2,', '"format": 2,\n  "note": "relu",'))
    index.write_text(checked(index.read_text()).replace('"format": 2,', '"format": 2,\n  "owner": "comms",'))
    assert build_day(run, daily, "2026-11-25").code == 0
    assert json.loads(path.read_text())["note"] == "relu" and json.loads(index.read_text())["owner"] == "comms"


def test_a_year_file_read_only_to_add_an_edition_keeps_its_unknown_keys(daily, run):
    """A history read from 2027 on, given an edition of 2026: the 2026 file is read to be
    written whole again, its editions and its own keys with it."""
    from rameau_cli.project.history import SentEdition, record
    from rameau_cli.project.history_files import history_changes

    assert build_day(run, daily, "2026-11-24").code == 0
    path = daily / "history/quotidienne/2026.json"
    path.write_text(checked(path.read_text()).replace('"format": 2,', '"format": 2,\n  "note": "relu",'))
    history = load_history(daily / "history.json", {"quotidienne": 2027})
    assert history.get("quotidienne") == ()
    added = SentEdition("2026-11-25", 2, "2026-11-26T07:00:00+01:00", "S", "P", ("a",))
    written = json.loads(history_changes(record(history, "quotidienne", added))[path])
    assert written["note"] == "relu" and [e["edition"] for e in written["editions"]] == ["2026-11-23", "2026-11-25"]


def test_the_archive_has_a_page_per_segment_and_year_and_a_feed_of_the_latest_50(daily, run):
    old_history(daily, days(dt.date(2024, 11, 1), 740))  # two years of a daily, to 2026-11-10
    assert build_day(run, daily, "2026-11-26").code == 0
    archive = daily / "dist" / "public" / "archive"
    assert sorted(p.name for p in (archive / "quotidienne").iterdir()) == ["2024.html", "2025.html", "2026.html"]
    page = (archive / "quotidienne" / "2025.html").read_text(encoding="utf-8")
    assert page.count("<li>") == 365 and 'href="../../2025-12-30/quotidienne/web.html"' in page
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert 'href="quotidienne/2025.html">2025</a> <small>(365 numéros)</small>' in index
    assert 'href="../2026-11-25/quotidienne/web.html"' in index  # the latest issue
    import feedparser

    feed = feedparser.parse((archive / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 50
    assert feed.entries[0].id == "urn:rameau:quotidienne:2026-11-25"
    assert feed.entries[-1].id == "urn:rameau:quotidienne:2026-09-23"


def test_a_page_whose_content_is_the_same_is_not_written_again(daily, run):
    old_history(daily, days(dt.date(2025, 6, 1), 30))
    assert build_day(run, daily, "2026-11-25").code == 0
    archive = daily / "dist" / "public" / "archive" / "quotidienne"
    for page in archive.iterdir():
        os.utime(page, (1_000_000_000, 1_000_000_000))
    assert build_day(run, daily, "2026-11-26").code == 0
    assert (archive / "2025.html").stat().st_mtime == 1_000_000_000  # 2025 is as it was
    assert (archive / "2026.html").stat().st_mtime != 1_000_000_000  # 2026 has one issue more
    assert (archive / "2026.html").read_text(encoding="utf-8").count("<li>") == 2


def test_a_conflict_between_an_index_and_a_first_format_history_keeps_both(daily, run):
    """One branch built (history.json became an index, history/ appeared), the other still
    wrote the first format: Git leaves both in history.json."""
    assert build_day(run, daily, "2026-11-26").code == 0
    index = (daily / "history.json").read_text(encoding="utf-8")
    first = json.dumps({"format": 1, "segments": {"quotidienne": [entry(dt.date(2026, 11, 1), 9)]}}, indent=2) + "\n"
    (daily / "history.json").write_text(f"<<<<<<< HEAD\n{index}=======\n{first}>>>>>>> other\n", encoding="utf-8")
    result = build_day(run, daily, "2026-11-27")
    assert result.code == 0, result.stderr
    assert "history.json: had Git conflict markers" in result.stderr
    assert [e["edition"] for e in recorded(daily)["quotidienne"]] == ["2026-11-01", "2026-11-25", "2026-11-26"]
    assert "<<<<<<<" not in (daily / "history.json").read_text(encoding="utf-8")


def test_a_build_of_one_segment_keeps_the_others_in_the_archive(daily, run):
    old_history(daily, days(dt.date(2026, 10, 1), 3))
    index = json.loads((daily / "history.json").read_text())
    index["segments"]["hebdo-association"] = [{**entry(dt.date(2026, 10, 5), 7), "edition": "2026-W40"}]
    (daily / "history.json").write_text(json.dumps(index))
    assert build_day(run, daily, "2026-11-26").code == 0
    archive = daily / "dist" / "public" / "archive"
    assert (archive / "hebdo-association" / "2026.html").is_file()
    assert "2026-W40" in (archive / "feed.xml").read_text(encoding="utf-8")
    assert [e["edition"] for e in recorded(daily)["hebdo-association"]] == ["2026-W40"]
