"""The `rameau` console script. `rameau --version` answers before any heavy import; everything
else goes to the Typer application in cli/app.py."""

import gc
import signal
import sys


def main() -> None:
    from ..compat import console_utf8

    console_utf8()  # «», accents and emoji on a Windows console or pipe, never an encoding error
    if sys.argv[1:] == ["--version"]:
        from ..version import __version__

        print(f"rameau {__version__}")
        return
    # A build is a short batch run that makes many objects and few cycles: collecting them
    # rarely saves a fifth of a large build, and freezing what is alive at the end spares the
    # interpreter a last full collection on exit. Memory use is unchanged (measured in bench/).
    gc.set_threshold(100_000, 20, 20)
    from .app import STOP_SIGNALS
    from .app import main as run

    code = run()
    # A signal that comes once the command is over must not turn its exit code into a kill.
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    gc.freeze()
    sys.stdout.flush()
    sys.exit(code)
