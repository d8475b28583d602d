"""The `emailing.push` section of rameau.yaml: where `rameau push` creates its draft campaigns.

The credentials are never here: they come from the environment only (RAMEAU_PUSH_USER,
RAMEAU_PUSH_TOKEN), so that rameau.yaml can be committed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import show
from .schema import TEXT, URL, Boolean, Integer, Invalid, Kind, MapOf, Walk, closest, describe
from .settings import setting, settings_mapping

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
    type = tuple[str, ...]

    def read(self, value: Any, walk: Walk, path: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(i, (int, str)) and not isinstance(i, bool) and str(i).strip() for i in items):
            raise Invalid(f"expected the tool's list ids such as [3] or [a1b2c3d4e5], got {describe(value)}")
        return tuple(str(item).strip() for item in items)


def _url(url: str, walk: Walk, path: str) -> None:
    parts = urlsplit(url)
    if parts.username or parts.password:  # said before anything that would show the URL
        raise Invalid("holds credentials; give them in RAMEAU_PUSH_USER and RAMEAU_PUSH_TOKEN, never in rameau.yaml")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise Invalid(f"{show(url)} would send the token in clear; use https (http only for 127.0.0.1 or localhost)")
    if parts.query or parts.fragment:
        raise Invalid(f"expected the API's address, without ? or #, got {show(url)}")


@dataclass(frozen=True)
class AudiencePartSettings:
    saved_segment: int | None = setting(Integer(1), "A saved segment of the audience, by its id (Audience > Segments).")
    tag: int | None = setting(Integer(1), "A tag of the audience, by its id (a tag is a static segment to Mailchimp's "
                                          "API).")

    def given(self) -> tuple[tuple[str, int], ...]:
        return tuple((name, value) for name, value in (("saved_segment", self.saved_segment), ("tag", self.tag))
                     if value is not None)


AUDIENCE_PART = settings_mapping(AudiencePartSettings)


@dataclass(frozen=True)
class MailchimpSettings:
    segments: dict[str, AudiencePartSettings] | None = setting(
        MapOf(AUDIENCE_PART, what="segment id"),
        "The part of the audience each segment goes to: `{hebdo-entreprise: {tag: 4821}}`; without it, the "
        "whole audience.")


MAILCHIMP = settings_mapping(MailchimpSettings, optional=True)


@dataclass(frozen=True)
class ButtondownSettings:
    content_only: bool = setting(Boolean(), "Send only the email's content (no rameau header, footer or unsubscribe "
                                 "link) into the newsletter's own Buttondown template, for an account that cannot have "
                                 "naked emails.", default=False)


BUTTONDOWN = settings_mapping(ButtondownSettings, optional=True)


@dataclass(frozen=True)
class PushSettings:
    """`emailing.push:` as written; `Push` is what `rameau push` uses."""

    url: str | None = setting(URL, "The tool's address (listmonk: the instance's root; the others: their API, by "
                                   "default).", check=_url)
    lists: dict[str, tuple[str, ...]] | None = setting(
        MapOf(ListIds(), what="segment id"),
        "Each segment's lists in the tool: `{quotidienne: [3]}` (Mailchimp: one audience id; Buttondown: tag ids).")
    name: str = setting(TEXT, "The campaign's name in the tool; {title}, {segment}, {edition} and {number} are "
                              "filled in.", default=DEFAULT_NAME)
    mailchimp: MailchimpSettings = setting(MAILCHIMP, "Mailchimp's own settings.")
    buttondown: ButtondownSettings = setting(BUTTONDOWN, "Buttondown's own settings.")


PUSH = settings_mapping(PushSettings, optional=True)


def check_push_lists(profile: str, push: PushSettings | None, segments: Collection[str], walk: Walk) -> None:
    """`emailing.push.lists` names known segments, with ids of the kind the tool takes (`push`:
    None when it could not be read, which is said already)."""
    if push is None:
        return
    lists = push.lists or {}
    for segment_id, ids in lists.items():
        where = f"emailing.push.lists.{segment_id}"
        if segment_id not in segments:
            hint = closest(segment_id, list(segments))
            walk.error(where, "unknown segment" + (f"; did you mean {hint!r}?" if hint else f"; known: {', '.join(segments)}"))
        elif profile in ("listmonk", "brevo") and not all(i.isdigit() for i in ids):
            walk.error(where, f"{profile} list ids are numbers, such as [3]; got {show(list(ids))}")
        elif profile == "mailchimp" and len(ids) != 1:
            walk.error(where, f"a Mailchimp campaign goes to one audience: give one id, got {len(ids)}")


def check_tool_settings(profile: str, push: PushSettings | None, segments: Collection[str], walk: Walk) -> None:
    """Mailchimp's audience parts name known segments, each one saved segment or one tag; a
    tool's settings under another profile are said to do nothing."""
    if push is None:
        return
    given = {"mailchimp": push.mailchimp is not None and push.mailchimp.segments,
             "buttondown": push.buttondown is not None and push.buttondown.content_only}
    for tool, settings in given.items():
        if settings and profile != tool:
            walk.warn(f"emailing.push.{tool}", f"does nothing: emailing.profile is {profile}")
    for segment_id, part in ((push.mailchimp.segments if push.mailchimp else None) or {}).items():
        where = f"emailing.push.mailchimp.segments.{segment_id}"
        if segment_id not in segments:
            walk.error(where, f"unknown segment; known: {', '.join(segments)}")
        elif len(part.given()) != 1:
            walk.error(where, "give one saved segment or one tag, such as {saved_segment: 1234} or {tag: 4821}")


def push_settings(values: PushSettings) -> Push:
    parts = ((values.mailchimp.segments if values.mailchimp else None) or {}).items()
    return Push((values.url or "").rstrip("/"), tuple((values.lists or {}).items()), values.name or DEFAULT_NAME,
                tuple((segment, part.given()[0]) for segment, part in parts if part.given()),
                bool(values.buttondown and values.buttondown.content_only))
