"""The `rameau` console script. `rameau --version` answers before any heavy import; everything
else goes to the Typer application in cli/app.py.

The stop signals are taken from the first instruction on: a signal that comes while Python
still imports the command's modules stops it as one does later (exit 130 and one line), never
with a traceback or a silent death by SIGTERM."""

import signal
import sys

from .. import gc_tuning, interrupts
from ..interrupts import STOP_SIGNALS
from ..version import __version__

INTERRUPTED = 130  # errors.ExitCode.INTERRUPTED, without importing it first
_over = [False]  # the command has returned: a signal now must not turn its exit code into a kill
_at_exit: list = []  # what the command set up that is to be undone (and written) before the process ends


def _stop(signum: int, frame: object) -> None:
    if not _over[0]:
        raise KeyboardInterrupt


def main() -> None:
    interrupts.keep_lost_stops()
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
    for undo in _at_exit:
        undo()  # the methods compiled for the first time kept for the next command (dataclass_cache)
    gc_tuning.freeze_before_exit()
    sys.stdout.flush()
    sys.exit(code)


def _run() -> int:
    from ..compat import console_utf8

    console_utf8()  # «», accents and emoji on a Windows console or pipe, never an encoding error
    if sys.argv[1:] == ["--version"]:
        print(f"rameau {__version__}")
        return 0
    gc_tuning.tune_for_a_build()
    from .. import dataclass_cache  # start-up: `--version` answers without it (pathlib, hashlib)

    dataclass_cache.install()
    _at_exit.append(dataclass_cache.uninstall)
    from .app import main as run  # the start-up seam: `--version` answers without Typer

    return run()
