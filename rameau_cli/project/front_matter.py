"""An article's front matter: its schema (FRONT_MATTER, at the end), and front matter as people
write it read without the YAML parser: `key: value` lines.

On a cold build of a large folder, parsing front matter with PyYAML is half the time (its C
parser is quick, but every event, node and value goes through Python). Most front matter is
one `key: value` per line: a plain scalar, a quoted string without escapes, or a flow list
such as `[association, entreprise]`. Those lines are read here, each value typed exactly as
PyYAML's safe loader types it (its own resolver and constructors decide what a plain scalar
is: a date, a number, a boolean, null or text). Anything else, anywhere in the front matter
(indentation, comments, escapes, anchors, block lists, tabs, a character YAML reads
differently), returns None and the whole front matter goes to PyYAML, which also gives its
errors. tests/test_front_matter.py compares the two on generated front matter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .moments import Moment
from .schema import LANGUAGE, URL, Boolean, Choice, Integer, Names, Text
from .settings import setting, settings_mapping

_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
# What the YAML reader treats otherwise than as text on a line (line breaks, tabs, characters it
# refuses): any of them, and PyYAML reads the whole front matter.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NOT_FOUND = object()
# The first characters of a plain scalar that PyYAML's implicit resolvers look at (booleans,
# numbers, null, dates, `<<`, `=`): a scalar starting otherwise is text, no resolver asked.
_RESOLVED_FROM = frozenset("yYnNtTfFoO-+0123456789.<~=")


def quick_front_matter(text: str) -> dict[str, Any] | None:
    """The front matter's mapping when every line is a simple `key: value`; else None."""
    if not text or _UNUSUAL.search(text):
        return None
    values: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line.strip(" "):
            continue
        match = _LINE.fullmatch(line.rstrip(" "))
        if match is None or (match[1][0] in _RESOLVED_FROM and _plain(match[1]) is not str):
            return None
        value = _value(match[2] or "")
        if value is _NOT_FOUND:
            return None
        values[match[1]] = value
    return values or None


def _value(text: str) -> Any:
    if not text:
        return None  # `key:` alone is null, as in YAML
    first = text[0]
    if first == '"':
        inner = text[1:-1]
        return inner if len(text) > 1 and text[-1] == '"' and '"' not in inner and "\\" not in inner else _NOT_FOUND
    if first == "'":
        inner = text[1:-1]
        return inner.replace("''", "'") if len(text) > 1 and text[-1] == "'" and "'" not in inner.replace("''", "") \
            else _NOT_FOUND
    if first == "[":
        return _flow_list(text)
    return _scalar(text)


def _flow_list(text: str) -> Any:
    if text[-1] != "]":
        return _NOT_FOUND
    inner = text[1:-1].strip(" ")
    if not inner:
        return []
    items = []
    for item in inner.split(","):
        item = item.strip(" ")
        if not item or item[0] in _INDICATORS or any(c in item for c in ":#[]{}") \
                or (item[0] in _RESOLVED_FROM and _plain(item) is not str):
            return _NOT_FOUND
        items.append(item)
    return items


def _scalar(text: str) -> Any:
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return _NOT_FOUND
    if text[0] not in _RESOLVED_FROM:
        return text
    kind = _plain(text)
    if kind is str:
        return text
    if kind is None:
        return _NOT_FOUND
    return _construct(kind, text)


@lru_cache(maxsize=4096)
def _plain(text: str) -> Any:
    """What PyYAML's resolver makes of a plain scalar: `str`, a tag to construct, or None."""
    from yaml.nodes import ScalarNode  # noqa: PLC0415 (start-up: a warm build never loads PyYAML)
    from yaml.resolver import Resolver  # noqa: PLC0415 (start-up: a warm build never loads PyYAML)


    tag = _resolver(Resolver).resolve(ScalarNode, text, (True, False))
    if tag == "tag:yaml.org,2002:str":
        return str
    if tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
               "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
        return tag
    return None


@lru_cache(maxsize=1)
def _resolver(kind: Any) -> Any:
    return kind()


@lru_cache(maxsize=1)
def _constructor() -> Any:
    from yaml.constructor import SafeConstructor  # noqa: PLC0415 (start-up: a warm build never loads PyYAML)

    return SafeConstructor()


