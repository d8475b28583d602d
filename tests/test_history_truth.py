"""The history is one truth: each edition in one year file, the one its date says, however its
date is edited; year files, duplicates and numbers changed by hand are repaired with a warning
when they mean one thing, and stop the build, naming the file and the fix, when they do not."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rameau_cli.project.history_audit import scan

from helpers import SEGMENTS, checked

EDITION = "2026-W48"


@pytest.fixture
def built(built_example, tmp_path) -> Path:
    """A copy of the example as `rameau build-issue` built it (once for the session), safe to change."""
    return shutil.copytree(built_example, tmp_path / "project", symlinks=True)


def _dated(project: Path, date: str, number: bool = True) -> None:
    """The edition file with another `date:` (and without its own number, when `number` is False)."""
    path = project / "issues" / f"{EDITION}.md"
    text, found = re.subn(r"\ndate: [^\n]+", f"\ndate: {date}", path.read_text(encoding="utf-8"), count=1)
    assert found == 1, "the edition file has no date: line"
    text = checked(text)
    if not number:
        text = text.replace("\nnumber: 48", "", 1)
    path.write_text(text, encoding="utf-8")


def _places(project: Path, edition: str = EDITION, segment: str = "quotidienne") -> list[int]:
    """The years whose file holds `edition`, once per copy."""
    found = []
    for path in sorted((project / "history" / segment).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found += [int(path.stem) for entry in data["editions"] if entry["edition"] == edition]
    return found


def _archive_years(project: Path, segment: str = "quotidienne") -> list[int]:
    """The years whose archive page links to the edition; the archive's index lists those years only."""
    archive = project / "dist" / "public" / "archive"
    linking = sorted(int(page.stem) for page in (archive / segment).glob("*.html")
                     if EDITION in page.read_text(encoding="utf-8"))
    index = (archive / "index.html").read_text(encoding="utf-8")
    assert sorted({int(year) for year in re.findall(rf'href="{segment}/(\d{{4}})\.html"', index)}) == linking
    return linking


def _build(run, project: Path, *args: str, code: int = 0):
    result = run("build-issue", *args, cwd=project)
    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("moves", [
    ["2027-01-02T09:00:00+01:00", "2026-12-31T18:00:00+01:00"],  # across the new year and back
    ["2027-02-15T08:00:00+01:00"],  # a month and a half later: the year left is not one the build needs to read
    ["2028-06-01T08:00:00+02:00", "2026-11-30T08:00:00+01:00"],  # a typo and its fix: two years apart
])
def test_an_edition_whose_date_moves_is_recorded_once(built, run, moves):
    assert _places(built) == [2026]
    for date in moves:
        _dated(built, date)
        _build(run, built, EDITION)  # named: an edition file dated ahead is built as asked
        year = int(date[:4])
        for segment in SEGMENTS:
            assert _places(built, segment=segment) == [year], (date, segment)
            assert _archive_years(built, segment) == [year], (date, segment)
        index = json.loads((built / "history.json").read_text(encoding="utf-8"))
        assert index["segments"]["quotidienne"]["last_number"] == 48


def test_an_edition_moved_out_of_a_year_with_others_leaves_them(built, run):
    year_file = built / "history" / "quotidienne" / "2026.json"
    data = json.loads(year_file.read_text(encoding="utf-8"))
    other = dict(data["editions"][0], edition="2026-W40", number=40, date="2026-10-02T08:00:00+02:00",
                 articles=["un-autre-article"])
    data["editions"].insert(0, other)
    year_file.write_text(json.dumps(data), encoding="utf-8")
    _dated(built, "2027-01-05T08:00:00+01:00")
    _build(run, built, EDITION)
    kept = json.loads(year_file.read_text(encoding="utf-8"))["editions"]
    assert [entry["edition"] for entry in kept] == ["2026-W40"]
    assert _places(built) == [2027]


def _index(project: Path) -> dict:
    return json.loads((project / "history.json").read_text(encoding="utf-8"))


def _year_file(project: Path, segment: str, year: int, editions: list[tuple[str, int, str]]) -> Path:
    path = project / "history" / segment / f"{year}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [{"edition": edition, "number": number, "date": date, "subject": "s", "preheader": "p",
                "articles": ["x"]} for edition, number, date in editions]
    path.write_text(json.dumps({"format": 2, "editions": records}, indent=1), encoding="utf-8")
    return path


def test_a_year_file_the_index_does_not_list_stops_the_build_when_it_would_renumber(example, run):
    _dated(example, "2026-11-30T08:00:00+01:00", number=False)
    _build(run, example)
    before = {p: p.read_bytes() for p in (example / "history").rglob("*.json")}
    _year_file(example, "hebdo-association", 2019, [("2019-W10", 900, "2019-03-08T08:00:00+01:00")])
    result = _build(run, example, code=1)
    assert ("history/hebdo-association/2019.json: is not listed in history.json, and holds issue 900, above the "
            "segment's last number 1") in result.stderr
    assert "delete it if it is not this history's" in result.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_a_year_file_the_index_forgot_is_listed_again(example, run):
    _dated(example, "2026-11-30T08:00:00+01:00", number=False)
    index = {"format": 2, "segments": {"quotidienne": {"last_number": 7, "years": [2026]}}}
    _year_file(example, "quotidienne", 2026, [("2026-W46", 7, "2026-11-16T08:00:00+01:00")])
    _year_file(example, "quotidienne", 2025, [("2025-W50", 5, "2025-12-08T08:00:00+01:00"),
                                              ("2025-W51", 6, "2025-12-15T08:00:00+01:00")])
    (example / "history.json").write_text(json.dumps(index), encoding="utf-8")
    result = _build(run, example)
    assert "history/quotidienne/2025.json: is not listed in history.json" in result.stderr
    assert _index(example)["segments"]["quotidienne"] == {"last_number": 8, "years": [2025, 2026]}


