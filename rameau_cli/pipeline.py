"""The pipeline, end to end: config -> sources -> grouping -> issue -> render -> output.

`build()` gathers and renders in memory and writes nothing; `write()` writes what was built.
`build_issue()` is the two under one lock, as `rameau build-issue` runs them:

    config = load_project(Path("."))
    with the output folder locked:
        built = build(config, options)          # in memory, with the part of the history it needs
        write(config, built, out_dir, built.history)   # editions, archive, history last
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .builds import Build, BuildOptions, EditionBuild
from .cache.base import NO_CACHE, CacheFolder
from .compose.content import edito_blocks, images_without_alt
from .compose.grouping import Reason, due_in, group, private_audiences, unknown_audiences
from .compose.issue import Issue, make_issue, newsletter_logo
from .compose.timeline import late_articles, refuse_going_back
from .content.blocks import Blocks
from .content.text_cache import TextCache
from .content.texts import Texts
from .errors import ContentError, Problem, StrictError, UsageError, Warnings, show
from .images.assets import Assets, shown_in
from .images.remote import RemoteSizes
from .output.write import output_folder, write_build
from .project.calendar import (
    Window,
    cadence_window,
    check_day,
    day_window,
    parse_week,
    period_days,
    period_id,
    range_id,
    week_id,
)
from .project.config import Config, Segment, load_config
from .project.editions import (
    Edition,
    check_edition_id,
    edition_file_for,
    find_edition_file,
    newest_edition_file,
    read_edition_file,
    refuse_far_ahead,
)
from .project.history import HISTORY_FILE, History, number_for, sent_before
from .project.history_files import load_history
from .project.schema import closest
from .render.emails import Email, render_within
from .render.template_cache import held
from .sources.article import Article
from .sources.fetch import FetchPolicy, HostNotFound, fetch_url
from .sources.markdown import with_body
from .sources.pool import Pool, collect_articles

if TYPE_CHECKING:
    from .output.write import Written

READ_HISTORY = object()  # build(): read the project's history when the options use it
Render = Callable[[Issue, Path | None], Email]  # an issue's email: render.emails.render_within


def load_project(root: Path) -> Config:
    """The project in `root` (the folder holding rameau.yaml), validated."""
    return load_config(root)


def build(config: Config, options: BuildOptions = BuildOptions(), *, now: dt.datetime | None = None,
          history: History | None | object = READ_HISTORY, cache: CacheFolder | None = None,
          progress: Callable[[str, int, int], None] | None = None, render: Render = render_within) -> Build:
    """Build the edition(s) the options ask for, in memory: each segment once.

    One edition, unless each segment's calendar edition is built (no edition file, `--date`)
    and the segments have different cadences: then one edition per period. `history` numbers
    the issues and keeps articles from going out twice (None: no history). `progress(what,
    done, total)` hears of long work (articles read, feeds fetched), for a progress bar. `render`
    makes each issue's email (the live preview's keeps the emails whose issue did not change)."""
    warnings = Warnings()
    cache = cache or CacheFolder(config.cache_dir, warnings.warn)
    warnings.extend(config.warnings)
    segments = pick_segments(config, options.segments)
    plan = plan_editions(config, options, segments, now or dt.datetime.now(config.newsletter.tz), warnings, cache)
    policy = FetchPolicy(offline=options.offline)
    pool = collect_articles(config, options.sources or config.sources, warnings, policy, cache, progress)
    due = {edition.window: pool.take(due_in(pool.found, edition.window)) for edition, _ in plan}
    if history is READ_HISTORY:
        history = load_history(config.root / HISTORY_FILE, history_needs(plan, due)) \
            if uses_history(config, options) else None
    assert history is None or isinstance(history, History)
    for note in history.notes if history is not None else ():
        warnings.warn(note.where, note.message)
    texts = Texts(TextCache(cache))
    assets = Assets(config.root, options.assets_url or assets_url(config), cache, warnings,
                    RemoteSizes(cache, None if options.offline else ImageFetcher()))
    window_of = _windows(config, warnings, cache)
    editions = tuple(_build_edition(config, edition, members, pool, due[edition.window], history, options.resend,
                                    warnings, texts, assets, render, window_of) for edition, members in plan)
    assert texts.cache is not None
    texts.cache.save()
    assets.save()
    if options.strict and warnings:
        raise StrictError(*warnings, Problem("--strict", f"{len(warnings)} warning(s); nothing was written"))
    built = Build(editions, pool, tuple(warnings), history=history)
    names = set().union(*(shown_in(email.html, assets.files) for email in built.emails))
    shown = {name: data for name, data in assets.files.items() if name in names}
    # A photo shown only as a thumbnail does not publish its large file.
    return replace(built, assets=shown, image_warnings=tuple(assets.problems))


REPEAT_MARGIN = dt.timedelta(days=62)  # how long before an article's date an edition may have carried it


def history_needs(plan: list[tuple[Edition, tuple[Segment, ...]]],
                  due: dict[Window, tuple[Article, ...]]) -> dict[str, int]:
    """For each segment built, the first year of history the build needs: from the editions that
    may already have carried an article it could take (with a margin for editions sent before
    their window's end) to the edition it records. Older years are not read. `due`: the articles
due in each edition's window."""
    needs: dict[str, int] = {}
    for edition, members in plan:
        dates = [article.date for article in due[edition.window]]
        first = (min([*dates, edition.date]) - REPEAT_MARGIN).year
        for segment in members:
            needs[segment.id] = min(needs.get(segment.id, first), first)
    return needs


IMAGE_POLICY = FetchPolicy(timeout=5.0, deadline=10.0, max_bytes=8 * 1024 * 1024)  # a remote image, for its size


class ImageFetcher:
    """Remote images' bytes for one build, each bounded as a feed is (time, size, redirects, no
    way back inside). A host found not to exist is not looked up again in the same build: every
    image on it would wait for the same answer (a build without a network and without --offline)."""

    def __init__(self) -> None:
        self.unknown_hosts: set[str] = set()

    def __call__(self, url: str) -> bytes:
        host = (urlsplit(url).hostname or "").lower()
        if host in self.unknown_hosts:
            raise ContentError(Problem(url, f"cannot find the server {host}"))
        try:
            return fetch_url(url, IMAGE_POLICY).data
        except HostNotFound as exc:
            self.unknown_hosts.add(exc.host.lower())
            raise


def assets_url(config: Config) -> str | None:
    """Where the output folder's public/assets/ is published: under output.public_url (None: unknown)."""
    return config.addresses().assets_url


def _windows(config: Config, warnings: Warnings, cache: CacheFolder) -> Callable[[str], Window | None]:
    """An edition id's window: its edition file's, else the period it names (None: neither)."""
    def window_of(edition_id: str) -> Window | None:
        file = edition_file_for(config.root, edition_id)
        if file is not None:
            return read_edition_file(file, config.newsletter.tz, warnings, cache).window
        days = period_days(edition_id)
        return day_window(*days, config.newsletter.tz) if days else None

    return window_of


def _build_edition(config: Config, edition: Edition, segments: tuple[Segment, ...], pool: Pool,
                   due: tuple[Article, ...], history: History | None, resend: bool, warnings: Warnings, texts: Texts,
                   assets: Assets, render: Render, window_of: Callable[[str], Window | None]) -> EditionBuild:
    known = pool.ids
    for missing in sorted(set(edition.pinned) - known):
        hint = closest(missing, known)
        warnings.warn(edition.source, f"pinned article {show(missing)} not found; "
                                      + (f"did you mean {hint!r}?" if hint else "check the slug"))
    warnings.extend(unknown_audiences(config.segments, due))
    date = edition.date.isoformat()
    sent = {s.id: sent_before(history, s.id, edition.id, date) for s in segments} if history is not None and not resend \
        else {}
    private = private_audiences(config.segments)  # all of them: a --segment build keeps the others' privacy
    late = late_articles(history, segments, edition, lambda window: pool.take(due_in(pool.found, window)), sent,
                         window_of, private) if history is not None and not resend else {}
    selections = group(segments, due, edition, sent, config.newsletter.language, late, private)
    editos: dict[str, tuple[Edition, Blocks]] = {}

    def in_language(language: str) -> tuple[Edition, Blocks]:
        """The edition as the segments in `language` see it (its translation), and its édito."""
        if language not in editos:
            seen = edition.in_language(language, config.newsletter.language)
            folder = Path(seen.source).parent if seen.source else config.root
            editos[language] = seen, edito_blocks(seen.edito, language, config.newsletter.base_url, texts,
                                                  (assets, folder, f"{seen.source}: édito image"))
        return editos[language]

    templates = config.root / "templates"
    emails, empty = [], []
    # The newsletter's logo, made once for every email (and not at all when none is built).
    logo = newsletter_logo(config, assets) if any(s.articles for s in selections) else None
    for selection in selections:
        segment = selection.segment
        if not selection.articles:
            empty.append(segment.id)
            already_sent = any(d.reason is Reason.ALREADY_SENT for d in selection.decisions)
            reason = "no new article" if already_sent else "no article in this edition's window"
            if pool.skipped:
                reason += f" that could be read ({len(pool.skipped)} article(s) skipped, listed at the end)"
            warnings.warn(f"segment {segment.id}", f"{reason}; no email built for {edition.id}")
            continue
        number = edition.number or (number_for(history, segment.id, edition.id) if history is not None else None)
        selection = replace(selection, articles=tuple(with_body(a) for a in selection.articles))
        seen, edito = in_language(config.language_of(segment))
        issue = make_issue(config, seen, selection, edito, number, texts, assets, logo)
        for article in issue.articles:
            blind = images_without_alt(article.body)
            if blind:
                warnings.warn(article.source, f"{blind} image(s) of its body have no alt text; write ![what it shows](...)")
        emails.append(render(issue, templates))
    return EditionBuild(edition, tuple(emails), selections, tuple(empty))


def output_dir(config: Config, options: BuildOptions) -> Path:
    return options.out or config.output_dir


def uses_history(config: Config, options: BuildOptions) -> bool:
    """History is the record of the project's own issues: builds from other sources (--source)
    or into another folder (--out elsewhere) neither read nor change it."""
    other_out = options.out is not None and options.out.resolve() != config.output_dir.resolve()
    return options.history and not options.sources and not other_out


def pick_segments(config: Config, wanted: tuple[str, ...]) -> tuple[Segment, ...]:
    known = [s.id for s in config.segments]
    problems = []
    for segment_id in dict.fromkeys(wanted):
        if segment_id not in known:
            hint = closest(segment_id, known)
            choose = (f"did you mean {hint!r}? " if hint else "") + f"choose from {', '.join(known)}"
            problems.append(Problem("--segment", f"unknown segment {show(segment_id)}; {choose}"))
    if problems:
        raise UsageError(*problems)
    return tuple(s for s in config.segments if not wanted or s.id in wanted)


def plan_editions(config: Config, options: BuildOptions, segments: tuple[Segment, ...], now: dt.datetime,
                  warnings: Warnings, cache: CacheFolder) -> list[tuple[Edition, tuple[Segment, ...]]]:
    """Which edition each segment gets: the edition file asked for (or the newest one), a window
    from the command line, or else each segment's calendar edition."""
    tz = config.newsletter.tz
    explicit = _explicit_window(options, tz)
    path = None
    if options.edition:
        path = find_edition_file(config.root, options.edition)
    elif options.week:
        path = edition_file_for(config.root, week_id(parse_week(options.week)[0]))
    elif explicit is None and options.date is None:
        path = newest_edition_file(config.root, tz, cache)
    if path is not None:
        edition = read_edition_file(path, tz, warnings, cache)
        if not (options.edition or options.week):  # a file named on the command line is built as it is
            refuse_far_ahead(edition, now)
        if explicit:
            edition = replace(edition, window=explicit[1])
        return [(edition, segments)]
    if explicit:
        edition_id, window = explicit
        return [(Edition(id=edition_id, date=window.until, window=window), segments)]
    return _calendar(config, segments, options.date or now.astimezone(tz).date(), warnings, cache)


def _calendar(config: Config, segments: tuple[Segment, ...], today: dt.date, warnings: Warnings,
              cache: CacheFolder) -> list[tuple[Edition, tuple[Segment, ...]]]:
    """Each segment's last complete period before `today`, one edition per distinct period."""
    tz = config.newsletter.tz
    check_day(today, "--date")
    plan: dict[str, tuple[Edition, list[Segment]]] = {}
    for segment in segments:
        window = cadence_window(segment.cadence, today, tz)
        edition_id = period_id(segment.cadence, window)
        if edition_id not in plan:
            file = edition_file_for(config.root, edition_id)
            edition = read_edition_file(file, tz, warnings, cache) if file else Edition(edition_id, window.until, window)
            refuse_far_ahead(edition, dt.datetime.combine(today, dt.time(), tz))
            plan[edition_id] = (replace(edition, window=window), [])
        plan[edition_id][1].append(segment)
    return [(edition, tuple(members)) for edition, members in plan.values()]


def _explicit_window(options: BuildOptions, tz: dt.tzinfo) -> tuple[str, Window] | None:
    assert isinstance(tz, ZoneInfo)
    if options.week:
        if options.since or options.until:
            raise UsageError(Problem("--week", "give either --week or --since/--until, not both"))
        first, last = parse_week(options.week)
        return week_id(first), day_window(first, last, tz)
    if options.since or options.until:
        if not (options.since and options.until):
            raise UsageError(Problem("--since/--until", "give both dates, e.g. --since 2026-11-23 --until 2026-11-29"))
        check_day(options.since, "--since")
        check_day(options.until, "--until")
        if options.until < options.since:
            raise UsageError(Problem("--until", "is before --since; swap the two dates"))
        edition_id = check_edition_id(range_id(options.since, options.until), "--since/--until")
        return edition_id, day_window(options.since, options.until, tz)
    return None


@dataclass(frozen=True)
class Result:
    """What build-issue did: the build, and the editions as they now are in the output folder."""

    build: Build
    written: tuple[Written, ...]
    warnings: tuple[Problem, ...]  # the build's, and those of writing it


def write(config: Config, built: Build, out_dir: Path, history: History | None,
          cache: CacheFolder | None = None, named: bool = True) -> Result:
    """Write what `build` made (call inside `output.write.output_folder`); `named`: the build was
    asked for an edition or a window (BuildOptions.named), else latest.json only moves forward."""

    warnings = Warnings()
    warnings.extend(built.warnings)
    written = write_build(config, built.editions, out_dir, history, warnings, built.assets, cache or NO_CACHE, named)
    return Result(built, written, tuple(warnings))


def build_issue(config: Config, options: BuildOptions = BuildOptions(), *, now: dt.datetime | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> Result:
    """Build and write, as `rameau build-issue` does: the output folder is locked from reading
    the history to writing it, so that builds at once number their issues one after the other."""

    out_dir = output_dir(config, options)

    late = Warnings()
    cache = CacheFolder(config.cache_dir, late.warn, deferred=True)  # kept only once the build is written
    with held(), output_folder(config, out_dir):
        built = build(config, options, now=now, cache=cache, progress=progress)
        if built.history is not None and not options.named:  # a preview may look back; a build never writes back
            refuse_going_back(built.history, [(b.edition, tuple(s.segment for s in b.selections)) for b in built.editions])
        result = write(config, built, out_dir, built.history, cache, options.named)
    cache.flush()
    return replace(result, warnings=result.warnings + tuple(late))
