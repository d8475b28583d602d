"""`rameau check`, the whole procedure: the built emails of the edition (built.py; with no
edition named, each segment's latest build) when there are some, else the edition built in
memory; the rules of rules.py on each, the links asked with --links (links.py), and the levels
the project gives the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..built import built_edition
from ..cache.base import CacheFolder
from ..compose.profiles import profile_for
from ..errors import ContentError, Problem
from ..images.assets import NAME, shown_in
from ..pipeline import build
from ..project.addresses import HTML, MESSAGE, TEXT, Addresses
from ..project.keys import unknown_key
from ..render.message import build_message
from .rules import CheckedEmail, Finding, check_email, finding, with_levels

if TYPE_CHECKING:
    from ..builds import Build, BuildOptions
    from ..built import BuiltEmail
    from ..compose.profiles import Profile
    from ..project.config import Config

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Report:
    """What a check found: where it looked, the emails it read, and its findings."""

    where: str
    emails: tuple[CheckedEmail, ...]
    findings: tuple[Finding, ...]

    def count(self, level: str) -> int:
        return sum(f.level == level for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {"checked": self.where, "segments": [e.segment for e in self.emails], "errors": self.count("error"),
                "warnings": self.count("warning"), "findings": [f.__dict__ for f in self.findings]}


def run_check(config: Config, options: BuildOptions, out: Path | None = None, force: bool = False, links: bool = False,
              progress: Progress | None = None) -> Report:
    """The whole of `rameau check`: the emails the options name (only `options.segments`, when
    given), their findings, and with `links` their links asked; at the project's levels."""
    where, emails, findings = check_edition(config, options, out, force, progress)  # of options.segments alone
    if links:
        from .links import check_links  # noqa: PLC0415 (start-up: threads and the fetching code, only for --links)

        findings += check_links(emails, CacheFolder(config.cache_dir), progress, config.checks.private_links,
                                public_url=config.public_url, public_dir=config.addresses(out).public,
                                offline=options.offline)
    return Report(where, tuple(emails), tuple(with_levels(findings, config.checks)))


def emails_from_build(built: Build) -> list[CheckedEmail]:
    """The emails of an edition built in memory."""

    return [
        CheckedEmail(e.issue.segment.id, e.issue.subject, e.issue.preheader, e.html, e.text,
                     e.issue.profile.placeholders, str(e.issue.profile.unsubscribe), len(e.issue.articles),
                     _sizes(shown_in(e.html, built.assets), built.assets),
                     tuple((a.id, a.canonical_url) for a in e.issue.articles + e.issue.more),
                     list_unsubscribe(build_message(e.issue, e.html, e.text)), e.issue.profile)
        for e in built.emails
    ]


def _sizes(shown: set[str], assets: dict[str, bytes]) -> tuple[tuple[str, int], ...]:
    """The images from disk an email shows, each with its size, in the build's order."""
    return tuple((name, len(data)) for name, data in assets.items() if name in shown)


def list_unsubscribe(message: bytes) -> tuple[str, ...]:
    """The targets of a message's List-Unsubscribe header: `<a>, <b>` gives (a, b)."""

    header = str(BytesHeaderParser().parsebytes(message).get("List-Unsubscribe") or "")
    return tuple(re.findall(r"<([^>]*)>", header))


def email_from_folder(built: BuiltEmail, profile: Profile) -> CheckedEmail:
    """An email written by build-issue (its files and manifest entry)."""

    entry = built.entry
    try:
        html = (built.folder / HTML).read_text(encoding="utf-8")
        text = (built.folder / TEXT).read_text(encoding="utf-8")
        message = (built.folder / MESSAGE).read_bytes()
    except (OSError, ValueError) as exc:
        raise ContentError(Problem(str(built.folder), f"cannot read the built email ({exc}); build it again")) from None
    articles = [a for a in entry.get("articles", []) if isinstance(a, dict)]
    return CheckedEmail(built.segment, str(entry.get("subject", "")), str(entry.get("preheader", "")), html, text,
                        profile.placeholders, str(profile.unsubscribe), len(entry.get("articles", [])),
                        _asset_sizes(built.out, entry.get("assets")),
                        tuple((str(a.get("id", "")), str(a.get("url", ""))) for a in articles),
                        list_unsubscribe(message), profile)


def _asset_sizes(out_dir: Path, names: Any) -> tuple[tuple[str, int | None], ...]:
    sizes: list[tuple[str, int | None]] = []
    for name in names if isinstance(names, list) else []:
        if isinstance(name, str) and NAME.fullmatch(name):
            path = Addresses(out_dir).asset(name)
            sizes.append((name, path.stat().st_size if path.is_file() else None))
    return tuple(sizes)


def check_edition(config: Config, options: BuildOptions, out: Path | None = None, force: bool = False,
                  progress: Progress | None = None) -> tuple[str, list[CheckedEmail], list[Finding]]:
    """Findings for what the options name: the built emails (with no edition named, each
    segment's latest build) when there are some, else the edition built in memory; a built
    email that the sources would now build differently (unless `force`), and every article
    that could not be read, are errors. Returns (where, emails, findings)."""

    edition = built_edition(config, options, out or config.output_dir)
    built = edition.emails
    findings: list[Finding] = []
    if built:
        profile = profile_for(config.profile, config.newsletter.language)  # its fallback: the language's
        emails = [email_from_folder(email, profile) for email in built]
        where = ", ".join(dict.fromkeys(str(email.folder.parent) for email in built))
        problems, fresh = edition.stale()
        if not force:
            findings += [finding(Path(p.where).name, "build-stale", f"{p.where}: {p.message}") for p in problems]
    else:
        fresh = build(config, options, progress=progress)
        emails = emails_from_build(fresh)
        where = f"edition {', '.join(e.edition.id for e in fresh.editions)}, built in memory"
    if fresh is not None:
        findings += [finding("", "article-skipped", f"{p}; it is in no email") for p in fresh.pool.skipped]
        findings += [finding("", "image-left-out", str(p)) for p in fresh.image_warnings]
        findings += [finding("", "front-matter-unknown", str(p)) for p in fresh.warnings if unknown_key(p)]
    if not config.newsletter.address:
        findings.append(finding("", "address-missing", "rameau.yaml: newsletter.address: no postal address; add the "
                                "organisation's (CAN-SPAM requires one, and several emailing tools refuse a campaign "
                                "without it)"))
    return where, emails, findings + [finding for email in emails for finding in check_email(email)]
