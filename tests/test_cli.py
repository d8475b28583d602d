"""The `rameau` command as a user runs it: exit codes, messages, files."""

import json
import re
from pathlib import Path

import pytest

from helpers import checked, in_a_terminal, on_screen, run_process

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
SEGMENTS = ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_issue_with_no_arguments_builds_the_newest_edition(example, run):
    result = run("build-issue", cwd=example)
    assert result.code == 0, result.stderr
    edition = example / "dist" / "2026-W48"
    for segment in SEGMENTS:
        assert (edition / segment / "index.html").stat().st_size > 5000
        assert (edition / segment / "index.txt").stat().st_size > 500
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == "2026-W48"
    assert manifest["window"] == {"since": "2026-11-23", "until": "2026-11-29"}
    assert list(manifest["segments"]) == SEGMENTS
    entry = manifest["segments"]["hebdo-association"]
    assert entry["title"] == "L'hebdo association"
    assert entry["articles"][0] == {"id": "kit-accueil-benevoles", "title": entry["articles"][0]["title"],
                                    "url": "https://www.rameau-alliances.org/articles/kit-accueil-benevoles/"}
    html = (edition / "hebdo-association" / "index.html").read_bytes()
    assert entry["files"]["index.html"]["bytes"] == len(html)
    assert "Edition 2026-W48: 4 segment(s) built" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_builds_are_byte_identical(example, run, tmp_path):
    assert run("build-issue", "--out", str(tmp_path / "a"), cwd=example).code == 0
    assert run("build-issue", "--out", str(tmp_path / "b"), cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_json_prints_the_manifest_only_on_stdout(example, run):
    result = run("build-issue", "--json", cwd=example)
    assert json.loads(result.stdout) == json.loads((example / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))


def test_one_segment_only_keeps_the_others(example, run):
    assert run("build-issue", cwd=example).code == 0
    before = tree(example / "dist")
    (example / "articles" / "kit-accueil-benevoles.md").write_text(
        checked((example / "articles" / "kit-accueil-benevoles.md").read_text(encoding="utf-8")).replace("notre kit gratuit", "notre kit libre"),
        encoding="utf-8")
    assert run("build-issue", "--segment", "hebdo-association", cwd=example).code == 0
    after = tree(example / "dist")
    assert after["2026-W48/quotidienne/index.html"] == before["2026-W48/quotidienne/index.html"]
    assert b"notre kit libre" in after["2026-W48/hebdo-association/index.html"]
    assert list(json.loads(after["2026-W48/manifest.json"])["segments"]) == SEGMENTS


def test_unknown_segment_is_a_usage_error(example, run):
    result = run("build-issue", "--segment", "hebdo-asso", cwd=example)
    assert result.code == 2
    assert result.stderr.strip() == ("error: --segment: unknown segment 'hebdo-asso'; did you mean 'hebdo-association'? "
                                     "choose from quotidienne, hebdo-entreprise, hebdo-association, hebdo-grand-public")


def test_cadence_picks_segments_without_naming_them(example, run):
    result = run("build-issue", "--date", "2026-11-30", "--cadence", "weekly", "--json", "--no-history", cwd=example)
    assert result.code == 0, result.stderr
    assert list(json.loads(result.stdout)["segments"]) == ["hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
    both = run("check", "--cadence", "daily", "--segment", "quotidienne", "--json", cwd=example)
    assert json.loads(both.stdout)["segments"] == ["quotidienne"]
    for options, message in [
        (["--cadence", "wekly"], "error: --cadence: unknown cadence 'wekly'; did you mean 'weekly'? choose from daily, weekly, "
                                 "monthly"),
        (["--cadence", "monthly"], "error: --cadence: no segment is monthly; the segments: quotidienne (daily), "
                                   "hebdo-entreprise (weekly), hebdo-association (weekly), hebdo-grand-public (weekly)"),
        (["--cadence", "weekly", "--segment", "quotidienne"], "error: --cadence: no segment of those --segment names is "
                                                              "weekly; the segments: quotidienne (daily), "
                                                              "hebdo-entreprise (weekly), hebdo-association (weekly), "
                                                              "hebdo-grand-public (weekly)"),
    ]:
        refused = run("build-issue", *options, cwd=example)
        assert (refused.code, refused.stderr.strip()) == (2, message)
    assert not (example / "dist" / "2026-11-30").exists()


def test_long_work_shows_a_progress_bar_on_a_terminal_only(example, run):
    for index in range(250):  # outside the window: read, in no email
        (example / "articles" / f"ancien-{index:03d}.md").write_text(
            f"---\ntitle: \"Un article de l'an passé, {index}\"\ndate: 2025-06-01\n---\nTexte.\n", encoding="utf-8")
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "  - markdown: articles\n", f"  - markdown: articles\n  - feed: {FEEDS / 'rss2-categories.xml'}\n"), encoding="utf-8")
    # A real terminal; forked (helpers.Child): what is tested is what the build shows there, not its start.
    code, shown = in_a_terminal("build-issue", "--no-history", cwd=example, columns=100, forked=True)
    screen = on_screen(shown)
    assert code == 0, screen
    total = len(list((example / "articles").glob("*.md")))
    assert re.search(rf"Reading articles .*━+ {total}/{total}", screen), screen
    assert re.search(r"Reading feeds .*━+ 1/1", screen)
    assert "Edition 2026-W48: 4 segment(s) built" in screen
    piped = run("build-issue", "--no-history", cwd=example)
    assert piped.code == 0 and "Reading" not in piped.stderr and "━" not in piped.stderr


