"""The benchmark's inputs are real projects and feeds: they build, and the same seed gives the
same files (no timing is asserted anywhere in the tests)."""

import runpy
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tests" / "bench" / "generate.py"


def generate(*args):
    """generate.py run here (its main(), as `python generate.py ARGS` runs it)."""
    assert runpy.run_path(str(SCRIPT))["main"](list(args)) == 0


def generate_in_a_process(*args):
    subprocess.run([sys.executable, str(SCRIPT), *args], check=True, capture_output=True)


def test_generated_project_and_feed_build_strictly(run, tmp_path):
    generate("--articles", "200", "--out", str(tmp_path / "project"))
    generate("--feed", "50", "--out", str(tmp_path / "feed.xml"))
    result = run("build-issue", "--week", "2026-W48", "--segment", "quotidienne", "--strict", cwd=tmp_path / "project")
    assert result.code == 0, result.stderr
    assert (tmp_path / "project" / "dist" / "2026-W48" / "quotidienne" / "message.eml").is_file()
    feed = run("build-issue", "--source", str(tmp_path / "feed.xml"), "--since", "2000-01-01", "--until", "2100-01-01",
               "--segment", "quotidienne", "--strict", "--out", str(tmp_path / "out"), cwd=tmp_path / "project")
    assert feed.code == 0, feed.stderr


def test_generation_is_deterministic(tmp_path):
    # Once here and once in a process of its own: two interpreters, each with its own hash seed
    # (an order that came from a set of strings would differ between them).
    generate("--articles", "50", "--out", str(tmp_path / "a"))
    generate_in_a_process("--articles", "50", "--out", str(tmp_path / "b"))
    files = lambda folder: {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}  # noqa: E731
    assert files(tmp_path / "a") == files(tmp_path / "b")
