"""What differs between Linux, macOS and Windows, in one place (as HTTPie keeps its
`httpie/compat.py`). Nothing else in rameau asks which system it runs on: it asks this module a
question in its own words (can a process be forked, what swaps two paths, which pager is
there, where is a browser), and gets the answer for this system.

Importing it reads nothing that only POSIX has: Windows lacks fcntl, fork, SIGHUP and more.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from . import interrupts

WINDOWS = sys.platform == "win32"
MACOS = sys.platform == "darwin"
LINUX = sys.platform.startswith("linux")

# The signals that ask a command to stop (interrupts.STOP_SIGNALS), those this system has.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in interrupts.STOP_SIGNALS if hasattr(signal, name))

# Flags for os.open: Windows' C library turns CRLF into LF and stops at Ctrl-Z in a descriptor
# opened without O_BINARY (the open() of Python sets it for "rb"; os.open does not).
O_BINARY: int = getattr(os, "O_BINARY", 0)
O_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)

# Forking without exec is safe on Linux only: macOS' system libraries are not fork-safe once
# used (Python's multiprocessing stopped forking there in 3.8), Windows has no fork at all.
CAN_FORK: bool = LINUX and hasattr(os, "fork")


def fork() -> int:
    """os.fork, where CAN_FORK says it is there and safe."""
    if sys.platform == "win32" or not CAN_FORK:  # spelled out, for the type checker on every system
        raise OSError("no fork on this system")
    return os.fork()


# Swapping two paths in one step


def _linux_exchange() -> Callable[[bytes, bytes], bool] | None:
    """renameat2(RENAME_EXCHANGE), Linux 3.15 and glibc 2.28 (man 2 rename)."""
    import ctypes  # noqa: PLC0415 (start-up: loaded only for a swap)

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    at_fdcwd, rename_exchange = -100, 2
    return lambda first, second: renameat2(at_fdcwd, first, at_fdcwd, second, rename_exchange) == 0


def _macos_exchange() -> Callable[[bytes, bytes], bool] | None:
    """renamex_np(RENAME_SWAP), macOS 10.12 (man 2 renamex_np; <stdio.h>: RENAME_SWAP 0x2).
    APFS and HFS+ swap; another file system (exFAT, SMB) answers ENOTSUP, and the caller falls
    back to its journalled renames."""
    import ctypes  # noqa: PLC0415 (start-up: loaded only for a swap)

    try:
        renamex_np = ctypes.CDLL(None, use_errno=True).renamex_np
    except (OSError, AttributeError):
        return None
    rename_swap = 0x2
    return lambda first, second: renamex_np(first, second, rename_swap) == 0


_exchange: list[Callable[[bytes, bytes], bool] | None] = []


def exchange(first: Path, second: Path) -> bool:
    """Swap the two paths (files or folders) in one atomic step; False where this system or
    this file system cannot (Windows, NFS, CIFS, FAT, exFAT...): nothing was changed then."""
    if not _exchange:
        _exchange.append(_linux_exchange() if LINUX else _macos_exchange() if MACOS else None)
    swap = _exchange[0]
    return swap is not None and swap(os.fsencode(first), os.fsencode(second))


def held_open(exc: OSError) -> bool:
    """Whether Windows refused to rename or remove a path because a process has it (or a file in
    it) open: ERROR_ACCESS_DENIED (5) or ERROR_SHARING_VIOLATION (32). Such a refusal passes
    once the live preview, an editor or an antivirus lets go; POSIX systems never refuse so."""
    return isinstance(exc, PermissionError) and getattr(exc, "winerror", None) in (5, 32)


# Terminals


def default_pagers() -> tuple[str, ...]:
    """The pagers to try when PAGER is not set, in order: `more` is what Windows has."""
    return ("more",) if WINDOWS else ("less", "more")


def find_pager() -> list[str]:
    """The first default pager this system has; [] when it has none."""
    for name in default_pagers():
        found = shutil.which(name)
        if found:
            return [name]
    return []


def pager_encoding(stdout: TextIO) -> str:
    """What the pager reads its text in: the terminal's encoding; on Windows, the console's code
    page (`more` shows bytes in it), whatever Python writes its own output in."""
    if sys.platform == "win32":  # spelled out, for the type checker on every system
        import ctypes  # noqa: PLC0415 (start-up: loaded only for the console's code page)

        code_page = ctypes.windll.kernel32.GetConsoleOutputCP()
        if code_page:
            return "utf-8" if code_page == 65001 else f"cp{code_page}"
    return getattr(stdout, "encoding", None) or "utf-8"


def split_command(value: str, posix: bool = not WINDOWS) -> list[str]:
    """A command line as its words, as this system's shell reads it: a Windows path such as
    `C:\\Program Files\\Less\\less.exe` keeps its backslashes (shlex in POSIX mode would take them
    as escapes), and a quoted word loses its quotes. ValueError for a quote left open."""
    if posix:
        return shlex.split(value)
    lexer = shlex.shlex(value, posix=False)
    lexer.whitespace_split = True
    words = list(lexer)
    return [w[1:-1] if len(w) >= 2 and w[0] == w[-1] and w[0] in "\"'" else w for w in words]


def utf8_streams(*streams: TextIO) -> None:
    """Make text streams write UTF-8, and never fail on a character: a Windows console or pipe
    opened in the ANSI code page (cp1252, cp850) cannot encode «», an emoji or a Polish name."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)  # a replaced stream (a test's StringIO) has none
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if reconfigure is not None and encoding != "utf8":
            reconfigure(encoding="utf-8", errors="replace")


