"""Every command with the POSIX-only parts of Python hidden, as on Windows (no fcntl, fork,
SIGHUP, pty, termios, resource: tests/nonposix/sitecustomize.py, put first on PYTHONPATH): it
works, and writes byte for byte what it writes with them. Real processes, as a user runs them:
each mode's commands run one after the other in one interpreter started with (or without) the
shim, through the console script's own launcher; a build lock race and a live preview get
processes of their own.
"""

import json
import os
import queue
import re
import runpy
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from rameau_cli.sources.halves import WORTH_IT

from helpers import FORKS, REPO, Child, invoke, recorded, tree

HIDDEN = Path(__file__).parent / "nonposix"
MODES = ("posix", "hidden")


def environment(mode: str) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    if mode == "hidden":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HIDDEN), env.get("PYTHONPATH")]))
    return env


# A fresh interpreter (with the shim or without) that runs commands as `python -m rameau_cli`
# does, through cli/launcher.py's main(), one per JSON line it reads: {"cwd", "args"} in, {"code",
# "stdout", "stderr"} out. Before any command it says what its Python lacks and, with the shim,
# imports every module of rameau: a module that reads a POSIX-only name (SIGHUP, fcntl) when imported
# fails there, not hidden by a command that happened not to need it.
DRIVER = """
import contextlib, importlib, io, json, os, pkgutil, signal, sys
answer = sys.stdout
try:
    import fcntl
    halted = ""
except ImportError as error:
    halted = str(error)
import rameau_cli
names = []
if sys.argv[1:] == ["all"]:
    names = [m.name for m in pkgutil.walk_packages(rameau_cli.__path__, "rameau_cli.") if not m.name.endswith("__main__")]
    for name in names:
        importlib.import_module(name)
from rameau_cli.cli import launcher
print(json.dumps({"fork": hasattr(os, "fork"), "SIGHUP": hasattr(signal, "SIGHUP"), "fcntl": halted,
                  "modules": len(names)}), file=answer, flush=True)
for line in sys.stdin:
    request = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    os.chdir(request["cwd"])
    sys.argv = ["rameau", *request["args"]]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            launcher.main()
        except SystemExit as exit:
            code = exit.code
    print(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}), file=answer, flush=True)
"""


def drive(requests: str, answers: str, *theirs: str) -> None:
    """In a process forked from this one (helpers.Child): the DRIVER, on these pipes, as a fresh
    interpreter runs it (without the shim: the reference the shim's bytes are compared with)."""
    for fd in theirs:  # the test's ends: the pipes end when the test closes them
        os.close(int(fd))
    sys.argv = ["-c"]
    sys.stdin = open(int(requests), encoding="utf-8")  # noqa: SIM115 (the process's own, to its end)
    sys.stdout = open(int(answers), "w", encoding="utf-8")  # noqa: SIM115
    exec(compile(DRIVER, "<driver>", "exec"), {"__name__": "__main__"})
    sys.stdout.flush()
    raise SystemExit(0)  # and not the command helpers.Child would run next


class Driver:
    def __init__(self, mode: str) -> None:
        every_module = ["all"] if mode == "hidden" else []
        self.child: Child | None = None
        if mode == "hidden" or not FORKS:
            # With the shim, a fresh interpreter: what its Python lacks it lacks from the start.
            self.process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-c", DRIVER, *every_module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8", env=environment(mode))
            self.requests, said = self.process.stdin, self.process.stdout
        else:
            # Without it, a process forked from this one: a real process, without a second
            # interpreter's start (rameau is imported here already).
            self.process = None
            requests, answers = os.pipe(), os.pipe()
            self.child = Child(cwd=REPO, env={"COLUMNS": "120"}, prepare=drive, given=(
                str(requests[0]), str(answers[1]), str(requests[1]), str(answers[0])))
            os.close(requests[0])
            os.close(answers[1])
            self.requests, said = open(requests[1], "w", encoding="utf-8"), open(answers[0], encoding="utf-8")  # noqa: SIM115
        self.answers: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []  # what it says outside the commands (nothing, unless it fails)
        self.reading = [threading.Thread(target=lambda: [*map(self.answers.put, said), self.answers.put("")], daemon=True)]  # type: ignore[arg-type]
        if self.process:
            self.reading.append(threading.Thread(target=lambda: self.errors.extend(self.process.stderr), daemon=True))  # type: ignore[union-attr, arg-type]
        self.said = said
        for thread in self.reading:
            thread.start()
        self.started = self._answer()

    def _wait(self) -> int:
        if self.child:
            ran = self.child.result(timeout=120)
            self.errors.append(ran.stderr)
            return ran.code
        return self.process.wait(timeout=120)  # type: ignore[union-attr]

    def _answer(self) -> dict:
        line = self.answers.get(timeout=300)
        if not line:  # it died: say why
            self._wait()
            raise AssertionError("".join(self.errors))
        return json.loads(line)

    def send(self, *args: str, cwd: Path) -> None:
        self.requests.write(json.dumps({"cwd": str(cwd), "args": list(args)}) + "\n")
        self.requests.flush()

    def answer(self, *args: str) -> dict:
        return {**self._answer(), "args": args}

    def run(self, *args: str, cwd: Path) -> dict:
        self.send(*args, cwd=cwd)
        return self.answer(*args)

    def close(self) -> None:
        self.requests.close()
        try:
            assert self._wait() == 0, "".join(self.errors)
        finally:
            if self.child:
                self.child.__exit__()
            elif self.process and self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for thread in self.reading:  # the pipes end with the process
                thread.join(timeout=60)
            self.said.close()
            if self.process:
                self.process.stderr.close()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def rameau():
    """One interpreter per mode for the module's commands: `rameau[mode].run(*args, cwd=...)`."""
    drivers = {mode: Driver(mode) for mode in MODES}
    globals()["_drivers"] = drivers
    yield drivers
    for driver in drivers.values():
        driver.close()


