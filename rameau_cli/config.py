"""Stage 1: read `rameau.yaml` into typed, frozen objects; report every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError, ContentError, Problem, show
from .yamlio import load_yaml_cached, read_text

CONFIG_FILE = "rameau.yaml"
CACHE_DIR = ".rameau-cache"  # safe to delete: everything in it is made again
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
CADENCES = ("daily", "weekly", "monthly")
PROFILES = ("generic", "mailchimp", "brevo", "listmonk", "mailjet")


@dataclass(frozen=True)
class Newsletter:
    name: str
    sender_name: str
    sender_email: str
    reply_to: str | None
    language: str
    timezone: str
    base_url: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Source:
    """A Markdown folder (`kind == "markdown"`) or a feed file or URL (`kind == "feed"`)."""

    kind: str
    location: str
    categories: tuple[tuple[str, str], ...] = ()  # feed category -> audience

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Rule:
    any_audiences: frozenset[str] = frozenset()
    any_tags: frozenset[str] = frozenset()
    none_audiences: frozenset[str] = frozenset()
    none_tags: frozenset[str] = frozenset()

    @property
    def has_audience_rule(self) -> bool:
        return bool(self.any_audiences or self.any_tags)


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


@dataclass(frozen=True)
class Config:
    root: Path
    newsletter: Newsletter
    sources: tuple[Source, ...]
    segments: tuple[Segment, ...]
    output_dir: Path
    profile: str
    public_url: str = ""  # where the output folder is published (view-online links, archive feed)
    unsubscribe_mailto: str = ""
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def segment(self, segment_id: str) -> Segment:
        for segment in self.segments:
            if segment.id == segment_id:
                return segment
        raise KeyError(segment_id)


DEFAULT_SUBJECT = "{{ segment.title }}{% if edition.number %} n° {{ edition.number }}{% endif %} – {{ edition.date_short }}"
DEFAULT_PREHEADER = "{{ articles|length }} articles : {{ article_titles }}"


class _Checker:
    """Walks the raw YAML, collecting (key path, message) problems instead of stopping."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"{self.filename}: {path}", message))

    def unknown_keys(self, path: str, raw: dict, known: set[str]) -> None:
        for key in raw:
            if key not in known:
                hint = _closest(str(key), known)
                extra = f" (did you mean {hint!r}?)" if hint else ""
                where = f"{path}.{key}" if path else str(key)
                self.warnings.append(
                    Problem(f"{self.filename}: {where}", f"unknown key, ignored{extra}")
                )

    def mapping(self, path: str, value: Any, required: bool = True) -> dict:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping of keys, got {_describe(value)}")
            return {}
        return value

    def text(self, path: str, value: Any, default: str | None = None) -> str | None:
        if value is None:
            if default is None:
                self.error(path, "missing; add a text value")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(path, f"expected text, got {_describe(value)}")
            return default
        text = str(value).strip()
        if "\n" in text or "\r" in text:
            self.error(path, "must be on one line")
            return default
        return text

    def text_list(self, path: str, value: Any) -> frozenset[str]:
        if value is None:
            return frozenset()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(path, f"expected a list of names, got {_describe(value)}")
            return frozenset()
        return frozenset(v.strip().lower() for v in value)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _closest(word: str, choices: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.7)
    return matches[0] if matches else None


