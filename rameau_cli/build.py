"""The pipeline, end to end: config -> sources -> grouping -> issue -> render -> output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from .articles import Article
from .config import Config, Segment, Source, load_config
from .editions import (Edition, Window, cadence_window, check_edition_id, day_window, find_edition_file,
                       newest_edition_file, parse_week, period_id, read_edition_file, week_id, EDITIONS_DIR)
from .errors import Problem, StrictError, UsageError, Warnings, show
from .fetch import FetchPolicy
from .grouping import Selection, group
from .history import HISTORY_FILE, History, SentEdition, load_history, number_for, record, save_history, sent_before
from .issue import make_issue, render_edito
from .output import make_manifest, write_edition
from .render import RenderedIssue, render_within
from .sources import collect_articles
from .text_cache import TextCache


@dataclass(frozen=True)
class BuildOptions:
    edition: str | None = None  # an edition file's id, e.g. "2026-W48"
    since: dt.date | None = None
    until: dt.date | None = None
    week: str | None = None
    date: dt.date | None = None  # build each segment's calendar edition as of this day
    segments: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()  # replaces the configured sources when given
    out: Path | None = None
    strict: bool = False
    offline: bool = False  # feeds from the cache only
    resend: bool = False  # let articles already sent in a segment go out again
    history: bool = True  # read and record the project's history (see uses_history)


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


def build_editions(config: Config, options: BuildOptions = BuildOptions(), *, now: dt.datetime | None = None,
                   write: bool = True) -> tuple[BuildResult, ...]:
    """Build the edition(s) the options ask for, each segment once, and write them if `write`.

    One edition, unless each segment's calendar edition is built (no edition file, `--date`)
    and the segments have different cadences: then one edition per period."""
    warnings = Warnings()
    warnings.items.extend(config.warnings)
    segments = pick_segments(config, options.segments)
    plan = plan_editions(config, options, segments, now or dt.datetime.now(config.newsletter.tz), warnings)
    policy = FetchPolicy(cache_dir=config.cache_dir, offline=options.offline)
    articles = collect_articles(config, options.sources or config.sources, warnings, policy)
    history = load_history(history_path(config)) if uses_history(config, options) else None
    texts = TextCache(config.cache_dir / "texts.json")
    built = [_build_edition(config, options, edition, members, articles, history, warnings, texts)
             for edition, members in plan]
    texts.save()
    if options.strict and warnings:
        raise StrictError(*warnings, Problem("--strict", f"{len(warnings)} warning(s); nothing was written"))
    results = tuple(BuildResult(edition, rendered, selections, articles, make_manifest(edition, rendered, empty),
                                tuple(warnings)) for edition, rendered, selections, empty in built)
    if write:
        results = tuple(_write(config, options, result) for result in results)
    return results


def build_issue(config: Config, options: BuildOptions = BuildOptions(), *, now: dt.datetime | None = None,
                write: bool = True) -> BuildResult:
    """Build one edition (see build_editions); a calendar build over several cadences is refused."""
    results = build_editions(config, options, now=now, write=False)
    if len(results) > 1:
        ids = ", ".join(r.edition.id for r in results)
        raise UsageError(Problem("--segment", f"these segments have different cadences ({ids}); build them one by one"))
    return _write(config, options, results[0]) if write else results[0]


def preview_build(config: Config, options: BuildOptions = BuildOptions(), *, now: dt.datetime | None = None) -> BuildResult:
    """Everything the options ask for, built in memory and shown as one result (for previews):
    a calendar build over several cadences lists its editions' segments together."""
    results = build_editions(config, options, now=now, write=False)
    if len(results) == 1:
        return results[0]
    first = results[0]
    manifest = {**first.manifest, "edition": " + ".join(r.edition.id for r in results),
                "empty_segments": [s for r in results for s in r.manifest["empty_segments"]]}
    return replace(first, edition=replace(first.edition, id=manifest["edition"]),
                   issues=tuple(i for r in results for i in r.issues),
                   selections=tuple(s for r in results for s in r.selections), manifest=manifest)


