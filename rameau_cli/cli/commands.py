"""The commands: each parses its options, loads the project, calls the library and reports.

Registered on the Typer application by cli/app.py. Every docstring is the command's --help,
with an example.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Optional

import typer

from .options import SHARED, EditionChoice, edition_options, project_folder
from .reporting import stderr_console, stdout_console

OUT_BUILT = typer.Option(None, "--out", "-o", help="Output folder holding the built edition (default: output.dir).")
FORCE = typer.Option(False, "--force", help="Use a build even when its sources changed since it was made.")


@edition_options
def build_issue(
    choice: EditionChoice,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: output.dir of rameau.yaml, dist)."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on any warning, writing nothing."),
    resend: bool = typer.Option(False, "--resend", help="Let articles already sent in a segment go out again."),
    history: bool = typer.Option(True, "--history/--no-history", help="Read and record history.json (numbering, no repeats)."),
    as_json: bool = typer.Option(False, "--json",
                                 help="Print the edition's manifest as JSON on stdout (a list when several editions)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
) -> None:
    """Build an edition: an HTML and a text email per segment, a message.eml, and a manifest.

    Without EDITION or a window, builds the newest edition file, or, with none (or with
    --date DAY), each segment's last complete period: the previous day, ISO week or month.
    Exit code 4 when no segment has anything new to send (nothing was built).

    Example: rameau build-issue --week 2026-W48 --segment hebdo-association --out dist
    """
    from ..errors import ExitCode
    from ..pipeline import build_issue as build_and_write
    from ..pipeline import load_project
    from ..project.editions import folder_note
    from .progress import progress_display
    from .reporting import report_build

    config = load_project(choice.project)
    options = choice.build_options(config, out=out.absolute() if out else None, strict=strict,
                                   resend=resend, history=history)
    with progress_display("Building", quiet) as progress:
        result = build_and_write(config, options, progress=progress)
    if as_json:
        manifests = [written.manifest for written in result.written]
        typer.echo(json.dumps(manifests[0] if len(manifests) == 1 else manifests, ensure_ascii=False, indent=2))
    if not quiet:
        report_build(stderr_console(), result)
        if note := folder_note(config.root):
            stderr_console().print(note, markup=False, highlight=False)
    if not result.build.emails:
        raise typer.Exit(int(ExitCode.NOTHING_TO_SEND))


@edition_options
def preview(
    choice: EditionChoice,
    text: bool = typer.Option(False, "--text", help="Print exactly the plain-text part that would be sent."),
    serve: bool = typer.Option(False, "--serve", help="Serve a live web preview on 127.0.0.1, reloading on changes."),
    port: int = typer.Option(8025, "--port", help="Port of the web preview (0: any free port)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the web preview in a browser."),
    screenshot: Optional[Path] = typer.Option(
        None, "--screenshot", help="Write PNG screenshots of every segment at phone and desktop widths into this folder."),
    pager: bool = typer.Option(True, "--pager/--no-pager", help="On a terminal, page output taller than the screen "
                                                                "through PAGER (default: less, else more)."),
    width: List[int] = typer.Option([], "--width", help="With --screenshot: a width in px to take (repeatable), e.g. "
                                                        "--width 320 --width 1280 (default: 800 and 375)."),
    dark: bool = typer.Option(False, "--dark", help="With --screenshot: in the dark colour scheme, as mail clients "
                                                    "in dark mode show it."),
) -> None:
    """Show an edition before it goes out: in the terminal, as text, live in a browser, or as screenshots.

    On a terminal, a preview taller than the screen goes through the pager; in a pipe, a CI log,
    or with TERM=dumb or NO_COLOR, it is plain text, every URL whole on its line.

    Example: rameau preview --segment hebdo-association
    """
    from ..pipeline import build, load_project
    from .reporting import report_warnings

    if (width or dark) and not screenshot:
        from ..errors import Problem, UsageError

        raise UsageError(Problem("--width" if width else "--dark", "goes with --screenshot DIR"))
    if screenshot:
        from ..preview.screenshots import shot_names

        shot_names(tuple(width), dark)  # a wrong width is said before the build
    if serve:
        from ..preview.server import serve_preview

        project = choice.project.absolute()
        options = choice.build_options(load_project(project))
        serve_preview(project, options, port=port, open_browser=open_browser, console=stderr_console())
        return  # Ctrl-C is how the preview is meant to stop: it says so, and exits 0
    from ..images.assets import PREVIEW_URL
    from .progress import progress_display

    config = load_project(choice.project)
    with progress_display("Building") as progress:
        built = build(config, choice.build_options(config, assets_url=PREVIEW_URL), progress=progress)
    report_warnings(stderr_console(), built.warnings)
    if screenshot:
        from ..preview.screenshots import take_screenshots

        for path in take_screenshots(built, screenshot.absolute(), tuple(width), dark):
            stderr_console().print(f"wrote {path}", markup=False)
        return
    if text:
        from .reporting import print_long, text_parts

        print_long(text_parts(built.emails), pager)
        return
    from .reporting import report_preview

    report_preview(built, show_overview=not choice.segment, pager=pager)


@edition_options
def articles(
    choice: EditionChoice,
    everything: bool = typer.Option(False, "--all", help="List the articles outside the window too."),
) -> None:
    """List the content pool: which segments take each article of the window, or why none does.

    Example: rameau articles --week 2026-W48
    """
    from ..images.assets import PREVIEW_URL
    from ..pipeline import build, load_project
    from ..preview.terminal import articles_tables
    from .progress import progress_display
    from .reporting import print_tables, report_skipped, report_warnings

    config = load_project(choice.project)
    with progress_display("Reading") as progress:
        built = build(config, choice.build_options(config, assets_url=PREVIEW_URL), progress=progress)
    print_tables(articles_tables(built, everything))
    report_skipped(stdout_console(), built.pool.skipped)
    report_warnings(stderr_console(), built.warnings)


@edition_options
def check(
    choice: EditionChoice,
    out: Optional[Path] = OUT_BUILT,
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON on stdout."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too."),
    force: bool = FORCE,
    links: bool = typer.Option(False, "--links", help="Also ask each link's server whether it answers (never an "
                                                      "unsubscribe link): 404, 410 and unknown hosts are errors."),
) -> None:
    """Lint what would be sent: size against Gmail's clipping, images, links, unsubscribe, subject,
    preheader, text part, HTML validity. Exit 1 on errors (and on warnings with --strict).

    Each finding names its rule (subject-length, image-alt...); rameau.yaml's check.rules sets
    a rule's level or turns it off. One line per finding in a pipe or a CI log, a table on a
    terminal.

    Example: rameau build-issue && rameau check --strict --links
    """
    from ..check import run_check
    from ..pipeline import load_project
    from .progress import progress_display
    from .reporting import report_check

    config = load_project(choice.project)
    options = choice.build_options(config)
    with progress_display("Checking") as progress:
        report = run_check(config, options, out.absolute() if out else None, force, links, progress)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        report_check(report.where, list(report.emails), list(report.findings))
    if report.count("error") or (strict and report.count("warning")):
        raise typer.Exit(1)


@edition_options
def send(
    choice: EditionChoice,
    to: List[str] = typer.Option(..., "--to", help="An address to send the test to (repeatable); never a list."),
    sample: List[str] = typer.Option([], "--sample", help="A merge tag's value in the test, e.g. first_name=Claire "
                                                          "(default: the emailing tool's fallback)."),
    out: Optional[Path] = OUT_BUILT,
    force: bool = FORCE,
) -> None:
    """Send a test of the built message of each segment (or --segment S) to --to addresses, over SMTP.

    Each test is a new message: a fresh Message-ID and the current Date, the subject
    "[TEST · <segment title>] <subject>", merge tags filled with the emailing tool's fallbacks
    (or --sample values), no List-Unsubscribe. Without EDITION or a window, sends what the latest
    build built for each segment. A build whose sources changed since is refused (exit 1)
    unless --force. The connection comes from RAMEAU_SMTP_HOST, RAMEAU_SMTP_PORT,
    RAMEAU_SMTP_USER, RAMEAU_SMTP_PASSWORD, RAMEAU_SMTP_TLS (starttls, ssl or none),
    RAMEAU_SMTP_CAFILE and RAMEAU_SMTP_ALLOW_PLAINTEXT.

    Example: rameau send --to relecture@example.org --segment quotidienne --sample first_name=Claire
    """
    from ..pipeline import load_project
    from ..send.procedure import send_tests
    from ..send.review import check_recipients, parse_samples

    recipients = check_recipients(tuple(to))
    samples = parse_samples(tuple(sample))
    config = load_project(choice.project)

    def report(copy, accepted: List[str]) -> None:
        stderr_console().print(f"sent {copy.segment} to {', '.join(accepted)}: {copy.subject}", markup=False)

    send_tests(config, choice.build_options(config), recipients, samples, report, out.absolute() if out else None, force)


@edition_options
def push(
    choice: EditionChoice,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the requests a push would make; make none."),
    as_json: bool = typer.Option(False, "--json", help="Print what became of each segment as JSON on stdout."),
    force: bool = FORCE,
) -> None:
    """Create a DRAFT campaign per built segment in the emailing tool (emailing.profile: listmonk,
    brevo, mailchimp or buttondown); the next push updates the same drafts. Never schedules,
    sends or sends a test.

    Without EDITION or a window, pushes what the latest build built for each segment. The
    campaign ids are kept in history.json (commit it). A campaign that is no longer a draft is
    left alone (exit 1). Credentials: RAMEAU_PUSH_USER and RAMEAU_PUSH_TOKEN.

    Example: rameau build-issue && rameau push --dry-run && rameau push
    """
    from dataclasses import asdict

    from ..pipeline import load_project
    from ..push.procedure import PushFailed, push_edition
    from .reporting import report_dry_run, report_pushed

    config = load_project(choice.project)
    options = choice.build_options(config)
    console = stderr_console()

    def shown(results: list) -> str:
        return json.dumps({"tool": config.profile, "dry_run": dry_run, "segments": [asdict(r) for r in results]},
                          ensure_ascii=False, indent=2)

    try:
        results = push_edition(config, options, dry_run=dry_run, force=force,
                               report=None if dry_run else lambda result: report_pushed(console, result))
    except PushFailed as exc:
        if as_json:
            typer.echo(shown(exc.results))
        raise
    if as_json:
        typer.echo(shown(results))
    elif dry_run:
        report_dry_run(stdout_console(), results)
    if dry_run and not os.environ.get("RAMEAU_PUSH_TOKEN", "").strip():
        console.print("warning: RAMEAU_PUSH_TOKEN is not set: a push would stop before its first request", markup=False)


def init(
    directory: Path = typer.Argument(Path("."), help="Folder to create the project in."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty (never overwrites a file)."),
    language: str = typer.Option("fr", "--language", "-l", help="The sample project's language: fr, en or de."),
) -> None:
    """Create a working project: rameau.yaml with four segments, sample articles, one edition.

    Example: rameau init ma-lettre && cd ma-lettre && rameau build-issue
    """
    from .options import BEFORE_COMMAND
    from .scaffold import init_project

    directory = (BEFORE_COMMAND["project"] or Path(".")) / directory  # `rameau -C DIR init NAME`: DIR/NAME
    written = init_project(directory, force=force, language=language)
    stderr_console().print(f"Created {len(written)} files in {directory}. Next: cd {directory} && rameau build-issue",
                           markup=False)


def history_resolve(
    project: Optional[Path] = SHARED["project"][1],
) -> None:
    """Resolve Git conflict markers in the history: keep the editions of both sides.

    Two CI jobs that committed the history at once leave markers in history.json or in a file of
    history/. When both sides can be read, their editions are merged (an edition on both sides
    must be the same issue, and no two editions may share a number, or the clash is shown and
    nothing is written). A history still in the first format is written in history/ too.

    Example: git pull && rameau history resolve && git add history.json history/
    """
    from ..output.resolve import resolve_history
    from ..pipeline import load_project
    from ..project.history import HISTORY_FILE

    config = load_project(project_folder(project))
    path = config.root / HISTORY_FILE
    history = resolve_history(config)
    if history is None:
        stderr_console().print(f"{path}: no conflict to resolve", markup=False)
        return
    count = sum(len(entries) for entries in history.segments.values())
    stderr_console().print(f"{path}: resolved; {count} edition(s) of {len(history.segments)} segment(s) kept",
                           markup=False)
