"""Built emails as the output folder holds them: which edition each segment was last built in,
and whether each is still what the sources give. `built_edition` is what `check`, `send` and
`push` start from: the built emails of the edition, or why not (none built, or built before
their sources changed).

A build is stale when building it again now, in memory and from the feeds' cached copies,
gives other HTML or another text part: an article, an edition file, a template or rameau.yaml
changed since. A test send of a stale build would show reviewers an email that will not go out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .cache.base import CacheFolder
from .errors import Problem, RameauError, UsageError, Warnings
from .output.write import latest_editions, settle
from .pipeline import Build, BuildOptions, build, pick_segments, plan_editions
from .project.addresses import HTML, MESSAGE, TEXT, Addresses
from .project.calendar import period_days
from .project.config import Config
from .project.editions import edition_file_for


@dataclass(frozen=True)
class BuiltEmail:
    segment: str
    edition: str
    folder: Path  # <out>/<edition>/<segment>
    entry: dict[str, Any]  # its entry in the edition's manifest
    out: Path  # the output folder it was built into
    history: bool = True  # whether its build read the history (the manifest's `history`)


@dataclass
class BuiltEdition:
    """The built emails the options name, in `out_dir`, and whether the sources still build them
    the same (asked once, when needed: it builds them again)."""

    config: Config
    out_dir: Path
    emails: list[BuiltEmail]
    _stale: tuple[list[Problem], Build | None] | None = field(default=None, repr=False)

    def stale(self) -> tuple[list[Problem], Build | None]:
        """The emails the sources would now build differently, and the fresh build (see `stale`)."""
        if self._stale is None:
            self._stale = stale(self.config, self.emails)
        return self._stale

    def present(self, what: str = "email") -> list[BuiltEmail]:
        """The emails, or a usage error when none was built."""
        if not self.emails:
            raise UsageError(Problem(str(self.out_dir), f"no built {what} here; run rameau build-issue first"))
        return self.emails

    def refuse_stale(self, error: type[RameauError], nothing_done: str) -> None:
        """`error` naming each email built before its sources changed, and that `nothing_done`."""
        problems, _ = self.stale()
        if problems:
            raise error(*problems, Problem("", nothing_done))


def built_edition(config: Config, options: BuildOptions, out_dir: Path, settled: bool = False) -> BuiltEdition:
    """The built emails the options name (with no edition named, each segment's latest build),
    once what a build killed during its swaps left is put right (`settled`: the caller holds the
    output folder, which did it)."""
    if not settled:
        settle(config, out_dir)
    return BuiltEdition(config, out_dir, built_emails(config, options, out_dir))


def built_emails(config: Config, options: BuildOptions, out_dir: Path) -> list[BuiltEmail]:
    """The built emails the options name; with no edition named, each segment's latest build."""
    segments = pick_segments(config, options.segments)
    latest = {} if options.named else latest_editions(out_dir)
    if not latest:
        now = dt.datetime.now(config.newsletter.tz)
        plan = plan_editions(config, options, segments, now, Warnings(), CacheFolder(config.cache_dir))
        pairs = [(segment.id, edition.id) for edition, members in plan for segment in members]
    else:
        pairs = [(segment.id, latest[segment.id]) for segment in segments if segment.id in latest]
    emails = []
    places = Addresses(out_dir)
    manifests: dict[str, dict[str, Any]] = {}  # by edition: read once for all its segments
    for segment, edition in pairs:
        if edition not in manifests:
            manifests[edition] = _manifest(places.manifest(edition))
        entry = manifests[edition].get("segments", {}).get(segment)
        folder = places.email(edition, segment)
        if isinstance(entry, dict) and (folder / MESSAGE).is_file():
            emails.append(BuiltEmail(segment, edition, folder, entry, out_dir,
                                     manifests[edition].get("history") is not False))
    return emails


def _manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        segments = manifest["segments"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return manifest if isinstance(segments, dict) and isinstance(manifest, dict) else {}


def options_for(config: Config, edition_id: str, segments: tuple[str, ...]) -> BuildOptions:
    """The options that build `edition_id` again: its edition file, else its period."""
    options = BuildOptions(segments=segments, offline=True)
    if edition_file_for(config.root, edition_id):
        return replace(options, edition=edition_id)
    days = period_days(edition_id)
    if days is None:
        return replace(options, edition=edition_id)  # not found: the build says so
    first, last = days
    if "_" in edition_id:
        return replace(options, since=first, until=last)
    return replace(options, date=last + dt.timedelta(days=1))  # the day after: that period's calendar edition


def stale(config: Config, emails: list[BuiltEmail]) -> tuple[list[Problem], Build | None]:
    """The built emails that the sources would now build differently, and the fresh build."""
    problems: list[Problem] = []
    fresh: Build | None = None
    by_edition: dict[tuple[str, bool], list[BuiltEmail]] = {}
    for built in emails:
        by_edition.setdefault((built.edition, built.history), []).append(built)
    left_out: list[Problem] = []  # the images each fresh build left out
    for (edition_id, with_history), members in by_edition.items():
        # Built again as it was built: a build without the history (--no-history, --out
        # elsewhere) is compared with one without it, not numbered from the history.
        options = options_for(config, edition_id, tuple(e.segment for e in members))
        fresh = build(config, options) if with_history else build(config, replace(options, history=False), history=None)
        left_out += [p for p in fresh.image_warnings if p not in left_out]
        now = {e.issue.segment.id: e for e in fresh.emails if e.issue.edition_id == edition_id}
        for built in members:
            again = now.get(built.segment)
            files = built.entry.get("files", {})
            same = again is not None and all(
                files.get(name, {}).get("sha256") == hashlib.sha256(text.encode("utf-8")).hexdigest()
                for name, text in ((HTML, again.html), (TEXT, again.text)))
            if not same:
                problems.append(Problem(str(built.folder), "was built before its sources changed (an article, the "
                                                           "edition file, a template or rameau.yaml); run rameau "
                                                           "build-issue again, or pass --force"))
    return problems, replace(fresh, image_warnings=tuple(left_out)) if fresh is not None else None
