"""A build lands whole or changes nothing: each write and rename made to fail in turn, a process
killed at a chosen point, signals, a full disk, builds at once, a path that is in the way."""

import errno
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from rameau_cli import compat, pipeline
from rameau_cli import files as fs
from rameau_cli.builds import Build
from rameau_cli.errors import OutputError
from rameau_cli.files import safe_join, write_atomic

from helpers import Child, checked, copy_example, invoke, posix_only, recorded, tree

WEEKS = ["--date", "2026-12-01"]  # the calendar editions of the example: the daily 2026-11-30 and the weekly 2026-W48


def state(project: Path, caches: bool = True) -> dict[str, bytes]:
    """The whole project as a build may change it: output folder, history, caches, all."""
    files = tree(project)
    files.pop("dist/.rameau.lock", None)
    return files if caches else {name: data for name, data in files.items() if not name.startswith(".rameau-cache/")}


def edit(project: Path) -> None:
    """A change that every segment's email shows, so that a half-written build would show."""
    path = project / "articles" / "kit-accueil-benevoles.md"
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("notre kit gratuit", "notre nouveau kit"), encoding="utf-8")


def recording(points: list[str], building: list[bool]):
    """A fault point that notes each point reached, and whether `pipeline.build` (the stage in
    memory) was running then (`building`, kept by `watched`)."""

    def record(name: str) -> None:
        points.append(("build " if building else "") + name)

    return record


def watched(building: list[bool]):
    """`pipeline.build` as it is, noting in `building` while it runs."""
    real = pipeline.build

    def build(*args, **kwargs):
        building.append(True)
        try:
            return real(*args, **kwargs)
        finally:
            building.pop()

    return build


MADE: dict[str, Build] = {}  # by project folder: what `build-issue WEEKS` builds in memory of `twice`'s edited example


