"""Emailing-tool profiles: each tool's own merge tags for what the templates name neutrally
(the unsubscribe link, the view-online link, the recipient's first name)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Profile:
    name: str
    unsubscribe: Markup  # the unsubscribe URL, as the tool writes it
    view_online: Markup  # the web version's URL
    first_name: Markup  # the recipient's first name, with a fallback
    first_name_fallback: str = ""  # what the tool writes when it knows no first name: "à vous"
    web_version: Markup | str = ""  # the tool's own hosted copy of the campaign ("": it has none)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Merge tags that stand where a URL would: never rewritten, never checked as links."""
        return (str(self.unsubscribe), str(self.view_online))


def profile_for(name: str, language: str = "fr", fallback: str | None = None) -> Profile:
    """`fallback` is what the greeting says when the emailing tool knows no first name (default:
    the language's, "à vous" in French)."""
    if fallback is None:
        from .wording import wording_for

        fallback = wording_for(language).first_name_fallback
    lang = language.split("-")[0].upper()
    tags = {
        "generic": ("{{unsubscribe_url}}", "{{view_online_url}}", f"{{{{first_name|{fallback}}}}}"),
        "mailchimp": ("*|UNSUB|*", "*|ARCHIVE|*", f"*|IF:FNAME|**|FNAME|**|ELSE:|*{fallback}*|END:IF|*"),
        "brevo": ("{{ unsubscribe }}", "{{ mirror }}", f'{{{{ contact.FIRSTNAME | default : "{fallback}" }}}}'),
        "listmonk": ("{{ UnsubscribeURL }}", "{{ MessageURL }}", f'{{{{ .Subscriber.FirstName | default "{fallback}" }}}}'),
        "mailjet": (f"[[UNSUB_LINK_{lang}]]", "[[PERMALINK]]", f'[[data:firstname:"{fallback}"]]'),
        "buttondown": ("{{ unsubscribe_url }}", "{{ email_url }}",
                       f'{{{{ subscriber.metadata.first_name|default:"{fallback}" }}}}'),
    }
    unsubscribe, view_online, first_name = tags[name]
    # The tags are ours, not content: marked safe so that autoescaping keeps their quotes intact.
    # The generic profile's view-online tag is a stand-in for the project's own page, not a
    # copy any tool keeps: a segment that publishes nothing has no view-online link there.
    # listmonk: {{ MessageURL }} (listmonk.app/docs/templating), Mailchimp: *|ARCHIVE|*, Brevo:
    # {{ mirror }}, Mailjet: [[PERMALINK]], Buttondown: {{ email_url }}.
    hosted = Markup(view_online) if name != "generic" else ""
    return Profile(name, Markup(unsubscribe), Markup(view_online), Markup(first_name), fallback, hosted)