def output(project: Path) -> dict[str, bytes]:
    """What a user keeps: the project and its output, without the caches (named after the
    project's path) and the lock file (its content is the lock's business)."""
    return {name: data for name, data in tree(project).items()
            if not name.startswith(".rameau-cache/") and not name.endswith(".rameau.lock")}


def test_the_tool_hides_what_windows_lacks(rameau):
    started = rameau["hidden"].started
    assert (started["fork"], started["SIGHUP"]) == (False, False)
    assert "import of fcntl halted" in started["fcntl"]


def test_every_module_imports_without_the_posix_parts(rameau):
    """Nothing reads a POSIX-only name (SIGHUP, fcntl) when it is imported, whichever command needs it."""
    assert rameau["hidden"].started["modules"] > 80


def test_init_build_rebuild_articles_check_and_the_text_preview_give_the_same_bytes(rameau, tmp_path):
    said: dict[str, list[str]] = {}
    written: dict[str, dict[str, bytes]] = {}
    for mode in MODES:
        home = tmp_path / mode
        home.mkdir()
        project = home / "lettre"
        steps = [rameau[mode].run("init", "lettre", cwd=home), rameau[mode].run("build-issue", cwd=project)]
        article = sorted((project / "articles").glob("*.md"))[0]
        before = article.read_bytes()
        article.write_bytes(before.replace(b"\n\n", b"\n\nUne phrase de plus, \xc2\xab modifi\xc3\xa9e \xc2\xbb.\n\n", 1))
        assert article.read_bytes() != before
        steps += [rameau[mode].run(*args, cwd=project) for args in (("build-issue",), ("articles",), ("check",),
                                                                      ("preview", "--text"))]
        for done in steps:
            assert done["code"] == 0, (mode, done["args"], done["stderr"])
            assert "Traceback" not in done["stderr"] and "warning" not in done["stderr"].lower(), done["stderr"]
        said[mode] = [done["stdout"] + done["stderr"].replace(str(home), "HOME") for done in steps]
        written[mode] = output(project)
    assert said["hidden"] == said["posix"]
    assert written["hidden"] == written["posix"]
    assert [name for name in written["hidden"] if name.endswith("index.html")], "a build was written"


def test_a_build_read_on_two_cores_gives_the_same_bytes(rameau, tmp_path):
    """Large enough to be read on two cores where a process can be forked (Linux: as many
    articles as halves.WORTH_IT, from which the reading is split), on one where it cannot."""
    generate = runpy.run_path(str(REPO / "tests" / "bench" / "generate.py"))["main"]
    assert generate(["--articles", str(WORTH_IT), "--out", str(tmp_path / MODES[0])]) == 0
    for mode in MODES[1:]:  # the same project for each, before any is built
        shutil.copytree(tmp_path / MODES[0], tmp_path / mode)
    written = {}
    for mode in MODES:
        project = tmp_path / mode
        done = rameau[mode].run("build-issue", cwd=project)
        assert done["code"] == 0, done["stderr"]
        written[mode] = output(project / "dist")
    assert written["hidden"] == written["posix"] and len(written["posix"]) > 10


