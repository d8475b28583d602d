"""Where push keeps what it made: each campaign's id in history.json, in the entry of its
edition and segment, written the moment the tool gives it; before a create, a mark that one is
under way, so that the push after one killed in that moment looks for the draft first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import Any

from ..built import BuiltEmail
from ..output.write import write_history
from ..project.config import Config
from ..project.history import HISTORY_FILE, SentEdition, record
from ..project.history_files import load_history
from .base import Campaign, Tool
from .client import Api, ApiError


def years(emails: Sequence[BuiltEmail | Campaign]) -> dict[str, int]:
    """The years of history that hold these editions (an edition id starts with its year)."""
    earliest: dict[str, int] = {}
    for email in emails:
        year = int(email.edition[:4]) - 1 if email.edition[:4].isdigit() else 0
        earliest[email.segment] = min(earliest.get(email.segment, year), year)
    return earliest


def cut_off(entry: SentEdition, tool: Tool) -> bool:
    """Whether a create of this entry's draft was under way when a push stopped, its id unknown."""
    campaign = entry.extra.get("campaign")
    return isinstance(campaign, dict) and campaign.get("tool") == tool.name and "creating" in campaign \
        and not campaign.get("id")


def earlier_draft(call: Callable[[Any], Any], tool: Tool, campaign: Campaign, taken: AbstractSet[str]) -> str:
    """The id of this campaign's draft made by an earlier push that did not record it, or ""."""
    request = tool.find(campaign)
    if request is None:
        return ""
    try:
        found = [found for found in tool.found(call(request), campaign) if found not in taken]
    except ApiError:
        return ""  # a tool that will not list its drafts: a create, as before
    return found[0] if found else ""


def mark_creating(config: Config, tool: Tool, campaign: Campaign) -> None:
    try:
        keep(config, campaign, {"tool": tool.name, "creating": campaign.name})
    except OSError as exc:
        raise ApiError(None, f"history.json cannot be written ({exc.strerror or exc}); nothing was made in "
                             f"{tool.title}") from None


def keep_id(config: Config, api: Api, tool: Tool, campaign: Campaign, campaign_id: str) -> None:
    link = tool.link(api.base, campaign_id)
    try:
        keep(config, campaign, {"tool": tool.name, "id": campaign_id, **({"url": link} if link else {})})
    except OSError as exc:
        raise ApiError(None, f"draft {campaign_id} was made in {tool.title}, but history.json cannot be written "
                             f"({exc.strerror or exc}); write its id there by hand before pushing again") from None


def keep(config: Config, campaign: Campaign, kept: dict[str, str] | None) -> None:
    """Write the campaign's id into history.json at once (the caller holds the output lock);
    None: no campaign (a create under way that the tool refused)."""
    history = load_history(config.root / HISTORY_FILE, years([campaign]))
    entry = next(e for e in history.get(campaign.segment) if e.edition == campaign.edition)
    if kept is None:  # record() keeps what an entry had: the entry is replaced in place
        extra = {key: value for key, value in entry.extra.items() if key != "campaign"}
        entries = tuple(replace(e, extra=extra) if e is entry else e for e in history.get(campaign.segment))
        history = replace(history, segments={**history.segments, campaign.segment: entries})
    else:
        history = record(history, campaign.segment, replace(entry, extra={**entry.extra, "campaign": kept}))
    write_history(config, history)
