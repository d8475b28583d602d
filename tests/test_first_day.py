"""A new user's first day, in the English starter project: the project found from any folder
under it, -C on either side of the command, one-line usage errors, issues counted from 1, a
segment's own sender, the footer's sentence, Ctrl-C on the live preview, screenshots at any
width and in dark mode, `check --links` before publishing, the terminal preview's long lines,
and a build waiting on another's lock."""

import email
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from rameau_cli.check.published import published_problem
from rameau_cli.errors import UsageError
from rameau_cli.preview.screenshots import find_browser

from helpers import Child, Serving, checked, in_a_terminal, missing_tool, on_screen, theme_colour
from standins import TOKEN, USER, Listmonk

posix_only = pytest.mark.skipif(os.name != "posix", reason="signals, flock and pseudo-terminals: POSIX only")


@pytest.fixture
def starter(tmp_path, run) -> Path:
    assert run("init", "--language", "en", "letter", cwd=tmp_path).code == 0
    return tmp_path / "letter"


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(checked(path.read_text(encoding="utf-8")).replace(old, new), encoding="utf-8")


# --- The project, from any folder ----------------------------------------------------------------


def test_build_issue_works_from_the_articles_folder_and_says_which_project(starter, run):
    result = run("build-issue", cwd=starter / "articles")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"using the project in {starter}"
    assert (starter / "dist" / "2026-W48" / "manifest.json").is_file() and not (starter / "articles" / "dist").exists()


def test_the_project_is_found_from_deeper_folders_and_the_nearest_one_wins(starter, run):
    deep = starter / "articles" / "drafts" / "2026"
    deep.mkdir(parents=True)
    assert run("articles", cwd=deep).stderr.startswith(f"using the project in {starter}\n")
    inner = starter / "articles" / "drafts"
    assert run("init", "--language", "en", str(inner / "other"), cwd=starter).code == 0
    found = run("articles", cwd=inner / "other" / "articles")
    assert found.code == 0 and found.stderr.startswith(f"using the project in {inner / 'other'}\n")


def test_no_message_from_the_project_folder_itself(starter, run):
    result = run("articles", cwd=starter)
    assert result.code == 0 and "using the project" not in result.stderr


def test_no_project_above_either_is_one_error(tmp_path, run):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    result = run("build-issue", cwd=tmp_path / "empty" / "sub")
    assert result.code == 2
    assert result.stderr.strip().endswith("no rameau.yaml here or in any folder above; run `rameau init` to create a "
                                          "project, or run rameau from the project folder (or -C DIR)")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("where", ["before", "after"])
def test_dash_c_before_or_after_the_command(starter, run, tmp_path, where):
    args = ["-C", str(starter), "articles"] if where == "before" else ["articles", "-C", str(starter)]
    result = run(*args, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "Edition 2026-W48: articles" in result.stdout and "using the project" not in result.stderr


def test_dash_c_on_a_folder_inside_the_project_and_with_init(starter, run, tmp_path):
    inside = run("-C", str(starter / "articles"), "build-issue", "--quiet", cwd=tmp_path)
    assert inside.code == 0 and (starter / "dist" / "2026-W48").is_dir()
    assert run("-C", str(tmp_path), "init", "--language", "de", "zweite", cwd=starter).code == 0
    assert (tmp_path / "zweite" / "rameau.yaml").is_file()
    both = run("-C", str(tmp_path / "nowhere"), "articles", "-C", str(starter), cwd=tmp_path)
    assert both.code == 0  # after the command wins, as the nearer to it


# --- Usage errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("args, line", [
    (("build-issue", "--weeek", "2026-W48"), "error: --weeek: no such option; did you mean --week?"),
    (("check", "--strickt"), "error: --strickt: no such option; did you mean --strict?"),
    (("preview", "--screenshots", "shots"), "error: --screenshots: no such option; did you mean --screenshot?"),
    (("--debgu", "articles"), "error: --debgu: no such option; did you mean --debug?"),
    (("articles", "--zzz"), "error: --zzz: no such option; see rameau articles --help"),
    (("bulid-issue",), "error: bulid-issue: no such command; did you mean build-issue?"),
    (("history", "resolv"), "error: resolv: no such command; did you mean resolve?"),
    (("preview", "--port", "abc"), "error: --port: 'abc' is not a whole number"),
    (("send",), "error: --to: required; see rameau send --help"),
    (("build-issue", "--week"), "error: --week: needs a value, as in `--week VALUE`"),
    (("push", "--dry-run=yes"), "error: --dry-run: takes no value; write --dry-run alone"),
    (("build-issue", "2026-W48", "2026-W49"), "error: 2026-W49: unexpected argument; see rameau build-issue --help"),
    (("preview", "--width", "320"), "error: --width: goes with --screenshot DIR"),
    (("preview", "--screenshot", "shots", "--width", "12"),
     "error: --width: 12 px is not a screen's width; give one from 200 to 3000, such as 320 or 1280"),
])
def test_a_mistyped_command_line_is_one_line_and_exit_2(starter, run, args, line):
    result = run(*args, cwd=starter)
    assert result.code == 2
    assert result.stderr == line + "\n" and result.stdout == ""


