"""One exception family for everything a user can get wrong, each with its exit code.

Only the command line (cli/app.py) turns these into messages; the library raises them and never prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BUILD_FAILED = 1  # content or rendering problems, or warnings under --strict
    USAGE = 2  # bad command-line usage or configuration
    INTERNAL = 3  # a bug in rameau
    NOTHING_TO_SEND = 4  # the build went well but no segment had a new article: no email
    INTERRUPTED = 130


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where, what, and how to fix it."""

    where: str  # "rameau.yaml: segments.hebdo-asso.max_articles" or "articles/x.md:3"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass(frozen=True)
class KeyTypo(Problem):
    """A key surely misspelt (`publish-at`, `audiances`): it stops the build (exit 2) rather than
    leave the file out or ignore the key."""


class RameauError(Exception):
    exit_code = ExitCode.BUILD_FAILED

    def __init__(self, *problems: Problem | str):
        self.problems = tuple(p if isinstance(p, Problem) else Problem("", p) for p in problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(RameauError):
    exit_code = ExitCode.USAGE


class UsageError(RameauError):
    exit_code = ExitCode.USAGE


class ContentError(RameauError):
    """An article, edition or feed that cannot be used."""


class RenderError(RameauError):
    """A template or MJML problem."""


class OutputError(RameauError):
    """The output folder cannot be written."""


class PushError(RameauError):
    """The emailing tool refused, failed or did not answer; or a campaign is no longer a draft."""


class StrictError(RameauError):
    """Warnings were raised and --strict asks to fail on them."""


class Interrupted(RameauError):
    """Ctrl-C, SIGTERM or SIGHUP stopped a command."""

    exit_code = ExitCode.INTERRUPTED


class Warnings:
    """Collects the warnings of one build; `--strict` turns any of them into a failure."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.seen: set[Problem] = set()  # the same warning is said once (a set: a build may say thousands)

    def warn(self, where: str, message: str) -> None:
        problem = Problem(where, message)
        if problem not in self.seen:
            self.seen.add(problem)
            self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Warnings said elsewhere (the configuration's, a build's), kept as they come."""
        for problem in problems:
            self.seen.add(problem)
            self.items.append(problem)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def show(value) -> str:
    """A short, bounded repr of a user's value for a message (never the whole of a huge or nested one)."""
    import reprlib

    shower = reprlib.Repr()
    shower.maxstring, shower.maxother, shower.maxlevel = 60, 60, 2
    shower.maxlist = shower.maxdict = shower.maxtuple = 4
    return shower.repr(value)


def size(count: int) -> str:
    """A number of bytes as a person reads it: `850 bytes`, `195 KB`, `10 MB`."""
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count // 1024} KB"
    megabytes = count / 1024 / 1024
    return f"{megabytes:.0f} MB" if megabytes >= 10 or megabytes == int(megabytes) else f"{megabytes:.1f} MB"
