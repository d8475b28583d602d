"""What differs between Linux, macOS and Windows, kept in rameau_cli/compat.py, and the ways each
system can surprise a build: a file held open, inode numbers that are all 0, a pager that is not
there, a console that is not UTF-8, a browser installed where its installer puts it, line endings
changed by a checkout."""

import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from rameau_cli import compat
from rameau_cli import files as fs
from rameau_cli.cli import pager
from rameau_cli.errors import UsageError
from rameau_cli.output import commit
from rameau_cli.preview.screenshots import find_browser
from rameau_cli.sources import halves

from helpers import REPO, Child, checked, tree

WEEKS = ["--date", "2026-12-01"]


def test_nothing_but_compat_asks_which_system_it_runs_on():
    asking = re.compile(r"sys\.platform|hasattr\(os\b|getattr\(os, \"[A-Za-z_]+\", |os\.name\b|platform\.system\(")
    found = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for path in sorted((REPO / "rameau_cli").rglob("*.py")) if path.name != "compat.py"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if asking.search(line)]
    assert found == [], "ask rameau_cli/compat.py instead"


def test_the_stop_signals_are_the_systems_own():
    names = {signal.Signals(sig).name for sig in compat.STOP_SIGNALS}
    assert {"SIGINT", "SIGTERM"} <= names
    assert ("SIGHUP" in names) == hasattr(signal, "SIGHUP") and ("SIGBREAK" in names) == hasattr(signal, "SIGBREAK")


# The build's swaps on any system


@pytest.fixture
def built_twice(example, run):
    """The example built, then changed so that every segment's email changes."""
    assert run("build-issue", *WEEKS, cwd=example).code == 0
    path = example / "articles" / "kit-accueil-benevoles.md"
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("notre kit gratuit", "notre nouveau kit"),
                    encoding="utf-8")
    return example, state(example)


def state(project: Path) -> dict[str, bytes]:
    files = tree(project)
    return {name: data for name, data in files.items() if not name.startswith(".rameau-cache/") and "rameau.lock" not in name}


def held_open(path: Path) -> PermissionError:
    """The error Windows gives for a rename while a program has the file, or a file in the folder, open."""
    error = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by another "
                                          "process", str(path))
    error.winerror = 32  # type: ignore[attr-defined]
    return error


def test_a_rename_refused_while_a_file_is_open_is_tried_again(built_twice, run, monkeypatch):
    project, old = built_twice
    monkeypatch.setattr(fs, "exchange", lambda first, second: False)  # as on Windows: two renames
    edition = project / "dist" / "2026-W48"
    refused: list[Path] = []

    def twice(path: Path) -> None:
        if path == edition and len(refused) < 2:  # the preview lets go of it after a while
            refused.append(path)
            raise held_open(path)

    monkeypatch.setattr(fs, "refusals", twice)
    paused: list[float] = []  # the pauses between tries, taken note of rather than waited out
    monkeypatch.setattr(fs, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=paused.append))
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 0, result.stderr
    assert refused == [edition, edition]
    assert len(paused) == 2 and all(pause > 0 for pause in paused)  # a pause after each refusal
    assert b"notre nouveau kit" in (edition / "hebdo-association" / "index.txt").read_bytes()


def test_a_rename_refused_for_too_long_is_named_and_the_old_output_kept(built_twice, run, monkeypatch):
    project, old = built_twice
    monkeypatch.setattr(fs, "exchange", lambda first, second: False)  # as on Windows: two renames
    edition = project / "dist" / "2026-W48"

    def always(path: Path) -> None:
        if path == edition:
            raise held_open(path)

    monkeypatch.setattr(fs, "refusals", always)
    monkeypatch.setattr(fs, "RENAME_PATIENCE", 0.0)
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 1
    assert result.stderr.strip() == (f"error: {edition}: cannot be replaced while a program has it or a file in it open "
                                     "(the live preview, an editor, an antivirus?); close it and build again (the "
                                     "previous version is kept)")
    assert state(project) == old