def console_utf8() -> None:
    """At start-up: UTF-8 on stdout and stderr where the system would not give it (Windows;
    PYTHONIOENCODING and Python's UTF-8 mode have the last word)."""
    if WINDOWS and not os.environ.get("PYTHONIOENCODING") and not sys.flags.utf8_mode:
        utf8_streams(sys.stdout, sys.stderr)


# Browsers, for screenshots

# Chrome's headless shell first where it is installed (Debian's chromium-headless-shell, Chrome
# for Testing's chrome-headless-shell): since Chrome 132 the old headless mode is that separate
# binary ("Chrome Headless mode", developer.chrome.com/docs/automation-and-testing/headless). It
# lays out and paints with the same Blink, without the browser's window, tabs and address bar,
# and a screenshot run costs it about a quarter less CPU than Chromium's own headless mode.
HEADLESS_SHELL_NAMES = ("chromium-headless-shell", "chrome-headless-shell")
BROWSER_NAMES = (*HEADLESS_SHELL_NAMES, "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
                 "microsoft-edge", "microsoft-edge-stable", "msedge")


def _browser_paths(environ: dict[str, str] | os._Environ[str]) -> Iterator[Path]:
    """Where Chrome, Chromium and Edge install themselves on this system."""
    if WINDOWS:
        roots = [environ.get(name) for name in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        for root in filter(None, roots):
            yield Path(root, "Google", "Chrome", "Application", "chrome.exe")
            yield Path(root, "Chromium", "Application", "chrome.exe")
            yield Path(root, "Microsoft", "Edge", "Application", "msedge.exe")
    elif MACOS:
        for applications in (Path("/Applications"), Path.home() / "Applications"):
            yield applications / "Google Chrome.app" / "Contents" / "MacOS" / "Google Chrome"
            yield applications / "Chromium.app" / "Contents" / "MacOS" / "Chromium"
            yield applications / "Microsoft Edge.app" / "Contents" / "MacOS" / "Microsoft Edge"
    else:
        yield from (Path("/snap/bin/chromium"), Path("/opt/google/chrome/chrome"), Path("/opt/microsoft/msedge/msedge"))


def installed_browsers(environ: Any = None) -> Iterator[str]:
    """Chrome's headless shell, Chrome, Chromium or Edge as installed here: by name on PATH, then
    at the places their installers put them."""
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            yield found
    for path in _browser_paths(os.environ if environ is None else environ):
        if path.is_file():
            yield str(path)