def made_in_memory(project: Path) -> Build:
    """What `rameau build-issue WEEKS` builds in memory for `project`, taken from the command
    itself, which is then stopped at its first change to the output folder (a failure there
    changes nothing: test_each_write_and_rename_failing_in_turn_changes_nothing)."""
    made: list[Build] = []
    real = pipeline.build

    def build(*args, **kwargs) -> Build:
        made.append(real(*args, **kwargs))
        return made[-1]

    def stop(name: str) -> None:
        if made and ".rameau-cache" not in name:
            raise OSError(errno.ENOSPC, "No space left on device", name.split(" ", 1)[1])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "build", build)
        patch.setattr(fs, "faults", stop)
        assert invoke("build-issue", *WEEKS, cwd=project).code == 1
    assert len(made) == 1
    return made[0]


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The example built once, then edited (`old`, caches included); `new` is what a complete
    second build gives (but for the caches, whose files are named after the project's path).
    Made once for the module: each test gets a fresh copy of it (`built_twice`)."""
    base = tmp_path_factory.mktemp("twice")
    example = copy_example(base / "project")
    assert invoke("build-issue", *WEEKS, cwd=example).code == 0
    edit(example)
    (example / "dist" / "public" / "archive" / "feed.xml").write_text("<feed/>\n")  # an archive file the build writes again
    old = state(example)
    MADE[str(example.resolve())] = made_in_memory(example)
    assert state(example) == old
    reference = base / "reference"
    shutil.copytree(example, reference, ignore=shutil.ignore_patterns(".rameau-cache"))
    assert invoke("build-issue", *WEEKS, cwd=reference).code == 0
    example.rename(base / "saved")
    return base, old, state(reference, caches=False)


@pytest.fixture
def built_twice(twice):
    """A copy of the module's edited example, at the path where it was built (its caches are
    named after that path), as (project, old, new): the project's state before the second
    build, caches included, and what a complete second build gives, caches left out."""
    base, old, new = twice
    project = base / "project"
    if project.exists():  # the previous test's copy
        shutil.rmtree(project)
    shutil.copytree(base / "saved", project, symlinks=True)
    assert state(project) == old
    return project, old, new


def test_safe_join_refuses_to_leave_the_output_folder(tmp_path):
    for bad in ("../x", "/etc/passwd", "a/../../x"):
        with pytest.raises(OutputError, match="refusing to write outside"):
            safe_join(tmp_path, bad)
    (tmp_path / "lien").symlink_to("/tmp")
    with pytest.raises(OutputError):
        safe_join(tmp_path, "lien", "x")


def fault_class(point: str, project: Path) -> str:
    """A fault point with what makes it like others left out: the staging folder's suffix, and
    which segment of an edition is staged (`write .2026-W48.staging/SEGMENT/index.txt`). The
    points of each class fail alike: each leaves a staging folder of that edition to remove."""
    kind, path = point.split(" ", 1)
    path = re.sub(r"\.staging-[^/]*", ".staging", path.replace(str(project), "P"))
    return kind + " " + re.sub(r"(\.staging)/[^/.]+(/|$)", r"\1/SEGMENT\2", path)


def test_each_write_and_rename_failing_in_turn_changes_nothing(built_twice, run, monkeypatch, tmp_path):
    """Every change a build makes on disk passes a fault point; the n-th is made to fail, for
    every n but those of a segment's files staged after another segment's of the same edition
    (the same writes into the same staging folder, as `fault_class` says). Whatever the point,
    the output folder and the history stay as they were."""

    project, old, new = built_twice
    points: list[str] = []
    building: list[bool] = []
    copy = tmp_path / "probe"
    shutil.copytree(project, copy)
    monkeypatch.setattr(fs, "faults", recording(points, building))
    monkeypatch.setattr(pipeline, "build", watched(building))
    assert run("build-issue", *WEEKS, cwd=copy).code == 0
    monkeypatch.undo()
    output_points = [p for p in points if ".rameau-cache" not in p]
    # The stage in memory changes nothing on disk but the caches, kept only once a build is written.
    assert not [p for p in output_points if p.startswith("build ")]
    assert output_points[-1].startswith("after commit "), "past the commit point: tested by a kill there"
    output_points.pop()
    assert output_points[-1].startswith("commit ") and output_points[-2].startswith("after swap ")
    assert output_points[-3].startswith("swap ") and output_points[-3].endswith("history.json"), "the history last"
    assert len(output_points) > 30
    classes = [fault_class(point, copy) for point in output_points]
    tried = [index for index, name in enumerate(classes) if name not in classes[:index]]
    assert len(tried) > 30 and {c.split(" ", 1)[0] for c in classes} == {"mkdir", "write", "rename", "swap", "after", "commit"}
    # Each failing build below stops while writing, and changes nothing (asserted each time): the
    # edition it builds in memory is the same every time. It is built once, by the first; each of
    # the others writes that build (the last, which succeeds, builds its own again).
    made: list[Build] = []
    real_build = pipeline.build

    def built_once(*args, **kwargs) -> Build:
        if not made:
            made.append(real_build(*args, **kwargs))
        return made[0]

    for index in tried:
        point = output_points[index]
        seen: list[str] = []

        def fail(name: str, seen: list[str] = seen, index: int = index) -> None:
            if ".rameau-cache" in name or name.startswith("after commit "):
                return
            seen.append(name)
            if len(seen) == index + 1:
                raise OSError(errno.ENOSPC, "No space left on device", name.split(" ", 1)[1])

        monkeypatch.setattr(fs, "faults", fail)
        monkeypatch.setattr(pipeline, "build", built_once)
        result = run("build-issue", *WEEKS, cwd=project)
        monkeypatch.undo()
        assert seen[-1].split(" ", 1)[0] == point.split(" ", 1)[0], "the same points in the same order"
        assert result.code == 1, (point, result.stderr)
        assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
        assert state(project) == old, f"a failure at {point!r} (point {index}) changed the output or the history"
        assert not [p for p in os.listdir(project / "dist") if ".staging-" in p or ".backup-" in p]
        assert not [p for p in os.listdir(project) if ".staging-" in p or ".backup-" in p]
    assert run("build-issue", *WEEKS, cwd=project).code == 0
    assert state(project, caches=False) == new


def test_a_cache_that_cannot_be_written_costs_speed_only(example, run, monkeypatch, tmp_path):
    def fail(name: str) -> None:
        if ".rameau-cache" in name:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fs, "faults", fail)
    result = run("build-issue", "--out", str(tmp_path / "a"), cwd=example)
    assert result.code == 0
    assert result.stderr.count("the cache cannot be written (No space left on device)") == 1
    monkeypatch.setattr(fs, "faults", None)
    assert run("build-issue", "--out", str(tmp_path / "b"), cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


CRASHED = 86  # the exit code of a process that crashed at a fault point


def arm(kind: str, suffix: str, exchange: str, signum: str, known: str = "") -> None:
    """In the child: stop when it reaches the fault point `kind ...suffix`, at once, as a killed
    process does (`crash`: no cleanup, no finally, what was written stays written), or by
    raising the signal `signum` to itself; with `no-exchange`, as where two paths cannot be
    swapped in one step. With `known`, a child forked from the test's process (helpers.Child
    on Linux) in `twice`'s project writes the build MADE holds, the one its own would make in
    memory (a kill stops the writing, which the build in memory does not reach: made once)."""
    if exchange == "no-exchange":
        fs.exchange = lambda first, second: False
    built = MADE.get(str(Path.cwd().resolve())) if known else None
    if built is not None:
        pipeline.build = lambda *args, **kwargs: built

    def kill(name: str) -> None:
        if name.startswith(kind + " ") and name.endswith(suffix):
            if signum == "crash":
                os._exit(CRASHED)
            signal.raise_signal(getattr(signal, signum))

    fs.faults = kill


def killed_at(project: Path, kind: str, suffix: str, exchange: str = "exchange", signum: str = "crash",
              args: tuple[str, ...] = ("build-issue", *WEEKS)) -> subprocess.CompletedProcess:
    """Run rameau in a process that stops when it reaches the named fault point (see `arm`). A
    real process (helpers.Child): what a kill leaves on disk (no `finally`, no cleanup) and how
    a process ends on a signal cannot be had in the test's own process."""
    known = "known" if args == ("build-issue", *WEEKS) else ""
    ended = Child(*args, cwd=project, prepare=arm, given=(kind, suffix, exchange, signum, known)).result()
    return subprocess.CompletedProcess(args, ended.code, ended.stdout, ended.stderr)


