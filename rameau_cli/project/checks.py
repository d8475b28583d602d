"""`rameau check`'s rules, by their stable ids, and the `check:` section of rameau.yaml that sets
their levels, as a linter's configuration does:

    check:
      rules:
        subject-length: off        # a 61-character subject is fine here
        link-moved: warning        # but links to redirects are to be fixed

The ids are part of the interface: CI configurations name them, `check` prints them with each
finding and `--json` carries them. Never rename one; add a new id instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import show
from .schema import TEXT, Boolean, Choice, Invalid, Kind, MapOf, Walk, closest, describe
from .settings import setting, settings_mapping

LEVELS = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class CheckRule:
    id: str
    level: str  # by default: "error" (check exits 1), "warning" (exits 1 with --strict) or "info"
    doc: str  # what it checks, for the README


RULES = {rule.id: rule for rule in (
    CheckRule("size-clipped", "error", "The HTML is over 102 KB: Gmail clips the rest of the message."),
    CheckRule("size-heavy", "warning", "The HTML is over 85 KB, near Gmail's clipping (the finding says how many "
                                       "articles to cut)."),
    CheckRule("style-size", "error", "A `<style>` block is over 16 KB: Gmail drops it."),
    CheckRule("placeholder-unknown", "warning", "The content holds a `{name}` that looks like a placeholder but is "
                                                "none rameau knows (only `{first_name}`): it is sent as it is."),
    CheckRule("merge-tag-in-content", "error", "The content holds text the profile's tool would read as a merge "
                                               "tag and documents no way to write as text (Mailchimp's `*|…|*`)."),
    CheckRule("image-base64", "error", "An image is embedded as base64 (`data:`): many mail clients do not show it."),
    CheckRule("image-https", "error", "An image is not at an absolute https URL."),
    CheckRule("image-alt", "error", "An image has no alt text."),
    CheckRule("image-width", "error", "An image has no explicit width (Outlook shows it at its full size)."),
    CheckRule("image-missing", "error", "An image from disk is missing from the output folder."),
    CheckRule("image-heavy", "warning", "An image from disk is over 200 KB: slow on a phone."),
    CheckRule("image-too-heavy", "error", "An image from disk is over 1 MB."),
    CheckRule("image-left-out", "warning", "An image an article or the édito names could not be used (missing, "
                                           "unreadable): the email goes out without it."),
    CheckRule("link-script", "error", "A link runs code (`javascript:`, `vbscript:`, `data:`)."),
    CheckRule("link-absolute", "error", "A link is not an absolute http(s) URL (or a `mailto:`)."),
    CheckRule("unsubscribe-missing", "error", "The HTML or the text part has no unsubscribe link (the emailing "
                                              "tool's tag)."),
    CheckRule("address-missing", "warning", "No postal address in `newsletter.address` (CAN-SPAM requires one)."),
    CheckRule("subject-missing", "error", "The subject is empty."),
    CheckRule("subject-too-long", "error", "The subject is over 78 characters."),
    CheckRule("subject-length", "warning", "The subject is over 50 characters: inboxes on phones show about 50."),
    CheckRule("preheader-missing", "error", "There is no preheader: inboxes show the email's first words instead."),
    CheckRule("preheader-length", "warning", "The preheader is under 40 or over 140 characters."),
    CheckRule("table-wide", "warning", "A table has more than 4 columns: it scrolls sideways on a phone."),
    CheckRule("outlook-wide", "warning", "Read as Outlook for Windows reads it (its conditional comments applied, "
                                         "overflow and white-space ignored), a table, a code line or an image is "
                                         "wider than the 600 px column: Outlook widens the whole email."),
    CheckRule("logo-dark-contrast", "warning", "The logo's ink is dark on a transparent background: on the dark "
                                               "palette it would vanish, so dark mode shows it on a light plate; "
                                               "`newsletter.logo_dark` gives a version made for it."),
    CheckRule("text-missing", "error", "There is no text part."),
    CheckRule("text-link-missing", "error", "A link of the HTML is not in the text part."),
    CheckRule("text-line-length", "error", "A line of the text part is over 78 columns (URLs and code excepted)."),
    CheckRule("text-image-url", "error", "The text part shows an image's URL."),
    CheckRule("html-parse", "error", "The HTML has parse errors (the first ten are listed)."),
    CheckRule("build-stale", "error", "A built email's sources changed since it was built (`--force` checks it "
                                      "anyway)."),
    CheckRule("article-skipped", "error", "An article file or feed entry could not be read: it is in no email."),
    CheckRule("front-matter-unknown", "warning", "An article or edition file has a key rameau does not know: it is "
                                                 "ignored (a misspelt known key stops the build instead)."),
    CheckRule("link-broken", "error", "`--links`: a link or image answers 404 or 410, or its host is unknown."),
    CheckRule("link-doubtful", "warning", "`--links`: a server error, 429, a timeout, a refused connection, a bad "
                                          "certificate, another 4xx, or too many redirects."),
    CheckRule("link-unchecked", "warning", "`--links`: a link not asked before the check's 20 s deadline, or "
                                           "leading to a local or private network (see `check.private_links`)."),
    CheckRule("link-moved", "info", "`--links`: a link redirects for good (301, 308): link to its target instead."),
)}


@dataclass(frozen=True)
class Checks:
    """The levels rameau.yaml gives to rules, overriding their defaults ("off": not reported)."""

    levels: tuple[tuple[str, str], ...] = ()
    private_links: bool = False  # `--links` asks links to loopback, private and link-local addresses too

    def level(self, rule: str) -> str:
        return dict(self.levels).get(rule) or (RULES[rule].level if rule in RULES else "error")


class Level(Kind):
    """`error`, `warning`, `info` or `off` (YAML reads an unquoted `off` or `no` as false)."""

    name = " or ".join(f"`{level}`" for level in LEVELS)
    type = str

    def read(self, value: Any, walk: Walk, path: str) -> str:
        if value is False:
            return "off"
        if value is True:
            raise Invalid(f"expected one of {', '.join(LEVELS)}, got true (YAML reads an unquoted on or yes as true); "
                          "write the level")
        if not isinstance(value, str):
            raise Invalid(f"expected one of {', '.join(LEVELS)}, got {describe(value)}")
        return Choice(*LEVELS).read(value.strip().lower(), walk, path)


class RuleId(Kind):
    name = "rule id"
    type = str

    def read(self, value: Any, walk: Walk, path: str) -> str:
        text = TEXT.read(value, walk, path)
        if text not in RULES:
            hint = closest(text, tuple(RULES))
            why = f"did you mean {hint!r}?" if hint else "the manual lists every rule (Reference: Check rules)"
            raise Invalid(f"unknown rule {show(text)}; {why}")
        return text


@dataclass(frozen=True)
class CheckSettings:
    """`check:` as written; `Checks` is what `rameau check` uses."""

    rules: dict[str, str] | None = setting(
        MapOf(Level(), id_kind=RuleId(), what="rule id"),
        "Each rule's level, by its id: `error`, `warning`, `info` or `off` (see Check rules).")
    private_links: bool = setting(Boolean(), "`true`: `--links` asks links to loopback, private and link-local "
                                  "addresses too (a newsletter of an intranet); otherwise they are never asked.",
                                  default=False)


CHECK = settings_mapping(CheckSettings, optional=True)


def check_settings(values: CheckSettings | None) -> Checks:
    if values is None:
        return Checks()
    return Checks(tuple(sorted((values.rules or {}).items())), bool(values.private_links))


def rules_table() -> str:
    """The README's table of rules: id, default level, what it checks."""
    lines = ["| rule | default | what it checks |", "| --- | --- | --- |"]
    lines += ["| " + " | ".join((f"`{rule.id}`", rule.level, rule.doc.replace("|", "\\|"))) + " |" for rule in RULES.values()]
    return "\n".join(lines)
