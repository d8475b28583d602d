"""Images as they come from the wild: animations that decode to billions of pixels, 16-bit
scans, comments hidden in the file, pictures too tall for any email format."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageStat, PngImagePlugin

from rameau_cli.images.process import CannotMake, process

from helpers import set_public_url, with_front_matter

SECRET = b"Propriete-interne-ne-pas-publier"


def frame_bomb(width: int, height: int, frames: int, comment: bytes = b"") -> bytes:
    """A GIF of `frames` frames on a `width` x `height` canvas, each frame a 1 x 1 pixel patch:
    a few bytes on disk each, the whole canvas each once decoded."""
    out = [b"GIF89a", struct.pack("<HHBBB", width, height, 0x80, 0, 0), b"\x00\x00\x00\xff\xff\xff"]
    out.append(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")
    if comment:
        out.append(b"!\xfe" + bytes([len(comment)]) + comment + b"\x00")
    for number in range(frames):
        out.append(b"!\xf9\x04\x00\x02\x00\x00\x00")  # 2/100 s a frame
        x, y = number % width, (number // width) % height
        out.append(b"," + struct.pack("<HHHHB", x, y, 1, 1, 0))
        out.append(b"\x02\x02\x44\x01\x00")  # LZW: one pixel of colour 1
    out.append(b";")
    return b"".join(out)


def _png(mode: str, size: tuple[int, int], values: list[int] | None = None, **options: object) -> bytes:
    image = Image.new(mode, size)
    if values is not None:
        image.putdata(values)
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("size, frames", [((4000, 3000), 1500), ((120, 120), 2000), ((2500, 2500), 40)])
def test_an_animation_too_large_in_all_is_shown_by_its_first_frame(size, frames):
    bomb = frame_bomb(*size, frames)
    assert len(bomb) < 50_000
    made = process(bomb, 1104)
    assert f"{frames:,} frames" in made.note and "only its first frame is shown" in made.note
    image = _opened(made.data)
    assert getattr(image, "n_frames", 1) == 1 and image.width == min(size[0], 1104)


def test_a_small_animation_stays_animated():
    frames = [Image.new("RGB", (200, 100), (8 * n, 100, 200 - 8 * n)) for n in range(25)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50)
    made = process(out.getvalue(), 1104)
    assert made.note == "" and made.extension == "gif" and _opened(made.data).n_frames > 1


def _gray16_gradient(width: int = 256, height: int = 16) -> list[int]:
    return [x * 65_535 // (width - 1) for _ in range(height) for x in range(width)]


def _tiff(mode: str, values: list[float], size: tuple[int, int]) -> bytes:
    image = Image.new(mode, size)
    image.putdata(values)
    out = io.BytesIO()
    image.save(out, "TIFF")
    return out.getvalue()


@pytest.mark.parametrize("source", ["png-16", "tiff-16", "tiff-float", "png-16-dark"])
def test_deep_pictures_keep_their_tones(source):
    gradient = _gray16_gradient()
    data = {
        "png-16": lambda: _png("I;16", (256, 16), gradient),
        "tiff-16": lambda: _tiff("I;16", gradient, (256, 16)),
        "tiff-float": lambda: _tiff("F", [v / 65_535 for v in gradient], (256, 16)),
        "png-16-dark": lambda: _png("I;16", (256, 16), [v // 4 for v in gradient]),  # a dark scan: a quarter of the range
    }[source]()
    made = _opened(process(data, 1104).data).convert("L")
    stat = ImageStat.Stat(made)
    expected = 127.5 / (4 if source == "png-16-dark" else 1)
    assert abs(stat.mean[0] - expected) < 6, stat.mean
    assert stat.stddev[0] > expected / 2  # a gradient still, not a flat field
    left, right = made.getpixel((2, 8)), made.getpixel((made.width - 3, 8))
    assert left < 12 and right > (255 / (4 if source == "png-16-dark" else 1)) - 12


def _jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(out, "JPEG", comment=SECRET)
    return out.getvalue()


def _gif_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (120, 80), 1).save(out, "GIF", comment=SECRET)
    return out.getvalue()


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET.decode())
    info.add_text("Comment", SECRET.decode(), zip=True)
    info.add_itxt("Description", SECRET.decode(), lang="fr", tkey="Description")
    image = Image.new("RGBA", (100, 100), (10, 20, 30, 128))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, icc_profile=b"")
    return out.getvalue()


def _webp_with_xmp() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    Image.new("RGB", (160, 90), (0, 90, 40)).save(out, "WEBP", exif=exif, xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>")
    return out.getvalue()


COMMENTED = {"jpeg-comment.jpg": _jpeg_with_comment, "gif-comment.gif": _gif_with_comment,
             "animated-comment.gif": lambda: frame_bomb(64, 64, 4, SECRET), "png-text.png": _png_with_text,
             "webp-xmp.webp": _webp_with_xmp}


@pytest.mark.parametrize("name", sorted(COMMENTED))
def test_no_comment_or_text_survives(name):
    made = process(COMMENTED[name](), 1104)
    assert SECRET not in made.data
    image = _opened(made.data)
    assert not {"comment", "exif", "xmp", "icc_profile", "Author", "Comment", "Description"} & set(image.info)


def test_a_picture_too_tall_for_a_jpeg_is_said_so():
    tall = _png("L", (100, 70_000))
    with pytest.raises(CannotMake, match=r"100 x 70,000 pixels, and a JPEG can be at most 65,535"):
        process(tall, 1104)
    # With transparency it would be a PNG, which has room for it.
    assert process(_png("LA", (40, 70_000)), 1104).extension == "png"


def test_published_images_carry_no_comment_and_bombs_are_warned(example, run):
    articles = example / "articles"
    (articles / "commentaire.jpg").write_bytes(_jpeg_with_comment())
    # A canvas small enough to decode at once: the frames are too many (the canvas of the fault
    # report is decoded in test_the_frame_bomb_of_a_gif_decodes_one_frame).
    (articles / "bombe.gif").write_bytes(frame_bomb(400, 400, 1200, SECRET))
    (articles / "scan.png").write_bytes(_png("I;16", (256, 16), _gray16_gradient()))
    (articles / "bandeau.png").write_bytes(_png("L", (100, 70_000)))
    pictures = {"laureats-trophees-alliances-territoriales-2026": "commentaire.jpg",
                "formation-gouvernance-partagee": "bombe.gif",
                "journee-alliances-citoyennes-5-decembre": "scan.png",
                "charte-ethique-partenariats-revisee": "bandeau.png"}
    for slug, name in pictures.items():
        with_front_matter(articles / f"{slug}.md", f"image: {name}\nimage_alt: Une image")
    set_public_url(example)
    for _ in range(2):  # made, then taken from the cache: the same warnings
        result = run("build-issue", cwd=example)
        assert result.code == 0, result.stderr
        assert "'bombe.gif' is an animation of 1,200 frames" in result.stderr
        assert "'bandeau.png' is 100 x 70,000 pixels" in result.stderr and "corrupt" not in result.stderr
    assets = list((example / "dist" / "public" / "assets").iterdir())
    assert len(assets) == 3
    for path in assets:
        assert SECRET not in path.read_bytes(), path.name
    scan = next(path for path in assets if "scan" in path.name)
    assert ImageStat.Stat(Image.open(scan).convert("L")).mean[0] < 200


def test_the_frame_bomb_of_a_gif_decodes_one_frame():
    """The figure of the fault report: 2,000 frames on a 4,000 x 4,000 canvas (4.3 GB and
    more than 300 s before)."""
    bomb = frame_bomb(4000, 4000, 2000)
    made = process(bomb, 1104)
    assert "2,000 frames" in made.note
    assert zlib.crc32(made.data) == zlib.crc32(process(bomb, 1104).data)  # the same bytes each time
