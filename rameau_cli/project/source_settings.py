"""`sources:` in rameau.yaml: where articles come from, Markdown folders and feeds."""

from __future__ import annotations

from dataclasses import dataclass

from .schema import LANGUAGE, NAME, TEXT, URL, Invalid, MapOf, Walk
from .settings import setting, settings_mapping
from .urls import HTTP_SCHEMES, feed_location_problem, url_scheme


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


def _one_kind_of_source(values: SourceSettings, walk: Walk, path: str) -> None:
    if any(p.where.startswith(walk.where(f"{path}.")) for p in walk.problems):
        return  # a key given but wrong is said once, not again as missing
    if (values.markdown is None) == (values.feed is None):
        walk.error(path, "give exactly one of `markdown: FOLDER` or `feed: FILE_OR_URL`")


def _feed_location(location: str, walk: Walk, path: str) -> None:
    problem = feed_location_problem(location)
    if problem:
        raise Invalid(problem)


@dataclass(frozen=True)
class SourceSettings:
    """An item of `sources:` as written; `Source` is what the build reads."""

    markdown: str | None = setting(TEXT, "A folder of Markdown articles (or one .md file), relative to rameau.yaml.")
    feed: str | None = setting(TEXT, "An RSS or Atom feed: a file, or an http(s) URL.", check=_feed_location)
    categories: dict[str, str] | None = setting(
        MapOf(NAME, id_kind=TEXT, what="feed category"),
        "Feed categories that are audiences: `{\"grand public\": grand-public}`; the others become tags.")
    base_url: str | None = setting(URL, "Where a feed's relative links lead, when neither the feed nor its address "
                                        "says.")
    lang: str | None = setting(LANGUAGE, "The language of its articles (default: what the feed says, else the "
                                         "newsletter's).")


SOURCE = settings_mapping(SourceSettings, check=_one_kind_of_source)


def source_list(values: tuple[SourceSettings, ...] | None) -> tuple[Source, ...]:
    if values is None:
        return (Source("markdown", "articles"),)
    sources = []
    for item in values:
        kind, location = ("markdown", item.markdown) if item.markdown is not None else ("feed", item.feed or "")
        categories = tuple((name.strip().lower(), audience) for name, audience in (item.categories or {}).items())
        sources.append(Source(kind, location, categories, item.base_url or "", item.lang or ""))
    return tuple(sources)