def test_a_last_number_lowered_by_hand_is_raised_to_the_highest_used(example, run):
    _dated(example, "2026-11-30T08:00:00+01:00", number=False)
    _year_file(example, "quotidienne", 2024, [("2024-W50", 120, "2024-12-09T08:00:00+01:00")])  # a year no build reads
    _year_file(example, "quotidienne", 2026, [("2026-W46", 12, "2026-11-16T08:00:00+01:00")])
    index = {"format": 2, "segments": {"quotidienne": {"last_number": 3, "years": [2024, 2026]}}}
    (example / "history.json").write_text(json.dumps(index), encoding="utf-8")
    result = _build(run, example, "--segment", "quotidienne")
    assert "history.json: segments.quotidienne.last_number: is 3, below issue 120" in result.stderr
    entry = json.loads((example / "history" / "quotidienne" / "2026.json").read_text(encoding="utf-8"))["editions"][-1]
    assert (entry["edition"], entry["number"]) == (EDITION, 121)
    assert _index(example)["segments"]["quotidienne"]["last_number"] == 121


def test_the_same_issue_in_two_year_files_is_kept_once(example, run):
    _dated(example, "2026-11-30T08:00:00+01:00", number=False)
    twice = [("2025-W52", 9, "2025-12-22T08:00:00+01:00")]
    _year_file(example, "quotidienne", 2025, twice)
    _year_file(example, "quotidienne", 2026, twice + [("2026-W46", 10, "2026-11-16T08:00:00+01:00")])
    index = {"format": 2, "segments": {"quotidienne": {"last_number": 10, "years": [2025, 2026]}}}
    (example / "history.json").write_text(json.dumps(index), encoding="utf-8")
    result = _build(run, example, "--segment", "quotidienne")
    assert "hold edition 2025-W52 2 times, the same issue: it is kept once, in history/quotidienne/2025.json" \
        in result.stderr
    assert _places(example, "2025-W52") == [2025]
    assert _places(example) == [2026]


def test_two_different_issues_under_one_edition_stop_the_build(example, run):
    _dated(example, "2026-11-30T08:00:00+01:00", number=False)
    _year_file(example, "quotidienne", 2025, [("2025-W52", 9, "2025-12-22T08:00:00+01:00")])
    _year_file(example, "quotidienne", 2026, [("2025-W52", 9, "2026-01-02T08:00:00+01:00")])
    index = {"format": 2, "segments": {"quotidienne": {"last_number": 9, "years": [2025, 2026]}}}
    (example / "history.json").write_text(json.dumps(index), encoding="utf-8")
    result = _build(run, example, "--segment", "quotidienne", code=1)
    assert ("history/quotidienne/2025.json and history/quotidienne/2026.json: hold edition 2025-W52 as different "
            "issues (issue 9 of 2025-12-22 in history/quotidienne/2025.json / issue 9 of 2026-01-02 in "
            "history/quotidienne/2026.json); keep the right one and delete the others") in result.stderr
    assert not (example / "dist" / EDITION).exists()


@pytest.mark.parametrize("date", ["2029-11-30T08:00:00+01:00", "2126-11-30T08:00:00+01:00"])
def test_an_edition_dated_years_ahead_is_built_only_when_named(example, run, date):
    _dated(example, date)
    result = _build(run, example, code=1)
    assert f"issues/{EDITION}.md: date: is {date[:10]}" in result.stderr
    assert f"name the edition to build it now (rameau build-issue {EDITION})" in result.stderr
    assert not (example / "history").exists()
    _build(run, example, EDITION)
    assert _places(example) == [int(date[:4])]


def test_the_editions_of_a_year_not_read_are_found_however_the_file_is_spaced():
    records = [{"edition": f"2024-W{week:02d}", "number": 300 + week, "date": "2024-03-01T08:00:00+01:00",
                "subject": 'Le "number": 99999 et {first_name}', "preheader": "", "articles": ["a"]}
               for week in range(1, 53)]
    written = ('{\n  "format": 2,\n  "editions": [\n' + ",\n".join("    " + json.dumps(r, ensure_ascii=False)
                                                                     for r in records) + "\n  ]\n}\n").encode()
    expected = (frozenset(r["edition"] for r in records), 352)
    assert scan(written) == expected
    assert scan(json.dumps({"format": 2, "editions": records}, separators=(",", ":")).encode()) == expected
    assert scan(json.dumps({"editions": records[::-1], "format": 2}, indent=4).encode()) == expected