def _build_edition(config: Config, options: BuildOptions, edition: Edition, segments: tuple[Segment, ...],
                   articles: tuple[Article, ...], history: History | None, warnings: Warnings, texts: TextCache):
    for missing in sorted(set(edition.pinned) - {a.id for a in articles}):
        warnings.warn(edition.source, f"pinned article {show(missing)} not found; check the slug")
    date = edition.date.isoformat()
    sent = {s.id: sent_before(history, s.id, edition.id, date) for s in segments} if history and not options.resend else {}
    selections = group(segments, articles, edition, sent)
    edito = render_edito(edition, config.newsletter.language, config.newsletter.base_url, texts)
    templates = config.root / "templates"
    rendered, empty = [], []
    for selection in selections:
        segment = selection.segment
        if not selection.articles:
            empty.append(segment.id)
            reason = "no new article" if any(d.reason.startswith("already sent") for d in selection.decisions) \
                else "no article in this edition's window"
            warnings.warn(f"segment {segment.id}", f"{reason}; no email built for {edition.id}")
            continue
        number = edition.number or (number_for(history, segment.id, edition.id) if history is not None else None)
        issue = make_issue(config, edition, selection, edito, number, texts)
        rendered.append(render_within(issue, templates))
    return edition, tuple(rendered), selections, tuple(empty)


def _write(config: Config, options: BuildOptions, result: BuildResult) -> BuildResult:
    out_dir = options.out or config.output_dir

    def record_in_history() -> None:
        # Read again under the output lock: another build (or another edition of this one) may
        # have recorded its own issues since this build began.
        history = load_history(history_path(config))
        for rendered in result.issues:
            issue = rendered.issue
            history = record(history, issue.segment.id, SentEdition(
                issue.edition_id, issue.number or 0, issue.date.isoformat(), issue.subject, issue.preheader,
                tuple(a.id for a in issue.articles + issue.more)))
        save_history(history_path(config), history)
        from .archive import write_archive

        write_archive(out_dir, config, history)

    keeps_history = uses_history(config, options) and bool(result.issues)
    path = write_edition(out_dir, result.edition.id, result.issues, result.manifest,
                         keep_other_segments=bool(options.segments), then=record_in_history if keeps_history else None)
    return replace(result, path=path)


def history_path(config: Config) -> Path:
    return config.root / HISTORY_FILE


def uses_history(config: Config, options: BuildOptions) -> bool:
    """History is the record of the project's own issues: builds from other sources (--source)
    or into another folder (--out elsewhere) neither read nor change it."""
    other_out = options.out is not None and options.out.resolve() != config.output_dir.resolve()
    return options.history and not options.sources and not other_out


def pick_segments(config: Config, wanted: tuple[str, ...]) -> tuple[Segment, ...]:
    known = [s.id for s in config.segments]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise UsageError(*(Problem("--segment", f"unknown segment {show(s)}; choose from {', '.join(known)}") for s in unknown))
    return tuple(s for s in config.segments if not wanted or s.id in wanted)


def plan_editions(config: Config, options: BuildOptions, segments: tuple[Segment, ...], now: dt.datetime,
                  warnings: Warnings) -> list[tuple[Edition, tuple[Segment, ...]]]:
    """Which edition each segment gets: the edition file asked for (or the newest one), a window
    from the command line, or else each segment's calendar edition."""
    tz = config.newsletter.tz
    explicit = _explicit_window(options, tz)
    path = None
    if options.edition:
        path = find_edition_file(config.root, options.edition)
    elif options.week and (config.root / EDITIONS_DIR / f"{_week_key(options.week)}.md").is_file():
        path = config.root / EDITIONS_DIR / f"{_week_key(options.week)}.md"
    elif explicit is None and options.date is None:
        path = newest_edition_file(config.root)
    if path is not None:
        edition = read_edition_file(path, tz, warnings, config.cache_dir)
        if explicit:
            edition = replace(edition, windows={"*": explicit[1]})
        return [(edition, segments)]
    if explicit:
        edition_id, window = explicit
        return [(Edition(id=edition_id, date=window.until, windows={"*": window}), segments)]
    return _calendar(config, segments, options.date or now.date(), warnings)


def _calendar(config: Config, segments: tuple[Segment, ...], today: dt.date, warnings: Warnings):
    """Each segment's last complete period before `today`, one edition per distinct period."""
    tz = config.newsletter.tz
    plan: dict[str, tuple[Edition, list[Segment]]] = {}
    for segment in segments:
        window = cadence_window(segment.cadence, today, tz)
        edition_id = period_id(segment.cadence, window)
        if edition_id not in plan:
            file = config.root / EDITIONS_DIR / f"{edition_id}.md"
            edition = read_edition_file(file, tz, warnings, config.cache_dir) if file.is_file() else Edition(id=edition_id, date=window.until, windows={})
            plan[edition_id] = (replace(edition, windows={"*": window}), [])
        plan[edition_id][1].append(segment)
    return [(edition, tuple(members)) for edition, members in plan.values()]


def resolve_edition(config: Config, options: BuildOptions, now: dt.datetime, warnings: Warnings) -> Edition:
    """The (first) edition the options ask for, for commands that read a built edition."""
    return plan_editions(config, options, pick_segments(config, options.segments), now, warnings)[0][0]


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
