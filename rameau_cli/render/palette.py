"""The theme's two palettes, and the accent's shade for dark mode.

A segment's accent is chosen for white text on it (project/config.py warns below 4.5:1); on the
dark palette the same accent is often too dark to read as text or to tell a button from the
card. Dark mode keeps the accent when it reads, else lightens it (mixed with white) just enough
for 4.5:1 against the dark card, and for the dark label on a filled button.
"""

from __future__ import annotations

from ..compose.issue import DARK_PAGE  # the page behind the cards (and the logo), in dark mode
from ..memo import kept
from ..project.config import contrast

DARK_CARD = "#1c2220"
DARK_TEXT = "#ece9e2"
LIGHT_PLATE = "#f2efe8"  # the light page: a plate behind a logo whose ink would vanish on the dark one
READABLE = 4.5


def _mix(colour: str, white: float) -> str:
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in channels)


@kept(64)  # memo.py: each accent's search (up to 202 contrasts) done once, not at every email
def dark_accent(accent: str) -> str:
    """The accent as dark mode shows it: itself when it keeps 4.5:1 against the dark card (and
    the dark page as a filled button's label), else the first lighter shade that does."""
    for step in range(0, 101):
        shade = _mix(accent.lower(), step / 100)
        if contrast(shade, DARK_CARD) >= READABLE and contrast(shade, DARK_PAGE) >= READABLE:
            return shade
    return "#ffffff"