def test_a_permission_error_of_another_kind_is_not_waited_for(built_twice, run, monkeypatch):
    project, old = built_twice
    monkeypatch.setattr(fs, "exchange", lambda first, second: False)  # as on Windows: two renames
    tries: list[Path] = []

    def denied(path: Path) -> None:
        if path.name == "2026-W48":
            tries.append(path)
            raise PermissionError(errno.EACCES, "Permission denied", str(path))  # no winerror: not a file held open

    monkeypatch.setattr(fs, "refusals", denied)
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 1 and "Permission denied" in result.stderr and len(tries) == 1
    assert state(project) == old


class FatOs(types.SimpleNamespace):
    """`os` as FAT, exFAT and some network shares show it: every inode number is 0."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def lstat(path, *args, **kwargs):
        real = os.lstat(path, *args, **kwargs)
        return types.SimpleNamespace(**{name: getattr(real, name) for name in dir(real) if name.startswith("st_")}
                                     | {"st_ino": 0})

    stat = lstat


@pytest.mark.parametrize("exchange", ["exchange", "no-exchange"])
def test_a_failed_build_on_a_disk_without_inode_numbers_keeps_the_old_output(built_twice, run, monkeypatch, exchange):
    """Which version is where is told by what the build wrote, never by inode numbers."""
    project, old = built_twice
    monkeypatch.setattr(commit, "os", FatOs())
    if exchange == "no-exchange":
        monkeypatch.setattr(fs, "exchange", lambda first, second: False)

    def fail(name: str) -> None:  # the daily edition is in, the weekly one not yet
        if name == f"swap {project / 'dist' / '2026-W48'}":
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(fs, "faults", fail)
    result = run("build-issue", *WEEKS, cwd=project)
    assert result.code == 1 and "Input/output error" in result.stderr
    assert state(project) == old


def killed_between_renames(edition: str) -> None:
    """In the child (helpers.Child), before its build: a disk whose inode numbers are all 0, no
    swap in one step, and the process ended between the two renames of `edition`."""
    real = os.lstat
    commit.os = types.SimpleNamespace(**{n: getattr(os, n) for n in dir(os) if not n.startswith("__")})
    commit.os.lstat = lambda p, *a, **k: types.SimpleNamespace(**{n: getattr(real(p), n) for n in dir(real(p))
                                                                   if n.startswith("st_")} | {"st_ino": 0})
    fs.exchange = lambda first, second: False

    def crash(name):
        if name == "between renames " + edition:
            os._exit(86)
    fs.faults = crash


def test_a_build_killed_on_a_disk_without_inode_numbers_is_rolled_back(built_twice, run):
    project, old = built_twice
    # A process of its own (helpers.Child): it ends in the middle of the build's swaps, with nothing of it run after.
    killed = Child("build-issue", "--date", "2026-12-01", cwd=project, prepare=killed_between_renames,
                   given=(str(project / "dist" / "2026-W48"),)).result(timeout=300)
    assert killed.code == 86, killed.stderr
    assert state(project) != old
    assert run("check", *WEEKS, cwd=project).code in (0, 1)  # recovers
    assert state(project) == old


# Terminals


def on_path(tmp_path: Path, *names: str) -> str:
    """A PATH holding only programs of these names (each prints what it is given), found as
    programs are on each system: an executable file here, a .bat through PATHEXT on Windows."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in names:
        program = folder / name
        program.write_text(f"#!{sys.executable}\nimport sys; sys.stdout.write(sys.stdin.read())\n", encoding="utf-8")
        program.chmod(0o755)
        (folder / f"{name}.bat").write_text(f'@"{sys.executable}" -c "import sys; sys.stdout.write(sys.stdin.read())"\n',
                                            encoding="utf-8")
    return str(folder)


def test_without_pager_the_systems_own_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setenv("PATH", on_path(tmp_path, "more"))
    assert pager.pager_command() == ["more"]


