"""The console examples of the README and of the manual, run as a reader would type them, in a
fresh folder: each `$ command` must succeed and print the lines shown under it, in order. The
opening's first command and every line with shell syntax run in bash, the real `rameau` on PATH; a line that is
only `rameau` and its arguments runs in this process, as the tests' other commands do. A code block titled with a file's path (```markdown title="articles/x.md"```)
is written there first; one titled `rameau.yaml` replaces those keys of the project's
rameau.yaml. A command ending in `# exit code N` must exit with N. The emailing tool a page
pushes to is a stand-in on 127.0.0.1. The opening most pages share (`rameau init`, `cd`,
`rameau build-issue`) runs once for all of them, its `rameau init` in bash."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import REPO, invoke
from standins import TOKEN, USER, Listmonk

FENCE = re.compile(r'^```(\w+)(?: title="([^"]+)")?\n(.*?)^```', re.M | re.S)
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
WITH_EXAMPLES = [page for page in PAGES if "```console" in page.read_text(encoding="utf-8")]
PLACEHOLDER_URL = "https://lists.example.org"  # "your listmonk" in the walkthrough


def steps(text: str) -> list[tuple[str, str, object]]:
    """("run", command, expected lines), ("file", path, text) or ("config", "", mapping), in order."""
    found: list[tuple[str, str, object]] = []
    for language, title, body in FENCE.findall(text):
        if language == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, *shown = chunk.rstrip("\n").split("\n")
                found.append(("run", command, [line.strip() for line in shown if line.strip()]))
        elif title == "rameau.yaml":
            found.append(("config", "", yaml.safe_load(body)))
        elif title:
            found.append(("file", title, body))
    return found


def test_the_pages_have_examples_and_the_walkthrough_ends_with_a_push():
    names = {page.relative_to(REPO).as_posix() for page in WITH_EXAMPLES}
    assert {"README.md", "docs/getting-started.md", "docs/your-newsletter.md"} <= names
    commands = [command for kind, command, _ in steps((REPO / "README.md").read_text(encoding="utf-8")) if kind == "run"]
    assert commands[0].startswith("rameau init") and commands[-1] == "rameau push"


def environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RAMEAU_", "PYTEST", "COV_"))}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", HOME=str(home),
               NO_COLOR="1", PAGER="cat", COLUMNS="100")
    return env


def shell(what: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """`$ what` as a reader types it: in bash, the real `rameau` on PATH. Its exit code and output."""
    done = subprocess.run(["bash", "-c", what], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    return done.returncode, done.stdout + done.stderr


# `rameau` and words, quoted or not, with nothing the shell would expand or redirect.
PLAIN = re.compile(r"""rameau(?: +(?:[\w@%+:/.=,-]+|"[^"$`\\!]*"|'[^']*'))*(?: +# exit code \d+)?""")


def typed(what: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """`$ what`: in bash when it uses the shell, else `rameau` run in this process in the same
    environment (a real process costs a third of a second)."""
    if not PLAIN.fullmatch(what):
        return shell(what, cwd, env)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        done = invoke(*shlex.split(what, comments=True)[1:], cwd=cwd, env={"COLUMNS": env["COLUMNS"]})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return done.code, done.stdout + done.stderr


# How most pages start: a project made by `rameau init` and built once. Typed the same on each page
# and in a fresh folder each time, it does and prints the same: it runs once (as written, in a
# fresh folder), and each page that starts so checks its own lines against what it printed and
# goes on in a copy of that project.
OPENING = ["rameau init --language en my-letter", "cd my-letter", "rameau build-issue"]


@pytest.fixture(scope="module")
def opened(tmp_path_factory) -> tuple[Path, list[tuple[int, str]]]:
    """The project the opening left, and each of its commands' exit code and output."""
    home = tmp_path_factory.mktemp("opening")
    env, cwd, said = environment(home), home, []
    for what in OPENING:
        if what.startswith("cd "):
            cwd = cwd / what[3:].strip()
            said.append((0, ""))  # not a command: where the next ones run
        elif what == OPENING[0]:
            said.append(shell(what, cwd, env))  # the reader's first `rameau`: the console script on PATH
        else:
            said.append(typed(what, cwd, env))  # as each page's other plain commands run
    return cwd, said


def check(page: Path, what: str, code: int, output: str, detail: list[str]) -> None:
    """The exit code the page says (0 unless `# exit code N`) and its lines printed, in order."""
    expected = re.search(r"# exit code (\d+)$", what)
    assert code == int(expected.group(1) if expected else 0), f"{page.name}: $ {what}\n{output}"
    position = 0
    for line in detail:
        found = output.find(line, position)
        assert found >= 0, f"{page.name}: $ {what}: {line!r} not printed (in order) in:\n{output}"
        position = found + len(line)


@pytest.mark.parametrize("page", WITH_EXAMPLES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_console_examples_run_as_written(page, tmp_path, opened):
    env = environment(tmp_path)
    tool = Listmonk()
    cwd = tmp_path
    ran = []
    try:
        todo = steps(page.read_text(encoding="utf-8"))
        if not todo[0][1].startswith("rameau init"):  # a page that starts inside a project: a fresh one
            todo = [("run", OPENING[0], []), ("run", OPENING[1], []), ("run", OPENING[2], []), *todo]
        if [(kind, what) for kind, what, _ in todo[:len(OPENING)]] == [("run", what) for what in OPENING]:
            project, said = opened  # run once for every page
            for (_, what, detail), (code, output) in zip(todo[:len(OPENING)], said, strict=True):
                if not what.startswith("cd "):
                    check(page, what, code, output, detail)  # type: ignore[arg-type]
                    ran.append(what)
            cwd = tmp_path / project.name
            shutil.copytree(project, cwd, symlinks=True)
            todo = todo[len(OPENING):]
        for kind, what, detail in todo:
            if kind == "file":
                (cwd / what).write_text(str(detail), encoding="utf-8")
            elif kind == "config":
                config = yaml.safe_load((cwd / "rameau.yaml").read_text(encoding="utf-8"))
                config.update(yaml.safe_load(yaml.safe_dump(detail).replace(PLACEHOLDER_URL, tool.url)))
                (cwd / "rameau.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
            elif what.startswith("cd "):
                cwd = cwd / what[3:].strip()
            elif what.startswith("export "):
                env.update(pair.split("=", 1) for pair in shlex.split(what)[1:])
                env.update(RAMEAU_PUSH_USER=USER, RAMEAU_PUSH_TOKEN=TOKEN)  # the page's are placeholders
            else:
                check(page, what, *typed(what, cwd, env), detail)  # type: ignore[arg-type]
                ran.append(what)
    finally:
        tool.stop()
    assert ran
    if "rameau push" in ran:
        created = [r for r in tool.requests if r.method == "POST" and r.path == "/api/campaigns"]
        assert len(created) == 4 and all(r.json["lists"] for r in created)
