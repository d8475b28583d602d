"""What each emailing tool's module gives `rameau push`: the requests that create, read and
update one segment's draft campaign, and how to read the tool's answers.

A tool's module only describes requests; procedure.py decides which to make and client.py makes
them. So `push --dry-run` prints exactly the requests a push would make, and no module but the
tool's own knows its paths. Nothing here may ever name an endpoint that schedules, sends, tests
or changes a campaign's status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Campaign:
    """What one segment's draft carries: the built email, its subject and where it goes."""

    segment: str
    edition: str
    name: str  # the campaign's name in the tool
    subject: str
    preheader: str
    html: str
    text: str
    lists: tuple[str, ...]
    sender_name: str
    sender_email: str
    reply_to: str
    audience_part: tuple[str, int] | None = None  # Mailchimp: ("saved_segment" or "tag", its id)
    content_only: bool = False  # Buttondown: `html` is only the content, for the newsletter's own template


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below the tool's address: /api/campaigns/12
    body: dict[str, Any] | None = None


class Tool:
    """One emailing tool's API. Subclasses set the attributes and the request makers."""

    name = ""  # as emailing.profile names it
    title = ""  # as people write it
    draft = "draft"  # the status of a campaign that is still a draft, ours to update
    default_url = ""
    needs_user = False  # RAMEAU_PUSH_USER is needed too
    needs_url = False  # no address of its own: emailing.push.url is needed
    needs_lists = True  # each segment needs emailing.push.lists
    sends_text = True  # whether the text part is pushed (Brevo and Buttondown make their own)
    gone_codes: tuple[int, ...] = (404,)  # the statuses of a `read` that say the campaign was deleted in the tool

    def base_url(self, url: str, token: str) -> str:
        """The API's address: emailing.push.url, else the tool's own."""
        return url or self.default_url

    def headers(self, user: str, token: str) -> dict[str, str]:
        raise NotImplementedError

    def read(self, campaign_id: str) -> Request:
        raise NotImplementedError

    def status(self, answer: Any) -> str:
        """The status a read (or a create) answered with; "" when it did not say."""
        return str(answer.get("status", "")) if isinstance(answer, dict) else ""


    def create(self, campaign: Campaign) -> Request:
        raise NotImplementedError

    def new_id(self, answer: Any) -> str:
        value = answer.get("id") if isinstance(answer, dict) else None
        return "" if value is None or isinstance(value, (dict, list)) else str(value)

    def find(self, campaign: Campaign) -> Request | None:
        """The request that lists the drafts one of which may be this campaign's, made by a push
        cut off before it recorded the id (the tool's search by name, or its list of drafts)."""
        return None

    def found(self, answer: Any, campaign: Campaign) -> list[str]:
        """The ids, in what `find` answered, of drafts that are this campaign's (its name)."""
        return []

    def fill(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        """Requests that complete a campaign just created (Mailchimp's content)."""
        return []

    def update(self, campaign_id: str, campaign: Campaign) -> list[Request]:
        raise NotImplementedError

    def link(self, base: str, campaign_id: str) -> str:
        """Where a person finds the campaign in the tool, when that is known."""
        return ""

    def prerequisite(self) -> Prerequisite | None:
        """What must exist in the tool before any campaign is pushed (listmonk: its template)."""
        return None

    def explain(self, code: int | None, message: str) -> str:
        """A failure's line, with what this tool's answer means when rameau knows more."""
        return message


@dataclass(frozen=True)
class Prerequisite:
    """A thing in the tool found by `find` (its id in `found`'s answer, "" when absent), else
    made by `make` (its id in `made`'s answer); `use` is told the id before the campaigns."""

    what: str  # for messages: "listmonk's template for rameau"
    find: Request
    found: Callable[[Any], str]
    make: Request
    made: Callable[[Any], str]
    use: Callable[[str], None]


def drafts_named(items: Any, name: str, draft: str, title: Any = lambda item: item.get("name")) -> list[str]:
    """The ids of the items (a list of the tool's campaigns) that are drafts named `name`."""
    if not isinstance(items, list):
        return []
    return [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id") is not None
            and title(item) == name and item.get("status", draft) == draft]


def quoted(campaign_id: str) -> str:
    """An id as it goes into a path: ids come from history.json, which people can edit."""
    from urllib.parse import quote

    return quote(campaign_id, safe="")
