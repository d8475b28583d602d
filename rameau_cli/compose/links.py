"""Link tagging: UTM parameters on links to the newsletter's own sites, so its readers can be
counted there. Existing query strings and fragments are kept; merge tags are never touched."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..project.config import Tracking
from ..project.urls import ascii_host


def on_our_domains(url: str, domains: tuple[str, ...]) -> bool:
    """Whether `url` leads to one of `domains` or below, each host compared in IDNA 2008."""
    parts = urlsplit(url)
    host = _ascii((parts.hostname or "").rstrip("."))
    ours = [_ascii(d) for d in domains]
    return parts.scheme in ("http", "https") and any(host == d or host.endswith("." + d) for d in ours)


def _ascii(host: str) -> str:
    try:
        return ascii_host(host)
    except ValueError:
        return host.lower()


def tag_url(url: str, tracking: Tracking, segment_id: str, edition_id: str, content: str = "") -> str:
    """`url` with utm_source, utm_medium, utm_campaign (and utm_content) added, when it is ours."""
    if not tracking.enabled or not on_our_domains(url, tracking.domains):
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    campaign = tracking.campaign.replace("{segment}", segment_id).replace("{edition}", edition_id)
    wanted = [("utm_source", tracking.source), ("utm_medium", tracking.medium), ("utm_campaign", campaign)]
    if content:
        wanted.append(("utm_content", content))
    query += [(key, value) for key, value in wanted if key not in present]  # an author's own tag wins
    return urlunsplit(parts._replace(query=urlencode(query, safe="/:")))
