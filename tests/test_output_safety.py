"""A build that fails, is killed or races another never damages the last good issue."""

import fcntl
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rameau_cli.errors import OutputError
from rameau_cli.output import safe_join


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def start_build(project: Path, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "rameau_cli", "build-issue", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def leftovers(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".rameau.lock"]


def test_safe_join_refuses_to_leave_the_output_folder(tmp_path):
    for bad in ("../x", "/etc/passwd", "a/../../x"):
        with pytest.raises(OutputError, match="refusing to write outside"):
            safe_join(tmp_path, bad)
    (tmp_path / "lien").symlink_to("/tmp")
    with pytest.raises(OutputError):
        safe_join(tmp_path, "lien", "x")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_builds_leave_the_previous_issue_whole(example, run, sig):
    assert run("build-issue", cwd=example).code == 0
    out = example / "dist"
    # a different issue, so that a half-written one would show
    article = example / "articles" / "kit-accueil-benevoles.md"
    article.write_text(article.read_text(encoding="utf-8").replace("notre kit gratuit", "notre nouveau kit"), encoding="utf-8")
    for delay in (0.1, 0.25, 0.35, 0.45, 0.6, 0.9):
        before = tree(out / "2026-W48")
        process = start_build(example)
        time.sleep(delay)
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
        after = tree(out / "2026-W48")
        assert after in (before, tree_of_new_build(example)), f"half-written issue after {sig!r} at {delay}s"
        assert "Traceback" not in stderr
        if sig != signal.SIGKILL:
            assert not leftovers(out)
    assert run("build-issue", cwd=example).code == 0
    assert not leftovers(out), "a later build removes what a killed one left"


_NEW = {}


def tree_of_new_build(example: Path) -> dict[str, bytes]:
    """The issue that a complete build of the edited example writes (built once, aside)."""
    if example not in _NEW:
        done = subprocess.run([sys.executable, "-m", "rameau_cli", "build-issue", "--out", str(example.parent / "ref")],
                              cwd=example, capture_output=True)
        assert done.returncode == 0
        _NEW[example] = tree(example.parent / "ref" / "2026-W48")
    return _NEW[example]


def test_two_builds_on_one_output_wait_for_each_other(example, run):
    out = example / "dist"
    out.mkdir()
    with open(out / ".rameau.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = start_build(example)
        time.sleep(2)
        assert process.poll() is None, "the second build waits while the folder is locked"
        assert not (out / "2026-W48").exists()
    assert process.wait(timeout=60) == 0
    assert (out / "2026-W48" / "manifest.json").is_file()


def test_an_output_folder_that_cannot_be_created_is_a_clear_error(example, run):
    (example / "fichier").write_text("x")
    result = run("build-issue", "--out", "fichier/dist", cwd=example)
    assert result.code == 1
    assert result.stderr.startswith("error: ") and "cannot write the issue" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_issue(example, run):
    assert run("build-issue", cwd=example).code == 0
    good = tree(example / "dist")

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    process = start_build(example, preexec_fn=small_disk)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "cannot write the issue: File too large" in stderr
    assert tree(example / "dist") == good
    assert not leftovers(example / "dist")


def test_a_file_written_in_pieces_is_whole_or_untouched(tmp_path):
    from rameau_cli.files import write_atomic

    target = tmp_path / "cache.json"
    write_atomic(target, (piece for piece in (b'{"a":', b"1}")))
    assert target.read_bytes() == b'{"a":1}'

    def failing():
        yield b'{"b":'
        raise ValueError("cannot encode")

    with pytest.raises(ValueError):
        write_atomic(target, failing())
    assert target.read_bytes() == b'{"a":1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.json"]  # no temporary file left