def test_a_mistyped_option_in_a_real_process_too(starter):
    # A real process: the console entry point, its exit code and what it prints are what is tested.
    done = subprocess.run([sys.executable, "-m", "rameau_cli", "build-issue", "--weeek", "2026-W48"], cwd=starter,
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "error: --weeek: no such option; did you mean --week?\n")


# --- Issues from 1, the segment's sender, the footer ---------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_first_issues_are_number_1_and_then_2(tmp_path, run, language):
    assert run("init", "--language", language, "p", cwd=tmp_path).code == 0
    project = tmp_path / "p"
    assert "number:" not in next((project / "issues").glob("*.md")).read_text(encoding="utf-8")
    first = run("build-issue", "--json", cwd=project)
    assert first.code == 0, first.stderr
    numbers = {entry["number"] for entry in json.loads(first.stdout)["segments"].values()}
    assert numbers == {1}
    (project / "articles" / "next-week.md").write_text(
        "---\ntitle: Next week\ndate: 2026-12-01\naudiences: [business, nonprofit, public, association, entreprise, "
        "grand-public, verein, unternehmen, oeffentlichkeit]\n---\nNews.\n", encoding="utf-8")
    second = run("build-issue", "--json", "--week", "2026-W49", cwd=project)
    assert second.code == 0, second.stderr
    assert {entry["number"] for entry in json.loads(second.stdout)["segments"].values()} == {2}


def _senders(project: Path) -> dict[str, str]:
    return {path.parent.name: email.message_from_bytes(path.read_bytes())["From"]
            for path in (project / "dist" / "2026-W48").glob("*/message.eml")}


def test_the_first_segments_sender_becomes_its_from(starter, run, monkeypatch):
    edit(starter / "rameau.yaml", "    title: The Daily Digest\n",
         "    title: The Daily Digest\n    sender: \"Members Desk <members@hedgerow-network.org>\"\n")
    assert run("build-issue", "--quiet", cwd=starter).code == 0
    senders = _senders(starter)
    assert senders.pop("daily") == "Members Desk <members@hedgerow-network.org>"
    assert set(senders.values()) == {"Hedgerow Network <newsletters@hedgerow-network.org>"}
    text = run("preview", "--segment", "daily", "--no-pager", cwd=starter).stdout
    assert "Members Desk" in text.split("Editorial")[0]  # the inbox row says who it is from

    tool = Listmonk()
    try:
        edit(starter / "rameau.yaml", "emailing:\n  profile: generic\n",
             f"emailing:\n  profile: listmonk\n  push:\n    url: {tool.url}\n    lists: {{daily: [3], weekly-business: [4], "
             "weekly-nonprofits: [5], weekly-public: [6]}\n")
        assert run("build-issue", "--quiet", cwd=starter).code == 0
        pushed = run("push", cwd=starter, env={"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": TOKEN})
        assert pushed.code == 0, pushed.stderr
    finally:
        tool.stop()
    froms = {r.json["lists"][0]: r.json["from_email"] for r in tool.requests
             if r.method == "POST" and r.path == "/api/campaigns"}
    assert froms[3] == "Members Desk <members@hedgerow-network.org>"
    assert froms[6] == "Hedgerow Network <newsletters@hedgerow-network.org>"


