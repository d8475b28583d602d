"""One `Issue` per segment of an edition: what its email says, ready for any renderer. Its images
from disk are made here (through the build's `Assets`), at each width the theme shows them, so
that rendering only reads what was made; otherwise pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from markupsafe import Markup, escape

from ..content.blocks import Blocks, Inline, map_inline_links, map_links
from ..content.language import typography
from ..content.texts import Texts
from ..errors import ConfigError, ContentError, Problem
from ..images.assets import THUMBNAIL, Assets, Picture, is_remote
from ..project.addresses import unlisted_token, web_page
from ..project.config import Config, Newsletter, Segment
from ..project.editions import Edition
from ..project.reading import one_line, shorten
from ..sources.article import Article
from .content import body_blocks, summary_inline
from .grouping import Selection
from .links import tag_url
from .placeholders import (
    PLACEHOLDERS,
    as_written,
    fill_placeholders,
    map_inline_text,
    map_text,
    mark,
    mark_blocks,
    mark_inline,
)
from .profiles import Profile, profile_for
from .sandbox import BoundedSandbox
from .wording import Wording, segment_wording

SUBJECT_MAX = 150
PREHEADER_MAX = 140
LOGO_WIDTH = 200  # the widest a logo is shown, in CSS pixels
DARK_PAGE = "#121614"  # the theme's page in dark mode, behind the logo


@dataclass(frozen=True)
class Logo:
    """The newsletter's logo: as light mode shows it, as dark mode does (`dark`: its own file),
    and whether dark mode puts it on a light plate (transparent, with ink too dark to show)."""

    light: Picture
    dark: Picture | None = None
    plate: bool = False


@dataclass(frozen=True)
class IssueArticle:
    id: str
    title: str
    url: str  # the link in the email: the canonical URL, tagged when link tagging is on
    canonical_url: str
    date: dt.datetime
    date_long: str  # "mardi 24 novembre 2026"
    summary: Inline  # may be empty
    author: str
    image: Picture | None
    image_alt: str
    tags: tuple[str, ...]
    body: Blocks = ()  # the whole article, when the segment or the article asks for it
    source: str = ""  # where the article came from, for messages

    @property
    def full(self) -> bool:
        return bool(self.body)


@dataclass(frozen=True)
class Issue:
    edition_id: str
    number: int | None
    date: dt.datetime
    date_long: str
    newsletter: Newsletter
    segment: Segment
    words: Wording
    profile: Profile
    subject: str
    preheader: str
    edito: Blocks
    articles: tuple[IssueArticle, ...]
    more: tuple[IssueArticle, ...] = ()  # moved out of the cards to keep the email under max_bytes
    greeting: str = ""  # "Bonjour {{first_name|à vous}}," above the édito ("" : none)
    unsubscribe_mailto: str = ""
    web_page: str = ""  # where its web version sits under the output's public/ ("" for `archive: none`)
    web_url: str = ""  # the web version's address, when public_url is known and it has one
    archive_url: str = ""  # the archive's page, for a segment in the archive and a known public_url
    logo: Logo | None = None

    @property
    def view_online(self) -> Markup | str:
        """The view-online link: the published web version when known; else the emailing tool's
        own web version (a segment whose issues are not published: only a tool that has one), or
        its merge tag; "" for none (the templates then leave the link out)."""
        if self.web_url:
            return self.web_url
        if self.segment.archive == "none":
            return self.profile.web_version
        return self.profile.view_online

    @property
    def language(self) -> str:
        """The language of this segment's emails (its own, else the newsletter's)."""
        return self.words.language

    @property
    def greeting_html(self) -> Markup:
        """The greeting for the HTML: its words escaped, the first name's merge tag as it is."""

        tag = str(self.profile.first_name)
        before, found, after = self.greeting.partition(tag)
        return escape(before) + (self.profile.first_name if found else Markup("")) + escape(after)

    @property
    def you_receive(self) -> str:
        """The footer's sentence: "You receive {segment} from {name}.", or, when the segment's
        title already names the newsletter, "You receive {segment}." (`you_receive_named`)."""
        named = names_newsletter(self.segment.title, self.newsletter.name)
        sentence = self.words.you_receive_named if named else self.words.you_receive
        return sentence.format(segment=self.segment.title, name=self.newsletter.name)

    @property
    def forward_url(self) -> str:
        """Where a reader this email was forwarded to subscribes ("": nowhere known)."""
        return self.segment.forward_url or self.archive_url

    @property
    def featured(self) -> IssueArticle | None:
        return self.articles[0] if self.articles else None

    @property
    def others(self) -> tuple[IssueArticle, ...]:
        return self.articles[1:]


