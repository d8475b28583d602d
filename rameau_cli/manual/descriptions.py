"""What each member of the theme's objects is, for the template variables page: the code's own
comment or docstring first, then the reference of the key it comes from in rameau.yaml or the
wording, then the words below for the members the code leaves unsaid."""

from __future__ import annotations

from functools import lru_cache

from .types import Member

SAID = {
    ("Issue", "edition_id"): "The edition's id.",
    ("Issue", "number"): "The issue's number in its segment (none: the edition file gives none and there is no history).",
    ("Issue", "date"): "When the edition is sent.",
    ("Issue", "date_long"): "That date in words, in the segment's language.",
    ("Issue", "newsletter"): "Who sends it (`newsletter` in rameau.yaml).",
    ("Issue", "segment"): "The segment it is for.",
    ("Issue", "words"): "The words for readers, in the segment's language, with the project's own.",
    ("Issue", "profile"): "The emailing tool's merge tags.",
    ("Issue", "subject"): "The subject line.",
    ("Issue", "preheader"): "The preview text after the subject.",
    ("Issue", "edito"): "The édito, the edition file's body.",
    ("Issue", "articles"): "Its articles, in order: pinned, featured, by priority, newest first.",
    ("Issue", "unsubscribe_mailto"): "`emailing.unsubscribe_mailto`.",
    ("Issue", "featured"): "The first article (none: no article).",
    ("Issue", "others"): "The articles after the first.",
    ("IssueArticle", "id"): "The article's id: its file name, or its slug.",
    ("IssueArticle", "title"): "Its title, with the language's typography.",
    ("IssueArticle", "canonical_url"): "Its link, untagged (the manifest's).",
    ("IssueArticle", "date"): "Its date.",
    ("IssueArticle", "author"): "Its author (empty: none).",
    ("IssueArticle", "image"): "Its image (none: no image, or one that could not be used).",
    ("IssueArticle", "image_alt"): "What the image shows.",
    ("IssueArticle", "tags"): "Its tags.",
    ("IssueArticle", "full"): "Whether it is shown whole rather than as a card.",
    ("Picture", "url"): "The image's address (under output.public_url for an image from disk).",
    ("Picture", "width"): "Its width in the email, in CSS pixels (none: unknown, a remote image).",
    ("Picture", "height"): "Its height in the email (none: unknown).",
    ("Profile", "name"): "The profile: generic, mailchimp, brevo, listmonk, mailjet or buttondown.",
    ("LinkList", "number(url)"): "The number of a link of the text part (the same address keeps its number).",
    ("Newsletter", "sender_name"): "The sender's name.",
    ("Newsletter", "sender_email"): "The sender's address.",
    ("Newsletter", "tz"): "The time zone, as Python's ZoneInfo.",
    ("Segment", "id"): "The segment's id.",
    ("Segment", "rule"): "Which articles it takes.",
    ("Segment", "tracking"): "Its link tagging (`links`).",
    ("Segment", "wording"): "Its own words (`segments.<id>.wording`), as (key, text) pairs.",
    ("Newsletter", "wording"): "The project's own words (`newsletter.wording`), as (key, text) pairs.",
    ("Wording", "language"): "The language of these words.",
    ("Rule", "has_audience_rule"): "Whether it names audiences or tags (else it takes every article).",
    ("Tracking", "enabled"): "Whether links are tagged.",
    ("Tracking", "source"): "utm_source.",
    ("Tracking", "medium"): "utm_medium.",
    ("Tracking", "campaign"): "utm_campaign, {segment} and {edition} filled in.",
    ("Tracking", "domains"): "The domains whose links are tagged.",
    ("ArchiveEntry", "segment"): "The segment's id.",
    ("ArchiveEntry", "segment_title"): "The segment's title.",
    ("ArchiveEntry", "edition"): "The edition's id.",
    ("ArchiveEntry", "number"): "The issue's number.",
    ("ArchiveEntry", "subject"): "Its subject.",
    ("ArchiveEntry", "preheader"): "Its preheader.",
    ("ArchiveEntry", "date"): "When it was sent, as an ISO date and time.",
    ("ArchiveEntry", "date_long"): "That date in words.",
    ("ArchiveEntry", "id"): "The feed entry's id.",
    ("YearPage", "segment"): "The segment's id.",
    ("YearPage", "year"): "The year.",
    ("YearPage", "count"): "How many issues of that year.",
    ("Elsewhere", "language"): "That archive's language.",
    ("Elsewhere", "link"): "Its page, from this one.",
    ("Snapshot", "version"): "How many builds the preview has made (the page reloads when it changes).",
    ("Snapshot", "result"): "The last build that worked (none: none yet).",
    ("Snapshot", "error"): "The error of the last build, if it failed.",
    ("Build", "editions"): "The editions built.",
    ("Build", "warnings"): "The build's warnings.",
    ("Build", "emails"): "Every email of every edition.",
    ("EditionBuild", "edition"): "The edition.",
    ("EditionBuild", "emails"): "Its emails, one per segment with something to send.",
    ("EditionBuild", "selections"): "Which articles each segment took, and why not the others.",
    ("Email", "issue"): "The issue it shows.",
    ("Email", "html"): "The email's HTML.",
    ("Email", "text"): "Its text part.",
    ("Edition", "id"): "The edition's id.",
    ("Edition", "window"): "Its window of days.",
    ("Edition", "number"): "The edition file's number (none: counted by the history).",
    ("Edition", "preheader"): "\"*\" or segment id -> text.",
    ("Edition", "pinned"): "The ids of its pinned articles.",
    ("Edition", "translations"): "Its issue files in other languages.",
    ("Window", "as_dict()"): "since and until, as ISO dates (the manifest's).",
}

# The reference of rameau.yaml's keys speaks of these classes' fields.
FROM_CONFIG = {"Segment": "segments.<segment id>.", "Rule": "segments.<segment id>.", "Newsletter": "newsletter.",
               "Wording": ""}


def describe(cls: type, item: Member) -> str:
    own = item.doc
    if own and not own.startswith('"'):
        return own[:1].upper() + own[1:] + ("" if own.endswith(".") else ".")
    said = SAID.get((cls.__name__, item.name)) or _from_config(cls.__name__, item.key)
    return said or (own[:1].upper() + own[1:] if own else "")


def _from_config(name: str, key: str) -> str:
    if name not in FROM_CONFIG:
        return ""
    return _config_docs().get(FROM_CONFIG[name] + key, "") if name != "Wording" else _wording_docs().get(key, "")


@lru_cache(maxsize=1)
def _config_docs() -> dict[str, str]:
    from ..project.config import CONFIG
    from ..project.reference import reference_rows

    return {path: doc for path, _, _, doc in reference_rows(CONFIG)}


@lru_cache(maxsize=1)
def _wording_docs() -> dict[str, str]:
    from ..project.reference import reference_rows
    from ..project.words import WORDING

    return {path: doc for path, _, _, doc in reference_rows(WORDING)}
