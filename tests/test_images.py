"""Images from disk: next to their articles, made email-ready, published with the issue."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from rameau_cli.cache.base import NO_CACHE
from rameau_cli.images import process as process_module
from rameau_cli.images.process import NotAnImage, process
from rameau_cli.pipeline import BuildOptions, build, load_project
from rameau_cli.render.emails import render_within

from helpers import (
    GPS,
    ORIENTATION,
    PUBLIC,
    REPO,
    add_body,
    camera_files,
    checked,
    copy_example,
    invoke,
    logo_png,
    photo,
    set_public_url,
    tree,
    with_front_matter,
    with_photos,
)


@pytest.fixture(scope="module")
def smaller() -> dict[str, bytes]:
    """The files of `images` at a third of their size (the camera photo 1333 x 1000, still wider
    than any email shows it, with its GPS position; the portrait still sideways): for the tests
    that are not about the photos' size, which decoding and resizing 4000 x 3000 pixels in each
    would cost seconds. The real sizes are published in
    test_photos_next_to_articles_are_published_email_ready."""

    return camera_files(scale=3)


@pytest.fixture(scope="module")
def built_photos(tmp_path_factory, smaller) -> Path:
    """The example with `smaller`'s photos next to six of the week's articles, built once for the
    module: its images made once (tests copy it)."""

    project = with_photos(copy_example(tmp_path_factory.mktemp("photos") / "project"), smaller)
    assert invoke("build-issue", cwd=project).code == 0
    return project


@pytest.fixture
def photos(built_photos, tmp_path) -> Path:
    """The example with a photo (or a broken file) next to six of the week's articles, not built,
    its caches as a first build left them (its images made: making them is what
    test_photos_next_to_articles_are_published_email_ready and the tests without a cache test)."""

    return shutil.copytree(built_photos, tmp_path / "project", symlinks=True,
                           ignore=lambda folder, names: [n for n in names if folder == str(built_photos)
                                                         and n in ("dist", "history.json", "history")])


def shown(html: str) -> list[tuple[str, str, str]]:
    """(src, width, height) of every image of the email from the output folder's assets."""
    return re.findall(rf'<img src="{re.escape(PUBLIC)}/assets/([^"]+)"[^>]*? width="(\d+)"(?: height="(\d+)")?', html)


