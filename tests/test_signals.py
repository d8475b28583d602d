"""Stop signals, whenever they come: from the first instruction of a command (while Python
still imports its modules) to the live preview waiting for edits, when the kernel hands the
signal to a thread other than the main one. Always exit 130 (or the preview's own stop), one
line, never a traceback, never a silent death."""

import contextlib
import ctypes
import inspect
import json
import os
import signal
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import pytest

from helpers import Child, copy_example, invoke

# Runs `rameau ARGS` as the console script does in a fresh interpreter, counting the Python calls
# made once the launcher's main() starts (a deterministic moment, however fast the machine). At
# each moment given (`N:SIG,...`, N-th call), it forks: the forked process, a copy of this one at
# that very call (imports half done, handlers half installed, whatever the command was doing),
# sends itself SIG, its stdout and stderr in DIR/N.out and DIR/N.err, while this one goes on,
# unsignalled, to the next moment. At exit it waits for each and says, on its stderr, how many
# calls it made and each forked process's exit status: one interpreter gives every moment, as
# a fresh interpreter signalled at that call would have it. (A moment that comes while another
# thread runs, which a fork would not copy, is not forked but named: the test runs it in a
# fresh interpreter of its own.)
AT_CALLS = """
import json, os, signal, sys, threading
from rameau_cli.cli.launcher import main
moments = {int(n): name for n, name in (m.split(":") for m in sys.argv[1].split(",") if m)}
folder, parent = sys.argv[2], os.getpid()
calls, forked, unforked = [0], {}, []
def trace(frame, event, arg):
    if event == "call":
        calls[0] += 1
        name = moments.get(calls[0])
        if name is None:
            return
        if folder == "-":  # no fork: this process is the one signalled
            os.kill(os.getpid(), getattr(signal, name))
        elif threading.active_count() > 1:
            unforked.append(calls[0])
        else:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid:
                forked[calls[0]] = pid
                return
            moments.clear()
            for fd, end in ((1, "out"), (2, "err")):
                os.dup2(os.open(f"{folder}/{calls[0]}.{end}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            os.kill(os.getpid(), getattr(signal, name))
def report():
    if os.getpid() == parent:
        ended = {n: os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for n, pid in forked.items()}
        print("calls: " + json.dumps({"total": calls[0], "ended": ended, "unforked": unforked}), file=sys.stderr)
import atexit
atexit.register(report)
sys.settrace(trace)
sys.argv = ["rameau", *sys.argv[3:]]
main()
"""
COMMAND = ("articles", "--week", "2026-W48")
ENVIRONMENT = {"NO_COLOR": "1", "COLUMNS": "100"}


