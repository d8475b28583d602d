"""The `Article` every source produces, and reading one article from a Markdown file (the schema
of its front matter: project/front_matter.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import ContentError, KeyTypo, Problem, Warnings
from ..project.front_matter import FRONT_MATTER, FrontMatterSettings, draft_of, quick_front_matter
from ..project.reading import load_yaml_text, read_text, slugify, split_front_matter
from ..project.schema import Walk, validate


@dataclass(frozen=True, slots=True)  # slots: a large folder holds 100,000 of them
class Article:
    id: str
    title: str
    date: dt.datetime  # timezone-aware
    url: str
    summary: str  # plain text; may be empty, then derived from the body
    body: str  # Markdown (markdown files) or untrusted HTML (feeds)
    body_format: str  # "markdown" or "html"
    source: str  # where it came from, for messages
    audiences: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    author: str = ""
    image: str = ""
    image_alt: str = ""
    featured: bool = False
    priority: int = 0
    publish_at: dt.datetime | None = None
    guid: str = ""
    full: bool = False  # the whole body in every email, whatever the segment's `body`
    lang: str = ""  # its language ("": the newsletter's); a segment takes only articles in its own
    translation_of: str = ""  # the id of the article it translates
    body_elsewhere: bool = False  # the body was left in its file (by the article cache): see sources.markdown.with_body
    draft: str = ""  # the front matter that makes it a draft (`draft: true`), kept out of every segment

    @property
    def folder(self) -> Path | None:
        """The folder its image files are named from: a Markdown file's; None for a feed's entry,
        which never reads a file."""
        return Path(self.source).parent if self.body_format == "markdown" else None


FIELDS = tuple(f.name for f in fields(Article))


field_values = attrgetter(*FIELDS)  # an article's fields as a tuple, in FIELDS order


def read_markdown_article(path: Path, tz: ZoneInfo, base_url: str, warnings: Warnings,
                          size: int | None = None) -> Article:
    """Read one article file (`size`: when it is known to be a regular file of that size); raise
    ContentError listing every problem in it."""
    where = str(path)
    text = read_text(path, size=size)
    if not text.strip():
        raise ContentError(Problem(where, "file is empty; add front matter with at least a title and a date"))
    front, body, _ = split_front_matter(text, where)
    if front is None:
        raise ContentError(Problem(f"{where}:1", "no front matter; start the file with `---`, then `title:` and "
                                                 "`date:` lines, then `---`"))
    raw = quick_front_matter(front)
    if raw is None:
        raw = load_yaml_text(front, where, first_line=2)
    if not isinstance(raw, dict):
        raise ContentError(Problem(f"{where}:2", "front matter must be `key: value` lines (a mapping)"))
    walk = Walk(where, tz)
    values: FrontMatterSettings | None = validate(FRONT_MATTER, raw, walk, "", None)
    if walk.typos:
        raise ContentError(*(KeyTypo(p.where, p.message) for p in walk.typos))
    for problem in walk.warnings:
        warnings.warn(problem.where, problem.message)
    if walk.problems or values is None:
        raise ContentError(*walk.problems)
    article_id = slugify(values.slug or path.stem)
    article = Article(
        id=article_id,
        title=values.title,
        date=values.date,
        url=values.url or f"{base_url}/articles/{article_id}/",
        summary=values.summary or "",
        body=body,
        body_format="markdown",
        source=where,
        audiences=values.audiences or (),
        tags=values.tags or (),
        author=values.author or "",
        image=values.image or "",
        image_alt=values.image_alt or "",
        featured=values.featured,
        priority=values.priority,
        publish_at=values.publish_at,
        full=values.body == "full",
        lang=values.lang or "",
        translation_of=slugify(values.translation_of) if values.translation_of else "",
        draft=draft_of(values),
    )
    if not article.title:
        raise ContentError(Problem(f"{where}: title", "is empty; every article needs a title"))
    if article.image and not article.image_alt:
        warnings.warn(f"{where}: image_alt", "missing; the title is used as alt text, describe the image instead")
        article = replace(article, image_alt=article.title)
    return article
