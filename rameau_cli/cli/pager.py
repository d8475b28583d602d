"""Output taller than the terminal goes through a pager, as git's and man's do.

The pager is `PAGER` (empty or `cat`: none); without it, the first pager the system has
(`less`, else `more`; `more` on Windows), else none. It runs with `LESS=FRX` unless `LESS` is
set: quit at once when the text fits after all, show the colours as they are, and leave the
text on the screen on quitting. A pager that cannot be started is said once, and the text is
printed as it is.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

from rich.pager import Pager

from .. import compat


def pager_command() -> list[str]:
    """The pager to run, from PAGER (split as this system's shell does: a Windows path keeps its
    backslashes); [] when there is none to run."""
    value = os.environ.get("PAGER")
    if value is None:
        return compat.find_pager()
    try:
        command = compat.split_command(value)
    except ValueError:  # a quote left open
        command = value.split()
    return [] if command in ([], ["cat"]) else command


class CommandPager(Pager):
    """rich's Pager, run as a command of our choosing rather than pydoc's (which reads MANPAGER,
    and starts `less` once only to see whether it exists)."""

    def __init__(self, command: list[str]):
        self.command = command

    def show(self, content: str) -> None:
        environment = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
        process = subprocess.Popen(self.command, stdin=subprocess.PIPE, env=environment,
                                   encoding=compat.pager_encoding(sys.stdout), errors="replace")
        assert process.stdin is not None
        try:
            with process.stdin:
                process.stdin.write(content)
        except BrokenPipeError:
            pass  # the reader quit before the end
        while True:
            try:
                process.wait()
                return
            except KeyboardInterrupt:
                continue  # Ctrl-C is the pager's to handle


def page(content: str) -> None:
    """`content` through the pager when it is taller than the terminal; else printed as it is."""
    command = pager_command()
    if command and content.count("\n") > shutil.get_terminal_size().lines:
        sys.stdout.flush()
        try:
            CommandPager(command).show(content)
            return
        except OSError as exc:
            print(f"warning: PAGER: cannot run {shlex.join(command)} ({exc.strerror or exc}); printed without a pager",
                  file=sys.stderr)
    sys.stdout.write(content)