def load_config(root: Path) -> Config:
    """Read and validate `root/rameau.yaml`; raise ConfigError listing every problem."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            Problem(
                str(path),
                "no rameau.yaml here; run `rameau init` to create a project, "
                "or run rameau from the project folder",
            )
        )
    try:
        raw = load_yaml_cached(read_text(path), CONFIG_FILE, root / CACHE_DIR)
    except ContentError as exc:  # a broken config is a configuration error (exit 2)
        raise ConfigError(*exc.problems) from None
    return parse_config(raw, root, CONFIG_FILE)


def parse_config(raw: Any, root: Path, filename: str = CONFIG_FILE) -> Config:
    check = _Checker(filename)
    top = check.mapping("(top level)", raw)
    check.unknown_keys("", top, {"newsletter", "sources", "segments", "output", "emailing", "links"})
    newsletter = _newsletter(check, check.mapping("newsletter", top.get("newsletter")))
    sources = _sources(check, top.get("sources"))
    output = check.mapping("output", top.get("output"), required=False)
    check.unknown_keys("output", output, {"dir", "public_url"})
    output_dir = check.text("output.dir", output.get("dir"), default="dist")
    public_url = check.text("output.public_url", output.get("public_url"), default="") or ""
    if public_url and not re.match(r"^https?://[^/\s]+", public_url):
        check.error("output.public_url", f"expected an absolute http(s) URL, got {show(public_url)}")
    emailing = check.mapping("emailing", top.get("emailing"), required=False)
    check.unknown_keys("emailing", emailing, {"profile", "unsubscribe_mailto"})
    profile = check.text("emailing.profile", emailing.get("profile"), default="generic")
    if profile not in PROFILES:
        check.error("emailing.profile", f"unknown profile {show(profile)}; use one of {', '.join(PROFILES)}")
    mailto = check.text("emailing.unsubscribe_mailto", emailing.get("unsubscribe_mailto"), default="") or ""
    if mailto and not EMAIL_RE.match(mailto):
        check.error("emailing.unsubscribe_mailto", f"{show(mailto)} is not an email address")
    tracking = _tracking(check, "links", top.get("links"), Tracking(domains=_domains(newsletter.base_url)))
    segments = _segments(check, top.get("segments"), tracking)
    if check.problems:
        raise ConfigError(*check.problems)
    return Config(
        root=root,
        newsletter=newsletter,
        sources=sources,
        segments=segments,
        output_dir=root / output_dir,
        profile=profile,
        public_url=public_url.rstrip("/"),
        unsubscribe_mailto=mailto,
        warnings=tuple(check.warnings),
    )


def _newsletter(check: _Checker, raw: dict) -> Newsletter:
    known = {"name", "sender", "reply_to", "language", "timezone", "base_url"}
    check.unknown_keys("newsletter", raw, known)
    name = check.text("newsletter.name", raw.get("name")) or ""
    sender_name, sender_email = _sender(check, raw.get("sender"), name)
    reply_to = check.text("newsletter.reply_to", raw.get("reply_to"), default="") or None
    if reply_to and not EMAIL_RE.match(reply_to):
        check.error("newsletter.reply_to", f"{show(reply_to)} is not an email address")
    language = check.text("newsletter.language", raw.get("language"), default="fr") or "fr"
    if not re.match(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", language):
        check.error("newsletter.language", f"{show(language)} is not a language code such as fr or fr-FR")
    timezone = check.text("newsletter.timezone", raw.get("timezone"), default="Europe/Paris") or ""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        check.error("newsletter.timezone", f"unknown time zone {show(timezone)}; use a name such as Europe/Paris")
    base_url = check.text("newsletter.base_url", raw.get("base_url")) or ""
    if base_url and not re.match(r"^https?://[^/\s]+", base_url):
        check.error("newsletter.base_url", f"expected an absolute http(s) URL, got {show(base_url)}")
    return Newsletter(name, sender_name, sender_email, reply_to, language, timezone, base_url.rstrip("/"))


def _sender(check: _Checker, raw: Any, default_name: str) -> tuple[str, str]:
    if isinstance(raw, dict):
        check.unknown_keys("newsletter.sender", raw, {"name", "email"})
        name = check.text("newsletter.sender.name", raw.get("name"), default=default_name) or ""
        email = check.text("newsletter.sender.email", raw.get("email")) or ""
    else:
        text = check.text("newsletter.sender", raw) or ""
        match = re.match(r"^\s*(.*?)\s*<([^>]+)>\s*$", text)
        name, email = (match.group(1).strip('"'), match.group(2)) if match else (default_name, text)
    if email and not EMAIL_RE.match(email):
        check.error("newsletter.sender", f"{show(email)} is not an email address")
    return name, email


def _sources(check: _Checker, raw: Any) -> tuple[Source, ...]:
    if raw is None:
        return (Source("markdown", "articles"),)
    if not isinstance(raw, list):
        check.error("sources", f"expected a list of sources, got {_describe(raw)}")
        return ()
    sources = []
    for index, item in enumerate(raw):
        path = f"sources[{index}]"
        item = check.mapping(path, item)
        check.unknown_keys(path, item, {"markdown", "feed", "categories"})
        if ("markdown" in item) == ("feed" in item):
            check.error(path, "give exactly one of `markdown: FOLDER` or `feed: FILE_OR_URL`")
            continue
        kind = "markdown" if "markdown" in item else "feed"
        location = check.text(f"{path}.{kind}", item.get(kind)) or ""
        categories = check.mapping(f"{path}.categories", item.get("categories"), required=False)
        pairs = tuple(
            (str(k).strip().lower(), str(v).strip().lower())
            for k, v in categories.items()
            if isinstance(v, str) or check.error(f"{path}.categories.{k}", "expected an audience name")
        )
        sources.append(Source(kind, location, pairs))
    return tuple(sources)


def _domains(base_url: str) -> tuple[str, ...]:
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    return (host.removeprefix("www."),) if host else ()


def _tracking(check: _Checker, path: str, raw: Any, default: Tracking) -> Tracking:
    """`links: {utm: {source, medium, campaign}, domains: [...]}`; `utm: false` turns tagging off."""
    raw = check.mapping(path, raw, required=False)
    check.unknown_keys(path, raw, {"utm", "domains"})
    domains = tuple(sorted(check.text_list(f"{path}.domains", raw.get("domains")))) or default.domains
    utm = raw.get("utm", None)
    if utm is None:
        return Tracking(default.enabled, default.source, default.medium, default.campaign, domains)
    if utm is False:
        return Tracking(False, domains=domains)
    if utm is True:
        utm = {}
    utm = check.mapping(f"{path}.utm", utm)
    check.unknown_keys(f"{path}.utm", utm, {"source", "medium", "campaign"})
    return Tracking(
        enabled=True,
        source=check.text(f"{path}.utm.source", utm.get("source"), default=default.source) or default.source,
        medium=check.text(f"{path}.utm.medium", utm.get("medium"), default=default.medium) or default.medium,
        campaign=check.text(f"{path}.utm.campaign", utm.get("campaign"), default=default.campaign) or default.campaign,
        domains=domains,
    )


def _segments(check: _Checker, raw: Any, tracking: Tracking) -> tuple[Segment, ...]:
    if not isinstance(raw, dict) or not raw:
        check.error("segments", "expected a mapping of segment ids to segment settings, e.g. `quotidienne: {title: ...}`")
        return ()
    known = {"title", "cadence", "audiences", "tags", "exclude_audiences", "exclude_tags",
             "max_articles", "subject", "preheader", "accent", "max_bytes", "links"}
    segments = []
    for seg_id, item in raw.items():
        path = f"segments.{seg_id}"
        if not isinstance(seg_id, str) or not SLUG_RE.match(seg_id):
            check.error(path, "a segment id must be a slug: lowercase letters, digits and hyphens")
            continue
        item = check.mapping(path, item)
        check.unknown_keys(path, item, known)
        cadence = check.text(f"{path}.cadence", item.get("cadence"), default="weekly")
        if cadence not in CADENCES:
            check.error(f"{path}.cadence", f"expected one of {', '.join(CADENCES)}, got {show(cadence)}")
        max_articles = item.get("max_articles", 10)
        if isinstance(max_articles, bool) or not isinstance(max_articles, int) or max_articles < 1:
            check.error(f"{path}.max_articles", f"expected a positive integer, got {_describe(max_articles)}")
            max_articles = 10
        accent = check.text(f"{path}.accent", item.get("accent"), default="#1f5c4a") or "#1f5c4a"
        if not COLOR_RE.match(accent):
            check.error(f"{path}.accent", f"expected a colour such as #1f5c4a, got {show(accent)}")
        elif contrast(accent, "#ffffff") < 4.5:
            check.warnings.append(Problem(f"{check.filename}: {path}.accent", f"white text on {accent} has a contrast of "
                                          f"{contrast(accent, '#ffffff'):.1f}:1, under the 4.5:1 readers need; choose a darker colour"))
        max_bytes = item.get("max_bytes")
        if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 10_000):
            check.error(f"{path}.max_bytes", f"expected a size in bytes of at least 10000, such as 90000, got {_describe(max_bytes)}")
            max_bytes = None
        rule = Rule(
            any_audiences=check.text_list(f"{path}.audiences", item.get("audiences")),
            any_tags=check.text_list(f"{path}.tags", item.get("tags")),
            none_audiences=check.text_list(f"{path}.exclude_audiences", item.get("exclude_audiences")),
            none_tags=check.text_list(f"{path}.exclude_tags", item.get("exclude_tags")),
        )
        segments.append(
            Segment(
                id=seg_id,
                title=check.text(f"{path}.title", item.get("title")) or seg_id,
                cadence=cadence or "weekly",
                rule=rule,
                max_articles=max_articles,
                subject=check.text(f"{path}.subject", item.get("subject"), default=DEFAULT_SUBJECT) or DEFAULT_SUBJECT,
                preheader=check.text(f"{path}.preheader", item.get("preheader"), default=DEFAULT_PREHEADER) or DEFAULT_PREHEADER,
                accent=accent,
                max_bytes=max_bytes,
                tracking=_tracking(check, f"{path}.links", item.get("links"), tracking),
            )
        )
    return tuple(segments)
