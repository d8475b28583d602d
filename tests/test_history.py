"""history.json as people and CI jobs leave it: wrong shapes, later versions, Git conflicts.
Never a traceback, never the advice to delete it (numbering would restart, everything resend)."""

import json
import subprocess

import pytest

from rameau_cli.errors import ContentError
from rameau_cli.project.history import History, SentEdition, history_text, parse_history
from rameau_cli.project.history_files import load_history

from helpers import recorded

ENTRY = {"edition": "2026-W47", "number": 47, "date": "2026-11-23T08:00:00+01:00", "subject": "S", "preheader": "P",
         "articles": ["a", "b"]}


def history_of(*entries, **top):
    return json.dumps({"format": 1, **top, "segments": {"hebdo": list(entries)}}, indent=2) + "\n"


@pytest.mark.parametrize("text, message", [
    ('{"format": 1, "segments": []}', "history.json: segments: expected a mapping of segment ids"),
    (history_of({**ENTRY, "number": "48"}), "history.json: segments.hebdo[0].number: expected a whole number, got '48'"),
    (history_of({**ENTRY, "date": 20261123}), "segments.hebdo[0].date: expected a date and time such as"),
    (history_of({**ENTRY, "date": "2026-13-45"}), "segments.hebdo[0].date: expected a date and time such as"),
    (history_of({**ENTRY, "articles": "slug"}), "segments.hebdo[0].articles: expected a list of article ids, got 'slug'"),
    (history_of({**ENTRY, "number": float("nan")}).replace("NaN", "NaN"), "NaN is not a number JSON allows"),
    ('{"format": 1, "segments": {"hebdo": ' + "[" * 5000 + "]" * 5000 + "}}", "nested too deeply"),
    ("[1, 2]", "history must be a JSON object"),
    ('{"format": "un", "segments": {}}', "history.json: format: expected a whole number"),
    ('{"format": 99, "segments": {}}', "history of format 99 was written by a newer rameau (this one reads format 2); "
                                       "upgrade rameau"),
    ("{pas du json", "history is not valid JSON"),
])
def test_a_wrong_history_is_named_key_by_key(text, message):
    with pytest.raises(ContentError) as error:
        parse_history(text, "history.json")
    assert message in str(error.value)
    assert "delete" not in str(error.value)


def test_every_wrong_field_is_reported_at_once():
    text = history_of({**ENTRY, "number": "x"}, {**ENTRY, "edition": "2026-W48", "articles": "y"})
    with pytest.raises(ContentError) as error:
        parse_history(text, "history.json")
    assert [p.where for p in error.value.problems] == ["history.json: segments.hebdo[0].number",
                                                       "history.json: segments.hebdo[1].articles"]


def test_keys_of_a_later_version_are_kept_and_a_bom_is_read(tmp_path):
    text = history_of({**ENTRY, "campaign": {"listmonk": 12}}, push={"tool": "listmonk"})
    path = tmp_path / "history.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    history = load_history(path)
    written = json.loads(history_text(history))
    assert written["push"] == {"tool": "listmonk"}
    assert written["segments"]["hebdo"][0]["campaign"] == {"listmonk": 12}


@pytest.mark.parametrize("make", ["folder", "dangling link"])
def test_a_history_that_is_not_a_file_is_an_error_not_an_empty_history(tmp_path, make):
    path = tmp_path / "history.json"
    if make == "folder":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(ContentError, match="history cannot be read .*restore it from version control"):
        load_history(path)


def conflict(ours, theirs, base=None):
    """history.json as Git leaves it when two jobs committed it at once."""
    lines = history_of(*ours).splitlines(keepends=True)
    other = history_of(*theirs).splitlines(keepends=True)
    middle = ["<<<<<<< HEAD\n", *lines, *(["||||||| base\n", *history_of(*base).splitlines(keepends=True)] if base else []),
              "=======\n", *other, ">>>>>>> origin/main\n"]
    return "".join(middle)


def test_conflict_markers_are_resolved_as_the_union_of_both_sides():
    week48 = {**ENTRY, "edition": "2026-W48", "number": 48, "date": "2026-11-30T08:00:00+01:00", "articles": ["c"]}
    week49 = {**ENTRY, "edition": "2026-W49", "number": 49, "date": "2026-12-07T08:00:00+01:00", "articles": ["d"]}
    history = parse_history(conflict([ENTRY, week48], [ENTRY, week49], base=[ENTRY]), "history.json")
    assert history.merged
    assert [e.edition for e in history.get("hebdo")] == ["2026-W47", "2026-W48", "2026-W49"]


