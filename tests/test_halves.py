"""A large folder is read on two cores: the same articles, warnings and emails as on one, and a
forked half that fails is read again in the main process (never a lost article)."""

import os
import shutil
import subprocess
import sys

from rameau_cli import compat

from helpers import tree

# Forked where that is safe (Linux) and there are two cores; everywhere else, read here: the
# same emails either way.
EXPECTED = "forked" if compat.CAN_FORK and (os.cpu_count() or 1) > 1 else "alone"

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
    # A process of its own: forking is safe only where no other thread runs (this one runs the
    # tests' servers), and each build starts from nothing, as a user's does.
    return subprocess.run([sys.executable, "-c", SCRIPT, str(worth_it), str(out)], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)


def test_a_folder_read_on_two_cores_builds_the_same_emails(example, tmp_path):
    (example / "articles" / "cassé.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")  # a skipped article
    two = build(example, tmp_path / "two", 2)
    assert two.returncode == 0, two.stderr
    assert two.stdout.strip() == EXPECTED

    shutil.rmtree(example / ".rameau-cache")
    one = build(example, tmp_path / "one", 10**9)
    assert one.returncode == 0 and one.stdout.strip() == "alone"
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert "cassé.md" in two.stderr and two.stderr.replace("/two/", "/one/") == one.stderr


BESIDE = """
import os, sys
import rameau_cli.sources.halves as halves
import rameau_cli.sources.markdown as markdown
markdown.SCAN_BESIDE = int(sys.argv[1])
parent = os.getpid()
print("forked" if halves.Beside(os.getpid).result() != parent else "alone")

def failing():
    if os.getpid() != parent:
        raise RuntimeError("the forked scan fails")
    return "here"
assert halves.Beside(failing).result() == "here"
assert halves.Beside(os.getpid, lambda pid: pid == parent).result() == parent  # what it sent is refused: done here
try:  # left by an interrupt, with more to send than a pipe holds: stopped and waited for
    with halves.Beside(lambda: list(range(10**6))) as big:
        child = big.pid
        raise KeyboardInterrupt
except KeyboardInterrupt:
    pass
if child:
    try:
        os.waitpid(child, os.WNOHANG)
        raise AssertionError("the forked process was left running or unreaped")
    except ChildProcessError:
        pass
sys.argv = ["rameau", "build-issue", "--no-history", "--out", sys.argv[2]]
from rameau_cli.cli.app import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_a_folder_scanned_beside_the_article_cache_builds_the_same_emails(example, tmp_path):
    """A warm build of a large folder scans it in a forked process while it loads the article
    cache: the same emails and the same warnings (those of the scan too) as a scan here."""
    (example / "articles" / "dossier.md").mkdir()  # a warning of the scan
    run = [sys.executable, "-c", BESIDE]  # processes of their own, as in the test above
    env = {**os.environ, "NO_COLOR": "1"}
    cold = subprocess.run([*run, str(10**12), str(tmp_path / "cold")], cwd=example, capture_output=True, text=True,
                          env=env, timeout=120)
    beside = subprocess.run([*run, "0", str(tmp_path / "beside")], cwd=example, capture_output=True, text=True,
                            env=env, timeout=120)
    assert cold.returncode == beside.returncode == 0, beside.stderr
    assert beside.stdout.splitlines()[0] == EXPECTED
    assert tree(tmp_path / "cold") == tree(tmp_path / "beside")
    assert "dossier.md: is a folder" in beside.stderr and beside.stderr.replace("/beside/", "/cold/") == cold.stderr
