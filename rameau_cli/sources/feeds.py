"""RSS and Atom sources: a feed file or URL read into `Article`s, with the last good copy of a
fetched feed kept for when the server fails or the build is offline."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import compat
from ..cache.base import NO_CACHE, CacheFolder
from ..content.markup import absolute_url, plain_text
from ..errors import ContentError, Problem, Warnings, size
from ..project.config import Config, Source
from ..project.reading import one_line, shorten, slugify
from .article import Article
from .feed_cache import FeedCache
from .fetch import FetchPolicy, fetch_url


@dataclass(frozen=True)
class FeedDocument:
    data: bytes
    where: str
    content_type: str = ""
    modified: dt.datetime | None = None  # the file's modification time or the server's Last-Modified


def read_feed_source(config: Config, source: Source, warnings: Warnings, skipped: list[Problem],
                     policy: FetchPolicy = FetchPolicy(), cache: CacheFolder = NO_CACHE) -> list[Article]:
    """The entries of a feed file or URL. A fetched body replaces the cached copy only once it
    has been read as a well-formed feed; otherwise a warning, and the last good copy."""
    if not source.is_url:
        return parse_feed(read_feed_file(config.root / source.location, policy.max_bytes), source, config, warnings, skipped)
    url = source.location
    feed_cache = FeedCache(cache, url)
    cached = feed_cache.load()

    def from_cache(why: str) -> list[Article]:
        assert cached is not None
        if why:
            warnings.warn(url, f"{why}; used the last good copy")
        document = FeedDocument(cached.data, url, cached.content_type, _http_date(cached.last_modified))
        return parse_feed(document, source, config, warnings, skipped)

    if policy.offline:
        if cached is None:
            raise ContentError(Problem(url, "not in the cache and --offline is set; build once online first"))
        return from_cache("")
    try:
        fetched = fetch_url(url, policy, cached.etag if cached else "", cached.last_modified if cached else "")
    except ContentError as exc:
        if cached is None:
            raise
        return from_cache(exc.problems[0].message)
    if fetched.not_modified and cached is not None:
        return from_cache("")
    document = FeedDocument(fetched.data, url, fetched.content_type, _http_date(fetched.last_modified))
    found, found_skipped = Warnings(), list[Problem]()
    try:
        articles = parse_feed(document, source, config, found, found_skipped)
    except ContentError as exc:
        if cached is None:
            raise
        return from_cache(exc.problems[0].message)
    if cached is not None and any(p.message.startswith("feed is not well-formed") for p in found):
        return from_cache("the server's copy is not well-formed XML")
    for problem in found:
        warnings.warn(problem.where, problem.message)
    skipped.extend(found_skipped)
    feed_cache.store(fetched.data, fetched.etag, fetched.last_modified, fetched.content_type)
    return articles


def _http_date(value: str) -> dt.datetime | None:
    import email.utils

    if not value:
        return None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        moment = email.utils.parsedate_to_datetime(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return None


def read_feed_file(path: Path, limit: int) -> FeedDocument:
    """A feed file on disk, bounded in size. A pipe (`--source <(cat feed.xml)`) is read to its
    end; a FIFO nobody writes to, a device or a folder is refused instead of blocking."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ContentError(Problem(str(path), "is a folder; give a feed file"))
        flags = os.O_RDONLY | compat.O_BINARY | (compat.O_NONBLOCK if stat.S_ISFIFO(info.st_mode) else 0)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
            raise ContentError(Problem(str(path), "is not a regular file (a device?); give a feed file"))
        data = _read_all(path, flags, limit, fifo=stat.S_ISFIFO(info.st_mode))
        modified = dt.datetime.fromtimestamp(info.st_mtime, dt.UTC).replace(microsecond=0)
    except OSError as exc:
        raise ContentError(Problem(str(path), f"feed file cannot be read: {exc.strerror or exc}")) from None
    if len(data) > limit:
        raise ContentError(Problem(str(path), f"feed is larger than {size(limit)}; refused"))
    return FeedDocument(data, str(path), "", None if stat.S_ISFIFO(info.st_mode) else modified)


FIFO_WAIT = 5.0  # how long a pipe may stay silent before it is given up