@pytest.mark.parametrize("theirs, message", [
    ({**ENTRY, "articles": ["z"]}, "edition 2026-W47 differs between the two sides"),
    ({**ENTRY, "edition": "2026-W48", "date": "2026-11-30T08:00:00+01:00"}, "issue 47 is both 2026-W47"),
])
def test_a_clash_between_the_two_sides_is_shown_not_guessed(theirs, message):
    with pytest.raises(ContentError) as error:
        parse_history(conflict([ENTRY], [theirs]), "history.json")
    assert message in str(error.value) and "by hand" in str(error.value)


def test_a_conflict_whose_side_cannot_be_read_says_so():
    text = conflict([ENTRY], [ENTRY]).replace('"number": 47', '"number": 47,,', 1)
    with pytest.raises(ContentError, match="merge conflict and one side cannot be read"):
        parse_history(text, "history.json")


def test_history_resolve_writes_both_sides(example, run):
    week48 = {**ENTRY, "edition": "2026-W48", "number": 48, "date": "2026-11-30T08:00:00+01:00", "articles": ["c"]}
    (example / "history.json").write_text(conflict([ENTRY], [ENTRY, week48]), encoding="utf-8")
    result = run("history", "resolve", cwd=example)
    assert result.code == 0 and "resolved; 2 edition(s) of 1 segment(s) kept" in result.stderr
    assert [e["edition"] for e in recorded(example)["hebdo"]] == ["2026-W47", "2026-W48"]
    assert "no conflict to resolve" in run("history", "resolve", cwd=example).stderr


def test_a_build_over_a_conflicted_history_warns_and_writes_it_merged(example, run):
    quotidienne = {**ENTRY, "edition": "2026-11-20", "number": 5, "date": "2026-11-21T00:00:00+01:00"}
    (example / "history.json").write_text(
        conflict([], [quotidienne]).replace('"hebdo"', '"quotidienne"'), encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 0
    assert "history.json: had Git conflict markers: the editions of both sides are kept" in result.stderr
    written = recorded(example)["quotidienne"]
    assert [e["edition"] for e in written] == ["2026-11-20", "2026-W48"]


def test_a_bad_history_stops_the_build_before_anything_is_written(example, run):
    (example / "history.json").write_text(history_of({**ENTRY, "date": "hier"}).replace('"hebdo"', '"quotidienne"'))
    result = run("build-issue", cwd=example)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "history.json: segments.quotidienne[0].date: expected a date and time" in result.stderr
    assert not (example / "dist" / "2026-W48").exists()


def test_sent_edition_round_trip():
    entry = SentEdition("2026-W48", 48, "2026-11-30T08:00:00+01:00", "S", "P", ("a",), {"x": 1})
    text = history_text(History({"s": (entry,)}))
    assert parse_history(text, "h").get("s") == (entry,)


def test_a_conflict_left_by_git_itself_is_resolved(tmp_path):
    """Two jobs that each added an edition and committed: `git merge` leaves its markers."""

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=tmp_path,
                       check=True, capture_output=True)

    week48 = {**ENTRY, "edition": "2026-W48", "number": 48, "date": "2026-11-30T08:00:00+01:00", "articles": ["c"]}
    week49 = {**ENTRY, "edition": "2026-W49", "number": 49, "date": "2026-12-07T08:00:00+01:00", "articles": ["d"]}
    path = tmp_path / "history.json"
    git("init", "-q", "-b", "main")
    path.write_text(history_text(parse_history(history_of(ENTRY), "h")))
    git("add", "history.json")
    git("commit", "-qm", "W47")
    git("checkout", "-qb", "other")
    path.write_text(history_text(parse_history(history_of(ENTRY, week49), "h")))
    git("commit", "-qam", "W49")
    git("checkout", "-q", "main")
    path.write_text(history_text(parse_history(history_of(ENTRY, week48), "h")))
    git("commit", "-qam", "W48")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=tmp_path, capture_output=True)
    assert merge.returncode != 0 and "<<<<<<<" in path.read_text()
    history = load_history(path)
    assert [e.edition for e in history.get("hebdo")] == ["2026-W47", "2026-W48", "2026-W49"]
