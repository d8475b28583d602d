"""A photo from disk made ready for an email, with Pillow.

EXIF orientation applied, then every metadata block dropped (a phone photo carries its GPS
position); converted to what every mail client shows (JPEG for photos, PNG where there is
transparency, animated GIFs kept as GIF); resized to at most twice the width the theme shows it
at, proportions kept, never cropped; JPEGs progressive, at the highest quality that stays under
about 200 KB. The same input always gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

SETTINGS = "1"  # changes when the processing changes: cached images are made again
MAX_PIXELS = 80_000_000  # a larger picture is refused rather than decoded (a decompression bomb)
TARGET_BYTES = 200_000
QUALITIES = (82, 76, 70, 64, 58)


class NotAnImage(Exception):
    """Pillow cannot read it as a picture, or it is too large to read."""


@dataclass(frozen=True)
class Processed:
    data: bytes
    extension: str  # "jpg", "png" or "gif"
    width: int
    height: int
    source_width: int  # the picture's width before it was made smaller (upright)


def process(data: bytes, max_width: int) -> Processed:
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format == "GIF" and getattr(image, "n_frames", 1) > 1:
                    return _animated(image, max_width)
                if image.format == "JPEG":
                    image.draft("RGB", (max_width, max_width))  # decoded at a fraction of its size (either side may be the width)
                upright = ImageOps.exif_transpose(image)
                return _still(_srgb(upright), max_width)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotAnImage(str(exc) or type(exc).__name__) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # a cut or corrupt file
        raise NotAnImage(str(exc) or type(exc).__name__) from None


def _srgb(image: Image) -> Image:
    """Colours as they were meant, in sRGB, before the colour profile is dropped with the rest."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGB" if image.mode == "CMYK" else image.mode  # a print file's CMYK, with its own profile
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode) or image
    except (ImportError, OSError, ValueError, ImageCms.PyCMSError):
        return image


def _has_alpha(image: Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        lowest = image.getchannel("A").getextrema()[0]
        return isinstance(lowest, (int, float)) and lowest < 255
    return image.mode == "P" and "transparency" in image.info


def _still(image: Image, max_width: int) -> Processed:
    from PIL import Image

    alpha = _has_alpha(image)
    image = image.convert("RGBA" if alpha else "RGB")
    source_width = image.width
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if alpha:
        image.save(out, "PNG", optimize=True)
        return Processed(out.getvalue(), "png", image.width, image.height, source_width)
    for quality in QUALITIES:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, progressive=True, optimize=True, subsampling="4:2:0")
        if out.tell() <= TARGET_BYTES:
            break
    return Processed(out.getvalue(), "jpg", image.width, image.height, source_width)


def _animated(image: Image, max_width: int) -> Processed:
    from PIL import Image, ImageSequence

    scale = min(1.0, max_width / image.width)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        frame = frame.convert("RGBA")
        frames.append(frame.resize(size, Image.Resampling.LANCZOS) if scale < 1 else frame.copy())
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=image.info.get("loop", 0),
                   disposal=2, optimize=False)
    return Processed(out.getvalue(), "gif", size[0], size[1], image.width)
