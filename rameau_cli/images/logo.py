"""A logo's ink against the dark palette: whether dark mode can show it as it is.

A logo with a transparent background takes the colour of the page behind it: dark ink on a
dark page almost disappears (a black logo on the theme's dark page is about 1.1:1). Its ink is
the average colour of its opaque pixels; below 3:1 against the dark page, the contrast WCAG
asks of graphics (1.4.11), dark mode shows it on a light plate, and `check` says so. An opaque
logo carries its own background and is shown as it is.
"""

from __future__ import annotations

import io

from PIL import Image, ImageStat, UnidentifiedImageError

from ..project.config import luminance, luminance_ratio, rgb

GRAPHICS = 3.0  # WCAG 2.1, 1.4.11 Non-text Contrast


def ink_contrast(data: bytes, page: str) -> float | None:
    """The contrast of a transparent logo's ink with `page` (#rrggbb); None when the logo is
    opaque (or cannot be read): its own background is behind its ink."""

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((128, 128))
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None
    alpha = rgba.getchannel("A")
    transparent = sum(alpha.histogram()[:128])
    if transparent < rgba.width * rgba.height // 20 or transparent == rgba.width * rgba.height:
        return None  # opaque, it brings its own background (or it shows nothing at all)
    opaque = alpha.point(lambda a: 255 if a >= 128 else 0)
    red, green, blue = ImageStat.Stat(rgba.convert("RGB"), mask=opaque).mean
    return luminance_ratio(luminance((red, green, blue)), luminance(rgb(page)))
