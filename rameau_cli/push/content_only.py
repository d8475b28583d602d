"""Only the content of a built email, for a tool that puts it into the newsletter's own template
(Buttondown without naked emails: `emailing.push.buttondown.content_only`).

The email's sections are cut where MJML opens and closes each one for Outlook; what is left
out is rameau's header (the sections up to the one with the segment's title, its <h1>) and every
section that links to the tool's unsubscribe or view-online merge tag (the footer): the
newsletter's template says those once. The <style> elements of the head come first, so that
the content keeps its responsive rules.
"""

from __future__ import annotations

import re

_SECTION_START = "<!--[if mso | IE]><table"
_SECTION_END = "<!--[if mso | IE]></td></tr></table><![endif]-->"
_STYLES = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
_TAGS = re.compile(r'href="(\{\{ ?(unsubscribe_url|email_url) ?\}\})"')


def sections(body: str) -> list[str]:
    """The email's top-level sections, each with its Outlook table around it."""
    found: list[str] = []
    at = 0
    while (start := body.find(_SECTION_START, at)) >= 0:
        depth, cursor = 0, start
        while True:
            following_open = body.find(_SECTION_START, cursor + 1)
            close = body.find(_SECTION_END, cursor + 1)
            if close < 0:
                return found
            if 0 <= following_open < close and _is_section_open(body, following_open):
                depth += 1
                cursor = following_open
                continue
            if depth == 0:
                end = close + len(_SECTION_END)
                found.append(body[start:end])
                at = end
                break
            depth -= 1
            cursor = close
    return found


def _is_section_open(body: str, at: int) -> bool:
    return 'width="600"' in body[at : body.find("<![endif]-->", at)]


def content_of(html: str) -> str:
    """The content of a built email: its styles, then its sections but the header and footer."""
    head, _, body = html.partition("<body")
    parts = sections(body)
    title = next((i for i, part in enumerate(parts) if "<h1" in part), -1)
    kept = [part for part in parts[title + 1 :] if not _TAGS.search(part)]
    return "\n".join([*_STYLES.findall(head), *kept])
