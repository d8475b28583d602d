"""A large folder is read on two cores: the same articles, warnings and emails as on one, and a
forked half that fails is read again in the main process (never a lost article)."""

import os
import shutil

from rameau_cli import compat
from rameau_cli.sources import halves, markdown

from helpers import Child, tree

# Forked where that is safe (Linux) and there are two cores; everywhere else, read here: the
# same emails either way.
EXPECTED = "forked" if compat.CAN_FORK and (os.cpu_count() or 1) > 1 else "alone"

# Each build runs in a process of its own (helpers.Child): rameau forks a half only where no other
# thread runs, and this process runs the tests' servers. The child is this process forked (a
# fresh interpreter where a process cannot be forked), with one thread: its own.


def read_in_halves(worth_it: str) -> None:
    """In the child, before its build: halves from `worth_it` items, which are read in a forked
    process (`forked` printed) or here (`alone`), and a forked half that fails read here again."""
    halves.WORTH_IT = int(worth_it)
    parent = os.getpid()
    pids = halves.map_in_halves(lambda items: [(i, os.getpid()) for i in items], list(range(10)))
    assert [i for i, _ in pids] == list(range(10)), pids
    print("forked" if len({p for _, p in pids}) == 2 else "alone")

    def failing(items):
        if os.getpid() != parent:
            raise RuntimeError("the forked half fails")
        return [i * 2 for i in items]
    assert halves.map_in_halves(failing, list(range(10))) == [i * 2 for i in range(10)]


def build(project, out, worth_it):
    return Child("build-issue", "--no-history", "--out", str(out), cwd=project, prepare=read_in_halves,
                 given=(str(worth_it),)).result(timeout=120)


def test_a_folder_read_on_two_cores_builds_the_same_emails(example, tmp_path):
    (example / "articles" / "cassé.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")  # a skipped article
    two = build(example, tmp_path / "two", 2)
    assert two.code == 0, two.stderr
    assert two.stdout.strip() == EXPECTED

    shutil.rmtree(example / ".rameau-cache")
    one = build(example, tmp_path / "one", 10**9)
    assert one.code == 0 and one.stdout.strip() == "alone"
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert "cassé.md" in two.stderr and two.stderr.replace("/two/", "/one/") == one.stderr


def scan_beside(scan_beside: str) -> None:
    """In the child, before its build: the folder's scan forked from `scan_beside` bytes of article
    cache; a forked piece of work (`forked` printed, or `alone`), one that fails, one whose result
    is refused, and one left by an interrupt."""
    markdown.SCAN_BESIDE = int(scan_beside)
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


def test_a_folder_scanned_beside_the_article_cache_builds_the_same_emails(example, tmp_path):
    """A warm build of a large folder scans it in a forked process while it loads the article
    cache: the same emails and the same warnings (those of the scan too) as a scan here."""
    (example / "articles" / "dossier.md").mkdir()  # a warning of the scan

    def run(scan_from: int, out: str):  # processes of their own, as in the test above
        return Child("build-issue", "--no-history", "--out", str(tmp_path / out), cwd=example, prepare=scan_beside,
                     given=(str(scan_from),)).result(timeout=120)

    cold = run(10**12, "cold")
    beside = run(0, "beside")
    assert cold.code == beside.code == 0, beside.stderr
    assert beside.stdout.splitlines()[0] == EXPECTED
    assert tree(tmp_path / "cold") == tree(tmp_path / "beside")
    assert "dossier.md: is a folder" in beside.stderr and beside.stderr.replace("/beside/", "/cold/") == cold.stderr
