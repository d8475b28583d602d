"""Emailing-tool profiles: each tool's own merge tags for the links the templates name neutrally."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    unsubscribe: str
    view_online: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        return (self.unsubscribe, self.view_online)


def profile_for(name: str, language: str = "fr") -> Profile:
    lang = language.split("-")[0].upper()
    profiles = {
        "generic": Profile("generic", "{{unsubscribe_url}}", "{{view_online_url}}"),
        "mailchimp": Profile("mailchimp", "*|UNSUB|*", "*|ARCHIVE|*"),
        "brevo": Profile("brevo", "{{ unsubscribe }}", "{{ mirror }}"),
        "listmonk": Profile("listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}"),
        "mailjet": Profile("mailjet", f"[[UNSUB_LINK_{lang}]]", "[[PERMALINK]]"),
    }
    return profiles[name]
