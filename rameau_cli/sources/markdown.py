"""Markdown sources: a folder of article files (or one file), each read once and then taken
from the article cache while it does not change."""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..cache.base import NO_CACHE, CacheFolder
from ..errors import ContentError, Problem, Warnings
from ..project.config import Config, Source
from ..project.reading import OUTSIDE, read_text, split_front_matter
from .article import FIELDS, Article, field_values, read_markdown_article
from .article_cache import ArticleCache, Deferred, Stamp, file_stamp
from .halves import Beside, map_in_halves
from .written_out import restore


def article_files(folder: Path, warnings: Warnings, root: Path | None = None) -> list[tuple[str, Stamp, int]]:
    """The folder's `.md` files: (name, file_stamp, size), from one stat each (a
    stat result holds 20 numbers: 100,000 of them were 80 MB). What cannot be an article (a
    folder named x.md, a dangling link, a link loop, a pipe, a device, a link to a file outside
    the project folder `root`) is a warning naming it: never opened, so nothing can block on it."""
    found = []
    inside = os.path.realpath(root) if root is not None else None
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.endswith(".md"):
                continue
            try:
                info = entry.stat()  # follows links; the same system call as os.stat, less Python around it
            except OSError as exc:
                why = "a link loop" if exc.errno == errno.ELOOP else "a link to nothing" if entry.is_symlink() else exc.strerror
                warnings.warn(entry.path, f"cannot be read ({why}); fix or remove it (skipped)")
                continue
            if inside is not None and entry.is_symlink() and not is_inside(entry.path, inside):
                warnings.warn(entry.path, f"{OUTSIDE} (skipped)")
            elif stat.S_ISDIR(info.st_mode):
                warnings.warn(entry.path, "is a folder, not an article file; rename it (skipped)")
            elif not stat.S_ISREG(info.st_mode):
                warnings.warn(entry.path, "is not a regular file (a pipe or a device); remove it (skipped)")
            else:
                found.append((entry.name, file_stamp(info), info.st_size))
    found.sort(key=lambda item: item[0])
    return found


SCAN_BESIDE = 1 << 20  # bytes of article cache (about 1,000 articles) from which the scan is forked


def is_inside(path: str, root: str, links: bool = True) -> bool:
    """Whether `path`, its links followed (unless `links` is False), is in the folder `root`."""
    real = os.path.realpath(path) if links else path
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _scanned(folder: Path, root: Path) -> tuple[list[tuple[str, Stamp, int]], list[Problem]]:
    said = Warnings()
    return article_files(folder, said, root), said.items