def names_newsletter(title: str, name: str) -> bool:
    """Whether a segment's title already says whose newsletter it is: it holds the newsletter's
    name, or one of its words of four letters or more ("L'infolettre de Riverbend" and
    "Riverbend Neighbours")."""

    words = set(re.findall(r"\w+", title.casefold()))
    return name.casefold() in title.casefold() or any(len(word) >= 4 and word in words
                                                      for word in re.findall(r"\w+", name.casefold()))


def make_issue(config: Config, edition: Edition, selection: Selection, edito: Blocks,
               number: int | None = None, texts: Texts | None = None, assets: Assets | None = None,
               logo: Logo | None = None) -> Issue:
    """`assets`: the build's images from disk (None: an image that names a file is left out);
    `logo`: the newsletter's, made once for the build (`newsletter_logo`)."""
    texts = texts or Texts()
    segment = selection.segment
    language = config.language_of(segment)
    words = segment_wording(config, segment)
    profile = profile_for(config.profile, language, words.first_name_fallback)

    def tag(url: str, content: str = "") -> str:
        return tag_url(url, segment.tracking, segment.id, edition.id, content)

    articles = tuple(_issue_article(a, segment.body == "full" or a.full, language, config.newsletter.base_url, tag, texts,
                                    assets) for a in selection.articles)
    if assets is not None:
        articles = _card_images(articles, assets)
    date_long = texts.long_date(edition.date, language)
    newsletter = config.newsletter_of(segment)
    context = {
        "newsletter": newsletter,
        "segment": segment,
        "edition": {"id": edition.id, "number": number, "date": edition.date, "date_long": date_long,
                    "date_short": texts.short_date(edition.date, language)},
        "articles": articles,
        "article_titles": ", ".join(a.title for a in articles),
        "words": words,
    }
    subject = _one_line(_render_setting("subject", edition, segment, context), language)
    preheader = _one_line(_render_setting("preheader", edition, segment, context), language)
    edito = map_links(edito, tag)
    addresses = config.addresses()
    token = unlisted_token(config.archive_secret, edition.id, segment.id, repr((subject, preheader, edito, articles))) \
        if segment.archive == "unlisted" else ""
    page = web_page(edition.id, segment.id, segment.archive, token)
    return Issue(
        edition_id=edition.id,
        number=number,
        date=edition.date,
        date_long=date_long,
        newsletter=newsletter,
        segment=segment,
        words=words,
        profile=profile,
        greeting=_greeting(words, profile, edition.edito),
        web_page=page,
        web_url=addresses.url(page),
        archive_url=addresses.archive_index_url(config.archive_folder(segment)) if segment.archive == "public" else "",
        unsubscribe_mailto=config.unsubscribe_mailto,
        subject=shorten(subject, SUBJECT_MAX),
        preheader=shorten(preheader, PREHEADER_MAX),
        edito=edito,
        articles=articles,
        logo=logo,
    )


def newsletter_logo(config: Config, assets: Assets | None) -> Logo | None:
    """newsletter.logo (and logo_dark), made email-ready like any image from disk, or a URL."""
    newsletter = config.newsletter
    if not newsletter.logo or assets is None:
        return None
    light = assets.picture(newsletter.logo, config.root, "rameau.yaml: newsletter.logo", LOGO_WIDTH)
    if light is None:
        return None
    dark = assets.picture(newsletter.logo_dark, config.root, "rameau.yaml: newsletter.logo_dark", LOGO_WIDTH) \
        if newsletter.logo_dark else None
    if dark is not None:
        return Logo(light, dark)
    # Pillow is loaded only when a project has a logo.
    from ..images.logo import GRAPHICS, ink_contrast  # noqa: PLC0415 (start-up: Pillow)

    data = assets.files.get(light.url.rpartition("/")[2])
    ratio = ink_contrast(data, DARK_PAGE) if data else None
    return Logo(light, None, plate=ratio is not None and ratio < GRAPHICS)