_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def _construct(tag: str, text: str) -> Any:
    if tag == "tag:yaml.org,2002:timestamp":  # the usual two forms, made as PyYAML makes them, without it

        try:
            if _MOMENT.fullmatch(text):
                return dt.datetime.fromisoformat(text)
            if _DAY.fullmatch(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            return _NOT_FOUND

    from yaml.nodes import ScalarNode  # noqa: PLC0415 (start-up: a warm build never loads PyYAML)

    constructor = _constructor()
    try:
        return constructor.yaml_constructors[tag](constructor, ScalarNode(tag, text))
    except Exception:  # such as a date that does not exist: PyYAML says so, in its words
        return _NOT_FOUND


# What an article's front matter may say (read in sources/article.py).
LINE = Text(fold=True)

# Keys of the usual static-site generators, read without a word: the same Markdown files may
# build a site too. Hugo (gohugo.io/content-management/front-matter/), Jekyll
# (jekyllrb.com/docs/front-matter/), Eleventy (11ty.dev/docs/data-configuration/) and Pelican
# (docs.getpelican.com/en/latest/content.html). Those that decide whether an article is public
# are read (`draft`, `status`, `published`); those that could mean an audience or a summary
# (`categories`, `description`) are warned about.
SITE_KEYS = frozenset({
    "layout", "permalink", "aliases", "weight", "type", "linkTitle", "menu", "menus", "toc",
    "lastmod", "modified", "updated", "expiryDate", "headless", "isCJKLanguage", "markup", "outputs",
    "resources", "sitemap", "build", "cascade", "translationKey", "params", "excerpt_separator",
    "redirect_from", "redirect_to", "eleventyExcludeFromCollections", "eleventyNavigation", "eleventyComputed",
    "eleventyImport", "pagination", "templateEngineOverride", "dynamicPermalink", "permalinkBypassOutputDir",
    "save_as", "template", "translation", "comments", "share", "sidebar", "nav_order", "parent", "has_children",
})
# Other words for a key that decides who gets an article, or when: surely meant as that key.
KEY_ALIASES = {
    "segment": "audiences", "segments": "audiences", "newsletter": "audiences", "newsletters": "audiences",
    "audience_ids": "audiences", "readers": "audiences", "tag": "tags", "language": "lang", "locale": "lang",
    "embargo": "publish_at", "embargo_until": "publish_at", "publish_on": "publish_at", "publish_date": "publish_at",
    "send_at": "publish_at", "not_before": "publish_at",
    "exclude_tags": "a segment's key (rameau.yaml), not an article's: an article chooses its readers with "
                    "`audiences:` and `tags:`",
    "exclude_audiences": "a segment's key (rameau.yaml), not an article's: an article chooses its readers with "
                         "`audiences:` and `tags:`",
}

@dataclass(frozen=True)
class FrontMatterSettings:
    """An article's front matter as written; `Article` (sources/article.py) is what the build reads."""

    title: str = setting(LINE, "The article's title.", required=True)
    date: dt.datetime = setting(Moment(), "Its date, such as 2026-11-24 or 2026-11-24T09:30:00+01:00.", required=True)
    summary: str | None = setting(LINE, "Shown in the email; without it, the start of the body is used.")
    audiences: tuple[str, ...] | None = setting(Names(), "Which segments take it, such as [association, entreprise].")
    tags: tuple[str, ...] | None = setting(Names(), "Its tags, which segments may also select on.")
    author: str | None = setting(LINE, "Who wrote it.")
    image: str | None = setting(Text(fold=True, name="file or URL"), "An image for its card: a file next to the "
                                "article (photo.jpg, images/photo.jpg) or an https address.")
    image_alt: str | None = setting(LINE, "What the image shows, for readers who cannot see it.")
    url: str | None = setting(URL, "Its canonical link (default: <base_url>/articles/<slug>/).")
    featured: bool = setting(Boolean(), "Put it first, after pinned articles.", default=False)
    priority: int = setting(Integer(), "Higher comes first among equals.", default=0)
    publish_at: dt.datetime | None = setting(Moment(), "An embargo: held back from editions sent before this moment.")
    body: str | None = setting(Choice("summary", "full"), "`full`: the whole article in every email, not only its "
                                                          "summary.")
    slug: str | None = setting(LINE, "Its id (default: the file's name).")
    lang: str | None = setting(LANGUAGE, "Its language, when not the newsletter's: only segments in that language "
                                         "take it.")
    translation_of: str | None = setting(LINE, "The id of the article it translates: pinned with it, listed with it.")
    draft: bool = setting(Boolean(), "`true`: a draft, in no segment (Hugo, Eleventy, Jekyll).", default=False)
    status: str | None = setting(LINE, "Pelican's status: `draft` keeps it out of every segment.")
    published: bool = setting(Boolean(), "Jekyll's: `false` keeps it out of every segment.", default=True)


FRONT_MATTER = settings_mapping(FrontMatterSettings, unknown="typo", what="front matter key", silent=SITE_KEYS,
                                aliases=KEY_ALIASES)


def draft_of(values: FrontMatterSettings) -> str:
    """What makes the article a draft, as its front matter says it ("" when it is not one)."""
    if values.draft:
        return "draft: true"
    if (values.status or "").lower() == "draft":
        return "status: draft"
    if values.published is False:
        return "published: false"
    return ""