@pytest.mark.parametrize("sender, said", [
    ("members@", "segments.daily.sender"),
    ("{name: Members Desk}", "segments.daily.sender.email"),
])
def test_a_wrong_segment_sender_is_a_configuration_error(starter, run, sender, said):
    edit(starter / "rameau.yaml", "    title: The Daily Digest\n", f"    title: The Daily Digest\n    sender: {sender}\n")
    result = run("build-issue", cwd=starter)
    assert result.code == 2 and said in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("language, name, title, sentence", [
    ("en", "Riverbend Neighbours", "The Riverbend Weekly", "You receive The Riverbend Weekly."),
    ("fr", "Riverbend Neighbours", "L'infolettre de Riverbend", "Vous recevez L'infolettre de Riverbend."),
    ("de", "Riverbend Neighbours", "Der Riverbend-Brief", "Sie erhalten Der Riverbend-Brief."),
    ("en", "Hedgerow Network", "Hedgerow Network Daily", "You receive Hedgerow Network Daily."),
])
def test_the_footer_does_not_name_the_newsletter_twice(starter, run, language, name, title, sentence):
    config = starter / "rameau.yaml"
    edit(config, "  name: Hedgerow Network\n", f"  name: {name}\n")
    edit(config, "  language: en-GB\n", f"  language: {language}\n")
    edit(config, "    title: The Daily Digest\n", f"    title: \"{title}\"\n")
    assert run("build-issue", "--quiet", cwd=starter).code == 0, run("build-issue", cwd=starter).stderr
    daily = starter / "dist" / "2026-W48" / "daily"
    text = daily.joinpath("index.txt").read_text(encoding="utf-8")
    html = daily.joinpath("index.html").read_text(encoding="utf-8")
    assert sentence in " ".join(text.split()) and sentence.replace("'", "&#x27;") in html.replace("&#39;", "&#x27;")
    others = starter / "dist" / "2026-W48" / "weekly-public" / "index.txt"
    assert f"Community Weekly {name}." not in others.read_text(encoding="utf-8")  # the others still say whose
    assert re.search(rf"Community Weekly\s+\S+\s+{name.split()[0]}", others.read_text(encoding="utf-8"))


def test_a_projects_own_footer_sentence_is_kept_for_every_title(starter, run):
    config = starter / "rameau.yaml"
    edit(config, "    title: The Daily Digest\n", "    title: Hedgerow Daily\n")
    edit(config, "  base_url:", "  wording: {you_receive: \"Sent to you by {name}: {segment}.\"}\n  base_url:")
    assert run("build-issue", "--quiet", cwd=starter).code == 0
    text = (starter / "dist" / "2026-W48" / "daily" / "index.txt").read_text(encoding="utf-8")
    assert "Sent to you by Hedgerow Network: Hedgerow Daily." in " ".join(text.split())


# --- The live preview, screenshots ---------------------------------------------------------------