def _read_all(path: Path, flags: int, limit: int, fifo: bool) -> bytes:
    import select
    import time

    descriptor = os.open(path, flags)
    try:
        if not fifo:
            with os.fdopen(os.dup(descriptor), "rb") as handle:
                return handle.read(limit + 1)
        chunks, total, deadline, written = [], 0, time.monotonic() + FIFO_WAIT, False
        while total <= limit:
            ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise ContentError(Problem(str(path), f"is a pipe with nothing written to it for {FIFO_WAIT:g} s; "
                                                      "give a feed file"))
            chunk = os.read(descriptor, 65536)
            if not chunk:
                if written:
                    break
                time.sleep(0.05)  # no writer yet: a pipe opened without blocking reads as empty
                continue
            written = True
            chunks.append(chunk)
            total += len(chunk)
            deadline = time.monotonic() + FIFO_WAIT
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def parse_feed(document: FeedDocument, source: Source, config: Config, warnings: Warnings,
               skipped: list[Problem]) -> list[Article]:
    import feedparser  # imported here: it is slow to import and only feeds need it

    data, where, content_type = document.data, document.where, document.content_type
    if not data.strip():
        raise ContentError(Problem(where, "feed is empty"))
    refuse_dangerous_dtd(data, where)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    _warn_if_malformed(parsed, where, warnings)
    if not parsed.entries:
        if not parsed.get("version") or parsed.get("bozo"):
            sent = f" (the server sent {content_type.split(';')[0]})" if content_type else ""
            raise ContentError(Problem(where, f"not an RSS or Atom feed{sent}: an HTML page, or broken XML?"))
        warnings.warn(where, "feed has no entries")
        return []
    mapping = dict(source.categories)
    base = _base(parsed, source, config, where, warnings)
    fallback, dated_by = _entry_date(parsed.feed), "the feed's own date"
    if fallback is None and document.modified:
        fallback, dated_by = document.modified, "the time the feed was last modified"
    dates = [_entry_date(entry) for entry in parsed.entries]
    undated = dates.count(None)
    if undated and fallback:
        warnings.warn(where, f"{undated} entr{'y has' if undated == 1 else 'ies have'} no date that can be read; "
                             f"dated with {dated_by}, {fallback.date().isoformat()}")
    lang = source.lang or _feed_language(parsed.feed.get("language"))
    articles = []
    for index, (entry, moment) in enumerate(zip(parsed.entries, dates, strict=True)):
        article = _entry_article(entry, moment or fallback, f"{where} entry {index + 1}", mapping, base,
                                 config.newsletter.tz, warnings, skipped)
        if article:
            articles.append(replace(article, lang=lang) if lang else article)
    return articles


def _feed_language(value: Any) -> str:
    """The feed's <language> (RSS) or xml:lang (Atom), when it is a language code (`en-us`: `en-US`)."""
    text = str(value or "").strip().replace("_", "-")
    match = re.fullmatch(r"([A-Za-z]{2,3})(?:-([A-Za-z]{2,4}))?", text)
    if not match:
        return ""
    return match.group(1).lower() + (f"-{match.group(2).upper()}" if match.group(2) else "")


def _is_absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _base(parsed: Any, source: Source, config: Config, where: str, warnings: Warnings) -> str:
    """What the feed's relative links are relative to, when xml:base does not say: the feed's own
    absolute link or self link, else the address it was fetched from, else the source's
    `base_url`, else the newsletter's `base_url` (said in a warning: it may well be wrong)."""
    fetched = source.location if source.is_url else ""
    for link in [parsed.feed.get("link", "")] + [item.get("href", "") for item in parsed.feed.get("links", [])]:
        if _is_absolute(link):
            return link
    own = parsed.feed.get("link", "")
    for base in (fetched, source.base_url):
        if base:
            return absolute_url(own, base) or base if own else base
    if any(not _is_absolute(entry.get("link", "") or "https://") for entry in parsed.entries):
        warnings.warn(where, f"the feed's links are relative and it gives no address of its own; they were read "
                             f"against newsletter.base_url ({config.newsletter.base_url}): set `base_url:` on this source "
                             "if that is not where they lead")
    return absolute_url(own, config.newsletter.base_url) if own else config.newsletter.base_url


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


def _warn_if_malformed(parsed: Any, where: str, warnings: Warnings) -> None:
    import xml.sax

    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException):
        line = problem.getLineNumber()
        warnings.warn(f"{where}:{line}", f"feed is not well-formed XML ({problem.getMessage()}); "
                                         "entries were read as far as possible")


def _entry_article(entry: Any, moment: dt.datetime | None, where: str, mapping: dict[str, str], base: str,
                   tz: ZoneInfo, warnings: Warnings, skipped: list[Problem]) -> Article | None:
    title = plain_text(entry.get("title", ""))
    raw_link = entry.get("link", "")
    link = absolute_url(raw_link, base)
    if link.startswith("mailto:"):
        link = ""
    missing = [name for name, value in (("title", title), ("date", moment)) if not value]
    if missing or moment is None:
        skipped.append(Problem(where, f"entry {title[:60]!r} has no usable {' or '.join(missing)}"))
        return None
    if not link:
        warnings.warn(where, f"entry {title[:60]!r} has no link that can be followed ({raw_link or 'none'}); "
                             "it goes out without one")
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
    guid = str(entry.get("id") or link or title)
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


def _entry_date(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            with contextlib.suppress(OverflowError, ValueError, TypeError):
                return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    return None


def _entry_image(entry: Any) -> str:
    candidates = [m.get("url", "") for m in entry.get("media_thumbnail", []) or []]
    candidates += [m.get("url", "") for m in entry.get("media_content", []) or [] if str(m.get("medium", "image")) == "image"]
    candidates += [e.get("href", "") for e in entry.get("enclosures", []) or [] if str(e.get("type", "")).startswith("image/")]
    for url in candidates:
        if re.match(r"^https://[^\s/]+/", url or ""):
            return url
    return ""
