"""What each of the theme's templates is given: the names and types of its variables (the
render calls of render/emails.py, output/archive.py and preview/pages.py), and their values in
a build of the bundled example, recorded as the templates are rendered."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict


class ArchiveFeed(TypedDict):
    id: str  # the feed's id: the archive's address
    link: str  # the archive's page
    updated: str  # the date of the latest issue


# The templates rameau renders itself; the others are included, imported or extended by these.
GROUPS = (
    ("The emails", ("email.mjml", "email.txt")),
    ("The archive", ("archive/index.html", "archive/year.html", "archive/feed.xml")),
    ("The web preview", ("preview/index.html", "preview/segment.html")),
)


def entries() -> dict[str, dict[str, Any]]:
    """Each template rameau renders: its variables and their types."""
    from ..compose.issue import Issue
    from ..compose.wording import Wording
    from ..output.archive import ArchiveEntry, Elsewhere, YearPage
    from ..preview.pages import Snapshot
    from ..project.config import Segment
    from ..project.newsletter import Newsletter
    from ..render.emails import Email
    from ..render.text import LinkList

    archive = {"newsletter": Newsletter, "language": str, "words": Wording}
    return {
        "email.mjml": {"issue": Issue},
        "email.txt": {"issue": Issue, "links": LinkList},
        "archive/index.html": {**archive, "segments": tuple[Segment, ...], "pages": dict[str, list[YearPage]],
                               "latest": dict[str, ArchiveEntry], "others": tuple[Elsewhere, ...]},
        "archive/year.html": {**archive, "segment": Segment, "year": int, "entries": list[ArchiveEntry]},
        "archive/feed.xml": {**archive, "feed": ArchiveFeed, "entries": list[ArchiveEntry]},
        "preview/index.html": {"snapshot": Snapshot},
        "preview/segment.html": {"snapshot": Snapshot, "segment_id": str, "email": Email | None},
    }


@contextmanager
def example_contexts() -> Iterator[tuple[dict[str, dict[str, Any]], str]]:
    """The values each template of `entries()` is rendered with when the bundled example is
    built, its archive written and its web preview shown; and the folder it is built in (left
    out of the examples), removed when the block ends."""
    import jinja2

    recorded: dict[str, dict[str, Any]] = {}
    original = jinja2.Template.render

    def render(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        if self.name not in recorded:
            recorded[str(self.name)] = dict(*args, **kwargs)
        return original(self, *args, **kwargs)

    with tempfile.TemporaryDirectory(prefix="rameau-manual-") as folder:
        jinja2.Template.render = render  # type: ignore[method-assign]
        try:
            _build_example(Path(folder))
        finally:
            jinja2.Template.render = original  # type: ignore[method-assign]
        yield recorded, folder


def _build_example(folder: Path) -> None:
    from ..cli.scaffold import init_project
    from ..pipeline import BuildOptions, build, build_issue, load_project
    from ..preview.pages import Snapshot, index_page, segment_page

    init_project(folder / "example")
    config = load_project(folder / "example")
    build_issue(config, BuildOptions())
    result = build(config, BuildOptions())
    snapshot = Snapshot(1, result)
    index_page(snapshot, None)
    email = result.emails[0]
    segment_page(snapshot, email.issue.segment.id, email, None)
