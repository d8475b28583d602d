"""The console examples of the README and of the manual, run as a reader would type them, in a
fresh folder, as real processes: each `$ command` must succeed and print the lines shown under
it, in order. A code block titled with a file's path (```markdown title="articles/x.md"```)
is written there first; one titled `rameau.yaml` replaces those keys of the project's
rameau.yaml. A command ending in `# exit code N` must exit with N. The emailing tool a page
pushes to is a stand-in on 127.0.0.1."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import REPO
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


@pytest.mark.parametrize("page", WITH_EXAMPLES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_console_examples_run_as_written(page, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RAMEAU_", "PYTEST", "COV_"))}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", HOME=str(tmp_path),
               NO_COLOR="1", PAGER="cat", COLUMNS="100")
    tool = Listmonk()
    cwd = tmp_path
    ran = []
    try:
        todo = steps(page.read_text(encoding="utf-8"))
        if not todo[0][1].startswith("rameau init"):  # a page that starts inside a project: a fresh one
            todo = [("run", "rameau init --language en project", []), ("run", "cd project", []), *todo]
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
                done = subprocess.run(["bash", "-c", what], cwd=cwd, env=env, capture_output=True, text=True,
                                      timeout=180)
                output = done.stdout + done.stderr
                expected = re.search(r"# exit code (\d+)$", what)
                assert done.returncode == int(expected.group(1) if expected else 0), f"{page.name}: $ {what}\n{output}"
                position = 0
                for line in detail:  # type: ignore[union-attr]
                    found = output.find(line, position)
                    assert found >= 0, f"{page.name}: $ {what}: {line!r} not printed (in order) in:\n{output}"
                    position = found + len(line)
                ran.append(what)
    finally:
        tool.stop()
    assert ran
    if "rameau push" in ran:
        created = [r for r in tool.requests if r.method == "POST" and r.path == "/api/campaigns"]
        assert len(created) == 4 and all(r.json["lists"] for r in created)