def exchanges_here() -> bool:
    """Whether this system, on the file system of temporary folders, swaps two paths in one step."""

    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder, "a"), Path(folder, "b")
        first.mkdir()
        second.mkdir()
        return compat.exchange(first, second)


SWAPS = pytest.mark.skipif(not exchanges_here(), reason="this system cannot swap two paths in one step (Windows, "
                                                        "exFAT, network shares): its builds take two renames, tested too")


@pytest.mark.parametrize("kind, suffix, exchange, rolled_back", [
    ("swap", "2026-W48", "exchange", True),  # the daily edition is in, the weekly one not yet
    pytest.param("after swap", "2026-W48", "exchange", True, marks=SWAPS),  # exchanged, the previous one not yet set aside
    ("swap", "2026-W48", "no-exchange", True),
    ("between renames", "2026-W48", "no-exchange", True),  # NFS, CIFS, 9p, FUSE: neither version in place
    ("between renames", "archive/feed.xml", "no-exchange", True),
    ("swap", "history.json", "exchange", True),  # everything but the history
    pytest.param("after swap", "history.json", "exchange", True, marks=SWAPS),  # every path swapped, not yet done
    ("between renames", "history.json", "no-exchange", True),  # no history at all in place
    ("after commit", ".rameau-journal.json", "exchange", False),  # the journal says done: the build is
    ("after commit", ".rameau-journal.json", "no-exchange", False),
])
def test_a_build_killed_mid_swap_is_put_right_by_the_next_command(built_twice, run, kind, suffix, exchange,
                                                                  rolled_back):
    """The process kills itself at the named point: no timing, no chance. The next command that
    opens the output folder puts the project back into one whole state, old or new."""
    project, old, new = built_twice
    killed = killed_at(project, kind, suffix, exchange)
    assert killed.returncode == CRASHED, killed.stderr
    assert [p for p in os.listdir(project / "dist") if p.startswith(".rameau-journal")], "killed after the journal"
    assert state(project, caches=False) not in (old, new), "killed half way"
    assert run("check", *WEEKS, cwd=project).code in (0, 1)  # any command that opens the output folder recovers
    after = state(project, caches=False)  # check itself keeps the caches of what it built
    if rolled_back:
        assert after == {k: v for k, v in old.items() if not k.startswith(".rameau-cache/")}, "rolled back whole"
    else:
        assert state(project, caches=False) == new, "a build killed after its last swap is complete"
    assert not [p for p in os.listdir(project / "dist") if p.startswith(".") and p != ".rameau.lock"]
    assert not [p for p in os.listdir(project) if ".staging-" in p or ".backup-" in p]
    assert run("build-issue", *WEEKS, cwd=project).code == 0
    assert state(project, caches=False) == new


