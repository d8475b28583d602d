"""`rameau.yaml`: its schema, and the typed, frozen project settings read from it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..cache.base import CACHE_DIR, CacheFolder
from ..errors import ConfigError, ContentError, Problem, show
from .addresses import ARCHIVE_MODES, SECRET_ENV, Addresses
from .checks import CHECK, Checks, check_settings
from .newsletter import NEWSLETTER, Newsletter, Sender, languages_have_words, newsletter_settings
from .push import PUSH, Push, check_push_lists, check_tool_settings, push_settings
from .reading import read_text
from .schema import (
    COLOUR,
    EMAIL,
    LANGUAGE,
    NAME,
    SLUG,
    TEXT,
    URL,
    Boolean,
    Choice,
    Either,
    Integer,
    Invalid,
    Key,
    ListOf,
    MapOf,
    Mapping,
    Names,
    Walk,
    validate,
)
from .urls import HTTP_SCHEMES, feed_location_problem, url_scheme
from .words import WORDING, wording_pairs
from .yaml_cache import load_yaml_cached

CONFIG_FILE = "rameau.yaml"
CADENCES = ("daily", "weekly", "monthly")
PROFILES = ("generic", "mailchimp", "brevo", "listmonk", "mailjet", "buttondown")
DEFAULT_ACCENT = "#1f5c4a"


@dataclass(frozen=True)
class Source:
    """A Markdown folder (`kind == "markdown"`) or a feed file or URL (`kind == "feed"`)."""

    kind: str
    location: str
    categories: tuple[tuple[str, str], ...] = ()  # feed category -> audience
    base_url: str = ""  # what a feed's relative links are relative to, when it does not say
    lang: str = ""  # the language of its articles ("": the feed's own, else the newsletter's)

    @property
    def is_url(self) -> bool:
        """An http(s) URL, whatever the case of its scheme (`HTTP://` too); anything else is a file."""
        return url_scheme(self.location) in HTTP_SCHEMES


@dataclass(frozen=True)
class Rule:
    """Which articles a segment takes; the fields are named as the segment's YAML keys."""

    audiences: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    exclude_audiences: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()

    @property
    def has_audience_rule(self) -> bool:
        return bool(self.audiences or self.tags)


@dataclass(frozen=True)
class Tracking:
    """UTM parameters added to links on the newsletter's own domains (`enabled` False: none)."""

    enabled: bool = False
    source: str = "newsletter"
    medium: str = "email"
    campaign: str = "{segment}-{edition}"
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    id: str
    title: str
    cadence: str
    rule: Rule
    max_articles: int
    subject: str
    preheader: str
    accent: str
    max_bytes: int | None = None  # HTML size above which articles move to a "more online" list
    tracking: Tracking = Tracking()
    body: str = "summary"  # "full": every article whole in the email
    language: str = ""  # its emails' language and the articles it takes ("": the newsletter's)
    wording: tuple[tuple[str, Any], ...] = ()  # its own words, over the project's
    archive: str = "public"  # what of its issues is published: public, unlisted or none (project/addresses.py)
    late: str = "send"  # "skip": articles dated in an edition already built do not go out in the next one
    forward_url: str = ""  # where a reader who was forwarded an email subscribes ("": the archive, if published)
    sender_name: str = ""  # who its emails come from, when not the newsletter's sender ("": the newsletter's)
    sender_email: str = ""


