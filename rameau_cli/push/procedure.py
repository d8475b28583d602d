"""`rameau push`: each built segment of an edition as a DRAFT campaign in the emailing tool; the
next push updates that same campaign. Nothing here schedules, sends, tests or changes a status.

- What goes is what build-issue wrote: index.html, index.txt and the manifest's subject and
  preheader, carrying the profile's merge tags. A build whose sources changed since is refused
  (unless `force`).
- The campaign's id is kept in history.json, in that edition's entry for that segment
  (`"campaign": {"tool": "listmonk", "id": "12", "url": "…"}`), written as soon as the tool gives
  it: a failure on the next segment loses nothing. A build made without history (--no-history,
  --source, another --out) has no entry to keep it in, so it is refused rather than pushed into
  drafts no later push could find again.
- Before an update the campaign is read: one that is no longer a draft is left alone (and the
  push fails); one deleted in the tool is created anew, saying so.
- Before a create, history.json records that one is under way (`"campaign": {"tool": …,
  "creating": name}`). A push that finds that mark (the one before was killed while the tool
  made the draft, before its id was written) first searches the tool's drafts for this
  campaign's (by its name; Buttondown's, which have none, by subject and preheader), none of
  them an id history.json gives another entry, and updates it rather than make a second one.
- A stop signal during a create waits for the tool's answer and the id written, then stops; a
  second one stops at once, saying the draft may have been made. The last line of a push that
  stops always says which segments were pushed.
- A push holds the output folder's lock throughout: two pushes at once (two CI jobs) cannot both
  create a draft for one segment, and no build rewrites the history meanwhile.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..built import BuiltEmail, built_edition
from ..errors import ConfigError, Interrupted, Problem, PushError
from ..interrupts import uninterrupted
from ..output.write import output_folder, settle
from ..project.addresses import HTML, TEXT
from ..project.config import Config
from ..project.history import HISTORY_FILE, History, SentEdition
from ..project.history_files import load_history
from .base import Campaign, Tool
from .brevo import Brevo
from .buttondown import Buttondown
from .client import Api, ApiError
from .content_only import content_of
from .kept import cut_off, earlier_draft, keep, keep_id, mark_creating, years
from .listmonk import Listmonk
from .mailchimp import Mailchimp

if TYPE_CHECKING:
    from ..builds import BuildOptions

TOOLS: dict[str, type[Tool]] = {"listmonk": Listmonk, "brevo": Brevo, "mailchimp": Mailchimp, "buttondown": Buttondown}


@dataclass(frozen=True)
class Pushed:
    """What became of one segment. `action`: created, updated, recreated (deleted in the tool,
    made again) or refused (no longer a draft); with --dry-run: create or update."""

    segment: str
    edition: str
    action: str
    campaign: str = ""  # the tool's id
    url: str = ""  # where a person finds it in the tool, when known
    note: str = ""
    requests: tuple[str, ...] = ()  # "METHOD URL", in order
    subject: str = ""
    lists: tuple[str, ...] = ()
    html_bytes: int = 0
    text_bytes: int | None = None  # None: the tool makes its own text part


class PushFailed(PushError):
    """A push that stopped: `results` says what was done before."""

    def __init__(self, results: list[Pushed], *problems: Problem | str):
        super().__init__(*problems)
        self.results = results


def tool_for(config: Config) -> Tool:
    if config.profile not in TOOLS:
        raise ConfigError(Problem("rameau.yaml: emailing.profile", f"is {config.profile}; rameau push creates drafts in "
                                                                   f"{', '.join(TOOLS)}: set the profile to yours"))
    return TOOLS[config.profile]()


def push_edition(config: Config, options: BuildOptions, *, dry_run: bool = False, force: bool = False,
                 environ: Mapping[str, str] = os.environ,
                 report: Callable[[Pushed], None] | None = None) -> list[Pushed]:
    """Push the built emails the options name (with no edition named, each segment's latest
    build); return what became of each segment."""
    tool = tool_for(config)
    if dry_run:
        settle(config, config.output_dir)
        return _push(config, options, tool, True, force, environ, report)
    with output_folder(config, config.output_dir):
        return _push(config, options, tool, False, force, environ, report)


def _push(config: Config, options: BuildOptions, tool: Tool, dry_run: bool, force: bool, environ: Mapping[str, str],
          report: Callable[[Pushed], None] | None) -> list[Pushed]:
    edition = built_edition(config, options, config.output_dir, settled=True)
    built = edition.present()
    problems: list[Problem] = []
    campaigns = [_campaign(config, tool, email, problems) for email in built]
    user, token = _credentials(tool, environ, problems if not dry_run else [])
    if tool.needs_url and not config.push.url:
        problems.append(Problem("rameau.yaml: emailing.push.url", f"missing; give your {tool.title}'s address, such as "
                                                                  "https://listes.example.org"))
    if problems:
        raise ConfigError(*problems)
    if not force:
        edition.refuse_stale(PushError, "nothing was pushed")
        if not dry_run and config.public_url:
            from .published import unpublished

            missing = unpublished(config.public_url, config.output_dir, built)
            if missing:
                raise PushError(*missing, Problem("", "nothing was pushed"))
    history = _history(config, built)
    entries = [_entry(history, email) for email in built]
    api = Api(tool.title, tool.base_url(config.push.url, token), tool.headers(user, token), (token, user), user)
    if not dry_run:
        _prepare(api, tool, campaigns)
    taken = {str(e.extra["campaign"].get("id")) for entries in history.segments.values() for e in entries
             if isinstance(e.extra.get("campaign"), dict) and e.extra["campaign"].get("tool") == tool.name}
    return _each(config, api, tool, list(zip(campaigns, entries, strict=True)), dry_run, report, taken)


def _prepare(api: Api, tool: Tool, campaigns: list[Campaign]) -> None:
    """What the tool needs before any campaign (listmonk: rameau's template), found or made."""
    needed = tool.prerequisite()
    if needed is None:
        return
    try:
        found = needed.found(api.call(needed.find)) or needed.made(api.call(needed.make))
    except ApiError as exc:
        raise PushFailed([], Problem(needed.what, tool.explain(exc.code, exc.message)),
                         Problem("", _summary([], campaigns))) from None
    if not found:
        raise PushFailed([], Problem(needed.what, f"{tool.title} made it but did not say its id; push again"),
                         Problem("", _summary([], campaigns)))
    needed.use(found)


def _each(config: Config, api: Api, tool: Tool, work: list[tuple[Campaign, SentEdition]], dry_run: bool,
          report: Callable[[Pushed], None] | None, taken: AbstractSet[str] = frozenset()) -> list[Pushed]:
    """Each campaign planned (dry run) or pushed, in order; the first failure stops the rest."""
    campaigns = [campaign for campaign, _ in work]
    done: list[Pushed] = []
    try:
        for campaign, entry in work:
            done.append(_one(config, api, tool, campaign, entry, dry_run, taken, done, campaigns))
            if report:
                report(done[-1])
    except KeyboardInterrupt:
        if dry_run:
            raise
        raise Interrupted(f"interrupted; {_summary(done, campaigns)}") from None
    refused = [Problem(f"segment {p.segment}", p.note) for p in done if p.action == "refused"]
    if refused:
        raise PushFailed(done, *refused, Problem("", _summary(done, campaigns)))
    return done


def _one(config: Config, api: Api, tool: Tool, campaign: Campaign, entry: SentEdition, dry_run: bool,
         taken: AbstractSet[str], done: list[Pushed], campaigns: list[Campaign]) -> Pushed:
    """One campaign planned or pushed; what stops the push says what was done before (`done`,
    with a draft created and recorded here, unfinished)."""
    stored, note = _stored(entry, tool)
    if dry_run:
        return _planned(api, tool, campaign, stored, note)
    made: list[str] = []  # the id of a draft created and recorded, before what may stop the push
    try:
        return _push_one(config, api, tool, campaign, stored, note,
                         taken - {stored} if cut_off(entry, tool) else None, made)
    except ApiError as exc:
        done += _unfinished(api, tool, campaign, made)
        raise PushFailed(done, Problem(f"segment {campaign.segment}", tool.explain(exc.code, exc.message)),
                         Problem("", _summary(done, campaigns))) from None
    except _CutShort as exc:
        raise Interrupted(f"interrupted while {tool.title} was creating the draft of {campaign.segment}; it may have "
                          f"been made: the next push finds it by its name; {_summary(done, campaigns)}") from exc
    except KeyboardInterrupt:
        done += _unfinished(api, tool, campaign, made)
        raise


def _campaign(config: Config, tool: Tool, email: BuiltEmail, problems: list[Problem]) -> Campaign:
    lists = config.push.lists_for(email.segment)
    if lists is None and tool.needs_lists:
        problems.append(Problem(f"rameau.yaml: emailing.push.lists.{email.segment}",
                                f"missing; give the {tool.title} list ids this segment goes to, such as "
                                f"`lists: {{{email.segment}: [3]}}`"))
    try:
        html = (email.folder / HTML).read_text(encoding="utf-8")
        text = (email.folder / TEXT).read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise PushError(Problem(str(email.folder), f"cannot read the built email ({exc}); build it again")) from None
    entry, newsletter = email.entry, config.newsletter_of(config.segment(email.segment))
    name = config.push.name
    for field_name, value in (("title", entry.get("title", email.segment)), ("segment", email.segment),
                              ("edition", email.edition), ("number", entry.get("number") or "")):
        name = name.replace("{" + field_name + "}", str(value))
    content_only = config.push.content_only and tool.name == "buttondown"
    return Campaign(email.segment, email.edition, name, str(entry.get("subject", "")), str(entry.get("preheader", "")),
                    content_of(html) if content_only else html, text, lists or (), newsletter.sender_name,
                    newsletter.sender_email, newsletter.reply_to or newsletter.sender_email,
                    config.push.audience_part(email.segment), content_only)


def _credentials(tool: Tool, environ: Mapping[str, str], problems: list[Problem]) -> tuple[str, str]:
    user, token = environ.get("RAMEAU_PUSH_USER", "").strip(), environ.get("RAMEAU_PUSH_TOKEN", "").strip()
    if not token:
        problems.append(Problem("RAMEAU_PUSH_TOKEN", f"not set; export the {tool.title} API key or token"))
    if tool.needs_user and not user:
        problems.append(Problem("RAMEAU_PUSH_USER", f"not set; export the {tool.title} API user's name"))
    return user, token


def _history(config: Config, emails: list[BuiltEmail]) -> History:
    path = config.root / HISTORY_FILE
    history = load_history(path, years(emails))
    if history.merged:
        raise PushError(Problem(str(path), "has Git conflict markers; run rameau history resolve first, then push"))
    return history


def _entry(history: History, email: BuiltEmail) -> SentEdition:
    entry = next((e for e in history.get(email.segment) if e.edition == email.edition), None)
    built_articles = [a.get("id") for a in email.entry.get("articles", []) if isinstance(a, dict)]
    if entry is None or list(entry.articles) != built_articles:
        why = "has no entry for it" if entry is None else "records another build of it (other articles)"
        raise PushError(Problem(str(email.folder), f"history.json {why}, where push keeps the campaign's id; build "
                                                   "the edition again with its history (without --no-history, --source "
                                                   "or another --out), then push"), Problem("", "nothing was pushed"))
    return entry


def _stored(entry: SentEdition, tool: Tool) -> tuple[str, str]:
    """The id of the campaign already made for this entry in this tool, and a note if another
    tool's campaign is recorded instead."""
    campaign = entry.extra.get("campaign")
    if not isinstance(campaign, dict) or not isinstance(campaign.get("id"), (str, int)):
        return "", ""
    if campaign.get("tool") != tool.name:
        return "", f"history.json records a {campaign.get('tool')} campaign; a {tool.title} draft is made instead"
    return str(campaign["id"]), ""


def _planned(api: Api, tool: Tool, campaign: Campaign, stored: str, note: str) -> Pushed:
    if stored:
        requests = [tool.read(stored), *tool.update(stored, campaign)]
    else:
        requests = [tool.create(campaign), *tool.fill("ID", campaign)]  # ID: the one the create answers with
    return _result(api, tool, campaign, "update" if stored else "create", stored, note,
                   tuple(f"{r.method} {api.url(r)}" for r in requests))


def _result(api: Api, tool: Tool, campaign: Campaign, action: str, campaign_id: str, note: str,
            requests: tuple[str, ...]) -> Pushed:
    return Pushed(campaign.segment, campaign.edition, action, campaign_id,
                  tool.link(api.base, campaign_id) if campaign_id else "", note, requests, campaign.subject,
                  campaign.lists, len(campaign.html.encode("utf-8")),
                  len(campaign.text.encode("utf-8")) if tool.sends_text else None)


class _CutShort(Exception):
    """A second stop signal came while the tool was creating a draft, before its id was written."""


def _unfinished(api: Api, tool: Tool, campaign: Campaign, made: list[str]) -> list[Pushed]:
    """A draft created and recorded whose push stopped before it was filled: pushed all the same."""
    return [_result(api, tool, campaign, "created", made[0], "not finished: push again to finish it", ())] if made else []


def _push_one(config: Config, api: Api, tool: Tool, campaign: Campaign, stored: str, note: str,
              taken: AbstractSet[str] | None = None, created: list[str] | None = None) -> Pushed:
    """Update the stored draft, or find the one a push cut off made (`taken`: the ids not to
    take; None: no search), or create one."""
    made: list[str] = []

    def call(request: Any) -> Any:
        made.append(f"{request.method} {api.url(request)}")
        return api.call(request)

    if stored:
        try:
            status = tool.status(call(tool.read(stored)))
        except ApiError as exc:
            if exc.code not in tool.gone_codes:
                raise
            note = f"campaign {stored} is no longer in {tool.title} ({exc.message}); a new draft was made"
        else:
            if status != tool.draft:
                return _result(api, tool, campaign, "refused", stored, f"campaign {stored} is no longer a draft in "
                               f"{tool.title} (its status is {status or 'not given'}); it was left as it is",
                               tuple(made))
            for request in tool.update(stored, campaign):
                call(request)
            return _result(api, tool, campaign, "updated", stored, note, tuple(made))
    earlier = earlier_draft(call, tool, campaign, taken) if taken is not None else ""
    if earlier:
        keep_id(config, api, tool, campaign, earlier)
        for request in tool.update(earlier, campaign):
            call(request)
        note = f"draft {earlier}, made by an earlier push that was cut off before it recorded it, found in " \
               f"{tool.title} by its name and updated" + (f"; {note}" if note else "")
        return _result(api, tool, campaign, "updated", earlier, note, tuple(made))
    refused = False
    try:
        with uninterrupted():  # a first signal waits for the answer and the id written
            mark_creating(config, tool, campaign)
            try:
                answer = call(tool.create(campaign))
            except ApiError as exc:
                if exc.code is not None and exc.code not in (502, 503, 504):  # the tool itself said no: nothing made
                    keep(config, campaign, None)
                    refused = True
                raise
            new = tool.new_id(answer)
            if not new:
                raise ApiError(None, f"{tool.title} made a campaign but did not say its id; the next push looks "
                                     "for it by its name before making another")
            keep_id(config, api, tool, campaign, new)
            if created is not None:
                created.append(new)
    except KeyboardInterrupt:
        if created or refused:  # the signal kept for after the block: the draft is recorded, or none was made
            raise
        raise _CutShort from None
    status = tool.status(answer)
    if status and status != tool.draft:
        raise ApiError(None, f"{tool.title} made campaign {new} with the status {status}, not a draft: look at it in "
                             f"{tool.title} now")
    try:
        for request in tool.fill(new, campaign):
            call(request)
    except ApiError as exc:
        raise ApiError(exc.code, f"{exc.message} (draft {new} was made and kept in history.json: push again to "
                                 "finish it)") from None
    return _result(api, tool, campaign, "recreated" if stored else "created", new, note, tuple(made))


def _summary(done: list[Pushed], campaigns: list[Campaign]) -> str:
    pushed = [f"{p.segment} ({p.action} {p.campaign})" for p in done if p.action != "refused"]
    rest = [c.segment for c in campaigns[len(done):]] + [p.segment for p in done if p.action == "refused"]
    return f"pushed: {', '.join(pushed) or 'none'}; not pushed: {', '.join(rest) or 'none'}"


__all__ = ["Pushed", "PushFailed", "TOOLS", "push_edition", "tool_for"]