def test_with_no_pager_at_all_the_text_is_printed_without_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert pager.pager_command() == []
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((80, 5)))
    pager.page("ligne\n" * 50)
    shown = capsys.readouterr()
    assert shown.out == "ligne\n" * 50 and shown.err == ""


def test_a_windows_pager_path_keeps_its_backslashes():
    line = r'"C:\Program Files\Less\less.exe" -R --mouse'
    assert compat.split_command(line, posix=False) == [r"C:\Program Files\Less\less.exe", "-R", "--mouse"]
    assert compat.split_command(r"C:\Tools\more.com", posix=False) == [r"C:\Tools\more.com"]
    assert compat.split_command("less -R 'a b'", posix=True) == ["less", "-R", "a b"]


@pytest.mark.parametrize("encoding", ["cp1252", "cp850", "ascii"])
def test_a_console_in_a_code_page_prints_accents_guillemets_and_emoji(encoding):
    written = io.BytesIO()
    console = io.TextIOWrapper(written, encoding=encoding)
    compat.utf8_streams(console)
    console.write("« Édito » de Zoé 🌱\n")
    console.flush()
    assert written.getvalue().decode("utf-8") == "« Édito » de Zoé 🌱\n"


def test_a_real_process_prints_an_emoji_title_whole(warm_example):
    """On Windows, a pipe is in the ANSI code page unless rameau says otherwise."""
    example = warm_example  # with a build's caches: what is tested is how the title is printed
    path = example / "articles" / "kit-accueil-benevoles.md"
    edited, count = re.subn(rb"\ntitle: [^\n]*", '\ntitle: "🌱 Zoé « vert »"'.encode(), path.read_bytes(), count=1)
    assert count == 1
    path.write_bytes(edited)
    # A real process: its stdout, a pipe in the system's encoding, is what rameau sets up at start-up.
    environment = {name: value for name, value in os.environ.items() if name not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    done = subprocess.run([sys.executable, "-m", "rameau_cli", "preview", "--text", "--segment", "hebdo-association"],
                          cwd=example, capture_output=True, env={**environment, "NO_COLOR": "1"}, timeout=300)
    assert done.returncode == 0, done.stderr
    shown = done.stdout.decode("utf-8").replace("\u202f", " ").replace("\xa0", " ")  # French spacing inside «»
    assert "🌱 Zoé « vert »" in shown


# Browsers


def test_edge_is_found_on_path(tmp_path, monkeypatch):
    monkeypatch.delenv("RAMEAU_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", on_path(tmp_path, "microsoft-edge"))
    monkeypatch.setattr(compat, "_browser_paths", lambda environ: iter(()))
    assert Path(find_browser()).stem.lower() == "microsoft-edge"


def test_a_headless_shell_is_taken_before_the_browser_beside_it(tmp_path, monkeypatch):
    """Debian's chromium-headless-shell beside its chromium: the lighter one takes the screenshots."""
    monkeypatch.delenv("RAMEAU_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", on_path(tmp_path, "chromium", "chromium-headless-shell"))
    monkeypatch.setattr(compat, "_browser_paths", lambda environ: iter(()))
    assert Path(find_browser()).stem.lower() == "chromium-headless-shell"
    assert [Path(found).stem.lower() for found in compat.installed_browsers()] == ["chromium-headless-shell", "chromium"]


@pytest.mark.parametrize("system, where", [
    ("WINDOWS", ("Microsoft", "Edge", "Application", "msedge.exe")),
    ("WINDOWS", ("Google", "Chrome", "Application", "chrome.exe")),
    ("MACOS", ("Applications", "Google Chrome.app", "Contents", "MacOS", "Google Chrome")),
])
def test_a_browser_is_found_where_its_installer_put_it(tmp_path, monkeypatch, system, where):
    monkeypatch.setattr(compat, "LINUX", False)
    monkeypatch.setattr(compat, system, True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    installed = tmp_path.joinpath(*where)
    installed.parent.mkdir(parents=True)
    installed.write_bytes(b"")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)  # ~/Applications on macOS
    assert list(compat.installed_browsers({"PROGRAMFILES": str(tmp_path)})) == [str(installed)]


def test_no_browser_at_all_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("RAMEAU_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(compat, "_browser_paths", lambda environ: iter(()))
    with pytest.raises(UsageError, match="playwright install chromium"):
        find_browser()
    own = tmp_path / "ms-playwright" / "chrome"
    own.parent.mkdir()
    own.write_bytes(b"")
    playwright = types.SimpleNamespace(chromium=types.SimpleNamespace(executable_path=str(own)))
    assert find_browser(playwright) == str(own)


# Reading on several cores


def test_where_fork_is_unsafe_everything_is_read_here(monkeypatch):
    monkeypatch.setattr(compat, "CAN_FORK", False)
    monkeypatch.setattr(halves, "WORTH_IT", 2)
    readers = halves.map_in_halves(lambda items: [os.getpid() for _ in items], list(range(10)))
    assert readers == [os.getpid()] * 10


# Line endings


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def committed() -> list[str]:
    if shutil.which("git") is None or git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a Git checkout (an unpacked source archive): no checkout to test")
    return git("ls-files").stdout.decode().splitlines()


def test_golden_files_and_fixtures_are_kept_byte_for_byte(committed):
    kept = [name for name in committed if name.startswith(("tests/golden/", "tests/fixtures/"))]
    attributes = git("check-attr", "text", "--", *kept).stdout.decode().splitlines()
    assert len(attributes) == len(kept) > 20
    assert [line for line in attributes if not line.endswith(": text: unset")] == []


def stored(names: list[str]) -> dict[str, bytes]:
    """The bytes Git keeps for each file at HEAD (one `git cat-file --batch` for them all)."""
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=REPO, input="".join(f"HEAD:{name}\n" for name in names).encode(),
                         capture_output=True, timeout=120, check=True).stdout
    found, position = {}, 0
    for name in names:
        header, _, _ = out[position:].partition(b"\n")
        size = int(header.split()[2])
        start = position + len(header) + 1
        found[name] = out[start:start + size]
        position = start + size + 1
    return found


def test_a_windows_checkout_keeps_lf(committed, tmp_path):
    """What Git writes on a Windows checkout (core.autocrlf=true), for the files whose bytes make
    the same build: the theme, the example, the golden files, the fixtures, rameau.yaml."""
    names = [name for name in committed if name.startswith(("templates/", "articles/", "issues/", "tests/golden/",
                                                             "tests/fixtures/", "rameau_cli/locales/"))]
    names += ["rameau.yaml"]
    at_head = set(git("ls-tree", "-r", "-z", "--name-only", "HEAD").stdout.decode().split("\0"))
    names = [name for name in names if name in at_head]  # not the files not committed yet
    # Checked out as on Windows: HEAD read into an index of its own, its files written under tmp_path.
    index = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / "index")}
    subprocess.run(["git", "read-tree", "HEAD"], cwd=REPO, env=index, capture_output=True, timeout=120, check=True)
    subprocess.run(["git", "-c", "core.autocrlf=true", "-c", "core.eol=crlf", "checkout-index", "-f",
                    f"--prefix={tmp_path / 'windows'}/", "--", *names], cwd=REPO, env=index, capture_output=True,
                   timeout=120, check=True)
    kept = stored(names)
    changed = [name for name in names if (tmp_path / "windows" / name).read_bytes() != kept[name]]
    assert len(kept) == len(names) > 20
    assert changed == []
    text = git("check-attr", "eol", "--", "templates/email.mjml", "rameau.yaml").stdout.decode().splitlines()
    assert text == ["templates/email.mjml: eol: lf", "rameau.yaml: eol: lf"]
