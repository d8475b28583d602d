"""The `rameau` console script. `rameau --version` answers before any heavy import; everything
else goes to the Typer application in cli.py."""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"rameau {__version__}")
        return
    from .cli import main as run

    run()
