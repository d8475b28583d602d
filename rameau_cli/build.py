"""The pipeline, end to end: config -> sources -> grouping -> issue -> render -> output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from .articles import Article
from .config import Config, Segment, Source, load_config
from .editions import (Edition, Window, cadence_window, check_edition_id, day_window, find_edition_file,
                       newest_edition_file, parse_week, read_edition_file, week_id)
from .errors import Problem, StrictError, UsageError, Warnings, show
from .fetch import FetchPolicy
from .grouping import Selection, group
from .issue import make_issue, render_edito
from .output import make_manifest, write_edition
from .render import RenderedIssue, render_within
from .sources import collect_articles

CACHE_DIR = ".rameau-cache"  # safe to delete: feeds are fetched again


@dataclass(frozen=True)
class BuildOptions:
    edition: str | None = None  # an edition file's id, e.g. "2026-W48"
    since: dt.date | None = None
    until: dt.date | None = None
    week: str | None = None
    date: dt.date | None = None  # "today" for cadence windows
    segments: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()  # replaces the configured sources when given
    out: Path | None = None
    strict: bool = False
    offline: bool = False  # feeds from the cache only


@dataclass(frozen=True)
class BuildResult:
    edition: Edition
    issues: tuple[RenderedIssue, ...]
    selections: tuple[Selection, ...]
    articles: tuple[Article, ...]  # the whole pool, selected or not
    manifest: dict
    warnings: tuple[Problem, ...]
    path: Path | None = None  # where the edition was written, if it was


def load_project(root: Path) -> Config:
    """The project in `root` (the folder holding rameau.yaml), validated."""
    return load_config(root)


def build_issue(config: Config, options: BuildOptions = BuildOptions(), *, now: dt.datetime | None = None,
                write: bool = True) -> BuildResult:
    """Build every segment of one edition and, if `write`, put it under the output folder."""
    warnings = Warnings()
    warnings.items.extend(config.warnings)
    segments = pick_segments(config, options.segments)
    edition = resolve_edition(config, options, now or dt.datetime.now(config.newsletter.tz), warnings)
    policy = FetchPolicy(cache_dir=config.root / CACHE_DIR, offline=options.offline)
    articles = collect_articles(config, options.sources or config.sources, warnings, policy)
    for missing in sorted(set(edition.pinned) - {a.id for a in articles}):
        warnings.warn(edition.source, f"pinned article {show(missing)} not found; check the slug")
    selections = group(segments, articles, edition)
    edito = render_edito(edition, config.newsletter.language, config.newsletter.base_url)
    templates = config.root / "templates"
    rendered, empty = [], []
    for selection in selections:
        if not selection.articles:
            empty.append(selection.segment.id)
            warnings.warn(f"segment {selection.segment.id}", "no article in this edition's window; no email built")
            continue
        rendered.append(render_within(make_issue(config, edition, selection, edito), templates))
    if options.strict and warnings:
        raise StrictError(*warnings, Problem("--strict", f"{len(warnings)} warning(s); nothing was written"))
    manifest = make_manifest(edition, tuple(rendered), tuple(empty))
    path = None
    if write:
        out_dir = options.out or config.output_dir
        path = write_edition(out_dir, edition.id, tuple(rendered), manifest, keep_other_segments=bool(options.segments))
    return BuildResult(edition, tuple(rendered), selections, articles, manifest, tuple(warnings), path)


def pick_segments(config: Config, wanted: tuple[str, ...]) -> tuple[Segment, ...]:
    known = [s.id for s in config.segments]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise UsageError(*(Problem("--segment", f"unknown segment {show(s)}; choose from {', '.join(known)}") for s in unknown))
    return tuple(s for s in config.segments if not wanted or s.id in wanted)


def resolve_edition(config: Config, options: BuildOptions, now: dt.datetime, warnings: Warnings) -> Edition:
    """The edition file asked for (or the newest one), with any window given on the command line."""
    tz = config.newsletter.tz
    explicit = _explicit_window(options, tz)
    path = None
    if options.edition:
        path = find_edition_file(config.root, options.edition)
    elif options.week and (config.root / "issues" / f"{_week_key(options.week)}.md").is_file():
        path = config.root / "issues" / f"{_week_key(options.week)}.md"
    elif explicit is None and options.date is None:
        path = newest_edition_file(config.root)
    if path is not None:
        edition = read_edition_file(path, tz, warnings)
        if explicit:
            edition = replace(edition, windows={"*": explicit[1]})
        return edition
    if explicit:
        edition_id, window = explicit
        return Edition(id=edition_id, date=window.until, windows={"*": window})
    today = options.date or now.date()
    windows = {s.id: cadence_window(s.cadence, today, tz) for s in config.segments}
    windows["*"] = max(windows.values(), key=lambda w: w.until - w.since)
    return Edition(id=today.isoformat(), date=dt.datetime.combine(today, dt.time(), tz), windows=windows)


def _week_key(week: str) -> str:
    return week_id(parse_week(week)[0])


def _explicit_window(options: BuildOptions, tz) -> tuple[str, Window] | None:
    if options.week:
        if options.since or options.until:
            raise UsageError(Problem("--week", "give either --week or --since/--until, not both"))
        first, last = parse_week(options.week)
        return week_id(first), day_window(first, last, tz)
    if options.since or options.until:
        if not (options.since and options.until):
            raise UsageError(Problem("--since/--until", "give both dates, e.g. --since 2026-11-23 --until 2026-11-29"))
        if options.until < options.since:
            raise UsageError(Problem("--until", "is before --since; swap the two dates"))
        edition_id = check_edition_id(f"{options.since.isoformat()}_{options.until.isoformat()}", "--since/--until")
        return edition_id, day_window(options.since, options.until, tz)
    return None
