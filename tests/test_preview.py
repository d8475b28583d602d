"""The terminal preview and `rameau articles`, read as a person reads them: on a terminal (rich,
in a real pseudo-terminal for colours and the pager) and in a pipe (plain text)."""

import io
import os
import queue
import re
import shlex
import shutil
import signal
import threading
from pathlib import Path

import pytest
from rich.console import Console

from rameau_cli.compose.content import edito_blocks
from rameau_cli.content.texts import Texts
from rameau_cli.pipeline import build, load_project
from rameau_cli.preview.plain import plain_preview
from rameau_cli.preview.rich_blocks import released, rich_blocks
from rameau_cli.preview.terminal import articles_tables, render_preview
from rameau_cli.render.text import LinkList, TextLook

from helpers import SEGMENTS, Child, checked, content_project, copy_example, in_a_terminal, invoke, missing_tool, on_screen

BOX_DRAWING = re.compile("[\u2500-\u257f]")
URL_LINE = re.compile(r"^\[\d+\] https?://\S+$")


@pytest.fixture(scope="module")
def result(example_build):
    return example_build


def flat(text: str) -> str:
    """The words of a screen, whatever the wrapping (no-break spaces kept)."""
    return re.sub(r"[ \n]+", " ", text)


def screen(result, width: int, show_overview: bool = True) -> str:
    """The preview as a terminal of `width` columns shows it (without colours)."""
    console = Console(file=io.StringIO(), width=width, no_color=True, force_terminal=True, highlight=False)
    return re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\", "", render_preview(console, result, show_overview))


@pytest.mark.parametrize("width", [80, 120])
def test_preview_fits_the_terminal_and_shows_every_title(result, width):
    text = screen(result, width)
    assert all(len(line) <= width or URL_LINE.match(line) for line in text.splitlines())
    words = flat(text)
    for rendered in result.emails:
        assert rendered.issue.subject in words
        for article in rendered.issue.articles:
            assert article.title in words
            assert re.search(rf"^\[\d+\] {re.escape(article.url)}$", text, re.M), "every link whole on its line"


def test_preview_shows_inbox_row_edito_dates_images_and_numbered_links(result):
    text = screen(result, 120, show_overview=False)
    assert "Rameau des alliances" in text
    assert "Il y a des semaines où les chiffres confirment" in text
    assert "Lundi\u00a023\u00a0novembre\u00a02026" in text
    assert "Image\u00a0: Des bénévoles réunis autour" in text
    assert re.search(r"^\[1\] https://www\.rameau-alliances\.org/5-decembre$", text, re.M)


def test_overview_table_lists_segments_with_sizes_and_whole_subjects_at_120_columns(result):
    text = screen(result, 120)
    table = text.split("╭")[0]
    for segment in ("quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"):
        assert re.search(rf"{segment}\s+\d+\s+Alliances\u00a0: ce qui a bougé cette semaine\s+\d+\.\d KB\s+\d+\.\d KB", table)
    plain = plain_preview(result, True, 120).split("\n\n")[1]
    assert all("Alliances\u00a0: ce qui a bougé cette semaine" in line for line in plain.splitlines()[1:])


def test_no_line_of_a_terminal_starts_with_a_colon_held_by_a_no_break_space(result):
    for width in range(60, 100, 3):
        assert not re.search(r"^[│ ]*[:;!?»]", screen(result, width), re.M), width


def test_the_overview_never_folds_an_id_nor_a_long_subject_at_120_columns(example, run):
    edition = example / "issues" / "2026-W48.md"
    subject = "Alliances : ce qui a bougé cette semaine dans vos territoires"  # 61 characters
    edition.write_text(checked(edition.read_text(encoding="utf-8")).replace("Alliances : ce qui a bougé cette semaine", subject),
                       encoding="utf-8")

    built = build(load_project(example))
    for text in (screen(built, 120).split("╭")[0], plain_preview(built, True, 120).split("\n\n")[1]):
        assert text.count("Alliances\u00a0: ce qui a bougé cette semaine dans vos territoires") == 4, text
        assert "hebdo-grand-public " in text


