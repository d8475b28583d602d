"""The `rameau` console script. `rameau --version` answers before any heavy import; everything
else goes to the Typer application in cli/app.py.

The stop signals are taken from the first instruction on: a signal that comes while Python
still imports the command's modules stops it as one does later (exit 130 and one line), never
with a traceback or a silent death by SIGTERM."""

import gc
import signal
import sys

from ..interrupts import STOP_SIGNALS

INTERRUPTED = 130  # errors.ExitCode.INTERRUPTED, without importing it first
_over = [False]  # the command has returned: a signal now must not turn its exit code into a kill


def _stop(signum: int, frame: object) -> None:
    if not _over[0]:
        raise KeyboardInterrupt


def main() -> None:
    try:
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _stop)
        code = _run()
        _over[0] = True
    except KeyboardInterrupt:
        _over[0] = True
        print("error: interrupted; nothing was changed", file=sys.stderr)
        code = INTERRUPTED
    gc.freeze()
    sys.stdout.flush()
    sys.exit(code)


def _run() -> int:
    from ..compat import console_utf8

    console_utf8()  # «», accents and emoji on a Windows console or pipe, never an encoding error
    if sys.argv[1:] == ["--version"]:
        from ..version import __version__

        print(f"rameau {__version__}")
        return 0
    # A build is a short batch run that makes many objects and few cycles: collecting them
    # rarely saves a fifth of a large build, and freezing what is alive at the end spares the
    # interpreter a last full collection on exit. Memory use is unchanged (measured in bench/).
    gc.set_threshold(100_000, 20, 20)
    from .app import main as run

    return run()
