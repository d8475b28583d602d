"""Emailing-tool profiles: each tool's own merge tags for what the templates name neutrally
(the unsubscribe link, the view-online link, the recipient's first name)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from .placeholders import BRACE, CLOSE, OPEN, fill_placeholders

# Tools that render the body with Django's template language or one like it, where text between
# `{% verbatim %}` and `{% endverbatim %}` is written as it is: Buttondown (Django's own engine:
# https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#verbatim) and Brevo ("wrap them in
# this tag": https://help.brevo.com/hc/en-us/articles/360018252080). The run of text from the
# content's first `{` to the end of its text node (or attribute value, or to a placeholder) is
# wrapped whole, so that a `{{ … }}` or `{% … %}` in it stays one token inside the verbatim block.
DJANGO_LIKE = ("buttondown", "brevo")
VERBATIM = ("{% verbatim %}", "{% endverbatim %}")
_STRETCH = re.compile(BRACE + '[^<>"' + OPEN + "]*")  # to the end of the text, or to a placeholder
# listmonk: a literal `{{` is written `{{ "{{" }}` (Go text/template: a string constant in an action;
# the maintainer's answer in https://github.com/knadh/listmonk/issues/1088).
_MARK_REFERENCE = re.compile("&#(" + "|".join(str(ord(c)) for c in (OPEN, CLOSE, BRACE)) + ");")
_LISTMONK_BRACES = re.compile(r'\{\{ "(\{+)" \}\}')


@dataclass(frozen=True)
class Profile:
    name: str
    unsubscribe: Markup  # the unsubscribe URL, as the tool writes it
    view_online: Markup  # the web version's URL
    first_name: Markup  # the recipient's first name, with a fallback
    first_name_fallback: str = ""  # what the tool writes when it knows no first name: "à vous"
    web_version: Markup | str = ""  # the tool's own hosted copy of the campaign ("": it has none)
    manage: Markup = Markup("")  # the subscriber's page of choices (segments, address), where the tool has one

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Merge tags that stand where a URL would: never rewritten, never checked as links."""
        return (str(self.unsubscribe), str(self.view_online)) + ((str(self.manage),) if self.manage else ())

    @property
    def tags(self) -> tuple[str, ...]:
        """Every merge tag the theme writes."""
        return (str(self.unsubscribe), str(self.view_online), str(self.first_name)) + \
            ((str(self.manage),) if self.manage else ())

    def for_tool(self, rendered: str, html: bool) -> str:
        """A rendered part as the tool gets it: each placeholder its merge tag, each `{` of the
        content (marked while rendering, compose/placeholders.py) as the tool writes a literal `{`."""
        if html:  # the HTML writer may have written the private-use marks as character references
            rendered = _MARK_REFERENCE.sub(lambda m: chr(int(m.group(1))), rendered)
        if self.name == "listmonk":  # listmonk reads both parts as Go templates
            rendered = re.sub(BRACE + "+", lambda m: '{{ "' + "{" * len(m.group(0)) + '" }}', rendered)
        elif self.name in DJANGO_LIKE and html:  # they make their own text part from the HTML
            rendered = _STRETCH.sub(lambda m: VERBATIM[0] + m.group(0).replace(BRACE, "{") + VERBATIM[1], rendered)
        # the merge tags go in last: no verbatim block may hold one
        return fill_placeholders(rendered.replace(BRACE, "{"), {"first_name": str(self.first_name)})

    def readable(self, text: str, first_name: str, html: bool) -> str:
        """What a reader sees of a part `for_tool` wrote (web.html, previews, test sends): the
        literal braces as braces, the first name's merge tag as `first_name`."""
        text = fill_placeholders(text.replace(BRACE, "{"), {"first_name": first_name})
        if self.name == "listmonk":
            text = _LISTMONK_BRACES.sub(lambda m: m.group(1), text)
        elif self.name in DJANGO_LIKE:
            text = text.replace(VERBATIM[0], "").replace(VERBATIM[1], "")
        return text.replace(str(self.first_name), escape(first_name) if html else first_name)


def profile_for(name: str, language: str = "fr", fallback: str | None = None) -> Profile:
    """`fallback` is what the greeting says when the emailing tool knows no first name (default:
    the language's, "à vous" in French)."""
    if fallback is None:
        from .wording import wording_for

        fallback = wording_for(language).first_name_fallback
    lang = language.split("-")[0].upper()
    quote = '"' if "'" in fallback else "'"
    tags = {
        "generic": ("{{unsubscribe_url}}", "{{view_online_url}}", f"{{{{first_name|{fallback}}}}}"),
        "mailchimp": ("*|UNSUB|*", "*|ARCHIVE|*", f"*|IF:FNAME|**|FNAME|**|ELSE:|*{fallback}*|END:IF|*"),
        # Brevo's documented form: {{ contact.FIRSTNAME|default:'there' }} (no spaces around the colon, as
        # in Django: https://help.brevo.com/hc/en-us/articles/4405381108626)
        "brevo": ("{{ unsubscribe }}", "{{ mirror }}", f"{{{{ contact.FIRSTNAME|default:{quote}{fallback}{quote} }}}}"),
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
    return Profile(name, Markup(unsubscribe), Markup(view_online), Markup(first_name), fallback, hosted,
                   manage=Markup(MANAGE.get(name, "")))


# The page where a subscriber chooses what they receive, in the tools that have one: Mailchimp's
# *|UPDATE_PROFILE|* (its merge tag cheat sheet) and listmonk's {{ ManageURL }} (its templating
# docs). Brevo's {{ update_profile }} needs a form chosen for each campaign (its API's
# updateFormId), Buttondown, Mailjet and the generic profile have no such tag: none.
MANAGE = {"mailchimp": "*|UPDATE_PROFILE|*", "listmonk": "{{ ManageURL }}"}
