"""`rameau send`, the whole procedure: the built emails of the edition (built.py), refused when
their sources changed since (unless `force`), each as a review copy for the addresses given, with
its images from disk attached, sent over SMTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..built import built_edition
from ..compose.profiles import profile_for
from ..errors import OutputError
from ..pipeline import assets_url
from ..project.addresses import MESSAGE
from .embed import embed_images
from .review import ReviewCopy, review_copy
from .smtp import send_messages, smtp_settings

if TYPE_CHECKING:
    from ..builds import BuildOptions
    from ..project.config import Config


def send_tests(config: Config, options: BuildOptions, recipients: tuple[str, ...], samples: dict[str, str],
               report: Callable[[ReviewCopy, list[str]], None], out_dir: Path | None = None, force: bool = False,
               now: dt.datetime | None = None) -> None:
    """Send a review copy of each built email the options name (with no edition named, each
    segment's latest build) to `recipients` (checked: review.check_recipients), merge tags filled
    with `samples` (review.parse_samples); `report(copy, accepted)` hears of each one sent."""
    out_dir = out_dir or config.output_dir
    edition = built_edition(config, options, out_dir)
    built = edition.present("message")
    if not force:
        edition.refuse_stale(OutputError, "nothing was sent")
    settings = smtp_settings()
    profile = profile_for(config.profile, config.newsletter.language)
    now = now or dt.datetime.now(config.newsletter.tz).replace(microsecond=0)
    titles = {segment.id: segment.title for segment in config.segments}
    copies = [review_copy(email.folder / MESSAGE, email.segment,
                          str(email.entry.get("title") or titles.get(email.segment, email.segment)),
                          recipients, profile, samples, now) for email in built]
    for copy in copies:  # images from disk attached: they show before they are published
        embed_images(copy.message, assets_url(config), out_dir)
    send_messages(copies, recipients, settings, report)