def _at_calls(project: Path, moments: dict[int, str], folder: str) -> tuple[subprocess.CompletedProcess, dict]:
    # A fresh interpreter: a moment may come while Python still imports the command.
    done = subprocess.run([sys.executable, "-c", AT_CALLS, ",".join(f"{n}:{name}" for n, name in moments.items()),
                           folder, *COMMAND], cwd=project, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **ENVIRONMENT})
    counted = json.loads(done.stderr.rsplit("calls: ", 1)[1]) if "calls: " in done.stderr else {}
    return done, counted


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals: a process sends them to itself")
def test_a_signal_at_any_moment_of_a_command_is_exit_130_and_one_line(example, tmp_path):
    # Counted on a warm run, as every run after the first is: the first one (not counted) also
    # fills the caches, and a later run makes fewer calls than it made. (Not filled in this
    # process: what it keeps in memory, its compiled templates, it would not write to the caches.)
    warming = subprocess.run([sys.executable, "-m", "rameau_cli", *COMMAND], cwd=example, capture_output=True,
                             text=True, timeout=120, env={**os.environ, **ENVIRONMENT})
    assert warming.returncode == 0, warming.stderr
    counted, count = _at_calls(example, {}, str(tmp_path))
    assert counted.returncode == 0, counted.stderr
    total = count["total"]
    # The first calls install the handlers (signal.signal is Python), then moments spread over
    # the whole command; the three signals take turns, each met early, midway and late.
    moments = [20, 40, 150] + [total * share // 100 for share in (2, 10, 30, 60, 90)]
    names = {n: ("SIGTERM", "SIGINT", "SIGHUP")[index % 3] for index, n in enumerate(moments)}
    spread, run = _at_calls(example, names, str(tmp_path))
    # Unsignalled, and every moment met (forked, or named for a run of its own). Its count of
    # calls may differ from the counting run's by a few (a fresh clone's CI made 25 more).
    assert spread.returncode == 0 and set(map(int, run["ended"])) | set(run["unforked"]) == set(names), spread.stderr
    for n, name in names.items():
        if n in run["unforked"]:  # another thread ran then: a fresh interpreter signalled at that call
            alone, _ = _at_calls(example, {n: name}, "-")
            code, stderr = alone.returncode, alone.stderr
        else:
            code, stderr = run["ended"][str(n)], (tmp_path / f"{n}.err").read_text(encoding="utf-8")
        said = f"{name} at call {n} of {total}: exit {code}\n{stderr[-2000:]}"
        assert code == 130, said
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, said
        assert stderr.strip().splitlines()[-1].startswith("error: interrupted; "), said


# Runs `rameau ARGS` as the console script does, sending itself SIG from inside a __del__ as
# the function named FUNCTION starts: Python runs the handler there, where the KeyboardInterrupt
# it raises cannot propagate ("Exception ignored in ...", and lost), as it can in an import
# lock's weakref callback or any object's __del__.
def lose_a_stop(function: str, name: str) -> None:
    """In the command's process: the signal `name` sent from inside a __del__ as `function` starts."""

    class Finalized:
        def __del__(self):
            os.kill(os.getpid(), getattr(signal, name))
            for _ in range(10_000):  # the handler runs within these steps
                pass

    def trace(frame, event, arg):
        if event == "call" and frame.f_code.co_name == function:
            sys.settrace(None)
            Finalized()

    sys.settrace(trace)


# The same in a fresh interpreter, the console script imported first (as the original script did).
IN_A_DEL = ("import os, signal, sys\nfrom rameau_cli.cli.launcher import main\n" + inspect.getsource(lose_a_stop)
            + "lose_a_stop(*sys.argv[1:3])\nsys.argv = ['rameau', *sys.argv[3:]]\nmain()\n")


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals: a process sends them to itself")
@pytest.mark.parametrize("function, command, said", [
    ("<module>", ("build-issue",), "error: interrupted; nothing was changed"),  # while the command is imported
    ("render_email", ("build-issue",), "error: interrupted; nothing was changed"),
    ("numbers_together", ("articles", "--week", "2026-W48"), "error: interrupted; the command had done its work"),
])
def test_a_stop_whose_exception_python_loses_still_stops_the_command(example, function, command, said):
    # A real process: the console script, a signal sent to itself, Python's unraisable hook. While
    # the command is imported: a fresh interpreter; later, a child of this one (helpers.Child).
    if function == "<module>":
        ended = subprocess.run([sys.executable, "-c", IN_A_DEL, function, "SIGTERM", *command], cwd=example,
                               capture_output=True, text=True, timeout=120,
                               env={**os.environ, "NO_COLOR": "1"})
        code, stderr = ended.returncode, ended.stderr
    else:
        ran = Child(*command, cwd=example, prepare=lose_a_stop, given=(function, "SIGTERM"), console=True).result()
        code, stderr = ran.code, ran.stderr
    assert code == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith(said), stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    if command[0] == "build-issue":
        assert not (example / "dist").exists() or not any((example / "dist").glob("2026-*")), "a build was put in place"


@pytest.fixture(scope="module")
def previewed(tmp_path_factory) -> Path:
    """The example for the live previews, which only read it: its caches made once, here."""
    project = copy_example(tmp_path_factory.mktemp("previewed") / "project")
    assert invoke("preview", cwd=project).code == 0
    return project


def _tgkill():
    try:
        return ctypes.CDLL(None, use_errno=True).tgkill
    except (AttributeError, OSError):
        return None


@pytest.mark.skipif(_tgkill() is None or not Path("/proc/self/task").is_dir(),
                    reason="needs tgkill (Linux) to hand a signal to one thread")
def test_the_live_preview_stops_on_the_first_signal_whichever_thread_takes_it(previewed):
    """The kernel gives a process's signal to any thread that does not block it: here, on
    purpose, to one that is not the main thread (the watcher's, the server's). SIGTERM, SIGINT
    and SIGHUP each to a preview of its own, each preview started as the one before is given
    its signal: their whiles until the main thread's next wake sees it are waited at once."""
    # Real processes (helpers.Child): a signal is handed to one of a process's threads.
    with contextlib.ExitStack() as running:
        previews = {}
        for name in ("SIGTERM", "SIGINT", "SIGHUP"):
            process = previews[name] = running.enter_context(Child("preview", "--serve", "--port", "0", cwd=previewed,
                                                                   console=True, pipe=True))
            assert process.stderr.readline().startswith("Preview on http://127.0.0.1:"), name  # type: ignore[union-attr]
            others = sorted(int(tid) for tid in os.listdir(f"/proc/{process.pid}/task") if int(tid) != process.pid)
            assert others, "the preview runs its server and watcher in threads"
            assert _tgkill()(process.pid, others[-1], getattr(signal, name)) == 0
        ended = {name: astuple(process.result(timeout=30)) for name, process in previews.items()}  # the old preview slept on for an hour
    for name, (code, _, rest) in ended.items():
        assert code in (0, 130), (name, rest)
        assert "Traceback" not in rest and "Preview stopped." in rest, (name, rest)
