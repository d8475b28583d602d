"""Stage 2: pull articles from Markdown folders and RSS/Atom feeds into `Article`s."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .article_cache import ArticleCache
from .articles import Article, read_markdown_article, slugify
from .config import Config, Source
from .content import absolute_url, one_line, plain_text, shorten
from .errors import ContentError, Problem, Warnings
from .fetch import FetchPolicy, fetch_url



def collect_articles(config: Config, sources: tuple[Source, ...], warnings: Warnings,
                     policy: FetchPolicy = FetchPolicy()) -> tuple[Article, ...]:
    """Every usable article from every source, each once; everything skipped is warned about."""
    articles: list[Article] = []
    failures: list[Problem] = []
    failed_sources = 0
    for source in sources:
        try:
            if source.kind == "markdown":
                articles.extend(read_markdown_folder(config, source, warnings, policy.cache_dir))
            else:
                articles.extend(read_feed(config, source, warnings, policy))
        except ContentError as exc:
            failures.extend(exc.problems)
            failed_sources += 1
    if sources and failed_sources == len(sources):
        raise ContentError(*failures, Problem("", "no source could be read; nothing was built"))
    for problem in failures:
        warnings.warn(problem.where, f"{problem.message} (source skipped)")
    return deduplicate(articles, warnings)


def read_markdown_folder(config: Config, source: Source, warnings: Warnings,
                         cache_dir: Path | None = None) -> list[Article]:
    folder = config.root / source.location
    if folder.is_file():  # one article given on its own
        files = [(folder, folder.stat())]
    elif folder.is_dir():
        with os.scandir(folder) as entries:
            found = sorted((e.name, e.path, e.stat()) for e in entries if e.name.endswith(".md") and e.is_file())
        files = [(Path(path), stat) for _, path, stat in found]
    else:
        raise ContentError(Problem(str(folder), "article folder not found; create it or fix `sources` in rameau.yaml"))
    tz, base_url = config.newsletter.tz, config.newsletter.base_url
    cache = ArticleCache(cache_dir, folder, f"{config.newsletter.timezone}|{base_url}")
    articles = []
    for path, stat in files:
        cached = cache.get(path.name, stat)
        if cached is None:
            found = Warnings()
            try:
                cached = (read_markdown_article(path, tz, base_url, found), [], found.items)
            except ContentError as exc:
                cached = (None, list(exc.problems), found.items)
            cache.put(path.name, stat, *cached)
        article, problems, found_warnings = cached
        for problem in found_warnings:
            warnings.warn(problem.where, problem.message)
        for problem in problems:
            warnings.warn(problem.where, f"{problem.message} (article skipped)")
        if article:
            articles.append(article)
    cache.save()
    return articles


def deduplicate(articles: list[Article], warnings: Warnings) -> tuple[Article, ...]:
    """The same story from two sources (same canonical URL or guid) is kept once, first source wins.

    Two Markdown files claiming the same slug or URL are a mistake, not a repeat: that is warned."""
    seen: dict[str, Article] = {}
    unique = []
    for article in articles:
        keys = [f"id:{article.id}", f"url:{_url_key(article.url)}"] + ([f"guid:{article.guid}"] if article.guid else [])
        first = next((seen[key] for key in keys if key in seen), None)
        if first is not None:
            if article.body_format == "markdown" and first.body_format == "markdown":
                what = f"slug {article.id!r}" if article.id == first.id else f"URL {article.url}"
                warnings.warn(article.source, f"{what} is already used by {first.source}; rename one (article skipped)")
            elif article.id == first.id and _url_key(article.url) != _url_key(first.url):
                warnings.warn(article.source, f"id {article.id!r} is already used by {first.source} (entry skipped)")
            continue
        seen.update(dict.fromkeys(keys, article))
        unique.append(article)
    return tuple(unique)


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


@dataclass(frozen=True)
class FeedDocument:
    data: bytes
    where: str
    content_type: str = ""
    modified: dt.datetime | None = None  # the file's modification time or the server's Last-Modified


def fetch_feed(location: str, root: Path, policy: FetchPolicy, warnings: Warnings) -> FeedDocument:
    """The bytes of a feed from a file or an http(s) URL, bounded in size and time."""
    if location.startswith(("http://", "https://")):
        fetched = fetch_url(location, policy)
        if fetched.note and fetched.note not in ("offline", "not modified"):
            warnings.warn(location, fetched.note)
        modified = None
        if fetched.last_modified:
            import email.utils

            with contextlib.suppress(TypeError, ValueError):
                modified = email.utils.parsedate_to_datetime(fetched.last_modified)
        return FeedDocument(fetched.data, location, fetched.content_type, modified)
    path = root / location
    try:
        with open(path, "rb") as handle:
            data = handle.read(policy.max_bytes + 1)
            modified = dt.datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, dt.timezone.utc)
    except OSError as exc:
        raise ContentError(Problem(str(path), f"feed file cannot be read: {exc.strerror or exc}")) from None
    if len(data) > policy.max_bytes:
        raise ContentError(Problem(str(path), f"feed is larger than {policy.max_bytes // 1024 // 1024} MB; refused"))
    return FeedDocument(data, str(path), "", modified.replace(microsecond=0))


def read_feed(config: Config, source: Source, warnings: Warnings, policy: FetchPolicy = FetchPolicy()) -> list[Article]:
    import feedparser  # imported here: it is slow to import and only feeds need it

    document = fetch_feed(source.location, config.root, policy, warnings)
    data, where, content_type = document.data, document.where, document.content_type
    if not data.strip():
        raise ContentError(Problem(where, "feed is empty"))
    refuse_dangerous_dtd(data, where)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    _warn_if_malformed(parsed, where, warnings)
    if not parsed.entries:
        if not parsed.get("version"):
            sent = f" (the server sent {content_type.split(';')[0]})" if content_type else ""
            raise ContentError(Problem(where, f"not an RSS or Atom feed{sent}: an HTML page, or broken XML?"))
        warnings.warn(where, "feed has no entries")
        return []
    mapping = dict(source.categories)
    base = absolute_url(parsed.feed.get("link", ""), source.location if source.is_url else "")
    fallback, dated_by = _entry_date(parsed.feed), "the feed's own date"
    if fallback is None and document.modified:
        fallback, dated_by = document.modified, "the time the feed was last modified"
    dates = [_entry_date(entry) for entry in parsed.entries]
    undated = dates.count(None)
    if undated and fallback:
        warnings.warn(where, f"{undated} entr{'y has' if undated == 1 else 'ies have'} no date that can be read; "
                             f"dated with {dated_by}, {fallback.date().isoformat()}")
    articles = []
    for index, (entry, moment) in enumerate(zip(parsed.entries, dates)):
        article = _entry_article(entry, moment or fallback, f"{where} entry {index + 1}", mapping, base, config.newsletter.tz,
                                 warnings)
        if article:
            articles.append(article)
    return articles


class _PrologDone(Exception):
    pass


def refuse_dangerous_dtd(data: bytes, where: str) -> None:
    """Refuse a feed whose DTD could expand or fetch anything: external or parameter entities,
    or internal entities that refer to other entities (billion laughs, quadratic blowup).
    Short literal entities such as `<!ENTITY nbsp "&#160;">` are harmless and allowed.
    Expat reads only the prolog, in whatever encoding the document declares."""
    from xml.parsers import expat

    refused = ContentError(Problem(where, "feed declares XML entities that could expand or fetch data, "
                                          "which rameau never does; refused"))

    def on_entity(name, is_parameter, value, base, system_id, public_id, notation):
        if is_parameter or system_id or public_id or value is None or len(value) > 64 or "&" in value.replace("&#", ""):
            raise refused

    def on_element(name, attributes):
        raise _PrologDone

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = on_entity
    parser.StartElementHandler = on_element
    try:
        parser.Parse(data, True)
    except (_PrologDone, expat.ExpatError):
        return  # the root element was reached, or not XML at all: feedparser will say so


def _warn_if_malformed(parsed, where: str, warnings: Warnings) -> None:
    import xml.sax

    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException):
        line = problem.getLineNumber()
        warnings.warn(f"{where}:{line}", f"feed is not well-formed XML ({problem.getMessage()}); "
                                         "entries were read as far as possible")


def _entry_article(entry, moment: dt.datetime | None, where: str, mapping: dict[str, str], base: str,
                   tz: ZoneInfo, warnings: Warnings) -> Article | None:
    title = plain_text(entry.get("title", ""))
    raw_link = entry.get("link", "")
    link = absolute_url(raw_link, base)
    if link.startswith("mailto:"):
        link = ""
    missing = [name for name, value in (("title", title), ("link", link), ("date", moment)) if not value]
    if missing:
        why = f" ({raw_link!r} is relative and the feed gives no absolute address)" if raw_link and not link and not base else ""
        warnings.warn(where, f"entry {title[:60]!r} has no usable {' or '.join(missing)}{why} (entry skipped)")
        return None
    audiences, tags = [], []
    for tag in entry.get("tags", []) or []:
        term = one_line(str(tag.get("term") or "")).lower()
        if term in mapping:
            audiences.append(slugify(mapping[term]))
        elif term:
            tags.append(slugify(term))
    content = entry.get("content") or []
    body = content[0].get("value", "") if content else entry.get("summary", "")
    summary = shorten(plain_text(entry.get("summary", "") or body), 280)
    guid = str(entry.get("id") or link)
    image = _entry_image(entry)
    return Article(
        id=f"{slugify(title, 60)}-{hashlib.sha1(guid.encode()).hexdigest()[:6]}",
        title=shorten(title, 200),
        date=moment.astimezone(tz),
        url=link,
        summary=summary,
        body=body,
        body_format="html",
        source=where,
        audiences=tuple(dict.fromkeys(audiences)),
        tags=tuple(dict.fromkeys(tags)),
        author=plain_text(entry.get("author", "")),
        image=image,
        image_alt=title if image else "",
        guid=guid,
    )


def _entry_date(entry) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.datetime.fromtimestamp(calendar.timegm(value), dt.timezone.utc)
    return None


def _entry_image(entry) -> str:
    candidates = [m.get("url", "") for m in entry.get("media_thumbnail", []) or []]
    candidates += [m.get("url", "") for m in entry.get("media_content", []) or [] if str(m.get("medium", "image")) == "image"]
    candidates += [e.get("href", "") for e in entry.get("enclosures", []) or [] if str(e.get("type", "")).startswith("image/")]
    for url in candidates:
        if re.match(r"^https://[^\s/]+/", url or ""):
            return url
    return ""