def test_preview_text_is_exactly_the_built_text(example, run):
    assert run("build-issue", cwd=example).code == 0
    shown = run("preview", "--text", "--segment", "hebdo-association", cwd=example)
    assert shown.code == 0
    assert shown.stdout == (example / "dist" / "2026-W48" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rich_content(tmp_path_factory):
    """Articles shown whole (tables, code, footnotes, bare links, a video) and every link
    tagged, so that URLs are longer than a terminal is wide."""
    project = content_project(tmp_path_factory.mktemp("content") / "project")
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "emailing:", "links:\n  utm: {source: lettre-rameau, medium: email, campaign: \"{segment}-{edition}-complete-list\"}\n"
                     "emailing:"), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def rich_built(rich_content):
    """That project's edition built in memory, once: the URLs the previews must show whole."""
    return build(load_project(rich_content))


@pytest.mark.parametrize("columns", [60, 80])
def test_preview_in_a_pipe_is_plain_with_every_url_whole(rich_content, rich_built, run, columns):
    shown = run("preview", cwd=rich_content, env={"COLUMNS": str(columns)})
    assert shown.code == 0, shown.stderr
    out = shown.stdout
    assert "\x1b" not in out and not BOX_DRAWING.search(out), BOX_DRAWING.findall(out)[:5]
    assert not re.search(r" $", out, re.M), "no trailing space"
    assert all(len(line) <= columns or "://" in line or line.startswith("    ") for line in out.splitlines())

    long = 0
    for email in rich_built.emails:
        for article in email.issue.articles:
            assert re.search(rf"^\[\d+\] {re.escape(article.url)}$", out, re.M), article.url
            long += len(article.url) > columns
    assert long > 10  # URLs wider than the screen were shown whole
    assert "La quotidienne\n==============" in out and "Édito\n-----" in out
    assert re.search(r"^Segment +Articles +Subject +HTML +Text$", out, re.M)


def test_preview_in_a_pipe_writes_nothing(example, run):
    shown = run("preview", cwd=example, env={"COLUMNS": "80"})
    assert shown.code == 0
    assert not (example / "dist").exists()


