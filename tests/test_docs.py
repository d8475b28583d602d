"""The README, the manual in docs/ and the CI recipes say what the tool does: every command,
option and exit code they mention exists."""

import re

import pytest
import yaml

from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = REPO / "docs"
PAGES = {path.relative_to(DOCS).as_posix(): path.read_text(encoding="utf-8") for path in sorted(DOCS.rglob("*.md"))}
MANUAL = "\n".join(PAGES.values())
RECIPES = sorted((REPO / "docs" / "ci").glob("*.yml"))


def test_readme_opens_with_the_two_set_up_commands():
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert first_block[0].endswith("pip install . && rameau build-issue")
    assert first_block[1].endswith("pip install -e '.[test]' && ruff check . && mypy && python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert first_block[1] in ci


def test_every_command_is_documented_with_an_example(run, tmp_path):
    listed = run("--help", cwd=tmp_path).stdout
    commands = re.findall(r"^  ([a-z-]+)\s{2,}", listed.split("Commands:")[1], re.M)
    assert sorted(commands) == ["articles", "build-issue", "check", "history", "init", "preview", "push", "send"]
    for command in commands:
        assert f"`rameau {command}" in MANUAL
        assert "Example: rameau" in run(command, "--help", cwd=tmp_path).stdout


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_ci_recipes_are_valid_yaml_and_use_real_options(recipe, run, tmp_path):
    yaml.safe_load(recipe.read_text(encoding="utf-8"))
    for command, arguments in re.findall(r"rameau (build-issue|check|preview|send)([^;\n]*)", recipe.read_text(encoding="utf-8")):
        helptext = run(command, "--help", cwd=tmp_path).stdout
        for option in re.findall(r"(--[a-z-]+)", arguments):
            assert option in helptext, f"{recipe.name}: rameau {command} has no {option}"


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_ci_recipes_name_no_segment_and_pick_the_weeklies_by_cadence(recipe):
    """A recipe copied into another project must work there: its segments are not ours."""
    from rameau_cli.pipeline import load_project

    text = recipe.read_text(encoding="utf-8")
    segments = [segment.id for segment in load_project(REPO).segments]
    assert "--segment" not in text and not [s for s in segments if s in text]
    commands = re.findall(r"rameau (?:build-issue|check|preview) [^;\n]*", text)
    assert len(commands) == 3 and all("--cadence weekly" in command for command in commands)


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_ci_recipes_never_install_rameau_by_its_bare_name(recipe):
    """`rameau` on the package index is another project (hydrology software)."""
    text = recipe.read_text(encoding="utf-8")
    assert not re.search(r"pip install\s+['\"]?rameau(\[[^\]]*\])?['\"]?(\s|$)", text)
    assert re.search(r"RAMEAU_PACKAGE: \"rameau-cli\[screenshots\] @ git\+https://", text)
    assert 'pip install "$RAMEAU_PACKAGE"' in text


def test_the_readme_is_a_start_and_points_into_the_manual():
    assert len(README.encode("utf-8")) <= 15_000
    links = re.findall(r"\]\((docs/[^)#]+)", README)
    assert {"docs/getting-started.md", "docs/your-newsletter.md", "docs/reference/commands.md"} <= set(links)
    assert all((REPO / link).is_file() for link in links), [link for link in links if not (REPO / link).is_file()]


def test_every_page_of_the_manual_is_in_its_navigation():
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    assert sorted(PAGES) == sorted(re.findall(r": ([\w/-]+\.md)$", nav, re.M))


def test_documented_exit_codes_are_the_real_ones():
    from rameau_cli.errors import ExitCode

    table = PAGES["reference/commands.md"].split("## Exit codes", 1)[1]
    for code in ExitCode:
        assert f"| {int(code)} |" in table


def test_the_library_example_of_the_readme_runs(monkeypatch, capsys, built_example):
    code = PAGES["code.md"].split("## Use it as a library", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(built_example)
    exec(compile(code, "docs/code.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4 and all(line.startswith("Alliances") for line in printed)
