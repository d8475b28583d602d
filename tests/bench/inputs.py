"""The benchmark's inputs: generated projects and feeds (bench/generate.py), their copies for
another rameau (--before), the example with ten years of history as CI builds it, and the
tools measured against (the MJML CLI from npm).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
WORK = BENCH / ".work"
NODE_DIR = BENCH / ".node"
MJML_BIN = NODE_DIR / "node_modules" / "mjml" / "bin" / "mjml"
COMPARABLE = BENCH / "comparable.mjml"
WEEK = "2026-W48"
PYTHON = sys.executable


# --- Inputs --------------------------------------------------------------------------------------

def generator_stamp(kind: str, count: int) -> str:
    source = (BENCH / "generate.py").read_bytes() + (REPO / "rameau.yaml").read_bytes()
    return f"{kind} {count} {hashlib.sha256(source).hexdigest()}\n"


def ensure_generated(kind: str, count: int, target: Path, stamp_file: Path) -> bool:
    """Run bench/generate.py unless `target` was made by the same generator with the same size
    (True: it was run now)."""
    stamp = generator_stamp(kind, count)
    if target.exists() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return False
    print(f"  generating {kind}, {count}, into {target.relative_to(REPO)}...", file=sys.stderr, flush=True)
    subprocess.run([PYTHON, str(BENCH / "generate.py"), f"--{kind}", str(count), "--out", str(target)], check=True)
    stamp_file.write_text(stamp)
    return True


def article_project(count: int) -> Path:
    project = WORK / f"articles-{count}"
    ensure_generated("articles", count, project, WORK / f"articles-{count}.stamp")
    return project


def photo_projects(count: int) -> Path:
    folder = WORK / f"photos-{count}"
    ensure_generated("photos", count, folder, WORK / f"photos-{count}.stamp")
    return folder




def remove_output_and_cache(project: Path, out: Path) -> Callable[[], None]:
    def remove() -> None:
        shutil.rmtree(project / ".rameau-cache", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    return remove


def feed_project(count: int) -> Path:
    """A folder with rameau.yaml (for the segments) and feed.xml; --source replaces the sources."""
    project = WORK / f"feed-{count}"
    project.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "rameau.yaml", project / "rameau.yaml")
    ensure_generated("feed", count, project / "feed.xml", WORK / f"feed-{count}.stamp")
    return project


def ensure_mjml() -> tuple[list[str] | None, str]:
    """The MJML CLI's command line, installing mjml@4 into tests/bench/.node if needed; or None and why."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node:
        return None, "node is not installed"
    if not MJML_BIN.is_file():
        if not npm:
            return None, "npm is not installed, so the MJML CLI cannot be installed"
        print("  installing mjml@4 into tests/bench/.node (npm)...", file=sys.stderr, flush=True)
        NODE_DIR.mkdir(exist_ok=True)
        try:
            done = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                                   "--loglevel=error", "mjml@4"], capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return None, "`npm install mjml@4` did not finish within 10 minutes"
        if done.returncode != 0 or not MJML_BIN.is_file():
            return None, f"`npm install mjml@4` failed: {done.stderr.strip()[-300:]}"
    return [node, str(MJML_BIN)], ""


def mjml_version() -> str:
    package = NODE_DIR / "node_modules" / "mjml" / "package.json"
    if not package.is_file():
        return "-"
    return json.loads(package.read_text())["version"]