def marked_for_rendering(issue: Issue) -> Issue:
    """The issue with every `{` of its content marked (compose/placeholders.py), for the renderer
    whose output `Profile.for_tool` finishes: the theme's own merge tags are not content."""

    def article(item: IssueArticle) -> IssueArticle:
        return replace(item, title=mark(item.title), image_alt=mark(item.image_alt), summary=mark_inline(item.summary),
                       body=mark_blocks(item.body))

    return replace(issue, subject=mark(issue.subject), preheader=mark(issue.preheader), edito=mark_blocks(issue.edito),
                   articles=tuple(map(article, issue.articles)), more=tuple(map(article, issue.more)))


def for_reading(issue: Issue) -> Issue:
    """The issue as the previews show it: each placeholder of its content the first name's
    fallback (the sample value a reader without a name gets)."""
    values = {name: issue.profile.first_name_fallback for name in PLACEHOLDERS}

    def text(value: str) -> str:
        return fill_placeholders(value, values)

    def article(item: IssueArticle) -> IssueArticle:
        return replace(item, summary=map_inline_text(item.summary, text, as_written),
                       body=map_text(item.body, text, as_written))

    return replace(issue, edito=map_text(issue.edito, text, as_written), articles=tuple(map(article, issue.articles)),
                   more=tuple(map(article, issue.more)))


def _card_images(articles: tuple[IssueArticle, ...], assets: Assets) -> tuple[IssueArticle, ...]:
    """The articles with the thumbnails the theme shows: the featured article (the first) and a
    whole article show their image at the column's width, every other card a thumbnail."""
    return articles[:1] + tuple(replace(a, image=assets.with_sizes(a.image, (THUMBNAIL,))) if a.image and not a.full
                                else a for a in articles[1:])


def _greeting(words: Wording, profile: Profile, edito: str) -> str:
    """The line above the édito (`wording: {greeting: ""}` turns it off), unless the édito opens
    with a greeting of its own."""
    if not words.greeting or words.greets(edito):
        return ""
    return words.greeting.replace("{first_name}", str(profile.first_name))


def _issue_article(article: Article, full: bool, language: str, base_url: str, tag: Callable[..., str],
                   texts: Texts, assets: Assets | None) -> IssueArticle:
    cached: list[Blocks] = []

    def body() -> Blocks:
        # Only a body the email shows has its images made (a summary is taken from its text).
        if not cached:
            blocks = body_blocks(article, language, base_url, texts, assets if full else None) \
                if article.body.strip() else ()
            cached.append(map_links(blocks, tag))
        return cached[0]

    image = None
    if article.image and assets is not None:
        image = assets.picture(article.image, article.folder, f"{article.source}: image")
    elif is_remote(article.image):
        image = Picture(article.image)

    return IssueArticle(
        id=article.id,
        title=typography(article.title, language),
        url=tag(article.url, article.id) if article.url else "",
        canonical_url=article.url,
        date=article.date,
        date_long=texts.long_date(article.date, language),
        summary=map_inline_links(summary_inline(article, language, base_url, texts, body), tag),
        author=article.author,
        image=image,
        image_alt=typography(article.image_alt, language),
        tags=article.tags,
        body=body() if full else (),
        source=article.source,
    )


_settings_env = BoundedSandbox(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=64)
def _setting_template(source: str):
    return _settings_env.from_string(source)  # one compile per distinct subject, not per segment


def _render_setting(name: str, edition: Edition, segment: Segment, context: dict) -> str:
    """The subject or preheader: the edition file's, else the segment's template, rendered.
    Any failure (a Jinja error, a division by zero, a number added to nothing) is reported
    against the file and key it came from."""
    overrides = edition.subject if name == "subject" else edition.preheader
    key = segment.id if segment.id in overrides else "*" if "*" in overrides else None
    error: type[ContentError] | type[ConfigError]
    if key is not None:
        template, error = overrides[key], ContentError
        where = f"{edition.source}: {name}" + (f".{key}" if key != "*" else "")
    else:
        template, error = (segment.subject if name == "subject" else segment.preheader), ConfigError
        where = f"rameau.yaml: segments.{segment.id}.{name}"
    try:
        return _setting_template(template).render(context)
    except TemplateError as exc:
        problem = Problem(where, f"template error: {exc}")
    except Exception as exc:
        problem = Problem(where, f"template error: {type(exc).__name__}: {exc}")
    raise error(problem)


def _one_line(text: str, language: str) -> str:
    # CR/LF never reach an email header: a subject is one line, whatever its source.
    return typography(one_line(text), language)
