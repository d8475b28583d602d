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
from .checks import CHECK, Checks, CheckSettings, check_settings
from .newsletter import (
    NEWSLETTER,
    Newsletter,
    NewsletterSettings,
    Sender,
    SenderSettings,
    languages_have_words,
    newsletter_settings,
)
from .push import PUSH, Push, PushSettings, check_push_lists, check_tool_settings, push_settings
from .reading import read_text
from .schema import (
    COLOUR,
    EMAIL,
    LANGUAGE,
    SLUG,
    TEXT,
    URL,
    Boolean,
    Choice,
    Either,
    Integer,
    Invalid,
    ListOf,
    MapOf,
    Names,
    Walk,
    validate,
)
from .settings import setting, settings_mapping
from .source_settings import SOURCE, Source, SourceSettings, source_list
from .words import WORDING, wording_pairs
from .yaml_cache import load_yaml_cached

CONFIG_FILE = "rameau.yaml"
CADENCES = ("daily", "weekly", "monthly")
PROFILES = ("generic", "mailchimp", "brevo", "listmonk", "mailjet", "buttondown")
DEFAULT_ACCENT = "#1f5c4a"


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


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of a colour whose channels go from 0 to 255."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def luminance_ratio(first: float, second: float) -> float:
    """WCAG contrast ratio of two relative luminances (1 to 21)."""
    light, dark = sorted((first, second), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(colour: str) -> tuple[float, float, float]:
    """A #rrggbb colour's channels, from 0 to 255."""
    return float(int(colour[1:3], 16)), float(int(colour[3:5], 16)), float(int(colour[5:7], 16))


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    return luminance_ratio(luminance(rgb(first)), luminance(rgb(second)))


# --- The schema of rameau.yaml: each mapping a dataclass of settings, one field per key ----------


@dataclass(frozen=True)
class UtmSettings:
    source: str | None = setting(TEXT, "utm_source (default `newsletter`).")
    medium: str | None = setting(TEXT, "utm_medium (default `email`).")
    campaign: str | None = setting(TEXT, "utm_campaign; {segment} and {edition} are filled in (default "
                                         "`{segment}-{edition}`).")


UTM = settings_mapping(UtmSettings)


@dataclass(frozen=True)
class LinksSettings:
    """`links:` as written (top level or a segment's); `Tracking` is what the build reads."""

    utm: bool | UtmSettings | None = setting(
        Either((bool, Boolean()), (dict, UTM)),
        "UTM parameters on links to the newsletter's own domains: a mapping, true, or false for none.")
    domains: tuple[str, ...] | None = setting(ListOf(TEXT), "More domains to tag, beside that of base_url.")


LINKS = settings_mapping(LinksSettings, optional=True)


def _readable_accent(accent: str, walk: Walk, path: str) -> None:
    ratio = contrast(accent, "#ffffff")
    if ratio < 4.5:
        walk.warn(path, f"white text on {accent} has a contrast of {ratio:.1f}:1, under the 4.5:1 readers need; "
                        "choose a darker colour")


@dataclass(frozen=True)
class SegmentSettings:
    """A segment as written under `segments:`; `Segment` is what the build reads."""

    title: str = setting(TEXT, "The segment's name, in its emails' header and in the archive.", required=True)
    cadence: str = setting(Choice(*CADENCES), "How often it goes out: sets its calendar edition.", default="weekly")
    audiences: tuple[str, ...] | None = setting(Names(), "Takes articles with any of these audiences...")
    tags: tuple[str, ...] | None = setting(Names(), "...or any of these tags. Without either, it takes every article.")
    exclude_audiences: tuple[str, ...] | None = setting(Names(), "Never articles with these audiences.")
    exclude_tags: tuple[str, ...] | None = setting(Names(), "Never articles with these tags.")
    max_articles: int = setting(Integer(1), "At most this many articles in one email.", default=10)
    body: str = setting(Choice("summary", "full"), "`summary`: each article's card; `full`: each article whole, "
                        "its tables, code, images and notes included.", default="summary")
    subject: str | None = setting(TEXT, "The subject line, a Jinja template (sandboxed).")
    preheader: str | None = setting(TEXT, "The preview text inboxes show after the subject, a Jinja template.")
    accent: str = setting(COLOUR, "The accent colour of the header and buttons.", default=DEFAULT_ACCENT,
                          check=_readable_accent)
    max_bytes: int | None = setting(Integer(10_000, hint="a size in bytes of at least 10000, such as 90000"),
                                    "HTML size above which the last articles move to a short 'more online' list.")
    links: LinksSettings = setting(LINKS, "Link tagging for this segment, overriding the top-level `links`.")
    language: str | None = setting(LANGUAGE, "Its emails' language; it takes only articles in it (default: the "
                                             "newsletter's).")
    wording: dict[str, Any] = setting(WORDING, "Its own words for readers, over the newsletter's `wording`.")
    archive: str = setting(Choice(*ARCHIVE_MODES), "What of its issues is published: `public` (web version, "
                           "archive, feed), `unlisted` (a web version at an address no one can guess, noindex, in no "
                           "archive), `none` (nothing but the images its emails show).", default="public")
    late: str = setting(Choice("send", "skip"), "`send`: an article dated in an edition already built, added after "
                        "it, goes out in the next one; `skip`: it never goes out.", default="send")
    forward_url: str | None = setting(URL, "Where a reader who was forwarded an email subscribes (default: the "
                                           "archive's page, when output.public_url is set).")
    sender: SenderSettings | None = setting(Sender(), "Who its emails come from, instead of `newsletter.sender`: "
                                                      "`Members Desk <members@example.org>`.")


SEGMENT = settings_mapping(SegmentSettings)


def _public_url(url: str, walk: Walk, path: str) -> None:
    if "?" in url or "#" in url:
        raise Invalid(f"expected the address of a folder, without ? or #, got {show(url)}")


@dataclass(frozen=True)
class OutputSettings:
    dir: str = setting(TEXT, "Where build-issue writes, relative to rameau.yaml.", default="dist")
    public_url: str | None = setting(URL, "The address where the output folder's public/ is published: view-online "
                                          "links, archive, images.", check=_public_url)


OUTPUT = settings_mapping(OutputSettings, optional=True)


@dataclass(frozen=True)
class EmailingSettings:
    profile: str = setting(Choice(*PROFILES), "The emailing tool, whose merge tags the emails carry.",
                           default="generic")
    unsubscribe_mailto: str | None = setting(EMAIL, "An address added to List-Unsubscribe as a mailto.")
    push: PushSettings = setting(PUSH, "Where `rameau push` creates draft campaigns (credentials: "
                                       "RAMEAU_PUSH_USER, RAMEAU_PUSH_TOKEN).")


EMAILING = settings_mapping(EmailingSettings, optional=True)


@dataclass(frozen=True)
class ConfigSettings:
    """rameau.yaml as written; `Config` is what the build reads."""

    newsletter: NewsletterSettings = setting(NEWSLETTER, "Who sends the newsletter, in which language.",
                                             required=True)
    sources: tuple[SourceSettings, ...] | None = setting(ListOf(SOURCE), "Where articles come from (default: the "
                                                                          "`articles` folder).")
    segments: dict[str, SegmentSettings] = setting(MapOf(SEGMENT, what="segment id"),
                                                   "The audience newsletters, by id.", required=True)
    output: OutputSettings = setting(OUTPUT, "Where the built editions go.")
    emailing: EmailingSettings = setting(EMAILING, "The emailing tool the emails are made for.")
    links: LinksSettings = setting(LINKS, "Link tagging for every segment.")
    check: CheckSettings = setting(CHECK, "What `rameau check` reports, and at which level.")


def _check_push(values: ConfigSettings, walk: Walk, path: str) -> None:
    emailing, segments = values.emailing, values.segments or {}
    if emailing is None:  # it could not be read, and that is said already
        return
    check_push_lists(emailing.profile, emailing.push, segments, walk)
    check_tool_settings(emailing.profile, emailing.push, segments, walk)


CONFIG = settings_mapping(ConfigSettings, check=_check_push)


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
    values: ConfigSettings | None = validate(CONFIG, raw, walk, "", None)
    if values is not None and not values.segments and not any(p.where.startswith(f"{filename}: segments")
                                                                 for p in walk.problems):
        walk.error("segments", "no segment; add one, e.g. `quotidienne: {title: La quotidienne}`")
    if walk.problems or values is None:
        raise ConfigError(*walk.problems)
    newsletter = newsletter_settings(values.newsletter)
    languages_have_words({"newsletter.language": values.newsletter.language,
                          **{f"segments.{s}.language": v.language for s, v in values.segments.items()}}, root, walk)
    tracking = _tracking(values.links, Tracking(domains=_domains(newsletter.base_url)))
    output, emailing = values.output, values.emailing
    return Config(
        root=root,
        newsletter=newsletter,
        sources=source_list(values.sources),
        segments=tuple(_segment(segment_id, item, tracking, newsletter.language)
                       for segment_id, item in values.segments.items()),
        output_dir=root / output.dir,
        profile=emailing.profile,
        public_url=(output.public_url or "").rstrip("/"),
        unsubscribe_mailto=emailing.unsubscribe_mailto or "",
        push=push_settings(emailing.push),
        checks=check_settings(values.check),
        warnings=tuple(walk.warnings),
    )


def _domains(base_url: str) -> tuple[str, ...]:
    host = (urlsplit(base_url).hostname or "").lower()
    return (host.removeprefix("www."),) if host else ()


def _tracking(values: LinksSettings, inherited: Tracking) -> Tracking:
    """`links: {utm: {...}, domains: [...]}` over what is inherited; `utm: false` turns tagging off."""
    domains = tuple(sorted(d.lower() for d in values.domains)) if values.domains else inherited.domains
    utm = values.utm
    if utm is None:
        return Tracking(inherited.enabled, inherited.source, inherited.medium, inherited.campaign, domains)
    if utm is False:
        return Tracking(False, domains=domains)
    utm = UtmSettings(None, None, None) if utm is True else utm
    return Tracking(True, utm.source or inherited.source, utm.medium or inherited.medium,
                    utm.campaign or inherited.campaign, domains)


def _segment(segment_id: str, values: SegmentSettings, tracking: Tracking, language: str) -> Segment:
    rule = Rule(frozenset(values.audiences or ()), frozenset(values.tags or ()),
                frozenset(values.exclude_audiences or ()), frozenset(values.exclude_tags or ()))
    return Segment(
        id=segment_id,
        title=values.title or segment_id,
        cadence=values.cadence,
        rule=rule,
        max_articles=values.max_articles,
        subject=values.subject or DEFAULT_SUBJECT,
        preheader=values.preheader or DEFAULT_PREHEADER,
        accent=values.accent,
        max_bytes=values.max_bytes,
        tracking=_tracking(values.links, tracking),
        body=values.body,
        language=values.language or language,
        wording=wording_pairs(values.wording),
        archive=values.archive,
        late=values.late,
        forward_url=values.forward_url or "",
        sender_name=(values.sender.name or "") if values.sender else "",
        sender_email=values.sender.email if values.sender else "",
    )


__all__ = ["CADENCES", "CONFIG", "CONFIG_FILE", "Config", "Newsletter", "PROFILES", "Rule", "SLUG", "Segment",
           "Source", "Tracking", "contrast", "load_config", "parse_config"]