@posix_only
def test_sigint_to_the_live_preview_ends_it_with_exit_0_and_no_error_line(starter):
    # A real process (helpers.Child, the console script): a signal is sent to it, and how it
    # exits is what is tested.
    with Child("preview", "--serve", "--port", "0", cwd=starter, console=True, pipe=True) as process:
        assert process.stderr.readline().startswith("Preview on http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        done = process.result(timeout=60)
    assert done.code == 0
    assert done.stderr == "Preview stopped.\n" and "error" not in done.stdout + done.stderr


def test_screenshots_320_px_wide_in_dark_mode(starter, run, own_playwright):
    """One run launches its own Chromium, as a user's does. The light colours and the names
    without --width (`desktop`, `phone`) are checked by test_browser.py's
    test_screenshots_at_both_widths_show_the_images_from_disk."""
    try:
        find_browser()
        import playwright  # noqa: F401, PLC0415 (an optional dependency: missing, the test is skipped)
    except (UsageError, ImportError) as exc:
        missing_tool(f"{exc} (.ci/run installs Chromium and Playwright)")

    with own_playwright():
        result = run("preview", "--screenshot", "shots", "--width", "320", "--width", "1280", "--width", "320", "--dark",
                     "--segment", "weekly-public", "--segment", "daily", cwd=starter)
    assert result.code == 0, result.stderr
    shots = sorted(p.name for p in (starter / "shots").iterdir())
    assert shots == ["daily-1280-dark.png", "daily-320-dark.png", "weekly-public-1280-dark.png",
                     "weekly-public-320-dark.png"]
    dark = theme_colour(r"\.dm-body \{ background-color: (#[0-9a-f]{6})", "styles.mjml")
    for name in shots:
        with Image.open(starter / "shots" / name) as shot:
            assert shot.width == (320 if "-320-" in name else 1280), name
            # the theme's dark background, in both corners: the email's dark styles, not a light page
            pixels = shot.convert("RGB")
            assert pixels.getpixel((2, 2)) == pixels.getpixel((shot.width - 3, shot.height - 3)) == dark, name


# --- check --links before publishing --------------------------------------------------------------


class Site:
    """The organisation's site on 127.0.0.1: every page answers 200 but /gone, which answers 404."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                outer.paths.append(self.path)
                self.send_response(404 if self.path.startswith("/gone") else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_HEAD

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.serving = Serving(self.httpd)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.serving.stop()


@pytest.fixture
def published(starter, tmp_path):
    """The starter with its site on 127.0.0.1, an image from disk, a link to a page that is gone,
    and `public_url` on a port where something listens but never answers (any connection to it
    waits in its backlog, where the test finds it)."""

    site = Site()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    silent.setblocking(False)
    public = f"http://127.0.0.1:{silent.getsockname()[1]}/letters"
    for path in [starter / "rameau.yaml", *(starter / "articles").glob("*.md"), *(starter / "issues").glob("*.md")]:
        edit(path, "https://www.hedgerow-network.org", site.url)
    edit(starter / "rameau.yaml", "output:\n  dir: dist\n", f"output:\n  dir: dist\n  public_url: {public}\n")
    with open(starter / "rameau.yaml", "a", encoding="utf-8") as config:  # the site is on 127.0.0.1: ask it too
        config.write("check:\n  private_links: true\n")
    Image.new("RGB", (400, 300), (40, 120, 90)).save(starter / "articles" / "garden.jpg", "JPEG")
    article = next(p for p in sorted((starter / "articles").glob("*.md")) if "\nimage:" not in p.read_text(encoding="utf-8"))
    edit(article, "\n---\n", "\nimage: garden.jpg\nimage_alt: A community garden\n---\n")
    issue = starter / "issues" / "2026-W48.md"
    issue.write_text(issue.read_text(encoding="utf-8") + f"\nSee also [the old page]({site.url}/gone/old-page).\n",
                     encoding="utf-8")
    yield starter, site, silent, public
    site.stop()
    silent.close()


def _asked(silent: socket.socket) -> bool:
    try:
        silent.accept()[0].close()
        return True
    except BlockingIOError:
        return False


def test_check_links_reports_none_of_the_projects_own_addresses(published, run):
    starter, site, silent, public = published
    assert run("build-issue", "--quiet", cwd=starter).code == 0
    html = "".join(p.read_text(encoding="utf-8") for p in (starter / "dist" / "2026-W48").glob("*/index.html"))
    own = set(re.findall(rf'"({re.escape(public)}/[^"]+)"', html))
    assert any("/assets/" in url for url in own) and any(url.endswith("/web.html") for url in own)
    result = run("check", "--links", "--json", cwd=starter)
    findings = json.loads(result.stdout)["findings"]
    assert [f for f in findings if f["rule"].startswith("link-") and public in f["message"]] == []
    broken = [f for f in findings if f["rule"] == "link-broken"]
    assert len(broken) >= 1 and all("/gone/old-page" in f["url"] for f in broken)  # the one real 404, not buried
    assert result.code == 1 and not _asked(silent)
    assert site.paths and not [p for p in site.paths if p.startswith("/letters")]


def test_a_file_missing_from_the_output_folder_is_an_error(published, run):
    starter, _, silent, public = published
    assert run("build-issue", "--quiet", cwd=starter).code == 0
    asset = next((starter / "dist" / "public" / "assets").iterdir())
    asset.unlink()
    findings = json.loads(run("check", "--links", "--json", cwd=starter).stdout)["findings"]
    missing = [f for f in findings if f["url"] == f"{public}/assets/{asset.name}"]
    assert missing and all(f["rule"] == "link-broken" and f["level"] == "error" and "not in the output folder" in f["message"]
                           for f in missing)
    assert not _asked(silent)


@pytest.mark.parametrize("sneaky", ["/../rameau.yaml", "/%2e%2e/rameau.yaml", "/assets/../../rameau.yaml"])
def test_an_own_address_never_finds_a_file_outside_the_output_folder(tmp_path, sneaky):
    out = tmp_path / "dist"
    out.mkdir()
    (tmp_path / "rameau.yaml").write_text("secret", encoding="utf-8")
    assert published_problem(f"https://x.example/letters{sneaky}", "https://x.example/letters", out) != ""


def test_check_links_offline_asks_nothing_over_the_network(published, run):
    starter, site, silent, public = published
    assert run("build-issue", "--quiet", cwd=starter).code == 0
    asset = next((starter / "dist" / "public" / "assets").iterdir())
    asset.unlink()
    site.paths.clear()  # what the build asked (remote images' sizes): the check's own requests are counted
    result = run("check", "--links", "--offline", "--json", cwd=starter)
    findings = json.loads(result.stdout)["findings"]
    assert site.paths == [] and not _asked(silent)
    assert [f["url"] for f in findings if f["rule"].startswith("link-")] == [f"{public}/assets/{asset.name}"] * \
        len([f for f in findings if f["rule"].startswith("link-")])
    assert any(f["url"] == f"{public}/assets/{asset.name}" for f in findings)


# --- The terminal preview's long lines -----------------------------------------------------------

COMMAND = ("curl -fsSL https://downloads.example.org/tools/install-newsletter-tools.sh --output /tmp/install.sh "
           "&& sh /tmp/install.sh --prefix=/opt/tools --yes --quiet")
LONG_URL = "https://www.example.org/reports/2026/partnerships/" + "annual-survey-of-employee-volunteering-" * 3 + "full.pdf"


@posix_only
def test_an_80_column_terminal_keeps_a_long_command_and_a_long_url_whole(starter):
    assert len(COMMAND) >= 150 and len(LONG_URL) > 150
    (starter / "articles" / "install.md").write_text(
        "---\ntitle: Install the tools\ndate: 2026-11-27\naudiences: [public]\nbody: full\n---\n"
        f"Run this:\n\n```sh\n{COMMAND}\n```\n\nThe report: {LONG_URL} (a bare address).\n\n"
        f"- In a list:\n\n  ```sh\n  {COMMAND}\n  ```\n\n> Quoted: {LONG_URL}\n", encoding="utf-8")
    # A real process on a pseudo-terminal: the width rameau finds for its lines is the terminal's
    # (forked: what is tested is what it prints there, not its start).
    code, shown = in_a_terminal("preview", "--segment", "weekly-public", "--no-pager", cwd=starter, columns=80,
                                forked=True)
    assert code == 0
    screen = on_screen(shown)
    lines = screen.splitlines()
    assert sum(COMMAND in line for line in lines) == 2  # in the body and in the list item, each on one line
    assert sum(LONG_URL in line for line in lines) == 2  # in the paragraph and in the quote
    article = screen.split("Install the tools", 1)[1].split("Links ─", 1)[0].splitlines()
    prose = [line for line in article if line.strip() and COMMAND not in line and LONG_URL not in line]
    assert prose and max(len(line) for line in prose) <= 80  # the rest still fits the terminal


# --- Waiting on another build --------------------------------------------------------------------


@posix_only
def test_a_build_waiting_on_the_lock_says_so_at_once_and_when_it_goes_on(starter, run):
    import fcntl  # noqa: PLC0415 (POSIX only: the test is skipped elsewhere)

    assert run("build-issue", "--quiet", cwd=starter).code == 0
    dist = starter / "dist"
    with open(dist / ".rameau.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as another build holds it
        # A second process, as a user's other command: it waits on the lock this one holds. The
        # console script in a process forked from this one (helpers.Child: what is tested is the
        # wait, not the start), its logging as a fresh interpreter's: its "waiting" line goes
        # through logging's last resort, as in any process whose logging nothing set up.
        with Child("build-issue", cwd=starter / "articles", console=True, pipe=True) as process:
            first = process.stderr.readline()  # type: ignore[union-attr]
            if first.startswith("using the project"):
                first = process.stderr.readline()  # type: ignore[union-attr]
            assert first == f"waiting: another rameau command is writing in {dist}; this one goes on when it is done\n"
            assert process.poll() is None  # still waiting while the lock is held
            fcntl.flock(held, fcntl.LOCK_UN)
            done = process.result(timeout=120)
    assert done.code == 0
    rest = done.stderr
    assert rest.splitlines()[0] == f"going on: {dist} is free"
    assert rest.splitlines()[1].startswith("Edition 2026-W48: 4 segment(s) built")