def test_photos_next_to_articles_are_published_email_ready(example, images, run):
    photos = with_photos(example, images)  # the camera's 4000 x 3000 photo
    result = run("build-issue", cwd=photos)
    assert result.code == 0, result.stderr
    assets = photos / "dist" / "public" / "assets"
    files = {path.name: path.read_bytes() for path in assets.iterdir()}
    used = {name for email in (photos / "dist" / "2026-W48").glob("*/index.html")
            for name, _, _ in shown(email.read_text(encoding="utf-8"))}
    assert used == set(files)
    stems = {re.sub(r"^[0-9a-f]{16}-", "", name).rsplit(".", 1)[0] for name in files}
    assert stems == {"ete-a-lyon", "portrait", "logo", "feuilles"}
    for name, data in files.items():
        image = Image.open(io.BytesIO(data))
        assert image.width <= 1200 and len(data) <= 300_000, name
        assert name.startswith(hashlib.sha256(data).hexdigest()[:16])
        exif = image.getexif()
        assert GPS not in exif and ORIENTATION not in exif and "icc_profile" not in image.info, name
        if "portrait" in name:
            assert image.height > image.width  # upright
            assert image.getpixel((image.width // 2, 2))[2] < 100  # the yellow band (the top) is up
        if "logo" in name:
            assert image.format == "PNG" and image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0
        if "feuilles" in name or "ete" in name:
            assert image.format == "JPEG" and image.info.get("progressive")
    # The width and height in the HTML are those of the file, shown at half its pixels at most.
    html = (photos / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    for name, width, height in shown(html):
        image = Image.open(assets / name)
        assert int(width) * 2 <= max(image.width, 2 * int(width)) and int(width) <= image.width
        assert abs(int(height) - int(width) * image.height / image.width) <= 1
    # The broken files are warnings naming them; their articles still go out.
    assert "fondations-territoriales-appel-a-projets.md: image: 'cassée.jpg' cannot be read as an image" in result.stderr
    assert "webinaire-evaluation-impact-associations.md: image: 'schema.svg' is an SVG" in result.stderr
    assert "Fondations territoriales" in html and "webinaire" in html.lower()


def test_a_second_build_changes_no_byte_and_makes_no_image(photos, run, monkeypatch):
    assert run("build-issue", cwd=photos).code == 0
    before = tree(photos)

    def no_image_work(*args, **kwargs):
        raise AssertionError("an image was made again")

    monkeypatch.setattr("rameau_cli.images.process.process", no_image_work)
    assert run("build-issue", cwd=photos).code == 0
    assert tree(photos) == before


def test_without_public_url_build_issue_refuses_and_writes_nothing(photos, run):
    config = photos / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(f"  public_url: {PUBLIC}\n", ""), encoding="utf-8")
    before = tree(photos)
    result = run("build-issue", cwd=photos)
    assert result.code == 2
    assert "output.public_url: is not set" in result.stderr and "shows an image from disk" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    after = tree(photos)
    assert {name for name in after.keys() - before.keys() if not name.startswith(".rameau-cache/yaml/")} == set()
    assert not (photos / "dist").exists()
    # The previews work without it.
    assert run("preview", "--segment", "quotidienne", cwd=photos).code == 0
    assert run("articles", cwd=photos).code == 0


def test_strict_fails_on_an_image_left_out_and_check_reports_it(photos, run):
    result = run("build-issue", "--strict", cwd=photos)
    assert result.code == 1 and not (photos / "dist").exists()
    assert run("build-issue", cwd=photos).code == 0
    checked = run("check", cwd=photos)
    assert "cassée.jpg" in checked.stdout and "schema.svg" in checked.stdout
    assert run("check", "--strict", cwd=photos).code == 1


def test_images_in_bodies_and_the_edito(example, smaller, run):
    """Relative to the file that names them, in subfolders, from the project folder with a
    leading /, with spaces; a file outside the project, a link to one and other schemes are
    refused with a warning; the article goes out without the image."""
    set_public_url(example)
    (example / "articles" / "photos").mkdir()
    (example / "articles" / "photos" / "Été à Lyon.jpg").write_bytes(smaller["Été à Lyon.jpg"])
    (example / "media").mkdir()
    (example / "media" / "logo.png").write_bytes(smaller["logo.png"])
    (example.parent / "secret.png").write_bytes(smaller["logo.png"])
    (example / "articles" / "lien.png").symlink_to(example.parent / "secret.png")
    article = example / "articles" / "laureats-trophees-alliances-territoriales-2026.md"
    with_front_matter(article, "body: full")
    add_body(article, "![Le jury à Lyon](<photos/Été à Lyon.jpg>)\n\n![Logo](/media/logo.png)\n\n"
                      "![Encore](photos/%C3%89t%C3%A9%20%C3%A0%20Lyon.jpg)\n\n![Secret](../../secret.png)\n\n"
                      "![Lien](lien.png)\n\n![Absent](photos/absente.jpg)\n\n"
                      "![Distante](https://cdn.example.org/photo.jpg)")
    with_front_matter(example / "articles" / "formation-gouvernance-partagee.md", "image: file:///etc/passwd")
    edition = next((example / "issues").glob("2026-W48*"))
    add_body(edition, "![Le logo](../media/logo.png)")
    result = run("build-issue", cwd=example)
    assert result.code == 0, result.stderr
    html = (example / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    names = [name for name, _, _ in shown(html)]
    assert len(set(names)) == 2 and sum("ete-a-lyon" in n for n in names) == 2 and sum("logo" in n for n in names) == 2
    assert "https://cdn.example.org/photo.jpg" in html
    assert "secret" not in html and "lien.png" not in html and "passwd" not in html
    for fragment in ("'../../secret.png' is outside the project folder", "'lien.png' is outside the project folder",
                     "'photos/absente.jpg' was not found", "image: 'file:///etc/passwd' is not an https address"):
        assert fragment in result.stderr, result.stderr
    assert "Formation" in html or "formation" in html  # the article with a refused image still goes out


def test_a_feed_never_reads_a_file(example, run):
    """An entry's <img src="logo.png"> is a link on the entry's site, never a file of the project."""
    (example / "logo.png").write_bytes(logo_png())  # the logo of `images`
    feed = example / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>https://site.example.org/</link>'
        "<item><title>Entrée</title><link>https://site.example.org/a/</link><pubDate>Wed, 25 Nov 2026 10:00:00 +0000"
        '</pubDate><description><![CDATA[<p>Texte</p><img src="/logo.png" alt="x"><img src="../logo.png" alt="y">]]>'
        "</description><enclosure url=\"logo.png\" type=\"image/png\" length=\"1\"/></item></channel></rss>",
        encoding="utf-8")
    config = example / "rameau.yaml"
    text = checked(config.read_text(encoding="utf-8")).replace("  - markdown: articles\n", "  - markdown: articles\n  - feed: feed.xml\n")
    config.write_text(text.replace("    cadence: daily\n", "    cadence: daily\n    body: full\n", 1), encoding="utf-8")
    set_public_url(example)
    result = run("build-issue", "--week", "2026-W48", cwd=example)
    assert result.code == 0, result.stderr
    assert not (example / "dist" / "public" / "assets").exists()
    html = (example / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    assert "Entrée" in html
    assert 'src="https://site.example.org/logo.png"' in html  # the entry's site, as a browser would read it


def test_a_damaged_cache_is_made_again_with_the_same_bytes(photos, run):
    assert run("build-issue", cwd=photos).code == 0
    first = tree(photos / "dist" / "public" / "assets")
    for cached in (photos / ".rameau-cache" / "images").iterdir():
        if cached.suffix in (".jpg", ".png"):
            cached.write_bytes(cached.read_bytes()[:100])
    (photos / "dist" / "public" / "assets" / next(iter(first))).write_bytes(b"cut")
    assert run("build-issue", "--resend", cwd=photos).code == 0
    assert tree(photos / "dist" / "public" / "assets") == first


def test_check_weighs_the_images(photos, run):
    """A heavy PNG (a photo saved with transparency) is a warning over 200 KB, an error over 1 MB."""
    noisy = Image.effect_noise((850, 520), 90).convert("RGBA")  # about 1.3 MB as a PNG: noise does not compress
    noisy.putpixel((0, 0), (0, 0, 0, 0))
    out = io.BytesIO()
    noisy.save(out, "PNG", compress_level=0)  # 1.8 MB, stored as it is: deflating noise only costs time
    (photos / "articles" / "logo.png").write_bytes(out.getvalue())
    assert run("build-issue", cwd=photos).code == 0
    result = run("check", "--json", cwd=photos)

    findings = [f for f in json.loads(result.stdout)["findings"] if f["rule"] in ("image-heavy", "image-too-heavy") and "weighs" in f["message"]]
    assert findings and all(f["level"] == "error" for f in findings), findings
    assert result.code == 1


def saved(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


@pytest.mark.parametrize("kind, mode, expected", [
    ("TIFF", "RGB", "JPEG"), ("BMP", "RGB", "JPEG"), ("JPEG", "CMYK", "JPEG"), ("PNG", "L", "JPEG"),
    ("PNG", "I;16", "JPEG"), ("PNG", "LA", "PNG"), ("GIF", "P", "JPEG"),
])
def test_whatever_pillow_opens_becomes_jpeg_or_png(kind, mode, expected):
    image = photo(700, 400).convert(mode) if mode not in ("LA", "I;16") else photo(700, 400).convert("L").convert(mode)
    if mode == "LA":
        image.putpixel((0, 0), (0, 0))
    source = saved(image, kind)
    made = process(source, 340)
    result = Image.open(io.BytesIO(made.data))
    assert result.format == expected and result.mode in ("RGB", "RGBA") and result.size == (340, 194)
    assert made.source_width == 700
    assert process(source, 340).data == made.data  # the same bytes every time


def test_an_animated_gif_stays_animated_and_a_transparent_palette_stays_transparent():
    frames = [Image.new("RGB", (800, 400), colour) for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200))]
    made = process(saved(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0), 400)
    result = Image.open(io.BytesIO(made.data))
    assert result.format == "GIF" and result.n_frames == 3 and result.size == (400, 200)
    logo = Image.new("P", (100, 100), 0)
    logo.info["transparency"] = 0
    assert Image.open(io.BytesIO(process(saved(logo, "PNG", transparency=0), 400).data)).mode == "RGBA"


def test_colours_are_kept_and_the_profile_dropped():
    """The photo's colour profile is applied (into sRGB), then dropped with the other metadata."""

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", (200, 100), (200, 30, 30))
    made = Image.open(io.BytesIO(process(saved(image, "JPEG", icc_profile=profile, quality=95), 400).data))
    assert "icc_profile" not in made.info and "exif" not in made.info
    assert all(abs(a - b) < 12 for a, b in zip(made.getpixel((100, 50)), (200, 30, 30), strict=True))


def black_png(width: int, height: int) -> bytes:
    """A PNG of Image.new("1", (width, height)): one bit a pixel, all black. Written here, as
    the PNG specification says, in a fifth of the time Pillow takes to save it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = bytes(height * (1 + (width + 7) // 8))  # each row: filter type 0, then its bits
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_not_decoded():
    small = Image.open(io.BytesIO(black_png(30, 20)))
    assert small.mode == "1" and small.size == (30, 20) and small.tobytes() == Image.new("1", (30, 20)).tobytes()
    bomb = black_png(10_000, 9_000)  # 90 million pixels in a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(NotAnImage):
        process(bomb, 1104)


def built_while_watching_images(project: Path) -> tuple[list[bool], dict[str, str], dict[str, bytes]]:
    """Build the week with no cache, noting for each image made whether an email was being
    rendered then. Returns (those notes, each segment's HTML, the images its emails show)."""

    made: list[bool] = []
    rendering: list[str] = []
    real = process_module.process

    def watched(*args, **kwargs):
        made.append(bool(rendering))
        return real(*args, **kwargs)

    def render(issue, templates):
        rendering.append(issue.segment.id)
        try:
            return render_within(issue, templates)
        finally:
            rendering.pop()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(process_module, "process", watched)
        built = build(load_project(project), BuildOptions(week="2026-W48"), cache=NO_CACHE, render=render)
    return made, {email.issue.segment.id: email.html for email in built.emails}, built.assets


def test_images_are_made_before_rendering_and_the_templates_only_read_them(photos):
    """The thumbnails of the cards, like the column's images, are made while the issue is
    composed: rendering runs no image work (no Pillow, no cache written from a template)."""
    made, html, assets = built_while_watching_images(photos)
    assert made and not any(made), "an image was made while an email was rendered"
    thumbnails = [(name, width) for page in html.values() for name, width, _ in shown(page) if width == "170"]
    assert thumbnails, "the week's cards show thumbnails"
    for name, _ in thumbnails:
        assert Image.open(io.BytesIO(assets[name])).width <= 340  # a file made for the thumbnail, not the column's


def test_a_project_template_at_another_width_reads_what_was_made(photos):
    """A project's own template asking for a width the theme does not use gets the column's file
    shown that wide: still no image made while rendering."""

    macros = (REPO / "templates" / "macros.mjml").read_text(encoding="utf-8")
    (photos / "templates").mkdir(exist_ok=True)
    (photos / "templates" / "macros.mjml").write_text(checked(macros).replace("article.image.at(width)",
                                                                              "article.image.at(300)"), encoding="utf-8")
    made, html, assets = built_while_watching_images(photos)
    assert made and not any(made), "an image was made while an email was rendered"
    widths = {width for page in html.values() for _, width, _ in shown(page)}
    assert "300" in widths and "170" not in widths