def read_markdown_source(config: Config, source: Source, warnings: Warnings, skipped: list[Problem],
                         cache: CacheFolder = NO_CACHE,
                         progress: Callable[[str, int, int], None] | None = None) -> list[Article | Deferred]:
    """The articles of one Markdown source, those taken from the article cache not made yet
    (the pool makes them when a build takes them); each file that cannot be used is added to
    `skipped`. `progress("Reading articles", done, total)` as they are read."""
    location = config.root / source.location
    try:
        info = os.stat(location)
    except OSError:
        raise ContentError(Problem(str(location), "article folder not found; create it or fix `sources` in "
                                                  "rameau.yaml")) from None
    named_inside = is_inside(os.path.normpath(os.path.abspath(location)), os.path.abspath(config.root), links=False)
    if named_inside and not is_inside(str(location), os.path.realpath(config.root)):  # through a link
        raise ContentError(Problem(str(location), OUTSIDE.split(";")[0] + " (a link); put the articles in the "
                                                                          "project folder"))
    folder = location.parent if stat.S_ISREG(info.st_mode) else location  # where the files are
    tz, base_url = config.newsletter.tz, config.newsletter.base_url
    article_cache = ArticleCache(cache, location, folder, f"{config.newsletter.timezone}|{base_url}",
                                 lambda name: _read(os.path.join(folder, name), None, tz, base_url)[0])
    if stat.S_ISREG(info.st_mode):  # one article given on its own
        files = [(location.name, file_stamp(info), info.st_size)]
        article_cache.load()
    elif stat.S_ISDIR(info.st_mode):
        # A large folder's scan (a stat per file) runs beside the cache's loading (JSON), on two cores.
        with Beside(partial(_scanned, folder, config.root), worth_it=article_cache.stored() >= SCAN_BESIDE) as scan:
            article_cache.load()
            files, said_then = scan.result()
        for problem in said_then:
            warnings.warn(problem.where, problem.message)
    else:
        raise ContentError(Problem(str(location), "is neither a folder nor a Markdown file"))
    found: list[Article | Deferred | None] = []
    said: dict[int, tuple[list[Problem], list[Problem]]] = {}  # file index -> (its warnings, why it was skipped)
    unread = []
    for index, cached in enumerate(article_cache.unchanged(files)):
        if cached is None:
            found.append(None)
            unread.append(index)
        else:
            found.append(cached[2])
            if cached[3]:
                said[index] = ([Problem(*w) for w in cached[3]], [])
    reader, hits = os.getpid(), len(files) - len(unread)

    def read_files(indexes: Sequence[int]) -> list[tuple[Any, ...]]:
        """These files read; the progress said by this process only (a forked half reads as many
        at the same pace: its share is counted with this one's)."""
        done = []
        for index in indexes:
            done.append(_packed(_read(os.path.join(folder, files[index][0]), files[index][2], tz, base_url)))
            if progress and len(done) % 100 == 0 and os.getpid() == reader:
                progress("Reading articles", min(len(files), hits + len(done) * len(unread) // len(indexes)),
                         len(files))
        return done

    if progress and hits:
        progress("Reading articles", hits, len(files))
    with gc_paused():  # tens of thousands of new objects, none in a cycle: the collector would only rescan them
        read = map_in_halves(read_files, unread)
        for index, (values, warned, problems) in zip(unread, read, strict=True):
            name, mtime, size = files[index]
            article = None if values is None else restore(values)
            if article is None:
                article_cache.forget(name)
            else:
                article_cache.put(name, mtime, size, article, warned)
            found[index] = article
            if warned or problems:
                said[index] = (warned, problems)
        del read
    for index in sorted(said):
        warned, problems = said[index]
        for problem in warned:
            warnings.warn(problem.where, problem.message)
        skipped.extend(problems)
    article_cache.save()
    if progress:
        progress("Reading articles", len(files), len(files))
    return [article for article in found if article is not None]


def _read(path: str, size: int | None, tz: ZoneInfo, base_url: str) -> tuple[Article | None, list[Problem],
                                                                   list[Problem]]:
    """(the article, its warnings, why it cannot be used): its body left in its file when it has
    a summary, as the article cache leaves it (with_body reads it for an email that shows it)."""
    warned = Warnings()
    try:
        article = read_markdown_article(Path(path), tz, base_url, warned, size)
    except ContentError as exc:
        return None, warned.items, list(exc.problems)
    if article.summary:
        values = list(field_values(article))
        values[BODY], values[BODY_ELSEWHERE] = "", True
        article = restore(values)
    return article, warned.items, []


BODY, BODY_ELSEWHERE = FIELDS.index("body"), FIELDS.index("body_elsewhere")


def _packed(result: tuple[Article | None, list[Problem], list[Problem]]) -> tuple[Any, ...]:
    """What the forked reader sends back: an article as its field values (pickled much faster)."""
    article, warned, problems = result
    return None if article is None else field_values(article), warned, problems


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def with_body(article: Article) -> Article:
    """The article with its body, read again from its file when the article cache left it there."""
    if not article.body_elsewhere:
        return article
    try:
        _, body, _ = split_front_matter(read_text(Path(article.source)), article.source)
    except ContentError:
        body = ""  # changed since it was read: the next build reads it whole
    return replace(article, body=body, body_elsewhere=False)