def compile_bytecode(python: str = PYTHON) -> str:
    """Compile the measured rameau's modules to bytecode, as `pip install .` does; the folder.

    An editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module
    of rameau from source in every measured process, which no installed copy does."""
    where = subprocess.run([python, "-c", "import os, rameau_cli; print(os.path.dirname(rameau_cli.__file__))"],
                           cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", where], check=True)
    return where


def rameau_argv() -> list[str]:
    """The `rameau` console script of this interpreter's environment, as a user runs it."""
    script = shutil.which("rameau", path=str(Path(PYTHON).parent))
    return [script] if script else [PYTHON, "-m", "rameau_cli"]


def remove_cache(project: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(project / ".rameau-cache", ignore_errors=True)


def example_copy(target: Path) -> Path:
    """The bundled example (rameau.yaml, articles, issues), copied so that each rameau measured
    has its own project and cache."""
    if not (target / "rameau.yaml").is_file() or (target / "rameau.yaml").read_bytes() != (REPO / "rameau.yaml").read_bytes():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copyfile(REPO / "rameau.yaml", target / "rameau.yaml")
        for folder in ("articles", "issues"):
            shutil.copytree(REPO / folder, target / folder)
    return target


def own_copy(project: Path, side: str) -> Path:
    """`project` for the rameau of `side` ("" or "before"): the same inputs, its own caches."""
    if not side:
        return project
    copy = WORK / side / project.relative_to(WORK)
    stamp = project.with_name(project.name + ".stamp")
    copied = copy.with_name(copy.name + ".stamp")
    if not (copy.exists() and copied.is_file() and stamp.is_file() and copied.read_text() == stamp.read_text()):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".rameau-cache", "dist", "history", "history.json"))
        if stamp.is_file():
            copied.write_text(stamp.read_text())
    return copy


class HistoryProject:
    """The example with ten years of history (or none), as CI builds it: the history committed,
    the output folder fresh. The history is first written by the measured rameau itself (one
    untimed build migrates the first format, as a project's first build does), then put back
    before each measured build."""

    def __init__(self, project: Path, rameau: list[str], years: int):
        self.project, self.years = project, years
        self.committed = project.with_name(project.name + ".committed")
        generated = project.with_name(project.name + ".first-format.json")  # as generate.py wrote it
        if years:
            stamp = project.with_name(project.name + ".stamp")
            if ensure_generated("history", years, project, stamp) or not generated.is_file():
                if json.loads((project / "history.json").read_text(encoding="utf-8")).get("format") != 1:
                    stamp.unlink()  # migrated by an earlier run, and its first form lost: made again
                    ensure_generated("history", years, project, stamp)
                shutil.copyfile(project / "history.json", generated)
        else:
            example_copy(project)
        shutil.rmtree(self.committed, ignore_errors=True)
        self.committed.mkdir()
        if years:
            shutil.copyfile(generated, self.committed / "history.json")
            self.reset()
            subprocess.run([*rameau, "build-issue"], cwd=project, capture_output=True, check=True)
            self.rewind_last_edition()
        self.keep()

    def rewind_last_edition(self) -> None:
        """The migrating build recorded 2026-W48: keep the history of the editions before it."""
        shutil.rmtree(self.committed)
        self.committed.mkdir()
        if (self.project / "history").is_dir():  # the latest format: the 2026 files lose their 2026-W48 lines
            for path in (self.project / "history").glob("*/2026.json"):
                lines = [line for line in path.read_text(encoding="utf-8").splitlines() if '"2026-W48"' not in line]
                if lines[-3].endswith(","):
                    lines[-3] = lines[-3][:-1]
                path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            data = json.loads((self.project / "history.json").read_text(encoding="utf-8"))
            for entries in data["segments"].values():
                entries[:] = [e for e in entries if e["edition"] != "2026-W48"]
            (self.project / "history.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def keep(self) -> None:
        for name in ("history.json", "history"):
            source = self.project / name
            if source.is_dir():
                shutil.copytree(source, self.committed / name, dirs_exist_ok=True)
            elif source.is_file():
                shutil.copyfile(source, self.committed / name)

    def reset(self) -> None:
        """The history as committed, no output folder."""
        shutil.rmtree(self.project / "dist", ignore_errors=True)
        shutil.rmtree(self.project / "history", ignore_errors=True)
        (self.project / "history.json").unlink(missing_ok=True)
        for path in self.committed.iterdir():
            if path.is_dir():
                shutil.copytree(path, self.project / path.name)
            else:
                shutil.copyfile(path, self.project / path.name)

    def archive_sizes(self) -> dict[str, float]:
        archive = self.project / "dist" / "public" / "archive"
        pages = [p.stat().st_size for p in archive.rglob("*.html")]
        return {"feed_kb": (archive / "feed.xml").stat().st_size / 1024, "page_kb": max(pages) / 1024}
