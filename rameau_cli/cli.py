"""The `rameau` command: parse options, load the project, call the library, report.

Only this module prints, and only here do RameauErrors become one-line messages.
"""

# No `from __future__ import annotations` here: Typer would then evaluate every annotation
# string of every command at each start (about 1.5 ms).

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

app = typer.Typer(
    name="rameau",
    help=(
        "Compile a pool of articles into one send-ready newsletter per audience segment.\n\n"
        "Example: rameau build-issue   (builds the newest edition in issues/ into dist/)"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}

ProjectOption = typer.Option(Path("."), "--project", "-C", help="Folder holding rameau.yaml.", show_default=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rameau {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks on errors."),
) -> None:
    """Compile a pool of articles into one send-ready newsletter per audience segment.

    Example: rameau build-issue   (builds the newest edition in issues/ into dist/)
    """
    _state["debug"] = debug


def _stderr():
    from .reporting import stderr_console

    return stderr_console()


def _parse_date(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    from .errors import Problem, UsageError

    if value == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(Problem(option, f"{value!r} is not a date; write it as 2026-11-23")) from None


def _sources(values: List[str]):
    from .config import Source

    sources = []
    for value in values:
        if value.startswith(("http://", "https://")):
            sources.append(Source("feed", value))
        else:
            path = Path(value).resolve()
            is_markdown = path.is_dir() or path.suffix.lower() in (".md", ".markdown")
            sources.append(Source("markdown" if is_markdown else "feed", str(path)))
    return tuple(sources)


EditionArgument = typer.Argument(None, help="Edition id, a file in issues/ (default: the newest one).", show_default=False)
SegmentOption = typer.Option([], "--segment", "-s", help="Only this segment (repeatable).")
SinceOption = typer.Option(None, help="First day of the window, e.g. 2026-11-23.")
UntilOption = typer.Option(None, help="Last day of the window, e.g. 2026-11-29.")
WeekOption = typer.Option(None, help="An ISO week as the window, e.g. 2026-W48.")
DateOption = typer.Option(None, "--date", help="Build each segment's calendar edition as of this day (2026-11-30, or today).")
SourceOption = typer.Option([], "--source", help="A Markdown folder or .md file, a feed file or a feed URL, replacing the configured sources (repeatable).")
OfflineOption = typer.Option(False, "--offline", help="Read feeds from the cache of the last online build.")


def _options(edition, segment, since, until, week, date, source, offline, **more):
    from .build import BuildOptions

    return BuildOptions(
        edition=edition,
        since=_parse_date(since, "--since"),
        until=_parse_date(until, "--until"),
        week=week,
        date=_parse_date(date, "--date"),
        segments=tuple(segment),
        sources=_sources(source),
        offline=offline,
        **more,
    )


@app.command("build-issue")
def build_issue_command(
    edition: Optional[str] = EditionArgument,
    segment: List[str] = SegmentOption,
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    week: Optional[str] = WeekOption,
    date: Optional[str] = DateOption,
    source: List[str] = SourceOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: output.dir of rameau.yaml, dist)."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on any warning, writing nothing."),
    offline: bool = OfflineOption,
    resend: bool = typer.Option(False, "--resend", help="Let articles already sent in a segment go out again."),
    history: bool = typer.Option(True, "--history/--no-history", help="Read and record history.json (numbering, no repeats)."),
    as_json: bool = typer.Option(False, "--json", help="Print the edition's manifest as JSON on stdout (a list when several editions)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
    project: Path = ProjectOption,
) -> None:
    """Build an edition: an HTML and a text email per segment, a message.eml, and a manifest.

    Without EDITION or a window, builds the newest file in issues/, or, with none (or with
    --date DAY), each segment's last complete period: the previous day, ISO week or month.
    Exit code 4 when no segment has anything new to send (nothing was built).

    Example: rameau build-issue --week 2026-W48 --segment hebdo-association --out dist
    """
    from .build import build_editions, load_project
    from .errors import ExitCode
    from .reporting import building, report_build

    config = load_project(project)
    options = _options(edition, segment, since, until, week, date, source, offline,
                       out=out.resolve() if out else None, strict=strict, resend=resend, history=history)
    with building(_stderr(), quiet):
        results = build_editions(config, options)
    if as_json:
        manifests = [result.manifest for result in results]
        typer.echo(json.dumps(manifests[0] if len(manifests) == 1 else manifests, ensure_ascii=False, indent=2))
    if not quiet:
        report_build(_stderr(), results)
    if not any(result.issues for result in results):
        raise typer.Exit(int(ExitCode.NOTHING_TO_SEND))


@app.command("preview")
def preview_command(
    edition: Optional[str] = EditionArgument,
    segment: List[str] = SegmentOption,
    text: bool = typer.Option(False, "--text", help="Print exactly the plain-text part that would be sent."),
    serve: bool = typer.Option(False, "--serve", help="Serve a live web preview on 127.0.0.1, reloading on changes."),
    port: int = typer.Option(8025, "--port", help="Port of the web preview (0: any free port)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the web preview in a browser."),
    screenshot: Optional[Path] = typer.Option(None, "--screenshot", help="Write PNG screenshots of every segment at phone and desktop widths into this folder."),
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    week: Optional[str] = WeekOption,
    date: Optional[str] = DateOption,
    source: List[str] = SourceOption,
    offline: bool = OfflineOption,
    project: Path = ProjectOption,
) -> None:
    """Show an edition before it goes out: in the terminal, as text, live in a browser, or as screenshots.

    Example: rameau preview --segment hebdo-association
    """
    from .build import load_project, preview_build

    options = _options(edition, segment, since, until, week, date, source, offline)
    if serve:
        from .serve import serve_preview

        serve_preview(project.resolve(), options, port=port, open_browser=open_browser, console=_stderr())
        return
    result = preview_build(load_project(project), options)
    _print_warnings(result)
    if screenshot:
        from .screenshots import take_screenshots

        for path in take_screenshots(result, screenshot.resolve()):
            _stderr().print(f"wrote {path}", markup=False)
        return
    if text:
        sys.stdout.write("\n".join(r.text for r in result.issues))
        return
    from .preview import print_preview

    print_preview(_stdout(), result, show_overview=not segment)


@app.command("articles")
def articles_command(
    edition: Optional[str] = EditionArgument,
    segment: List[str] = SegmentOption,
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    week: Optional[str] = WeekOption,
    date: Optional[str] = DateOption,
    source: List[str] = SourceOption,
    offline: bool = OfflineOption,
    everything: bool = typer.Option(False, "--all", help="List the articles outside the window too."),
    project: Path = ProjectOption,
) -> None:
    """List the content pool: which segments take each article of the window, or why none does.

    Example: rameau articles --week 2026-W48
    """
    from .build import load_project, preview_build
    from .preview import articles_table

    result = preview_build(load_project(project), _options(edition, segment, since, until, week, date, source, offline))
    _stdout().print(articles_table(result, everything))
    _print_warnings(result)


@app.command("check")
def check_command(
    edition: Optional[str] = EditionArgument,
    segment: List[str] = SegmentOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder holding the built edition (default: output.dir)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON on stdout."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    week: Optional[str] = WeekOption,
    date: Optional[str] = DateOption,
    source: List[str] = SourceOption,
    offline: bool = OfflineOption,
    project: Path = ProjectOption,
) -> None:
    """Lint what would be sent: size against Gmail's clipping, images, links, unsubscribe, subject,
    preheader, text part, HTML validity. Exit 1 on errors (and on warnings with --strict).

    Example: rameau build-issue && rameau check --strict
    """
    from .build import load_project
    from .check import check_edition

    config = load_project(project)
    options = _options(edition, segment, since, until, week, date, source, offline)
    where, parts, findings = check_edition(config, options, out.resolve() if out else None)
    if segment:
        findings = [f for f in findings if f.segment in segment]
        parts = [p for p in parts if p.segment in segment]
    errors = [f for f in findings if f.level == "error"]
    warnings = [f for f in findings if f.level == "warning"]
    if as_json:
        typer.echo(json.dumps({"checked": where, "segments": [p.segment for p in parts],
                               "errors": len(errors), "warnings": len(warnings),
                               "findings": [f.__dict__ for f in findings]}, ensure_ascii=False, indent=2))
    else:
        from .reporting import report_check

        report_check(_stdout(), where, parts, findings)
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command("send")
def send_command(
    to: List[str] = typer.Option(..., "--to", help="An address to send the test to (repeatable); never a list."),
    edition: Optional[str] = EditionArgument,
    segment: List[str] = SegmentOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder holding the built edition (default: output.dir)."),
    week: Optional[str] = WeekOption,
    project: Path = ProjectOption,
) -> None:
    """Send a test of the built message of each segment (or --segment S) to --to addresses, over SMTP.

    The connection comes from RAMEAU_SMTP_HOST, RAMEAU_SMTP_PORT, RAMEAU_SMTP_USER,
    RAMEAU_SMTP_PASSWORD and RAMEAU_SMTP_TLS (starttls, ssl or none).

    Example: rameau send --to relecture@example.org --segment quotidienne   (with RAMEAU_SMTP_HOST set)
    """
    import datetime as dt

    from .build import BuildOptions, load_project, pick_segments, resolve_edition
    from .errors import Problem, UsageError, Warnings
    from .send import check_recipients, send_messages, smtp_settings

    check_recipients(tuple(to))
    config = load_project(project)
    pick_segments(config, tuple(segment))
    built = resolve_edition(config, BuildOptions(edition=edition, week=week), dt.datetime.now(config.newsletter.tz), Warnings())
    folder = (out.resolve() if out else config.output_dir) / built.id
    segments = segment or [s.id for s in config.segments if (folder / s.id / "message.eml").is_file()]
    if not segments:
        raise UsageError(Problem(str(folder), "no built message here; run rameau build-issue first"))
    paths = [folder / s / "message.eml" for s in segments]
    for subject in send_messages(paths, tuple(to), smtp_settings()):
        _stderr().print(f"sent {subject!r} to {', '.join(to)}", markup=False)


def _stdout():
    from rich.console import Console

    plain = not sys.stdout.isatty() or "NO_COLOR" in os.environ
    return Console(no_color=plain, highlight=False, emoji=False)


def _print_warnings(result) -> None:
    from .reporting import report_warnings

    report_warnings(_stderr(), result.warnings)


@app.command("init")
def init_command(
    directory: Path = typer.Argument(Path("."), help="Folder to create the project in."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty (never overwrites a file)."),
) -> None:
    """Create a working project: rameau.yaml with four segments, sample articles, one edition.

    Example: rameau init ma-lettre && cd ma-lettre && rameau build-issue
    """
    from .scaffold import init_project

    written = init_project(directory, force=force)
    console = _stderr()
    console.print(f"Created {len(written)} files in {directory}. Next: cd {directory} && rameau build-issue")


def _stop_cleanly_on_signals() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so a build removes its staging folder."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)


def main() -> None:
    """Entry point of the `rameau` console script."""
    from .errors import ExitCode, RameauError

    _stop_cleanly_on_signals()
    try:
        code = app(standalone_mode=False)  # returns typer.Exit's code instead of raising it
        if isinstance(code, int) and code:
            sys.exit(code)
    except RameauError as exc:
        if _state["debug"]:
            raise
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        print("error: interrupted; the previous issue was left as it was", file=sys.stderr)
        sys.exit(int(ExitCode.INTERRUPTED))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error from the option parser
            exc.show()
            sys.exit(int(ExitCode.USAGE))
        if _state["debug"] or os.environ.get("RAMEAU_DEBUG"):
            raise
        print(f"error: internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it", file=sys.stderr)
        sys.exit(int(ExitCode.INTERNAL))