def test_a_signal_during_the_swaps_waits_for_them(built_twice, run, monkeypatch):
    project, old, new = built_twice

    def terminate(name: str) -> None:
        if name == f"swap {project / 'dist' / '2026-W48'}":
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(fs, "faults", terminate)
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 130
    assert result.stderr.strip() == "error: interrupted; the build had been written whole before it stopped"
    assert state(project, caches=False) == new


STOPS = ["SIGINT", "SIGTERM", pytest.param("SIGHUP", marks=posix_only("SIGHUP"))]


@pytest.mark.parametrize("signum", STOPS)
def test_a_signal_before_the_swaps_changes_nothing_and_says_so(built_twice, run, monkeypatch, signum):
    project, old, new = built_twice

    def interrupt(name: str) -> None:
        if name.startswith("write ") and name.endswith("index.html"):
            signal.raise_signal(getattr(signal, signum))

    monkeypatch.setattr(fs, "faults", interrupt)
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 130
    assert result.stderr.strip() == "error: interrupted; nothing was changed"
    assert state(project) == old


@pytest.mark.parametrize("signum", STOPS)
def test_a_signal_in_a_real_process_prints_its_line_and_exits_130(example, signum):
    """A signal to a real `rameau build-issue`, sent at a known moment: the staging of its first email."""
    done = killed_at(example, "write", "index.html", signum=signum, args=("build-issue",))
    assert done.returncode == 130
    assert done.stderr.strip() == "error: interrupted; nothing was changed"
    assert not (example / "dist" / "2026-W48").exists()


def small_disk() -> None:
    """In the child: a disk that takes no file over 20,000 bytes (the process's file size limit)."""
    import resource  # noqa: PLC0415 (POSIX only: the test is skipped elsewhere)

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@posix_only("resource", "SIGXFSZ")
def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_issue(built_twice):
    project, old, new = built_twice
    # A file size limit of a process: a real one (helpers.Child), which the test's own must not get.
    done = Child("build-issue", *WEEKS, cwd=project, prepare=small_disk).result()
    assert done.code == 1
    assert "File too large" in done.stderr and "Traceback" not in done.stderr
    assert state(project) == old


def test_a_file_where_the_archive_goes_changes_nothing(built_twice, run):
    project, old, new = built_twice

    shutil.rmtree(project / "dist" / "public" / "archive")
    (project / "dist" / "public" / "archive").write_text("mes notes", encoding="utf-8")
    old = state(project)
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 1
    assert "archive: is a file where rameau writes a folder; move it away" in result.stderr
    assert state(project) == old


def test_an_output_folder_that_cannot_be_created_is_a_clear_error(example, run):
    (example / "fichier").write_text("x")
    result = run("build-issue", "--out", "fichier/dist", cwd=example)
    assert result.code == 1
    assert result.stderr.startswith("error: ") and "cannot write to the output folder" in result.stderr


def test_three_builds_at_once_number_three_issues(example):
    """Each build reads the history under the output lock: no two issues get one number. Real
    processes (helpers.Child): the lock is between processes, which race for it."""
    for path in (example / "issues").glob("*.md"):
        path.unlink()
    days = ["2026-11-24", "2026-11-25", "2026-11-26"]  # three daily editions: 23, 24 and 25 November
    processes = [Child("build-issue", "--date", day, "--segment", "quotidienne", cwd=example) for day in days]
    for process in processes:
        assert process.wait() == 0, process.result().stderr
    history = recorded(example)["quotidienne"]
    assert sorted(entry["number"] for entry in history) == [1, 2, 3]


def test_a_file_written_in_pieces_is_whole_or_untouched(tmp_path):
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