def test_history_resolve_of_a_conflicted_history_json_gives_the_same_bytes(rameau, example, tmp_path):
    """The project is copied with its dist/ as a Linux build left it, lock file included: a
    system without fcntl must not read that file as a lock still held."""
    for path in (example / "issues").glob("*.md"):
        path.unlink()
    assert invoke("build-issue", "--date", "2026-11-26", "--segment", "quotidienne", cwd=example).code == 0
    index = (example / "history.json").read_text(encoding="utf-8")
    first = json.dumps({"format": 1, "segments": {"quotidienne": [{
        "edition": "2026-11-01", "number": 9, "date": "2026-11-02T07:00:00+01:00", "subject": "Le 1er",
        "preheader": "P", "articles": ["article-9"]}]}}, indent=2) + "\n"
    (example / "history.json").write_bytes(f"<<<<<<< HEAD\n{index}=======\n{first}>>>>>>> other\n".encode())
    written = {}
    for mode in MODES:
        project = tmp_path / mode
        shutil.copytree(example, project)
        done = rameau[mode].run("history", "resolve", cwd=project)
        assert done["code"] == 0, done["stderr"]
        assert [e["edition"] for e in recorded(project)["quotidienne"]] == ["2026-11-01", "2026-11-25"]
        written[mode] = {name: data for name, data in output(project).items() if name.startswith("history")}
    assert written["hidden"] == written["posix"]
    assert b"<<<<<<<" not in written["hidden"]["history.json"]


def test_two_builds_started_at_once_get_two_numbers(rameau, example):
    """The build lock holds without fcntl: each build reads the history only once the other is done."""
    # Two processes, both with the shim (a lock is between processes): a fresh interpreter and the
    # module's. This test holds the lock (as a third build would) until both are started and the
    # fresh one says it waits, then lets them go at once.
    import filelock  # noqa: PLC0415 (filelock's own soft lock, which the shim's builds use)

    from rameau_cli.files import SOFT_LOCK_FILE  # noqa: PLC0415

    for path in (example / "issues").glob("*.md"):
        path.unlink()
    (example / "dist").mkdir()
    held = filelock.SoftFileLock(example / "dist" / SOFT_LOCK_FILE)
    held.acquire()
    try:
        fresh = subprocess.Popen([sys.executable, "-m", "rameau_cli", "build-issue", "--date", "2026-11-24",
                                  "--segment", "quotidienne"], cwd=example, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, encoding="utf-8", env=environment("hidden"))
        order = ("build-issue", "--date", "2026-11-25", "--segment", "quotidienne")
        rameau["hidden"].send(*order, cwd=example)
        waiting = fresh.stderr.readline()  # type: ignore[union-attr]
        assert waiting.startswith("waiting: another rameau command is writing in "), waiting
    finally:
        held.release()
    assert fresh.wait(timeout=300) == 0, fresh.stderr.read() if fresh.stderr else ""
    fresh.stderr.close()  # type: ignore[union-attr]
    other = rameau["hidden"].answer(*order)
    assert other["code"] == 0, other["stderr"]
    assert sorted(entry["number"] for entry in recorded(example)["quotidienne"]) == [1, 2]


def served(mode: str, project: Path) -> dict[str, bytes]:
    """The pages of a live preview run in a real process, fetched once it says where it is (a
    process of its own: the server runs until it is stopped by a signal). With the shim, a fresh
    interpreter; without, the console script in this process forked (helpers.Child), as the
    reference it is compared with."""
    process: subprocess.Popen | Child
    if mode == "hidden" or not FORKS:
        process = subprocess.Popen([sys.executable, "-m", "rameau_cli", "preview", "--serve", "--port", "0"], cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   env=environment(mode))
    else:
        process = Child("preview", "--serve", "--port", "0", cwd=project, console=True, pipe=True)
    lines: queue.Queue[str] = queue.Queue()
    said = process.stderr
    reading = threading.Thread(target=lambda: [lines.put(line) for line in iter(said.readline, "")],  # type: ignore[union-attr]
                               daemon=True)
    reading.start()
    try:
        while True:
            line = lines.get(timeout=120)
            found = re.search(r"Preview on (http://\S+)", line)
            if found:
                break
        pages = {}
        for page in ("/segment/quotidienne/email.html", "/segment/quotidienne/email.txt"):
            with urllib.request.urlopen(found.group(1).rstrip("/") + page, timeout=60) as answer:
                assert answer.status == 200
                pages[page] = answer.read()
        return pages
    finally:
        if isinstance(process, Child):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                for file in process.files:
                    file.close()
        else:
            process.terminate()
            process.wait(timeout=60)
        reading.join(timeout=60)  # the pipe ends with the process
        said.close()  # type: ignore[union-attr]


def test_a_live_preview_serves_its_pages(example):
    pages = {mode: served(mode, example) for mode in MODES}
    assert pages["hidden"] == pages["posix"]
    assert b"La quotidienne" in pages["hidden"]["/segment/quotidienne/email.html"]
