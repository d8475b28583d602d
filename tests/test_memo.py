"""What rameau_cli/memo.py keeps (MJML made HTML, a template's compiled code, an accent's dark
shade, what `check` reads of an email's HTML) changes how fast a process builds again, never what it builds: projects
built one after another in one process, their templates edited in between, write and check
what a process that keeps nothing writes and checks."""

from __future__ import annotations

import json

import pytest

from rameau_cli import memo
from rameau_cli.render.templates import THEME

from helpers import checked, copy_example, tree

DATE = "{{ article.date_long|upper_first }}"


def own_card(project, words: str) -> None:
    """The project's own card.mjml: the theme's, with `words` after each article's date."""
    (project / "templates").mkdir(exist_ok=True)
    card = checked((THEME / "card.mjml").read_text(encoding="utf-8")).replace(DATE, f"{DATE} {words}")
    (project / "templates" / "card.mjml").write_text(card, encoding="utf-8")


def break_html(project) -> None:
    """An HTML5 parse error in one built email, as a hand edit would make it."""
    page = project / "dist" / "2026-W48" / "hebdo-association" / "index.html"
    page.write_text(checked(page.read_text(encoding="utf-8")).replace("<body", "<body><p><b>mal</i></p"),
                    encoding="utf-8")


def findings(run, project, **env) -> list[dict]:
    result = run("check", "--json", cwd=project, env=env)
    assert result.code == 1, result.stderr
    return json.loads(result.stdout)["findings"]


def test_a_process_that_builds_again_writes_and_checks_what_a_plain_one_does(tmp_path, run):
    first, again, plain = (copy_example(tmp_path / name) for name in ("first", "again", "plain"))
    assert run("build-issue", cwd=first).code == 0  # the example: its MJML and the theme's code kept

    # Another project in the same process: the theme's code is given again, the card's is its own.
    own_card(again, "· <em>une</em>")
    before = memo.hits()
    assert run("build-issue", cwd=again).code == 0
    assert memo.hits() > before
    assert "<em>une</em>" in (again / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    # Its card edited (as in a live preview): the same file, another text, compiled anew.
    own_card(again, "· <em>deux</em>")
    assert run("build-issue", cwd=again).code == 0
    break_html(again)
    kept = [findings(run, again) for _ in range(2)]  # the second time, the parse errors are kept

    # The same project built and checked keeping nothing.
    own_card(plain, "· <em>deux</em>")
    hits = memo.hits()
    assert run("build-issue", cwd=plain, env={memo.PLAIN: "1"}).code == 0
    break_html(plain)
    found = findings(run, plain, **{memo.PLAIN: "1"})
    assert memo.hits() == hits, "RAMEAU_PLAIN_MEMO=1 still gave a kept result"

    assert tree(again / "dist" / "2026-W48") == tree(plain / "dist" / "2026-W48")
    assert "<em>une</em>" not in (again / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    assert kept[0] == kept[1] == found
    assert ("hebdo-association", "html-parse") in {(f["segment"], f["rule"]) for f in found}


def test_a_step_keeps_its_last_results_only_and_never_a_failure():
    calls = []

    @memo.kept(2)
    def double(text: str) -> str:
        calls.append(text)
        if text == "bad":
            raise ValueError(text)
        return text * 2

    assert [double("a"), double("b"), double("a")] == ["aa", "bb", "aa"]
    assert calls == ["a", "b"]
    assert double("c") == "cc" and double("a") == "aa"  # "a", the oldest, made way for "c"
    assert calls == ["a", "b", "c", "a"]
    for _ in range(2):
        with pytest.raises(ValueError):
            double("bad")
    assert calls.count("bad") == 2
    assert double.__wrapped__("z") == "zz" and calls[-1] == "z"  # type: ignore[attr-defined]


def test_a_kept_step_given_what_cannot_be_a_key_fails_as_the_plain_step_fails(tmp_path, run):
    """A project template may pass a filter anything: the error it gets names the value's
    fault, as without the memo, not the memo's key."""
    project = copy_example(tmp_path / "project")
    (project / "templates").mkdir()
    email = checked((THEME / "email.mjml").read_text(encoding="utf-8")).replace("<mj-body", "{{ [1]|dark_accent }}<mj-body", 1)
    (project / "templates" / "email.mjml").write_text(email, encoding="utf-8")
    kept, plain = (run("build-issue", cwd=project, env=env) for env in ({}, {memo.PLAIN: "1"}))
    assert kept.code == plain.code == 1
    assert kept.stderr == plain.stderr
    assert "'list' object has no attribute 'lower'" in kept.stderr
