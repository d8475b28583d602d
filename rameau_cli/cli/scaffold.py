"""`rameau init`: copy a bundled project, which builds as soon as it is copied: the French example,
or a starter in English or German (rameau_cli/starters/<language>/).

A new newsletter counts its issues from 1: the history numbers them. The starters' issue files
give no `number:`; the example's keeps its 48 (the repository's own build and the benchmark's
ten years of history rely on it), and `init` leaves it out of the copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import OutputError, Problem, UsageError

PACKAGE = Path(__file__).resolve().parent.parent
STARTERS = PACKAGE / "starters"
LANGUAGES = ("fr", "en", "de")


def example_root() -> Path:
    """The example project: inside the installed package, or the repository root."""
    packaged = PACKAGE / "example"
    return packaged if packaged.is_dir() else PACKAGE.parent


def init_project(directory: Path, force: bool = False, language: str = "fr") -> list[Path]:
    """Write a new project into `directory`, in `language`; never overwrite an existing file."""
    if language not in LANGUAGES:
        from ..project.schema import closest

        hint = closest(language, list(LANGUAGES))
        raise UsageError(Problem("--language", f"no starter project in {language!r}; "
                                               + (f"did you mean {hint!r}? " if hint else "")
                                               + f"choose from {', '.join(LANGUAGES)} (any language can be set "
                                                 "afterwards in rameau.yaml)"))
    if directory.exists() and not directory.is_dir():
        raise UsageError(Problem(str(directory), "exists and is not a folder"))
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise UsageError(Problem(str(directory), "folder is not empty; choose a new folder or pass --force"))
    source = example_root() if language == "fr" else STARTERS / language
    files = [source / "rameau.yaml"]
    for part in ("articles", "issues"):
        files += sorted((source / part).glob("*.md"))
    written = []
    try:
        for path in files:
            target = directory / path.relative_to(source)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.parent.name == "issues":
                target.write_bytes(_without_number(path.read_bytes()))
            else:
                shutil.copyfile(path, target)
            written.append(target)
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("dist/\n.rameau-cache/\n", encoding="utf-8", newline="\n")  # LF on Windows too
            written.append(gitignore)
    except OSError as exc:
        raise OutputError(Problem(str(exc.filename or directory), f"cannot write: {exc.strerror or exc}")) from None
    return written


def _without_number(issue_file: bytes) -> bytes:
    """An issue file without the `number:` line of its front matter."""
    head, separator, body = issue_file.partition(b"\n---")
    lines = [line for line in head.split(b"\n") if not line.startswith(b"number:")]
    return b"\n".join(lines) + separator + body