def pager_script(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in pager: it writes its LESS, then what it was given, to a file (a shell script:
    these tests run where there are pseudo-terminals, and sh starts in a fraction of Python's time)."""
    script, paged = tmp_path / "pager.sh", tmp_path / "paged.txt"
    script.write_text(f"{{ printf 'LESS=%s\\n' \"$LESS\"; cat; }} > {shlex.quote(str(paged))}\n")
    return f"sh {shlex.quote(str(script))}", paged


# The next three tests run rameau in a real pseudo-terminal (helpers.in_a_terminal): colours, the
# screen's height and the pager are what a process finds on its terminal. The process is forked
# from this one (forked=True): what it shows does not depend on how it started, which test_cli's
# and test_first_day's terminal tests see in a fresh interpreter.


@pytest.fixture(scope="module")
def previewed(tmp_path_factory) -> Path:
    """The example for the tests that only show it (a preview writes no file but its caches): its
    caches made once, here, so that each process reads them, as a user's second preview does."""
    project = copy_example(tmp_path_factory.mktemp("previewed") / "project")
    assert invoke("preview", cwd=project).code == 0
    return project


def test_preview_in_a_real_terminal_has_colour_unless_no_color(previewed, tmp_path):
    pager, paged = pager_script(tmp_path)
    code, coloured = in_a_terminal("preview", "--segment", "hebdo-grand-public", cwd=previewed, env={"PAGER": pager}, forked=True)
    assert code == 0 and re.search(r"\x1b\[[0-9;]*3\dm", coloured), "colours on a terminal"
    assert "╭─ L'hebdo grand public" in coloured
    assert not paged.exists()  # it fits on the screen (500 lines): no pager
    code, plain = in_a_terminal("preview", "--segment", "hebdo-grand-public", cwd=previewed, env={"NO_COLOR": "1"}, forked=True)
    assert not re.search(r"\x1b\[[0-9;]*3\dm", plain), "no colour with NO_COLOR"
    assert not BOX_DRAWING.search(plain), "nor boxes"
    assert "Le 5 décembre, journée des alliances citoyennes" in flat(on_screen(plain))
    code, dumb = in_a_terminal("preview", "--segment", "hebdo-grand-public", cwd=previewed, env={"TERM": "dumb"}, forked=True)
    assert code == 0 and "\x1b" not in dumb and not BOX_DRAWING.search(dumb)


def test_a_preview_taller_than_the_terminal_goes_through_the_pager(previewed, tmp_path):
    pager, paged = pager_script(tmp_path)
    code, shown = in_a_terminal("preview", cwd=previewed, rows=24, env={"PAGER": pager}, forked=True)
    assert code == 0 and "Édito" not in shown and "Edition 2026-W48" not in shown  # all of it went to the pager
    less, _, content = paged.read_text(encoding="utf-8").partition("\n")
    assert less == "LESS=FRX"  # quit if it fits, colours as they are, the text left on screen
    assert re.search(r"\x1b\[[0-9;]*m", content) and content.count("\n") > 100
    assert "hebdo-grand-public" in content and "L'hebdo grand public" in content
    paged.unlink()
    code, shown = in_a_terminal("preview", "--text", cwd=previewed, rows=24, env={"PAGER": pager, "LESS": "-R"}, forked=True)
    less, _, content = paged.read_text(encoding="utf-8").partition("\n")
    assert less == "LESS=-R"  # the reader's own LESS is kept
    assert "Se désinscrire" in content and "Se désinscrire" not in shown  # the text part too
    paged.unlink()
    code, shown = in_a_terminal("preview", "--no-pager", cwd=previewed, rows=24, env={"PAGER": pager}, forked=True)
    assert code == 0 and not paged.exists() and "Le 5 décembre, journée des alliances" in on_screen(shown)


def test_the_pager_is_less_by_default_and_q_quits_it(previewed):
    if not shutil.which("less"):
        missing_tool("less is not installed (.ci/run installs it)")
    code, shown = in_a_terminal("preview", cwd=previewed, rows=24, keys=b"q", after="Édito", forked=True)
    screen_text = on_screen(shown)
    assert code == 0
    assert "Edition 2026-W48" in screen_text
    assert "[3] https://www.rameau-alliances.org/articles/laureats-trophees" not in screen_text  # the last segment's links
    code, shown = in_a_terminal("preview", cwd=previewed, rows=24, env={"PAGER": "no-such-pager"}, forked=True)
    assert code == 0 and "warning: PAGER: cannot run no-such-pager" in shown
    assert "[3] https://www.rameau-alliances.org/articles/laureats-trophees" in on_screen(shown)  # printed all the same


def test_articles_table_says_why(result):
    console = Console(file=io.StringIO(), width=250, no_color=True, highlight=False)
    console.print(*articles_tables(result, everything=True))
    text = console.file.getvalue()
    lines = text.splitlines()
    trophees = next(i for i, line in enumerate(lines) if "Trophées des alliances" in line)
    assert "2026-11-26" in lines[trophees]
    assert "✓ quotidienne, hebdo-entreprise, hebdo-association" in lines[trophees]
    assert "✗ hebdo-grand-public: no matching audience" in lines[trophees + 1]
    assert "✗ all segments: outside the window" in text
    assert "no audience (goes only to" in text


def test_articles_command(example, run):
    shown = run("articles", "--week", "2026-W47", cwd=example, env={"COLUMNS": "100"})
    assert shown.code == 0
    assert "Edition 2026-W47: articles, window 2026-11-16 to 2026-11-22" in shown.stdout
    assert "sondage-jeunes-engagement" in shown.stdout
    assert "kit-accueil-benevoles" not in shown.stdout  # week 48: outside this window
    assert "15 more article(s) outside the window; --all lists them too" in shown.stdout
    everything = run("articles", "--week", "2026-W47", "--all", cwd=example, env={"COLUMNS": "100"})
    assert "kit-accueil-benevoles" in everything.stdout and "outside the window" in everything.stdout
    for out in (shown.stdout, everything.stdout):  # piped: plain
        assert not BOX_DRAWING.search(out) and not re.search(r" $", out, re.M)


# The live preview runs in a real process: these tests stop it with a signal. The console script
# in a process forked from this one (helpers.Child): how it stops does not depend on how it
# started, which test_signals.py's tests see while it starts.


@pytest.mark.skipif(os.name != "posix", reason="signals sent to a child process: POSIX only")
def test_the_live_preview_stops_on_sigterm_with_exit_code_0_and_no_error(previewed):
    """Stopping a server is not an error (SIGINT, Ctrl-C, is sent by the next test)."""
    with Child("preview", "--serve", "--port", "0", cwd=previewed, console=True, pipe=True) as process:
        first = process.stderr.readline()  # type: ignore[union-attr]
        assert first.startswith("Preview on http://127.0.0.1:"), first
        process.send_signal(signal.SIGTERM)
        ended = process.result(timeout=30)
    assert ended.code == 0
    assert ended.stderr.strip().splitlines() == ["Preview stopped."]


def test_the_live_preview_says_when_a_rebuild_fails_and_works_again_and_stops_on_ctrl_c_with_exit_code_0(example):
    """Ctrl-C is how the page says to stop it: stopping a server is not an error."""
    with Child("preview", "--serve", "--port", "0", cwd=example, console=True, pipe=True) as process:
        said = process.stderr
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=lambda: [*[lines.put(line) for line in said], lines.put(None)], daemon=True).start()  # type: ignore[union-attr]
        try:
            assert lines.get(timeout=30).startswith("Preview on http://127.0.0.1:")  # type: ignore[union-attr]
            (example / "templates").mkdir()
            (example / "templates" / "card.mjml").write_text("{% for %}", encoding="utf-8")
            failed = lines.get(timeout=10)
            assert re.fullmatch(r"\d\d:\d\d:\d\d rebuild failed \(the page shows the error\): \S*templates/card\.mjml:1: "
                                r"template syntax error: .*\n", failed), failed  # type: ignore[arg-type]
            (example / "templates" / "card.mjml").unlink()
            assert re.fullmatch(r"\d\d:\d\d:\d\d rebuilt: the build works again\n", lines.get(timeout=10))  # type: ignore[arg-type]
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=30)
        rest = []
        while (line := lines.get(timeout=30)) is not None:  # the reader puts None once stderr is closed
            rest.append(line)
        said.close()  # type: ignore[union-attr]
        for file in process.files:
            file.close()
    assert code == 0
    assert "".join(rest).strip().splitlines() == ["Preview stopped."]


