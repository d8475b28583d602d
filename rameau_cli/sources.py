"""Stage 2: pull articles from Markdown folders and RSS/Atom feeds into `Article`s."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from .articles import Article, read_markdown_article, slugify
from .config import Config, Source
from .content import absolute_url, plain_text, shorten
from .errors import ContentError, Problem, Warnings
from .fetch import FetchPolicy, fetch_url



def collect_articles(config: Config, sources: tuple[Source, ...], warnings: Warnings,
                     policy: FetchPolicy = FetchPolicy()) -> tuple[Article, ...]:
    """Every usable article from every source, each once; everything skipped is warned about."""
    articles: list[Article] = []
    for source in sources:
        try:
            if source.kind == "markdown":
                articles.extend(read_markdown_folder(config, source, warnings))
            else:
                articles.extend(read_feed(config, source, warnings, policy))
        except ContentError as exc:
            for problem in exc.problems:
                warnings.warn(problem.where, f"{problem.message} (source skipped)")
    return deduplicate(articles, warnings)


def read_markdown_folder(config: Config, source: Source, warnings: Warnings) -> list[Article]:
    folder = config.root / source.location
    if not folder.is_dir():
        raise ContentError(Problem(str(folder), "article folder not found; create it or fix `sources` in rameau.yaml"))
    tz = config.newsletter.tz
    articles = []
    for path in sorted(folder.glob("*.md")):
        try:
            articles.append(read_markdown_article(path, tz, config.newsletter.base_url, warnings))
        except ContentError as exc:
            for problem in exc.problems:
                warnings.warn(problem.where, f"{problem.message} (article skipped)")
    return articles


def deduplicate(articles: list[Article], warnings: Warnings) -> tuple[Article, ...]:
    """The same story from two sources (same canonical URL or guid) is kept once, first source wins."""
    seen_keys: set[str] = set()
    seen_ids: dict[str, Article] = {}
    unique = []
    for article in articles:
        keys = {_url_key(article.url)} | ({article.guid} if article.guid else set())
        if keys & seen_keys:
            continue
        if article.id in seen_ids:
            warnings.warn(article.source, f"slug {article.id!r} is already used by {seen_ids[article.id].source}; rename one (article skipped)")
            continue
        seen_keys |= keys
        seen_ids[article.id] = article
        unique.append(article)
    return tuple(unique)


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


def fetch_feed(location: str, root: Path, policy: FetchPolicy, warnings: Warnings) -> tuple[bytes, str, str]:
    """The bytes of a feed from a file or an http(s) URL, bounded in size and time."""
    if location.startswith(("http://", "https://")):
        fetched = fetch_url(location, policy)
        if fetched.note and fetched.note not in ("offline", "not modified"):
            warnings.warn(location, fetched.note)
        return fetched.data, location, fetched.content_type
    path = root / location
    try:
        with open(path, "rb") as handle:
            data = handle.read(policy.max_bytes + 1)
    except OSError as exc:
        raise ContentError(Problem(str(path), f"feed file cannot be read: {exc.strerror or exc}")) from None
    if len(data) > policy.max_bytes:
        raise ContentError(Problem(str(path), f"feed is larger than {policy.max_bytes // 1024 // 1024} MB; refused"))
    return data, str(path), ""


def read_feed(config: Config, source: Source, warnings: Warnings, policy: FetchPolicy = FetchPolicy()) -> list[Article]:
    import feedparser  # imported here: it is slow to import and only feeds need it

    data, where, content_type = fetch_feed(source.location, config.root, policy, warnings)
    if not data.strip():
        raise ContentError(Problem(where, "feed is empty"))
    if re.search(rb"<!ENTITY", data[:65536], re.IGNORECASE):
        raise ContentError(Problem(where, "feed declares XML entities, which rameau never expands; refused"))
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        if not parsed.get("version"):
            sent = f" (the server sent {content_type.split(';')[0]})" if content_type else ""
            raise ContentError(Problem(where, f"not an RSS or Atom feed{sent}: an HTML page, or broken XML?"))
        warnings.warn(where, "feed has no entries")
        return []
    mapping = dict(source.categories)
    base = parsed.feed.get("link", "") or (source.location if source.is_url else "")
    articles = []
    for index, entry in enumerate(parsed.entries):
        article = _entry_article(entry, f"{where} entry {index + 1}", mapping, base, config.newsletter.tz, warnings)
        if article:
            articles.append(article)
    return articles


def _entry_article(entry, where: str, mapping: dict[str, str], base: str, tz: ZoneInfo, warnings: Warnings) -> Article | None:
    title = plain_text(entry.get("title", ""))
    link = absolute_url(entry.get("link", ""), base)
    if link.startswith("mailto:"):
        link = ""
    moment = _entry_date(entry)
    missing = [name for name, value in (("title", title), ("link", link), ("date", moment)) if not value]
    if missing:
        warnings.warn(where, f"entry {title[:60]!r} has no usable {' or '.join(missing)} (entry skipped)")
        return None
    audiences, tags = [], []
    for tag in entry.get("tags", []) or []:
        term = " ".join(str(tag.get("term") or "").split()).lower()
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
