"""Options shared by several commands, declared once: which edition, which segments (by id or
by cadence), which sources, which project. `@edition_options` adds them to a command, which
receives them as one `EditionChoice` argument named `choice`."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from ..errors import Problem, UsageError

if TYPE_CHECKING:
    from ..builds import BuildOptions
    from ..project.config import Config


@dataclass(frozen=True)
class EditionChoice:
    """What a command was asked to work on."""

    edition: Optional[str]
    segment: List[str]
    cadence: List[str]
    since: Optional[str]
    until: Optional[str]
    week: Optional[str]
    date: Optional[str]
    source: List[str]
    offline: bool
    project: Path

    def segments(self, config: Config) -> tuple[str, ...]:
        """The segments asked for: those --segment names, those of the --cadence given, or, with
        both, those named that have that cadence; none asked: () (every segment)."""
        if not self.cadence:
            return tuple(self.segment)
        from ..pipeline import pick_segments
        from ..project.config import CADENCES
        from ..project.schema import closest

        problems = []
        for cadence in dict.fromkeys(self.cadence):
            if cadence not in CADENCES:
                hint = closest(cadence, CADENCES)
                problems.append(Problem("--cadence", f"unknown cadence {cadence!r}; "
                                        + (f"did you mean {hint!r}? " if hint else "") + f"choose from {', '.join(CADENCES)}"))
        if problems:
            raise UsageError(*problems)
        named = pick_segments(config, tuple(self.segment))  # an unknown --segment is said as such
        chosen = tuple(s.id for s in named if s.cadence in self.cadence)
        if not chosen:
            among = "of those --segment names " if self.segment else ""
            known = ", ".join(f"{s.id} ({s.cadence})" for s in config.segments)
            raise UsageError(Problem("--cadence", f"no segment {among}is {' or '.join(self.cadence)}; the segments: {known}"))
        return chosen

    def build_options(self, config: Config, **more: Any) -> BuildOptions:
        """BuildOptions for what was asked, in the project `config` (its time zone, its segments)."""
        from ..builds import BuildOptions

        tz = config.newsletter.tz
        return BuildOptions(
            edition=self.edition,
            since=parse_day(self.since, "--since", tz),
            until=parse_day(self.until, "--until", tz),
            week=self.week,
            date=parse_day(self.date, "--date", tz),
            segments=self.segments(config),
            sources=sources(self.source),
            offline=self.offline,
            **more,
        )


# name -> (annotation, parameter declaration), in the order --help lists them
SHARED: dict[str, tuple[Any, Any]] = {
    "edition": (Optional[str], typer.Argument(None, help="Edition id, such as 2026-W48: a file in issues/ or a "
                                                         "calendar period (default: the newest edition file).",
                                              show_default=False)),
    "segment": (List[str], typer.Option([], "--segment", "-s", help="Only this segment (repeatable).")),
    "cadence": (List[str], typer.Option([], "--cadence", help="Only the segments of this cadence: daily, weekly or "
                                                              "monthly (repeatable), e.g. a weekly CI job's --cadence weekly.")),
    "since": (Optional[str], typer.Option(None, "--since", help="First day of the window, e.g. 2026-11-23.")),
    "until": (Optional[str], typer.Option(None, "--until", help="Last day of the window, e.g. 2026-11-29.")),
    "week": (Optional[str], typer.Option(None, "--week", help="An ISO week as the window, e.g. 2026-W48.")),
    "date": (Optional[str], typer.Option(None, "--date", help="Each segment's calendar edition as of this day "
                                                              "(2026-11-30, or today in the newsletter's time zone).")),
    "source": (List[str], typer.Option([], "--source", help="A Markdown folder or .md file, a feed file or a feed URL, "
                                                            "replacing the configured sources (repeatable).")),
    "offline": (bool, typer.Option(False, "--offline", help="No network: feeds from the cache of the last online "
                                                            "build (check --links: no link asked).")),
    "project": (Optional[Path], typer.Option(None, "--project", "-C", show_default=False,
                                             help="The project's folder (default: the current folder, or the nearest "
                                                  "one above it that holds rameau.yaml); also before the command.")),
}

def find_root(start: Path) -> Path:
    """The folder of the project `start` is in: the nearest of `start` and the folders above it
    that holds rameau.yaml; `start` itself when none does (loading it then says so)."""
    from ..project.config import CONFIG_FILE

    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


# `rameau -C DIR COMMAND`: the folder given before the command, set by cli/app.py's callback.
BEFORE_COMMAND: dict[str, Optional[Path]] = {"project": None}


def project_folder(given: Optional[Path], quiet: bool = False) -> Path:
    """The project's folder: `-C DIR` (after the command, else before it), or the current folder;
    then, as git, ruff and pytest do, the nearest folder from there up that holds rameau.yaml,
    said on stderr when it is not the folder started from."""
    chosen = given or BEFORE_COMMAND["project"] or Path(".")
    start = chosen.absolute()
    root = find_root(start)
    if root == start:
        return chosen  # as given: messages name the project's files as the user named its folder
    if not quiet:
        import sys

        print(f"using the project in {root}", file=sys.stderr)
    return root


def edition_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` the shared options; it takes them as `choice: EditionChoice`."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "choice"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
              for name, (annotation, default) in SHARED.items()]
    # Typer reads parameters in order: the EDITION argument first, then the command's own options.
    parameters = [shared[0]] + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + shared[1:]

    @functools.wraps(command)
    def wrapper(**values: Any) -> Any:
        chosen = {name: values.pop(name) for name in SHARED}
        chosen["project"] = project_folder(chosen["project"], quiet=bool(values.get("quiet")))
        choice = EditionChoice(**chosen)
        return command(choice=choice, **values)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": signature.return_annotation}
    return wrapper


def parse_day(value: Optional[str], option: str, tz: Any) -> Optional[dt.date]:
    """A day given on the command line; `today` is today in the newsletter's time zone."""
    if value is None:
        return None
    if value.strip().lower() == "today":
        return dt.datetime.now(tz).date()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(Problem(option, f"{value!r} is not a date; write it as 2026-11-23")) from None


def sources(values: List[str]) -> tuple:
    """`--source` values: http(s) URLs are feeds; a folder or .md file is Markdown, any other
    file a feed. Paths are made absolute without following links (`<(cat feed.xml)` works).
    A malformed URL, or one of another scheme than http(s), is a usage error."""
    from ..project.config import Source
    from ..project.urls import feed_location_problem, looks_like_url

    found, problems = [], []
    for value in values:
        if looks_like_url(value):
            problem = feed_location_problem(value)
            if problem:
                problems.append(Problem("--source", problem))
            found.append(Source("feed", value.strip()))
            continue
        path = Path(os.path.abspath(value))
        is_markdown = path.is_dir() or path.suffix.lower() in (".md", ".markdown")
        found.append(Source("markdown" if is_markdown else "feed", str(path)))
    if problems:
        raise UsageError(*problems)
    return tuple(found)