WIDE_TABLE = """| Café | Opened | Sessions | Repairs | Success rate | Most repaired item | Volunteers |
|------|--------|---------:|--------:|-------------:|--------------------|-----------:|
| Chapeltown | 2021 | 44 | 910 | 71% | lamps and kettles | 23 |
| Kirkstall Forge community hall | 2024 | 22 | 305 | 58% | laptops (mostly batteries) | 9 |
"""


@pytest.mark.parametrize("width, columns", [(120, True), (84, True), (80, False), (60, False)])
def test_a_table_on_a_terminal_never_cuts_a_word(width, columns):
    """In columns while every word of every cell fits whole; on a narrower terminal, a block
    per row as in the text part (rich would otherwise cut `Chapeltown` and `Volunteers` in two)."""

    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(*rich_blocks(edito_blocks(WIDE_TABLE, "en", "https://x.org", Texts()), LinkList(), TextLook()),
                  crop=False)  # as the preview prints: a line too long is seen, not cut
    shown = released(console.export_text())
    assert max(len(line) for line in shown.splitlines()) <= width
    words, seen = set(re.sub(r"[|:-]", " ", WIDE_TABLE).split()), set(shown.replace(":", " ").split())
    assert words <= seen, words - seen
    assert bool(BOX_DRAWING.search(shown)) is columns
    if not columns:
        assert "Café: Kirkstall Forge community hall\nOpened: 2024" in shown


def test_the_text_parts_of_several_segments_each_come_under_their_segment_and_subject(example, run):
    every = run("preview", "--text", cwd=example)
    assert every.code == 0, every.stderr
    heads = [line for line in every.stdout.splitlines() if line.startswith("==== ")]
    assert [head.split(":")[0] for head in heads] == [f"==== {segment}" for segment in SEGMENTS]
    assert all("Alliances" in head for head in heads)  # the subject each segment's readers see
    alone = run("preview", "--text", "--segment", "hebdo-association", cwd=example)
    assert alone.code == 0 and not any(line.startswith("==== ") for line in alone.stdout.splitlines())
