from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite tests/golden/ from the current build.")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of the bundled example project, safe to modify."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "rameau.yaml", project / "rameau.yaml")
    shutil.copytree(REPO / "articles", project / "articles")
    shutil.copytree(REPO / "issues", project / "issues")
    return project


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def rameau(*args: str, cwd: Path, env: dict | None = None) -> Run:
    """Run the real command, as a user would, in another process."""
    import os

    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "rameau_cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run():
    return rameau
