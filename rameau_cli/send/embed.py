"""Test sends show the images from disk before they are published: each one the HTML points at
under `<output.public_url>/assets/` (project/addresses.py) is attached to the message (multipart/related) and the HTML
points at the attachment (`cid:`) instead. The message of the output folder is not changed: it
is the one for the emailing tool, which links the published files."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from ..errors import ContentError, Problem
from ..images.assets import NAME, content_type
from ..project.addresses import Addresses


def embed_images(message: EmailMessage, assets_url: str | None, out_dir: Path) -> EmailMessage:
    """`message` with the images from disk it shows attached; unchanged when it shows none."""
    html_part = message.get_body(("html",))
    if html_part is None or not assets_url:
        return message
    html = html_part.get_content()
    pattern = re.compile(rf'(src=")({re.escape(assets_url.rstrip("/"))}/({NAME.pattern}))(")')
    names = list(dict.fromkeys(match.group(3) for match in pattern.finditer(html)))
    if not names:
        return message
    files: dict[str, bytes] = {}
    for name in names:
        path = Addresses(out_dir).asset(name)
        try:
            files[name] = path.read_bytes()
        except OSError:
            raise ContentError(Problem(str(path), "is missing, and the message shows it; run rameau build-issue "
                                                  "again")) from None
    html = pattern.sub(lambda m: f"{m.group(1)}cid:{m.group(3)}@rameau{m.group(4)}", html)
    html_part.set_content(html, subtype="html", cte="quoted-printable")
    for name, data in files.items():
        maintype, subtype = content_type(name).split("/")
        html_part.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{name}@rameau>", filename=name,
                              disposition="inline")
    return message
