"""Markdown sources: a folder of article files (or one file), each read once and then taken
from the article cache while it does not change."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from ..cache.articles import ArticleCache
from ..cache.base import NO_CACHE, CacheFolder
from ..errors import ContentError, Problem, Warnings
from ..project.config import Config, Source
from .article import Article, read_markdown_article


def article_files(folder: Path, warnings: Warnings) -> list[tuple[str, str, os.stat_result]]:
    """The folder's `.md` files, each with its stat. What cannot be an article (a folder named
    x.md, a dangling link, a link loop, a pipe, a device) is a warning naming it: never opened,
    so nothing can block on it."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.endswith(".md"):
                continue
            try:
                info = os.stat(entry.path)  # follows links
            except OSError as exc:
                why = "a link loop" if exc.errno == 40 else "a link to nothing" if entry.is_symlink() else exc.strerror
                warnings.warn(entry.path, f"cannot be read ({why}); fix or remove it (skipped)")
                continue
            if stat.S_ISDIR(info.st_mode):
                warnings.warn(entry.path, "is a folder, not an article file; rename it (skipped)")
            elif not stat.S_ISREG(info.st_mode):
                warnings.warn(entry.path, "is not a regular file (a pipe or a device); remove it (skipped)")
            else:
                found.append((entry.name, entry.path, info))
    found.sort(key=lambda item: item[0])
    return found


def read_markdown_source(config: Config, source: Source, warnings: Warnings, skipped: list[Problem],
                         cache: CacheFolder = NO_CACHE,
                         progress: Callable[[str, int, int], None] | None = None) -> list[Article]:
    """The articles of one Markdown source; each file that cannot be used is added to `skipped`.
    `progress("Reading articles", done, total)` every hundred files."""
    folder = config.root / source.location
    try:
        info = os.stat(folder)
    except OSError:
        raise ContentError(Problem(str(folder), "article folder not found; create it or fix `sources` in rameau.yaml")) from None
    if stat.S_ISREG(info.st_mode):  # one article given on its own
        files = [(folder.name, str(folder), info)]
    elif stat.S_ISDIR(info.st_mode):
        files = article_files(folder, warnings)
    else:
        raise ContentError(Problem(str(folder), "is neither a folder nor a Markdown file"))
    tz, base_url = config.newsletter.tz, config.newsletter.base_url
    article_cache = ArticleCache(cache, folder, f"{config.newsletter.timezone}|{base_url}")
    articles = []
    for done, (name, path, info) in enumerate(files, start=1):
        if progress and (done % 100 == 0 or done == len(files)):
            progress("Reading articles", done, len(files))
        cached = article_cache.get(name, info)
        if cached is None:
            found = Warnings()
            try:
                article = read_markdown_article(Path(path), tz, base_url, found)
            except ContentError as exc:
                article_cache.forget(name)
                for problem in found:
                    warnings.warn(problem.where, problem.message)
                skipped.extend(exc.problems)
                continue
            article_cache.put(name, info, article, found.items)
            cached = (article, found.items)
        article, found_warnings = cached
        for problem in found_warnings:
            warnings.warn(problem.where, problem.message)
        articles.append(article)
    article_cache.save()
    return articles


def with_body(article: Article) -> Article:
    """The article with its body, read again from its file when the article cache left it there."""
    if not article.body_elsewhere:
        return article
    from dataclasses import replace

    from ..project.reading import read_text, split_front_matter

    try:
        _, body, _ = split_front_matter(read_text(Path(article.source)), article.source)
    except ContentError:
        body = ""  # changed since it was read: the next build reads it whole
    return replace(article, body=body, body_elsewhere=False)
