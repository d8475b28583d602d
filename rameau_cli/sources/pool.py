"""The content pool: every usable article of every source, each once, and what was skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ..cache.base import NO_CACHE, CacheFolder
from ..errors import ConfigError, ContentError, KeyTypo, Problem, Warnings
from ..project.config import Config, Source
from .article import Article
from .article_cache import Deferred
from .fetch import FetchPolicy
from .markdown import read_markdown_source

Listed = Article | Deferred  # an article of the pool, made or not yet


@dataclass(frozen=True)
class Pool:
    """Every usable article, in order, and every one skipped. The articles taken from the
    article cache are made only when asked for: a build takes those of its window (`take`),
    a few dozen of 10,000, and never makes the others."""

    found: tuple[Listed, ...]
    skipped: tuple[Problem, ...]  # every article file or entry that could not be used, and why
    made: dict[int, Article | None] = field(default_factory=dict, compare=False, repr=False)  # by id(item)

    def take(self, chosen: Iterable[Listed]) -> tuple[Article, ...]:
        """The chosen articles (of `found`), made, in their order."""
        taken = []
        for item in chosen:
            if isinstance(item, Article):
                taken.append(item)
                continue
            if id(item) not in self.made:
                self.made[id(item)] = item.made()
            article = self.made[id(item)]
            if article is not None:  # a damaged entry whose file cannot be read any more
                taken.append(article)
        return tuple(taken)

    @cached_property
    def articles(self) -> tuple[Article, ...]:
        """Every article, all made."""
        return self.take(self.found)

    @cached_property
    def ids(self) -> set[str]:
        return {item.id for item in self.found}


def collect_articles(config: Config, sources: tuple[Source, ...], warnings: Warnings,
                     policy: FetchPolicy = FetchPolicy(), cache: CacheFolder = NO_CACHE,
                     progress: Callable[[str, int, int], None] | None = None) -> Pool:
    """Every usable article from every source, each once; everything skipped is warned about.
    `progress(what, done, total)` is told of the articles read and the feeds fetched."""
    articles: list[Listed] = []
    skipped: list[Problem] = []
    failures: list[Problem] = []
    failed_sources = 0
    feeds = [source for source in sources if source.kind != "markdown"]
    fetched = 0
    for source in sources:
        try:
            if source.kind == "markdown":
                articles.extend(read_markdown_source(config, source, warnings, skipped, cache, progress))
            else:
                # only projects with feeds load feedparser and the XML parsers
                from .feeds import read_feed_source  # noqa: PLC0415 (start-up: feedparser)

                articles.extend(read_feed_source(config, source, warnings, skipped, policy, cache))
        except ContentError as exc:
            failures.extend(exc.problems)
            failed_sources += 1
        if progress and source.kind != "markdown":
            fetched += 1
            progress("Reading feeds", fetched, len(feeds))
    if sources and failed_sources == len(sources):
        raise ContentError(*failures, Problem("", "no source could be read; nothing was built"))
    for problem in failures:
        warnings.warn(problem.where, f"{problem.message} (source skipped)")
    typos = [problem for problem in skipped if isinstance(problem, KeyTypo)]
    if typos:  # a misspelt key could send an article to other readers, or too early: nothing is built
        raise ConfigError(*typos, Problem("", f"{len(typos)} misspelt front matter key(s): correct them and run the "
                                              "command again; nothing was written"))
    unique = deduplicate(articles, skipped)
    for problem in skipped:
        warnings.warn(problem.where, f"{problem.message} (article skipped)")
    return Pool(unique, tuple(skipped))


def deduplicate(articles: list[Listed], skipped: list[Problem]) -> tuple[Listed, ...]:
    """The same story from two sources (same canonical URL or guid) is kept once, first source wins.

    Two articles claiming the same id or two files the same URL are a mistake, not a repeat:
    the second is skipped, and said so."""
    ids: dict[str, Listed] = {}  # by kind: the article strings are shared, not copied
    urls: dict[str, Listed] = {}
    guids: dict[str, Listed] = {}
    unique = []
    for article in articles:
        url = _url_key(article.url) if article.url else None
        first = ids.get(article.id)
        if first is None and url is not None:
            first = urls.get(url)
        if first is None and article.guid:
            first = guids.get(article.guid)
        if first is not None:
            if article.body_format == "markdown" and first.body_format == "markdown":
                what = f"slug {article.id!r}" if article.id == first.id else f"URL {article.url}"
                skipped.append(Problem(article.source, f"{what} is already used by {first.source}; rename one"))
            elif article.id == first.id and _url_key(article.url) != _url_key(first.url):
                skipped.append(Problem(article.source, f"id {article.id!r} is already used by {first.source}"))
            continue
        ids[article.id] = article
        if url is not None:
            urls[url] = article
        if article.guid:
            guids[article.guid] = article
        unique.append(article)
    return tuple(unique)


def _url_key(url: str) -> str:
    """The URL without its scheme, `www.` and a trailing slash (string methods: run per article)."""
    key = url.strip().lower()
    scheme = 8 if key.startswith("https://") else 7 if key.startswith("http://") else 0
    if scheme:
        key = key[scheme:].removeprefix("www.")
    return key.rstrip("/")
