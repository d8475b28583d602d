"""The live preview's state: the latest build of the project in memory, made again on every
change to its files (watched with watchfiles), and the pages told of each new version."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from watchfiles import watch

from ..compose.issue import Issue
from ..errors import RameauError
from ..pipeline import Build, BuildOptions, build, load_project
from ..render.emails import Email, render_within
from .pages import Snapshot

ASSETS = "/assets"  # the images from disk of the latest build, and nothing else
NEW_FOLDER_AGAIN = 0.25  # s after a folder appears: built again, for files made in it before it was watched
IGNORED_PARTS = {".git", ".rameau-cache", "__pycache__", ".venv", "node_modules"}


class PreviewState:
    def __init__(self, project: Path, options: BuildOptions):
        self.project = project
        self.options = replace(options, assets_url=ASSETS)
        self.templates = project / "templates"
        self.snapshot = Snapshot()
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.watching = threading.Event()  # set once the file watcher has its watches in place
        self.on_rebuild: Callable[[str, str], None] | None = None  # told (the last error, this one) after each rebuild
        self.rendered: dict[str, tuple[Issue, Email]] = {}  # segment id -> its last issue and email

    def render(self, issue: Issue, templates: Path | None) -> Email:
        """An issue's email, made again only when something it shows changed: an edit of one
        article renders the segments that show it, not the others."""
        kept = self.rendered.get(issue.segment.id)
        if kept is not None and kept[0] == issue:
            return kept[1]
        email = render_within(issue, templates)
        self.rendered[issue.segment.id] = (issue, email)
        return email

    def rebuild(self) -> None:
        result: Build | None
        try:
            result, error = build(load_project(self.project), self.options, render=self.render), ""
        except RameauError as exc:
            result, error = self.snapshot.result, "\n".join(str(p) for p in exc.problems)
        except Exception as exc:
            result, error = self.snapshot.result, f"internal error: {type(exc).__name__}: {exc}"
        with self.changed:
            before = self.snapshot.error
            self.snapshot = Snapshot(self.snapshot.version + 1, result, error)
            self.changed.notify_all()
        if self.on_rebuild:
            self.on_rebuild(before, error)

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot.version != seen or self.stopping.is_set(), timeout)
            return self.snapshot.version

    def watched_paths(self) -> list[Path]:
        paths = [self.project]
        for source in self.options.sources:
            if not source.is_url and Path(source.location).exists():
                paths.append(Path(source.location))
        return paths

    def watch(self) -> None:
        """Rebuild on every change to the project's files, until stopped."""

        output = _output_dir(self.project)

        def relevant(change, path: str) -> bool:
            parts = set(Path(path).parts)
            return not (parts & IGNORED_PARTS) and not (output and Path(path).is_relative_to(output)) \
                and not Path(path).name.startswith(".")

        # step: a save is grouped with the events that follow it within 10 ms (an editor's write and
        # rename), then built at once; debounce: a burst of changes (a git checkout) is one build.
        # Every 50 ms without a change the watcher says so (an empty set): the first time, its
        # watches are in place, and the preview is ready for edits.
        # A folder just made may have files in it before the watcher watches it (`cp -r`, or
        # mkdir and a save at once): a second build follows, once its watch is surely in place.
        again = 0.0
        for changes in watch(*self.watched_paths(), watch_filter=relevant, debounce=300, step=10,
                             stop_event=self.stopping, yield_on_timeout=True, rust_timeout=50):
            self.watching.set()
            if not changes:
                if again and time.monotonic() >= again:
                    again = 0.0
                    self.rendered.clear()
                    self.rebuild()
                continue
            if any(Path(path).is_relative_to(self.templates) for _, path in changes):
                self.rendered.clear()  # the same issue looks otherwise
            if any(Path(path).is_dir() for _, path in changes):
                again = time.monotonic() + NEW_FOLDER_AGAIN
            self.rebuild()


def _output_dir(project: Path) -> Path | None:
    try:
        return load_project(project).output_dir.resolve()
    except RameauError:
        return project / "dist"
