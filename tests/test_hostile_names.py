"""Names on disk that a project did not choose well: file and folder names that are not UTF-8
(copied from an old Windows share, unpacked from an old zip) are read, never a crash; an
article reached through a link to outside the project is refused, as an image is."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rameau_cli.cache.base import CacheFolder
from rameau_cli.sources.article_cache import ArticleCache

from helpers import Run, camera_files, checked, copy_example, invoke, with_photos

COMMANDS = (("build-issue",), ("build-issue",), ("articles",), ("check",), ("preview",), ("preview", "--text"))


def _undecodable(folder: Path, raw: bytes) -> Path:
    """A path under `folder` whose name is these bytes (not UTF-8), as Python names it."""
    path = folder / os.fsdecode(raw)
    try:
        path.touch()
        path.unlink()
    except (OSError, UnicodeError):  # a file system that only holds UTF-8 names (APFS, NTFS)
        pytest.skip("this file system refuses names that are not UTF-8")
    return path


def _ran_well(results: list[tuple[tuple[str, ...], Run]]) -> list[str]:
    said = []
    for args, result in results:
        assert result.code in (0, 1), f"{args}: {result.stderr}"
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr, args
        said.append(result.stdout + result.stderr)
    return said


def _runs_well(project: Path, run) -> list[str]:
    return _ran_well([(args, run(*args, cwd=project)) for args in COMMANDS])


NAMES = [b"caf\xe9.md", b"\xff\xfe-note.md", b"r\xc3\xa9sum\xe9-\x80.md"]


@pytest.fixture(scope="module")
def old_names(tmp_path_factory):
    """The example with an article under each name of NAMES (its title `Nom ancien N`, N its
    place in NAMES), and what each of COMMANDS said on it, in order: made once for the module,
    each case below reads its own article in it (every command reads every file of the folder)."""
    project = copy_example(tmp_path_factory.mktemp("names") / "project")
    source = checked((project / "articles" / "kit-accueil-benevoles.md").read_text(encoding="utf-8"))
    for index, raw in enumerate(NAMES):
        _undecodable(project / "articles", raw).write_text(
            source.replace("title: \"Accueillir", f"title: \"Nom ancien {index} : accueillir", 1), encoding="utf-8")
    return project, [(args, invoke(*args, cwd=project)) for args in COMMANDS]


@pytest.mark.parametrize("raw", NAMES)
def test_article_files_named_in_another_encoding_are_read(old_names, raw):
    project, results = old_names
    said = _ran_well(results)
    title = f"Nom ancien {NAMES.index(raw)}"
    email = (project / "dist" / "2026-W48" / "hebdo-association" / "index.html").read_text(encoding="utf-8")
    assert title in email
    assert title in said[2]  # the articles table lists it


def test_the_article_cache_keeps_files_named_in_another_encoding(example, run):
    path = _undecodable(example / "articles", b"vieux-\xe9t\xe9.md")
    shutil.copy(example / "articles" / "kit-accueil-benevoles.md", path)
    assert run("build-issue", cwd=example).code == 0
    folder = example / "articles"
    cache = ArticleCache(CacheFolder(example / ".rameau-cache"), folder, folder,
                         "Europe/Paris|https://www.rameau-alliances.org").load()
    assert path.name in cache.entries


def test_a_project_folder_named_in_another_encoding_builds(tmp_path, run):
    parent = _undecodable(tmp_path, b"lettre-\xe9quipe")
    project = with_photos(copy_example(parent), camera_files(scale=10))  # the photos' size is not the point here
    (project / "articles" / os.fsdecode(b"dossier-\xe9.md")).mkdir()
    said = _runs_well(project, run)
    assert "dossier-" in said[0] and "is a folder" in said[0]
    assert any((project / "dist" / "public" / "assets").iterdir())
    assert list((project / ".rameau-cache" / "images").glob("*.jpg"))  # the images cache was written


def test_an_article_linked_from_outside_the_project_is_not_published(example, tmp_path, run):
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    secret = checked((example / "articles" / "kit-accueil-benevoles.md").read_text(encoding="utf-8")).replace(
        "title: \"Accueillir", "title: \"Note interne confidentielle : accueillir", 1)
    (outside / "note.md").write_text(secret, encoding="utf-8")
    (example / "articles" / "note.md").symlink_to(outside / "note.md")
    (outside / "sous").mkdir()
    (outside / "sous" / "x.md").write_text(secret, encoding="utf-8")
    (example / "articles" / "lien-relatif.md").symlink_to(Path("..") / ".." / "ailleurs" / "sous" / "x.md")
    # A link that stays inside the project is an article like any other.
    (example / "brouillons").mkdir()
    shutil.move(example / "articles" / "enquete-rse-dirigeants.md", example / "brouillons" / "enquete.md")
    (example / "articles" / "enquete-rse-dirigeants.md").symlink_to(example / "brouillons" / "enquete.md")
    result = run("build-issue", cwd=example)
    assert result.code == 0, result.stderr
    built = "".join(p.read_text(encoding="utf-8") for p in (example / "dist").rglob("*.html"))
    assert "confidentielle" not in built
    assert "articles/note.md: is outside the project folder; put the file in the project" in result.stderr
    assert "articles/lien-relatif.md: is outside the project folder" in result.stderr
    assert "RSE" in built or "rse" in built


def test_an_articles_folder_linked_from_outside_the_project_is_refused(example, tmp_path, run):
    shutil.move(example / "articles", tmp_path / "articles-ailleurs")
    (example / "articles").symlink_to(tmp_path / "articles-ailleurs")
    for args in (("build-issue",), ("articles",), ("check",)):
        result = run(*args, cwd=example)
        assert result.code in (1, 2), result.stderr
        assert "articles: is outside the project folder" in result.stderr
    assert not (example / "dist" / "2026-W48").exists()