@dataclass(frozen=True)
class Config:
    root: Path
    newsletter: Newsletter
    sources: tuple[Source, ...]
    segments: tuple[Segment, ...]
    output_dir: Path
    profile: str
    public_url: str = ""  # where the output folder's public/ is published (view-online links, archive feed)
    unsubscribe_mailto: str = ""
    push: Push = Push()  # emailing.push: where `rameau push` creates drafts
    checks: Checks = Checks()  # check.rules: the levels of `rameau check`'s rules
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    archive_secret: str = field(default="", repr=False, compare=False)  # RAMEAU_ARCHIVE_SECRET: unlisted addresses

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def segment(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise KeyError(segment_id)

    def addresses(self, out: Path | None = None) -> Addresses:
        """Where the files of a build into `out` (default: output.dir) sit, and their addresses."""
        return Addresses(out or self.output_dir, self.public_url)

    def newsletter_of(self, segment: Segment) -> Newsletter:
        """The newsletter as `segment`'s emails show it: with that segment's own sender, if any."""
        if not segment.sender_email:
            return self.newsletter
        return replace(self.newsletter, sender_name=segment.sender_name or self.newsletter.sender_name,
                       sender_email=segment.sender_email)

    def language_of(self, segment: Segment) -> str:
        return segment.language or self.newsletter.language

    def archive_folder(self, segment: Segment) -> str:
        """Where a segment's issues are listed under archive/: "" in the newsletter's language,
        "en/" for a segment in English in a French newsletter."""
        language = self.language_of(segment)
        return "" if language == self.newsletter.language else f"{language}/"


DEFAULT_SUBJECT = ("{{ segment.title }}{% if edition.number %} {{ words.number }} {{ edition.number }}{% endif %} – "
                   "{{ edition.date_short }}")
DEFAULT_PREHEADER = "{{ words.articles(articles|length) }}{{ words.colon }} {{ article_titles }}"


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- The schema of rameau.yaml -------------------------------------------------------------------


def _one_kind_of_source(values: dict[str, Any], walk: Walk, path: str) -> None:
    if any(p.where.startswith(walk.where(f"{path}.")) for p in walk.problems):
        return  # a key given but wrong is said once, not again as missing
    if (values["markdown"] is None) == (values["feed"] is None):
        walk.error(path, "give exactly one of `markdown: FOLDER` or `feed: FILE_OR_URL`")


def _feed_location(location: str, walk: Walk, path: str) -> None:
    problem = feed_location_problem(location)
    if problem:
        raise Invalid(problem)


SOURCE = Mapping(
    Key("markdown", TEXT, "A folder of Markdown articles (or one .md file), relative to rameau.yaml."),
    Key("feed", TEXT, "An RSS or Atom feed: a file, or an http(s) URL.", check=_feed_location),
    Key("categories", MapOf(NAME, id_kind=TEXT, what="feed category"),
        "Feed categories that are audiences: `{\"grand public\": grand-public}`; the others become tags."),
    Key("base_url", URL, "Where a feed's relative links lead, when neither the feed nor its address says."),
    Key("lang", LANGUAGE, "The language of its articles (default: what the feed says, else the newsletter's)."),
    check=_one_kind_of_source,
)

UTM = Mapping(
    Key("source", TEXT, "utm_source (default `newsletter`)."),
    Key("medium", TEXT, "utm_medium (default `email`)."),
    Key("campaign", TEXT, "utm_campaign; {segment} and {edition} are filled in (default `{segment}-{edition}`)."),
)

LINKS = Mapping(
    Key("utm", Either((bool, Boolean()), (dict, UTM)),
        "UTM parameters on links to the newsletter's own domains: a mapping, true, or false for none."),
    Key("domains", ListOf(TEXT), "More domains to tag, beside that of base_url."),
    optional=True,
)


def _readable_accent(accent: str, walk: Walk, path: str) -> None:
    ratio = contrast(accent, "#ffffff")
    if ratio < 4.5:
        walk.warn(path, f"white text on {accent} has a contrast of {ratio:.1f}:1, under the 4.5:1 readers need; "
                        "choose a darker colour")


SEGMENT = Mapping(
    Key("title", TEXT, "The segment's name, in its emails' header and in the archive.", required=True),
    Key("cadence", Choice(*CADENCES), "How often it goes out: sets its calendar edition.", default="weekly"),
    Key("audiences", Names(), "Takes articles with any of these audiences..."),
    Key("tags", Names(), "...or any of these tags. Without either, it takes every article."),
    Key("exclude_audiences", Names(), "Never articles with these audiences."),
    Key("exclude_tags", Names(), "Never articles with these tags."),
    Key("max_articles", Integer(1), "At most this many articles in one email.", default=10),
    Key("body", Choice("summary", "full"), "`summary`: each article's card; `full`: each article whole, "
        "its tables, code, images and notes included.", default="summary"),
    Key("subject", TEXT, "The subject line, a Jinja template (sandboxed)."),
    Key("preheader", TEXT, "The preview text inboxes show after the subject, a Jinja template."),
    Key("accent", COLOUR, "The accent colour of the header and buttons.", default=DEFAULT_ACCENT,
        check=_readable_accent),
    Key("max_bytes", Integer(10_000, hint="a size in bytes of at least 10000, such as 90000"),
        "HTML size above which the last articles move to a short 'more online' list."),
    Key("links", LINKS, "Link tagging for this segment, overriding the top-level `links`."),
    Key("language", LANGUAGE, "Its emails' language; it takes only articles in it (default: the newsletter's)."),
    Key("wording", WORDING, "Its own words for readers, over the newsletter's `wording`."),
    Key("archive", Choice(*ARCHIVE_MODES), "What of its issues is published: `public` (web version, archive, "
        "feed), `unlisted` (a web version at an address no one can guess, noindex, in no archive), `none` "
        "(nothing but the images its emails show).", default="public"),
    Key("late", Choice("send", "skip"), "`send`: an article dated in an edition already built, added after it, "
        "goes out in the next one; `skip`: it never goes out.", default="send"),
    Key("forward_url", URL, "Where a reader who was forwarded an email subscribes (default: the archive's page, "
                            "when output.public_url is set)."),
    Key("sender", Sender(), "Who its emails come from, instead of `newsletter.sender`: "
        "`Members Desk <members@example.org>`."),
)


def _public_url(url: str, walk: Walk, path: str) -> None:
    if "?" in url or "#" in url:
        raise Invalid(f"expected the address of a folder, without ? or #, got {show(url)}")


OUTPUT = Mapping(
    Key("dir", TEXT, "Where build-issue writes, relative to rameau.yaml.", default="dist"),
    Key("public_url", URL, "The address where the output folder's public/ is published: view-online links, "
        "archive, images.",
        check=_public_url),
    optional=True,
)

EMAILING = Mapping(
    Key("profile", Choice(*PROFILES), "The emailing tool, whose merge tags the emails carry.", default="generic"),
    Key("unsubscribe_mailto", EMAIL, "An address added to List-Unsubscribe as a mailto."),
    Key("push", PUSH, "Where `rameau push` creates draft campaigns (credentials: RAMEAU_PUSH_USER, RAMEAU_PUSH_TOKEN)."),
    optional=True,
)

CONFIG = Mapping(
    Key("newsletter", NEWSLETTER, "Who sends the newsletter, in which language.", required=True),
    Key("sources", ListOf(SOURCE), "Where articles come from (default: the `articles` folder)."),
    Key("segments", MapOf(SEGMENT, what="segment id"), "The audience newsletters, by id.", required=True),
    Key("output", OUTPUT, "Where the built editions go."),
    Key("emailing", EMAILING, "The emailing tool the emails are made for."),
    Key("links", LINKS, "Link tagging for every segment."),
    Key("check", CHECK, "What `rameau check` reports, and at which level."),
    check=lambda values, walk, path: _check_push(values, walk),
)


def _check_push(values: dict[str, Any], walk: Walk) -> None:
    check_push_lists(values, walk)
    check_tool_settings(values, walk)


# --- Reading rameau.yaml -------------------------------------------------------------------------


def load_config(root: Path) -> Config:
    """Read and validate `root/rameau.yaml`; raise ConfigError listing every problem."""

    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(Problem(str(path), "no rameau.yaml here or in any folder above; run `rameau init` to "
                                             "create a project, or run rameau from the project folder (or -C DIR)"))
    try:
        raw = load_yaml_cached(read_text(path, where=CONFIG_FILE), CONFIG_FILE, CacheFolder(root / CACHE_DIR))
    except ContentError as exc:  # a broken config is a configuration error (exit 2)
        raise ConfigError(*exc.problems) from None

    return replace(parse_config(raw, root, CONFIG_FILE), archive_secret=os.environ.get(SECRET_ENV, "").strip())


def parse_config(raw: Any, root: Path, filename: str = CONFIG_FILE) -> Config:
    walk = Walk(filename)
    if raw is None:
        raise ConfigError(Problem(filename, "is empty; run `rameau init` for a working example"))
    values = validate(CONFIG, raw, walk, "", None)
    if values is not None and not values["segments"] and not any(p.where.startswith(f"{filename}: segments")
                                                                 for p in walk.problems):
        walk.error("segments", "no segment; add one, e.g. `quotidienne: {title: La quotidienne}`")
    if walk.problems or values is None:
        raise ConfigError(*walk.problems)
    newsletter = newsletter_settings(values["newsletter"])
    languages_have_words(values, root, walk)
    tracking = _tracking(values["links"], Tracking(domains=_domains(newsletter.base_url)))
    output, emailing = values["output"], values["emailing"]
    return Config(
        root=root,
        newsletter=newsletter,
        sources=_sources(values["sources"]),
        segments=tuple(_segment(segment_id, item, tracking, newsletter.language)
                       for segment_id, item in values["segments"].items()),
        output_dir=root / output["dir"],
        profile=emailing["profile"],
        public_url=(output["public_url"] or "").rstrip("/"),
        unsubscribe_mailto=emailing["unsubscribe_mailto"] or "",
        push=push_settings(emailing["push"]),
        checks=check_settings(values["check"]),
        warnings=tuple(walk.warnings),
    )


def _sources(values: tuple[dict[str, Any], ...] | None) -> tuple[Source, ...]:
    if values is None:
        return (Source("markdown", "articles"),)
    sources = []
    for item in values:
        kind = "markdown" if item["markdown"] is not None else "feed"
        categories = tuple((name.strip().lower(), audience) for name, audience in (item["categories"] or {}).items())
        sources.append(Source(kind, item[kind], categories, item["base_url"] or "", item["lang"] or ""))
    return tuple(sources)


def _domains(base_url: str) -> tuple[str, ...]:
    host = (urlsplit(base_url).hostname or "").lower()
    return (host.removeprefix("www."),) if host else ()


def _tracking(values: dict[str, Any], inherited: Tracking) -> Tracking:
    """`links: {utm: {...}, domains: [...]}` over what is inherited; `utm: false` turns tagging off."""
    domains = tuple(sorted(d.lower() for d in values["domains"])) if values["domains"] else inherited.domains
    utm = values["utm"]
    if utm is None:
        return Tracking(inherited.enabled, inherited.source, inherited.medium, inherited.campaign, domains)
    if utm is False:
        return Tracking(False, domains=domains)
    utm = {} if utm is True else utm
    return Tracking(True, utm.get("source") or inherited.source, utm.get("medium") or inherited.medium,
                    utm.get("campaign") or inherited.campaign, domains)


def _segment(segment_id: str, values: dict[str, Any], tracking: Tracking, language: str) -> Segment:
    rule = Rule(*(frozenset(values[key] or ()) for key in ("audiences", "tags", "exclude_audiences", "exclude_tags")))
    return Segment(
        id=segment_id,
        title=values["title"] or segment_id,
        cadence=values["cadence"],
        rule=rule,
        max_articles=values["max_articles"],
        subject=values["subject"] or DEFAULT_SUBJECT,
        preheader=values["preheader"] or DEFAULT_PREHEADER,
        accent=values["accent"],
        max_bytes=values["max_bytes"],
        tracking=_tracking(values["links"], tracking),
        body=values["body"],
        language=values["language"] or language,
        wording=wording_pairs(values["wording"]),
        archive=values["archive"],
        late=values["late"],
        forward_url=values["forward_url"] or "",
        sender_name=(values["sender"] or {}).get("name", ""),
        sender_email=(values["sender"] or {}).get("email", ""),
    )


__all__ = ["CADENCES", "CONFIG", "CONFIG_FILE", "Config", "Newsletter", "PROFILES", "Rule", "SLUG", "Segment",
           "Source", "Tracking", "contrast", "load_config", "parse_config"]
