"""The `emailing.push` section of rameau.yaml: where `rameau push` creates its draft campaigns.

The credentials are never here: they come from the environment only (RAMEAU_PUSH_USER,
RAMEAU_PUSH_TOKEN), so that rameau.yaml can be committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import show
from .schema import TEXT, URL, Boolean, Integer, Invalid, Key, Kind, MapOf, Mapping, Walk, closest, describe

DEFAULT_NAME = "{title} – {edition}"


@dataclass(frozen=True)
class Push:
    url: str = ""  # the tool's address; empty: the tool's own API
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()  # segment id -> the tool's list ids
    name: str = DEFAULT_NAME  # the campaign's name in the tool
    # Mailchimp: segment id -> ("saved_segment" or "tag", its id in the audience)
    audience_parts: tuple[tuple[str, tuple[str, int]], ...] = ()
    content_only: bool = False  # Buttondown: only the content, into the newsletter's own template

    def lists_for(self, segment_id: str) -> tuple[str, ...] | None:
        return dict(self.lists).get(segment_id)

    def audience_part(self, segment_id: str) -> tuple[str, int] | None:
        return dict(self.audience_parts).get(segment_id)


class ListIds(Kind):
    """The ids of lists (audiences, tags) in an emailing tool: numbers or text."""

    name = "list of ids"

    def read(self, value: Any, walk: Walk, path: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(i, (int, str)) and not isinstance(i, bool) and str(i).strip() for i in items):
            raise Invalid(f"expected the tool's list ids such as [3] or [a1b2c3d4e5], got {describe(value)}")
        return tuple(str(item).strip() for item in items)


def _url(url: str, walk: Walk, path: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.username or parts.password:  # said before anything that would show the URL
        raise Invalid("holds credentials; give them in RAMEAU_PUSH_USER and RAMEAU_PUSH_TOKEN, never in rameau.yaml")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise Invalid(f"{show(url)} would send the token in clear; use https (http only for 127.0.0.1 or localhost)")
    if parts.query or parts.fragment:
        raise Invalid(f"expected the API's address, without ? or #, got {show(url)}")


AUDIENCE_PART = Mapping(
    Key("saved_segment", Integer(1), "A saved segment of the audience, by its id (Audience > Segments)."),
    Key("tag", Integer(1), "A tag of the audience, by its id (a tag is a static segment to Mailchimp's API)."),
)
MAILCHIMP = Mapping(
    Key("segments", MapOf(AUDIENCE_PART, what="segment id"),
        "The part of the audience each segment goes to: `{hebdo-entreprise: {tag: 4821}}`; without it, the "
        "whole audience."),
    optional=True,
)
BUTTONDOWN = Mapping(
    Key("content_only", Boolean(), "Send only the email's content (no rameau header, footer or unsubscribe link) "
        "into the newsletter's own Buttondown template, for an account that cannot have naked emails.",
        default=False),
    optional=True,
)

PUSH = Mapping(
    Key("url", URL, "The tool's address (listmonk: the instance's root; the others: their API, by default).",
        check=_url),
    Key("lists", MapOf(ListIds(), what="segment id"),
        "Each segment's lists in the tool: `{quotidienne: [3]}` (Mailchimp: one audience id; Buttondown: tag ids)."),
    Key("name", TEXT, "The campaign's name in the tool; {title}, {segment}, {edition} and {number} are filled in.",
        default=DEFAULT_NAME),
    Key("mailchimp", MAILCHIMP, "Mailchimp's own settings."),
    Key("buttondown", BUTTONDOWN, "Buttondown's own settings."),
    optional=True,
)


def check_push_lists(values: dict[str, Any], walk: Walk) -> None:
    """`emailing.push.lists` names known segments, with ids of the kind the tool takes."""
    emailing, segments = values["emailing"] or {}, values["segments"] or {}
    profile, lists = emailing.get("profile"), (emailing.get("push") or {}).get("lists") or {}
    for segment_id, ids in lists.items():
        where = f"emailing.push.lists.{segment_id}"
        if segment_id not in segments:
            hint = closest(segment_id, list(segments))
            walk.error(where, "unknown segment" + (f"; did you mean {hint!r}?" if hint else f"; known: {', '.join(segments)}"))
        elif profile in ("listmonk", "brevo") and not all(i.isdigit() for i in ids):
            walk.error(where, f"{profile} list ids are numbers, such as [3]; got {show(list(ids))}")
        elif profile == "mailchimp" and len(ids) != 1:
            walk.error(where, f"a Mailchimp campaign goes to one audience: give one id, got {len(ids)}")


def check_tool_settings(values: dict[str, Any], walk: Walk) -> None:
    """Mailchimp's audience parts name known segments, each one saved segment or one tag; a
    tool's settings under another profile are said to do nothing."""
    emailing, segments = values["emailing"] or {}, values["segments"] or {}
    push = emailing.get("push") or {}
    for tool in ("mailchimp", "buttondown"):
        if any((push.get(tool) or {}).values()) and emailing.get("profile") != tool:
            walk.warn(f"emailing.push.{tool}", f"does nothing: emailing.profile is {emailing.get('profile')}")
    for segment_id, part in ((push.get("mailchimp") or {}).get("segments") or {}).items():
        where = f"emailing.push.mailchimp.segments.{segment_id}"
        if segment_id not in segments:
            walk.error(where, f"unknown segment; known: {', '.join(segments)}")
        elif sum(value is not None for value in part.values()) != 1:
            walk.error(where, "give one saved segment or one tag, such as {saved_segment: 1234} or {tag: 4821}")


def push_settings(values: dict[str, Any]) -> Push:
    parts = ((values["mailchimp"] or {}).get("segments") or {}).items()
    return Push((values["url"] or "").rstrip("/"), tuple((values["lists"] or {}).items()), values["name"] or DEFAULT_NAME,
                tuple((segment, next((k, v) for k, v in part.items() if v is not None)) for segment, part in parts
                      if any(v is not None for v in part.values())),
                bool((values["buttondown"] or {}).get("content_only")))
