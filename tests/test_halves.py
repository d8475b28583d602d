"""A large folder is read on two cores: the same articles, warnings and emails as on one, and a
forked half that fails is read again in the main process (never a lost article)."""

import os
import subprocess
import sys

from helpers import tree

SCRIPT = """
import os, sys
import rameau_cli.sources.halves as halves
halves.WORTH_IT = int(sys.argv[1])
parent = os.getpid()
pids = halves.map_in_halves(lambda items: [(i, os.getpid()) for i in items], list(range(10)))
assert [i for i, _ in pids] == list(range(10)), pids
print("forked" if len({p for _, p in pids}) == 2 else "alone")

def failing(items):
    if os.getpid() != parent:
        raise RuntimeError("the forked half fails")
    return [i * 2 for i in items]
assert halves.map_in_halves(failing, list(range(10))) == [i * 2 for i in range(10)]
sys.argv = ["rameau", "build-issue", "--no-history", "--out", sys.argv[2]]
from rameau_cli.cli.app import main
raise SystemExit(main(sys.argv[1:]))
"""


def build(project, out, worth_it):
    return subprocess.run([sys.executable, "-c", SCRIPT, str(worth_it), str(out)], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)


def test_a_folder_read_on_two_cores_builds_the_same_emails(example, tmp_path):
    (example / "articles" / "cassé.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")  # a skipped article
    two = build(example, tmp_path / "two", 2)
    assert two.returncode == 0, two.stderr
    assert two.stdout.strip() == ("forked" if (os.cpu_count() or 1) > 1 else "alone")
    import shutil

    shutil.rmtree(example / ".rameau-cache")
    one = build(example, tmp_path / "one", 10**9)
    assert one.returncode == 0 and one.stdout.strip() == "alone"
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert "cassé.md" in two.stderr and two.stderr.replace("/two/", "/one/") == one.stderr
