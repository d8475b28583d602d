"""The terminal preview and `rameau articles`, read as a person reads them."""

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from rameau_cli.preview.terminal import articles_tables, print_preview


@pytest.fixture(scope="module")
def result(example_build):
    return example_build


def flat(text: str) -> str:
    """The words of a screen, whatever the wrapping (no-break spaces kept)."""
    return re.sub(r"[ \n]+", " ", text)


def screen(renderable_printer, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, force_terminal=False, highlight=False)
    renderable_printer(console)
    return buffer.getvalue()


@pytest.mark.parametrize("width", [80, 120])
def test_preview_fits_the_terminal_and_shows_every_title(result, width):
    text = screen(lambda console: print_preview(console, result, show_overview=True), width)
    assert max(len(line) for line in text.splitlines()) <= width
    words = flat(text)
    for rendered in result.emails:
        assert rendered.issue.subject in words
        for article in rendered.issue.articles:
            assert article.title in words
            assert article.url in text.replace("\n", "")


def test_preview_shows_inbox_row_edito_dates_images_and_numbered_links(result):
    text = screen(lambda console: print_preview(console, result, show_overview=False), 120)
    assert "Rameau des alliances" in text
    assert "Il y a des semaines où les chiffres confirment" in text
    assert "Lundi\u00a023\u00a0novembre\u00a02026" in text
    assert "Image\u00a0: Des bénévoles réunis autour" in text
    assert re.search(r"^\[1\] https://www\.rameau-alliances\.org/5-decembre$", text, re.M)


def test_overview_table_lists_segments_with_sizes(result):
    text = screen(lambda console: print_preview(console, result, show_overview=True), 120)
    table = text.split("╭")[0]
    for segment in ("quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"):
        assert re.search(rf"{segment}\s+\d+\s+.+\d+\.\d KB\s+\d+\.\d KB", table)


def test_articles_table_says_why(result):
    text = screen(lambda console: console.print(*articles_tables(result, everything=True)), 250)
    lines = text.splitlines()
    trophees = next(i for i, line in enumerate(lines) if "Trophées des alliances" in line)
    assert "2026-11-26" in lines[trophees]
    assert "✓ quotidienne, hebdo-entreprise, hebdo-association" in lines[trophees]
    assert "✗ hebdo-grand-public: no matching audience" in lines[trophees + 1]
    assert "✗ all segments: outside the window" in text
    assert "no audience (goes only to" in text


def test_preview_text_is_exactly_the_built_text(example, run):
    assert run("build-issue", cwd=example).code == 0
    shown = run("preview", "--text", "--segment", "hebdo-association", cwd=example)
    assert shown.code == 0
    assert shown.stdout == (example / "dist" / "2026-W48" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")


def test_preview_writes_nothing_and_is_plain_when_piped(example, run):
    shown = run("preview", cwd=example, env={"COLUMNS": "80"})
    assert shown.code == 0
    assert "\x1b[" not in shown.stdout
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80
    assert not (example / "dist").exists()


def in_a_terminal(project: Path, env: dict) -> str:
    """What `rameau preview` prints in a real pseudo-terminal of 80 columns."""
    import os
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    process = subprocess.Popen([sys.executable, "-m", "rameau_cli", "preview", "--segment", "hebdo-grand-public"],
                               cwd=project, stdin=secondary, stdout=secondary, stderr=secondary,
                               env={**environment, "COLUMNS": "80", "TERM": "xterm-256color", **env})
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_preview_in_a_real_terminal_has_colour_unless_no_color(example):
    coloured = in_a_terminal(example, {})
    assert re.search(r"\x1b\[[0-9;]*3\dm", coloured), "colours on a terminal"
    plain = in_a_terminal(example, {"NO_COLOR": "1"})
    assert not re.search(r"\x1b\[[0-9;]*3\dm", plain), "no colour with NO_COLOR"
    assert "Le 5 décembre, journée des alliances citoyennes" in flat(re.sub(r"\x1b\[[0-9;]*m", "", plain.replace("\r", "")))


def test_articles_command(example, run):
    shown = run("articles", "--week", "2026-W47", cwd=example, env={"COLUMNS": "100"})
    assert shown.code == 0
    assert "Edition 2026-W47: articles, window 2026-11-16 to 2026-11-22" in shown.stdout
    assert "sondage-jeunes-engagement" in shown.stdout
    assert "kit-accueil-benevoles" not in shown.stdout  # week 48: outside this window
    assert "15 more article(s) outside the window; --all lists them too" in shown.stdout
    everything = run("articles", "--week", "2026-W47", "--all", cwd=example, env={"COLUMNS": "100"})
    assert "kit-accueil-benevoles" in everything.stdout and "outside the window" in everything.stdout


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_the_live_preview_stops_on_a_signal_with_exit_code_130(example, signum):
    import signal
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "rameau_cli", "preview", "--serve", "--port", "0"], cwd=example,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**__import__("os").environ, "NO_COLOR": "1"})
    first = process.stderr.readline()
    assert first.startswith("Preview on http://127.0.0.1:"), first
    process.send_signal(getattr(signal, signum))
    _, rest = process.communicate(timeout=30)
    assert process.returncode == 130
    assert rest.strip().splitlines() == ["Preview stopped.", "error: interrupted; nothing was changed"]