def test_bad_config_lists_every_problem_without_traceback(example, run):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("max_articles: 8", "max_articles: huit")
                      .replace("cadence: daily", "cadence: hourly"), encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("error: rameau.yaml: segments.") for line in lines)
    assert "Traceback" not in result.stderr
    assert not (example / "dist").exists()


def test_a_broken_article_is_named_and_skipped_and_strict_fails(example, run):
    (example / "articles" / "casse.md").write_text("---\ntitle: Cassé\ndate: demain\n---\n", encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 0
    assert "warning: " + str(Path("articles") / "casse.md") in result.stderr.replace(str(example) + "/", "")
    assert "(article skipped)" in result.stderr
    strict = run("build-issue", "--strict", "--out", "strict-out", cwd=example)
    assert strict.code == 1
    assert "date: 'demain' is not a date" in strict.stderr
    assert not (example / "strict-out").exists()


def test_a_failed_build_leaves_the_previous_issue_intact(example, run):
    assert run("build-issue", cwd=example).code == 0
    before = tree(example / "dist")
    (example / "templates").mkdir()
    (example / "templates" / "card.mjml").write_text("{% for %}", encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 1
    assert re.search(r"templates/card.mjml:1: template syntax error", result.stderr)
    assert tree(example / "dist") == before


def test_window_options(example, run):
    result = run("build-issue", "--since", "2026-11-01", "--until", "2026-11-15", "--json", cwd=example)
    assert result.code == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["edition"] == "2026-11-01_2026-11-15"
    assert [a["id"] for a in manifest["segments"]["hebdo-association"]["articles"]] == ["mutualisation-associations-amiens"]
    week = run("build-issue", "--week", "2026-W47", "--json", cwd=example)
    assert json.loads(week.stdout)["window"] == {"since": "2026-11-16", "until": "2026-11-22"}
    assert run("build-issue", "--week", "2026-W60", cwd=example).code == 2
    assert run("build-issue", "--since", "hier", "--until", "2026-11-01", cwd=example).stderr.startswith("error: --since: 'hier' is not a date")


def test_an_empty_segment_warns_and_writes_no_email(example, run):
    result = run("build-issue", "--since", "2026-11-02", "--until", "2026-11-04", "--json", cwd=example)
    manifest = json.loads(result.stdout)
    assert manifest["empty_segments"] == ["hebdo-association", "hebdo-grand-public"]
    assert "warning: segment hebdo-association: no article" in result.stderr
    assert not (example / "dist" / "2026-11-02_2026-11-04" / "hebdo-association").exists()


def test_source_replaces_the_configured_sources(example, run):
    result = run("build-issue", "--source", str(FEEDS / "rss2-categories.xml"), "--source", str(FEEDS / "atom.xml"),
                 "--since", "2000-01-01", "--until", "2100-01-01", "--json", cwd=example)
    manifest = json.loads(result.stdout)
    titles = [a["title"] for a in manifest["segments"]["quotidienne"]["articles"]]
    assert titles == ["Appel à projets", "Sans lien", "Une seconde entrée", "Une première entrée"]


def test_init_then_build_with_a_feed(tmp_path, run):
    assert run("init", "demo", cwd=tmp_path).code == 0
    assert run("init", "demo", cwd=tmp_path).code == 2  # never over an existing project
    demo = tmp_path / "demo"
    result = run("build-issue", "--source", str(FEEDS / "rss1.rdf"), "--since", "2000-01-01", "--until", "2100-01-01",
                 "--out", "OUT", cwd=demo)
    assert result.code == 0, result.stderr
    text = (demo / "OUT" / "2000-01-01_2100-01-01" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    assert "Entrée RSS 1.0" in text
    assert run("build-issue", cwd=demo).code == 0


@pytest.mark.parametrize("command", [[], ["build-issue"], ["init"], ["preview"], ["articles"], ["check"], ["send"]])
def test_help_shows_an_example(command, run, tmp_path):
    result = run(*command, "--help", cwd=tmp_path)
    assert result.code == 0
    assert "Example: rameau" in result.stdout


def test_version(run, tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.code == 0 and re.fullmatch(r"rameau \d+\.\d+\.\d+\n", result.stdout)


def test_python_m_runs_the_command(tmp_path):
    done = run_process("--version", cwd=tmp_path)  # `python -m rameau_cli` itself is what is tested
    assert done.code == 0 and re.fullmatch(r"rameau \d+\.\d+\.\d+\n", done.stdout)
    help_text = run_process("build-issue", "--help", cwd=tmp_path)
    assert help_text.code == 0 and "Example: rameau build-issue" in help_text.stdout


def test_debug_adds_a_traceback_but_keeps_the_exit_code(example, run):
    plain = run("build-issue", "--segment", "nope", cwd=example)
    debug = run("--debug", "build-issue", "--segment", "nope", cwd=example)
    assert plain.code == debug.code == 2
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
    assert plain.stderr.strip().splitlines()[-1] == debug.stderr.strip().splitlines()[-1]


def test_outside_a_project(run, tmp_path):
    result = run("build-issue", cwd=tmp_path)
    assert result.code == 2
    assert "no rameau.yaml here or in any folder above; run `rameau init`" in result.stderr


def test_a_single_markdown_file_as_source(example, run, tmp_path):
    article = tmp_path / "seul.md"
    article.write_text("---\ntitle: Article seul\ndate: 2026-11-24\n---\nCorps.\n", encoding="utf-8")
    result = run("build-issue", "--source", str(article), "--segment", "quotidienne", "--json", cwd=example)
    assert [a["title"] for a in json.loads(result.stdout)["segments"]["quotidienne"]["articles"]] == ["Article seul"]
