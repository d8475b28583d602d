"""Stage 4: one `Issue` per segment: what the email says, ready for any renderer. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .articles import Article
from .config import Config, Newsletter, Segment
from .content import PlainText, clean_html, html_to_text, one_line, shorten, summary_from_html
from .editions import Edition
from .errors import ConfigError, Problem
from .french import typography
from .grouping import Selection
from .links import tag_html, tag_text, tag_url
from .profiles import Profile, profile_for
from .text_cache import Texts
from .wording import Wording, wording_for

SUBJECT_MAX = 150
PREHEADER_MAX = 140


@dataclass(frozen=True)
class IssueArticle:
    id: str
    title: str
    url: str  # the link in the email: the canonical URL, tagged when link tagging is on
    canonical_url: str
    date: dt.datetime
    date_long: str  # "mardi 24 novembre 2026"
    summary: str
    author: str
    image: str
    image_alt: str
    tags: tuple[str, ...]


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
    edito_html: str  # sanitized, strict XHTML
    edito_text: PlainText
    articles: tuple[IssueArticle, ...]
    more: tuple[IssueArticle, ...] = ()  # moved out of the cards to keep the email under max_bytes
    unsubscribe_mailto: str = ""
    web_url: str = ""  # the archived web version, when the output folder is published

    @property
    def view_online(self):
        """The view-online link: the archived web version when known, else the tool's merge tag."""
        return self.web_url or self.profile.view_online

    @property
    def featured(self) -> IssueArticle | None:
        return self.articles[0] if self.articles else None

    @property
    def others(self) -> tuple[IssueArticle, ...]:
        return self.articles[1:]


def make_issue(config: Config, edition: Edition, selection: Selection, edito: tuple[str, PlainText],
               number: int | None = None, texts: Texts = Texts()) -> Issue:
    language = config.newsletter.language
    words = wording_for(language)
    segment = selection.segment
    tag = lambda url, content="": tag_url(url, segment.tracking, segment.id, edition.id, content)  # noqa: E731
    articles = tuple(_issue_article(a, language, config.newsletter.base_url, tag, texts) for a in selection.articles)
    context = {
        "newsletter": config.newsletter,
        "segment": segment,
        "edition": {"id": edition.id, "number": number, "date": edition.date,
                    "date_long": texts.long_date(edition.date, language),
                    "date_short": texts.short_date(edition.date, language)},
        "articles": articles,
        "article_titles": ", ".join(a.title for a in articles),
    }
    subject_template = edition.subject.get(segment.id) or edition.subject.get("*") or segment.subject
    preheader_template = edition.preheader.get(segment.id) or edition.preheader.get("*") or segment.preheader
    subject = _one_line(_render_setting(subject_template, context, f"segments.{segment.id}.subject"), language)
    preheader = _one_line(_render_setting(preheader_template, context, f"segments.{segment.id}.preheader"), language)
    return Issue(
        edition_id=edition.id,
        number=number,
        date=edition.date,
        date_long=context["edition"]["date_long"],
        newsletter=config.newsletter,
        segment=segment,
        words=words,
        profile=profile_for(config.profile, language, words.first_name_fallback),
        web_url=f"{config.public_url}/{edition.id}/{segment.id}/" if config.public_url else "",
        unsubscribe_mailto=config.unsubscribe_mailto,
        subject=shorten(subject, SUBJECT_MAX),
        preheader=shorten(preheader, PREHEADER_MAX),
        edito_html=tag_html(edito[0], segment.tracking, segment.id, edition.id),
        edito_text=tag_text(edito[1], segment.tracking, segment.id, edition.id),
        articles=articles,
    )


def render_edito(edition: Edition, language: str, base_url: str,
                 texts: Texts = Texts()) -> tuple[str, PlainText]:
    """The édito as sanitized HTML and as text with numbered links; shared by every segment."""
    if not edition.edito:
        return "", PlainText((), ())
    clean = clean_html(texts.markdown(typography(edition.edito, language)), base_url)
    return clean, html_to_text(clean)


def _issue_article(article: Article, language: str, base_url: str, tag, texts: Texts) -> IssueArticle:
    summary = article.summary
    if not summary and article.body.strip():
        source = texts.markdown(article.body) if article.body_format == "markdown" else article.body
        summary = summary_from_html(clean_html(source, article.url or base_url))
    return IssueArticle(
        id=article.id,
        title=typography(article.title, language),
        url=tag(article.url, article.id),
        canonical_url=article.url,
        date=article.date,
        date_long=texts.long_date(article.date, language),
        summary=typography(summary, language),
        author=article.author,
        image=article.image,
        image_alt=typography(article.image_alt, language),
        tags=article.tags,
    )


_settings_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=64)
def _setting_template(source: str):
    return _settings_env.from_string(source)  # one compile per distinct subject, not per segment


def _render_setting(template: str, context: dict, where: str) -> str:
    try:
        return _setting_template(template).render(context)
    except TemplateError as exc:
        raise ConfigError(Problem(f"rameau.yaml: {where}", f"template error: {exc}")) from None


def _one_line(text: str, language: str) -> str:
    # CR/LF never reach an email header: a subject is one line, whatever its source.
    return typography(one_line(text), language)
