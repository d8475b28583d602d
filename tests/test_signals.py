"""Stop signals, whenever they come: from the first instruction of a command (while Python
still imports its modules) to the live preview waiting for edits, when the kernel hands the
signal to a thread other than the main one. Always exit 130 (or the preview's own stop), one
line, never a traceback, never a silent death."""

import ctypes
import inspect
import os
import signal
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import pytest

from helpers import Child, copy_example, invoke

# Runs `rameau ARGS` as the console script does, sending itself SIG at the N-th Python call
# made once the launcher's main() starts (a deterministic moment, however fast the machine).
AT_CALL = """
import os, signal, sys
from rameau_cli.cli.launcher import main
n, name = int(sys.argv[1]), sys.argv[2]
calls = [0]
def trace(frame, event, arg):
    if event == "call":
        calls[0] += 1
        if calls[0] == n:
            os.kill(os.getpid(), getattr(signal, name))
if n < 0:
    import atexit
    atexit.register(lambda: print(f"calls: {calls[0]}", file=sys.stderr))
sys.settrace(trace)
sys.argv = ["rameau", *sys.argv[3:]]
main()
"""


def _at_call(project: Path, n: int, name: str) -> subprocess.CompletedProcess:
    # A fresh process each time: the signal may come while Python still imports the command.
    return subprocess.run([sys.executable, "-c", AT_CALL, str(n), name, "articles", "--week", "2026-W48"],
                          cwd=project, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"})


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals: a process sends them to itself")
def test_a_signal_at_any_moment_of_a_command_is_exit_130_and_one_line(example):
    # Counted on a warm run, as every run after the first is: the first one also fills the
    # caches, and a later run makes fewer calls than it made. (Not filled in this process: what
    # it keeps in memory, its compiled templates, it would not write to the caches.)
    for _ in range(2):
        counted = _at_call(example, -1, "SIGTERM")
        assert counted.returncode == 0, counted.stderr
    total = int(counted.stderr.rsplit("calls: ", 1)[1])
    # The first calls install the handlers (signal.signal is Python), then moments spread over
    # the whole command; the three signals take turns, each met early, midway and late.
    moments = [20, 40, 150] + [total * share // 100 for share in (2, 10, 30, 60, 90)]
    for index, n in enumerate(moments):
        name = ("SIGTERM", "SIGINT", "SIGHUP")[index % 3]
        ended = _at_call(example, n, name)
        said = f"{name} at call {n} of {total}: exit {ended.returncode}\n{ended.stderr[-2000:]}"
        assert ended.returncode == 130, said
        assert "Traceback" not in ended.stderr and "KeyboardInterrupt" not in ended.stderr, said
        assert ended.stderr.strip().splitlines()[-1].startswith("error: interrupted; "), said


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
@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_the_live_preview_stops_on_the_first_signal_whichever_thread_takes_it(previewed, name):
    """The kernel gives a process's signal to any thread that does not block it: here, on
    purpose, to one that is not the main thread (the watcher's, the server's)."""
    # A real process (helpers.Child): a signal is handed to one of its threads.
    with Child("preview", "--serve", "--port", "0", cwd=previewed, console=True, pipe=True) as process:
        assert process.stderr.readline().startswith("Preview on http://127.0.0.1:")
        others = sorted(int(tid) for tid in os.listdir(f"/proc/{process.pid}/task") if int(tid) != process.pid)
        assert others, "the preview runs its server and watcher in threads"
        assert _tgkill()(process.pid, others[-1], getattr(signal, name)) == 0
        code, _, rest = astuple(process.result(timeout=30))  # the old preview slept on for an hour
    assert code in (0, 130), rest
    assert "Traceback" not in rest and "Preview stopped." in rest
