"""`rameau init`: copy the bundled example project, which builds as soon as it is copied."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import OutputError, Problem, UsageError

PACKAGE = Path(__file__).resolve().parent.parent


def example_root() -> Path:
    """The example project: inside the installed package, or the repository root."""
    packaged = PACKAGE / "example"
    return packaged if packaged.is_dir() else PACKAGE.parent


def init_project(directory: Path, force: bool = False) -> list[Path]:
    """Write a new project into `directory`; never overwrite an existing file."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(Problem(str(directory), "exists and is not a folder"))
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise UsageError(Problem(str(directory), "folder is not empty; choose a new folder or pass --force"))
    source = example_root()
    files = [source / "rameau.yaml"]
    for part in ("articles", "editions"):
        files += sorted((source / part).glob("*.md"))
    written = []
    try:
        for path in files:
            target = directory / path.relative_to(source)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            written.append(target)
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("dist/\n.rameau-cache/\n", encoding="utf-8")
            written.append(gitignore)
    except OSError as exc:
        raise OutputError(Problem(str(exc.filename or directory), f"cannot write: {exc.strerror or exc}")) from None
    return written
