"""No cache can make a build wrong, crash it or touch a file it did not make: damaged cache
files are made again, a shared or linked images folder keeps what others put there, and an
article rewritten with the same size and modification time is read again."""

from __future__ import annotations

import io
import os
import random
import shutil
from pathlib import Path

from PIL import Image

from rameau_cli.render.templates import _environment

from helpers import copy_example, photo, set_public_url, tree, with_front_matter


def _built(project: Path, run, *args: str) -> dict[str, bytes]:
    # Compiled templates are kept in memory for the life of the process: forgetting them makes
    # each build read .rameau-cache/jinja/ as a new process would.
    _environment.cache_clear()
    result = run("build-issue", *args, cwd=project)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return tree(project / "dist")


def _with_images(project: Path) -> None:
    """A JPEG, a PNG and an animated GIF beside three articles, so that the images cache holds files too."""

    made = {"a.jpg": photo(300, 200), "b.png": photo(200, 200, 3)}
    for name, image in made.items():
        image.save(project / "articles" / name)
    frames = [Image.new("P", (40, 40), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    (project / "articles" / "c.gif").write_bytes(out.getvalue())
    for slug, name in zip(("laureats-trophees-alliances-territoriales-2026", "formation-gouvernance-partagee",
                           "journee-alliances-citoyennes-5-decembre"),
                          ["a.jpg", "b.png", "c.gif"], strict=True):
        with_front_matter(project / "articles" / f"{slug}.md", f"image: {name}\nimage_alt: Une image")
    set_public_url(project)


def _kind(path: Path, cache: Path) -> tuple[str, str]:
    """What a cache file is: its folder (or its own name) and its suffix: the compiled templates,
    the articles, the images and their index, the archive's pages and its record, the texts."""
    return path.relative_to(cache).parts[0], path.suffix


def test_random_bit_flips_in_any_cache_file_leave_the_output_as_it_was(example, run):
    """A bit flipped in each kind of cache file in turn, twice: anywhere in a file, and in its
    last 80 bytes (where a cache file says what made it and holds its checksum). One segment, the
    daily, which shows the three images: its build writes every kind of cache file the four
    segments' do, in half the time, and each kind is flipped the same."""
    _with_images(example)
    daily = ("--segment", "quotidienne")
    expected = _built(example, run, *daily)
    _built(example, run, *daily)  # every cache written (some only on a second build)
    cache = example / ".rameau-cache"
    kinds = sorted({_kind(path, cache) for path in cache.rglob("*") if path.is_file()})
    assert {"jinja", "articles", "images", "archive"} <= {folder for folder, _ in kinds}
    assert ("images", ".json") in kinds and ("archive.json", ".json") in kinds and ("texts.json", ".json") in kinds
    chance = random.Random(2806)
    for kind in kinds:
        for tail in (None, 80):
            files = sorted(path for path in cache.rglob("*") if path.is_file() and _kind(path, cache) == kind)
            victim = chance.choice(files)
            data = bytearray(victim.read_bytes())
            if not data:
                continue
            at = chance.randrange(max(0, len(data) - tail) if tail else 0, len(data))
            data[at] ^= 1 << chance.randrange(8)
            victim.write_bytes(bytes(data))
            shutil.rmtree(example / "dist")
            assert _built(example, run, *daily) == expected, f"{victim.relative_to(cache)}: bit flipped at byte {at}"


def _made_before(example: Path, run) -> None:
    _with_images(example)
    _built(example, run)


def test_a_linked_images_cache_keeps_files_it_did_not_make(example, tmp_path, run):
    shared = tmp_path / "shared-images"
    shared.mkdir()
    foreign = {"0123456789abcdef-autre-projet.jpg": b"another project's image",
               "index.json": b"{}", "notes.txt": b"kept here by hand"}
    _made_before(example, run)
    images = example / ".rameau-cache" / "images"
    for path in images.iterdir():
        shutil.copy(path, shared / path.name)
    shutil.rmtree(images)
    images.symlink_to(shared)
    (shared / "0123456789abcdef-autre-projet.jpg").write_bytes(foreign["0123456789abcdef-autre-projet.jpg"])
    (shared / "notes.txt").write_bytes(foreign["notes.txt"])
    # The photos change: what this project made before is no longer needed.
    for name in ("a.jpg", "b.png"):
        photo(320, 210, 9).save(example / "articles" / name)
    _built(example, run)
    assert (shared / "notes.txt").read_bytes() == foreign["notes.txt"]
    assert (shared / "0123456789abcdef-autre-projet.jpg").read_bytes() == foreign["0123456789abcdef-autre-projet.jpg"]


def test_two_projects_sharing_an_images_cache_keep_each_others_files(tmp_path, run):
    shared = tmp_path / "shared"
    shared.mkdir()
    projects = [copy_example(tmp_path / name) for name in ("un", "deux")]
    for number, project in enumerate(projects):
        _with_images(project)
        photo(310, 200, number).save(project / "articles" / "a.jpg")  # each its own photo
        (project / ".rameau-cache").mkdir()
        (project / ".rameau-cache" / "images").symlink_to(shared)
    _built(projects[0], run)
    first = {path.name for path in shared.iterdir()}
    _built(projects[1], run)
    assert first <= {path.name for path in shared.iterdir()}


def test_a_file_put_in_a_plain_images_cache_is_left_alone(example, run):
    _made_before(example, run)
    images = example / ".rameau-cache" / "images"
    stranger = images / "fedcba9876543210-copie.png"
    stranger.write_bytes(b"put here by hand")
    photo(330, 220, 4).save(example / "articles" / "a.jpg")
    _built(example, run)
    assert stranger.read_bytes() == b"put here by hand"
    made = [p.name for p in images.iterdir() if p.name.endswith("-a.jpg")]
    assert len(made) == 1  # what it made for the old photo is gone; what it did not make is not


def _rewritten(path: Path, text: str, replace: bool) -> None:
    """`path` given new text of the same size and the same modification time, as rsync -t or
    tar do (a new file renamed over it) or an editor writing in place."""
    before = path.stat()
    if replace:
        fresh = path.with_name(path.name + ".tmp")
        fresh.write_text(text, encoding="utf-8")
        os.utime(fresh, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(fresh, path)
    else:
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_articles_rewritten_with_the_same_size_and_time_are_read_again(example, run):
    _built(example, run)
    email = example / "dist" / "2026-W48" / "quotidienne" / "index.html"
    shown = email.read_text(encoding="utf-8")
    titles = {}
    for path in sorted((example / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        old = next(line for line in text.splitlines() if line.startswith("title:"))
        if old.removeprefix("title: ").strip("'\"") not in shown or len(titles) == 5:
            continue
        number = len(titles)
        new = "title: " + (f"Nouveau titre {number} " + "x" * 200)[:len(old.encode()) - len("title: ")]
        titles[path.name] = new.removeprefix("title: ")
        _rewritten(path, text.replace(old, new, 1), replace=number % 2 == 0)
    assert len(titles) == 5
    _built(example, run)
    shown = email.read_text(encoding="utf-8")
    assert [name for name, title in titles.items() if title not in shown] == []
