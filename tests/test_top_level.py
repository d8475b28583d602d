"""The repository's top level as the design card draws it, and projects that keep their issue
files in `editions/` (the folder's earlier name)."""

from __future__ import annotations

import shutil

from conftest import copy_example, invoke
from helpers import REPO, tree


def test_the_top_level_is_the_package_the_theme_the_issue_files_and_the_tests():
    top = {path.name for path in REPO.iterdir() if not path.name.startswith(".")}
    assert {"rameau_cli", "templates", "issues", "tests", "pyproject.toml"} <= top
    assert "editions" not in top and "bench" not in top and "examples" not in top
    assert (REPO / "templates" / "email.mjml").is_file() and not (REPO / "rameau_cli" / "templates").exists()
    assert sorted(p.name for p in (REPO / "issues").glob("*.md")) == ["2026-W48.md"]


def test_init_makes_an_issues_folder(tmp_path):
    result = invoke("init", str(tmp_path / "letter"), "--language", "en", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert [p.name for p in (tmp_path / "letter" / "issues").glob("*.md")] == ["2026-W48.md"]
    assert not (tmp_path / "letter" / "editions").exists()


def test_a_project_with_editions_builds_the_same_edition_and_is_told_it_can_rename_it(tmp_path, built_example):
    project = copy_example(tmp_path / "project")
    shutil.move(project / "issues", project / "editions")
    result = invoke("build-issue", cwd=project)
    assert result.code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "editions/" in line]
    assert notes == ["note: editions/ is read as before; it can be renamed issues/, the folder's name now"]
    assert tree(project / "dist") == tree(built_example / "dist")


def test_a_project_with_issues_is_not_told_anything_about_editions(tmp_path):
    project = copy_example(tmp_path / "project")
    result = invoke("build-issue", cwd=project)
    assert result.code == 0 and "editions/" not in result.stderr
