"""The `rameau` command line: the Typer application, and the one place where errors become
one-line messages and exit codes.

`main(argv)` runs a command and returns its exit code; the library below it raises and never
exits. Tracebacks are shown only with --debug, which never changes an exit code.
"""

# No `from __future__ import annotations` here: Typer would then evaluate every annotation
# string of every command at each start.

import functools
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer

from .. import compat, interrupts
from ..errors import ExitCode, Interrupted, RameauError
from ..interrupts import held
from ..output.commit import InterruptedAfterCommit
from ..redact import mask
from ..version import __version__
from . import commands

app = typer.Typer(
    name="rameau",
    help=(
        "Compile a pool of articles into one send-ready newsletter per audience segment.\n\n"
        "Example: rameau build-issue   (builds the newest edition into dist/)"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False, "interrupted": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rameau {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks on errors."),
    project: Optional[Path] = typer.Option(None, "--project", "-C", show_default=False,
                                           help="Run the command on the project in this folder (as git -C does)."),
) -> None:
    """The options before any command (the help shown is the Typer app's `help`)."""
    from .options import BEFORE_COMMAND

    _state["debug"] = debug
    BEFORE_COMMAND["project"] = project


def interruptible(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn an interruption into an error of ours: Typer would swallow a KeyboardInterrupt into
    a silent exit code 130."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InterruptedAfterCommit:
            raise Interrupted("interrupted; the build had been written whole before it stopped") from None
        except KeyboardInterrupt:
            raise Interrupted("interrupted; nothing was changed") from None

    return run


for name, command in (("build-issue", commands.build_issue), ("preview", commands.preview),
                      ("articles", commands.articles), ("check", commands.check), ("send", commands.send),
                      ("push", commands.push), ("init", commands.init)):
    app.command(name)(interruptible(command))

history_app = typer.Typer(name="history", help="The project's history.json. Example: rameau history resolve",
                          no_args_is_help=True, rich_markup_mode=None)
history_app.command("resolve")(interruptible(commands.history_resolve))
app.add_typer(history_app, name="history")


def _interrupt(signum: int, frame: object) -> None:
    _state["interrupted"] = True
    if not held():  # a create whose answer is not yet recorded: the interruption comes after it
        raise KeyboardInterrupt


@functools.cache
def _command() -> Any:
    """The click command Typer makes of `app` (what `app(...)` makes again at each call): made
    once, so a program that runs several commands in one process (the tests do, hundreds of
    times) does not rebuild every command's options each time."""
    return typer.main.get_command(app)


def main(argv: Optional[List[str]] = None) -> int:
    """Run one command (`argv` without the program name) and return its exit code."""

    _state["debug"] = "--debug" in (sys.argv[1:] if argv is None else argv)
    _state["interrupted"] = False
    previous = {sig: signal.signal(sig, _interrupt) for sig in compat.STOP_SIGNALS}
    try:
        interrupts.check()  # a stop while Python imported the command, whose exception was lost
        code = _command()(args=argv, prog_name="rameau", standalone_mode=False)
        if code == ExitCode.INTERRUPTED and _state["interrupted"]:  # before any command ran: Typer said nothing
            print("error: interrupted; nothing was changed", file=sys.stderr)
        elif interrupts.take_lost():  # its exception was lost in a callback: the command went on to its end
            print("error: interrupted; the command had done its work when it stopped", file=sys.stderr)
            return int(ExitCode.INTERRUPTED)
        return code if isinstance(code, int) else 0
    except RameauError as exc:
        _traceback()
        for problem in exc.problems:
            print(f"error: {mask(str(problem))}", file=sys.stderr)
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _traceback()
        print("error: interrupted; nothing was changed", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error from the option parser
            if type(exc).__name__ == "NoArgsIsHelpError":  # `rameau` alone: the help
                exc.show()
                return int(ExitCode.USAGE)
            from .usage import usage_line

            print(f"error: {usage_line(exc)}", file=sys.stderr)
            return int(ExitCode.USAGE)
        _traceback(always=bool(os.environ.get("RAMEAU_DEBUG")))
        print(f"error: internal error ({type(exc).__name__}: {mask(str(exc))}); rerun with --debug and report it",
              file=sys.stderr)
        return int(ExitCode.INTERNAL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _traceback(always: bool = False) -> None:
    if _state["debug"] or always:
        traceback.print_exc()
