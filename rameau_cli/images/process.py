"""A photo from disk made ready for an email, with Pillow.

EXIF orientation applied, then every metadata block dropped (a phone photo carries its GPS
position; a comment can carry anything): nothing of the source's `info` reaches the file made;
16-bit and other deep pictures scaled to 8 bits (not clipped: a 16-bit scan would come out
white); converted to what every mail client shows (JPEG for photos, PNG where there is
transparency, animated GIFs kept as GIF); resized to at most twice the width the theme shows it
at, proportions kept, never cropped; JPEGs progressive, at the highest quality that stays under
about 200 KB. The same input always gives the same bytes.

The pixel cap counts every frame: an animation whose frames hold more pixels in all than one
still picture may have (a GIF of 2,000 frames of 4,000 x 4,000 pixels is 46 KB on disk and 32
billion pixels decoded) is shown by its first frame, with a note saying so.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

SETTINGS = "2"  # changes when the processing changes: cached images are made again
MAX_PIXELS = 80_000_000  # a larger picture is refused rather than decoded (a decompression bomb)
# An animation of more frames, or more pixels in all, is shown by its first frame: each frame is
# decoded at the size of the whole picture, and kept (4 bytes a pixel) until the GIF is written.
MAX_FRAMES = 300
MAX_ANIMATION_PIXELS = 25_000_000
# The largest side each format can hold (JPEG's and GIF's sizes are 16-bit numbers).
MAX_SIDE = {"JPEG": 65_535, "GIF": 65_535, "PNG": 2**31 - 1}
TARGET_BYTES = 200_000
QUALITIES = (82, 76, 70, 64, 58)


class NotAnImage(Exception):
    """Pillow cannot read it as a picture, or it is too large to read."""


class CannotMake(Exception):
    """A picture that was read well but cannot be written in the format an email needs."""


@dataclass(frozen=True)
class Processed:
    data: bytes
    extension: str  # "jpg", "png" or "gif"
    width: int
    height: int
    source_width: int  # the picture's width before it was made smaller (upright)
    note: str = ""  # what was done that the author should know (an animation shown still)


def process(data: bytes, max_width: int) -> Processed:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                frames = getattr(image, "n_frames", 1)  # counted from the frames' headers, none decoded
                if image.format == "GIF" and frames > 1:
                    if frames <= MAX_FRAMES and frames * image.width * image.height <= MAX_ANIMATION_PIXELS:
                        return _animated(image, max_width)
                    return _first_frame(image, frames, max_width)
                if image.format == "JPEG":
                    image.draft("RGB", (max_width, max_width))  # decoded at a fraction of its size (either side may be the width)
                upright = ImageOps.exif_transpose(image)
                return _still(_srgb(_eight_bits(upright)), max_width)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotAnImage(str(exc) or type(exc).__name__) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # a cut or corrupt file
        raise NotAnImage(str(exc) or type(exc).__name__) from None


def _srgb(image: Image.Image) -> Image.Image:
    """Colours as they were meant, in sRGB, before the colour profile is dropped with the rest."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        from PIL import ImageCms  # noqa: PLC0415 (a Pillow without littleCMS has none: colours stay as they are)

        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGB" if image.mode == "CMYK" else image.mode  # a print file's CMYK, with its own profile
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode) or image
    except (ImportError, OSError, ValueError, ImageCms.PyCMSError):
        return image


def _first_frame(image: Image.Image, frames: int, max_width: int) -> Processed:
    pixels = frames * image.width * image.height
    still = _still(image, max_width)
    note = (f"is an animation of {frames:,} frames of {image.width:,} x {image.height:,} pixels ({pixels / 1e6:,.0f} "
            f"megapixels in all; at most {MAX_FRAMES} frames and {MAX_ANIMATION_PIXELS // 1_000_000} megapixels are "
            "made): "
            "only its first frame is shown; export a shorter or smaller animation")
    return Processed(still.data, still.extension, still.width, still.height, still.source_width, note)


def _eight_bits(image: Image.Image) -> Image.Image:
    """A picture of 16 bits (or 32, or floats) a channel as 8 bits, its tones scaled, not clipped
    (Pillow's convert() keeps the values up to 255 and makes all others white)."""
    if image.mode.startswith("I;16"):
        image = image.convert("I")
    if image.mode not in ("I", "F"):
        return image
    extrema = image.getextrema()  # (lowest, highest) for a picture of one channel
    low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
    if image.mode == "I" and low >= 0 and high <= 65_535:
        low, high = 0, 65_535  # a 16-bit picture, as its file says
    elif image.mode == "F" and low >= 0 and high <= 1:
        low, high = 0, 1
    scale = 255 / (high - low) if high > low else 0
    return image.point(lambda value: (value - low) * scale).convert("L")


def _bare(image: Image.Image) -> Image.Image:
    """The picture without anything Pillow read beside its pixels (comments, EXIF, XMP, colour
    profile, text chunks): Pillow writes some of them again from `info` when it saves."""
    image.info = {}
    return image


def _fits(image: Image.Image, kind: str) -> None:
    limit = MAX_SIDE[kind]
    if max(image.size) > limit:
        name = {"JPEG": "a JPEG", "GIF": "a GIF", "PNG": "a PNG"}[kind]
        raise CannotMake(f"is {image.width:,} x {image.height:,} pixels, and {name} can be at most {limit:,} pixels "
                         "on a side; cut it into several images")


def _saved(image: Image.Image, kind: str, **options: object) -> bytes:
    _fits(image, kind)
    out = io.BytesIO()
    try:
        _bare(image).save(out, kind, **options)
    except (OSError, ValueError) as exc:
        raise CannotMake(f"can be read, but cannot be made into {kind} ({str(exc).strip() or type(exc).__name__}); "
                         "export it again, smaller, as JPEG or PNG") from None
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        lowest = image.getchannel("A").getextrema()[0]
        return isinstance(lowest, (int, float)) and lowest < 255
    return image.mode == "P" and "transparency" in image.info


def _still(image: Image.Image, max_width: int) -> Processed:
    alpha = _has_alpha(image)
    image = image.convert("RGBA" if alpha else "RGB")
    source_width = image.width
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    if alpha:
        return Processed(_saved(image, "PNG", optimize=True), "png", image.width, image.height, source_width)
    for quality in QUALITIES:
        data = _saved(image, "JPEG", quality=quality, progressive=True, optimize=True, subsampling="4:2:0")
        if len(data) <= TARGET_BYTES:
            break
    return Processed(data, "jpg", image.width, image.height, source_width)


def _animated(image: Image.Image, max_width: int) -> Processed:
    scale = min(1.0, max_width / image.width)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        frame = frame.convert("RGBA")
        frames.append(_bare(frame.resize(size, Image.Resampling.LANCZOS) if scale < 1 else frame.copy()))
    data = _saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=durations,
                  loop=image.info.get("loop", 0), disposal=2, optimize=False)
    return Processed(data, "gif", size[0], size[1], image.width)
