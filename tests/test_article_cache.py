"""The cache of parsed articles: a warm build is the same build, and never a wrong one."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from rameau_cli.cache import stamp
from rameau_cli.cache.base import CacheFolder
from rameau_cli.project.reading import load_yaml_text
from rameau_cli.project.yaml_cache import load_yaml_cached
from rameau_cli.sources.article import FIELDS

from helpers import checked, copy_example, invoke, posix_only, tree


def test_a_warm_build_is_byte_identical_and_replays_warnings(example, run, tmp_path):
    (example / "articles" / "casse.md").write_text("---\ntitle: Cassé\ndate: demain\n---\n", encoding="utf-8")
    (example / "articles" / "inconnu.md").write_text("---\ntitle: Inconnu\ndate: 2026-11-24\nsoustitre: x\n---\n", encoding="utf-8")
    cold = run("build-issue", "--out", str(tmp_path / "cold"), "--no-history", cwd=example)
    assert list((example / ".rameau-cache" / "articles").glob("*.json"))
    warm = run("build-issue", "--out", str(tmp_path / "warm"), "--no-history", cwd=example)
    assert tree(tmp_path / "cold") == tree(tmp_path / "warm")
    assert cold.stderr.replace(str(tmp_path / "cold"), "OUT") == warm.stderr.replace(str(tmp_path / "warm"), "OUT")
    assert "casse.md: date: 'demain' is not a date" in warm.stderr and "inconnu.md: soustitre: unknown" in warm.stderr


def test_a_changed_file_is_read_again(example, run):
    assert run("build-issue", "--no-history", cwd=example).code == 0
    path = example / "articles" / "kit-accueil-benevoles.md"
    stat = path.stat()
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("notre kit gratuit", "notre kit libre"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    result = run("build-issue", "--no-history", "--json", cwd=example)
    titles = [a["title"] for a in json.loads(result.stdout)["segments"]["hebdo-association"]["articles"]]
    assert any("notre kit libre" in title for title in titles)


def test_a_summary_less_article_keeps_its_body_for_the_summary(example, run):
    (example / "articles" / "sans-resume.md").write_text(
        "---\ntitle: Sans résumé\ndate: 2026-11-24\n---\nLe corps donne le résumé de cet article.\n", encoding="utf-8")
    first = run("build-issue", "--no-history", "--segment", "quotidienne", cwd=example)
    second = run("build-issue", "--no-history", "--segment", "quotidienne", cwd=example)
    assert first.code == second.code == 0
    text = (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    assert "Le corps donne le résumé de cet article." in text


def body_of(cache_file):
    """A cache file's JSON body (its last line says what made it)."""
    return json.loads(cache_file.read_bytes().rpartition(b"\n")[0])


def rewrite(cache_file, body, keep_trailer=True):
    """Replace a cache file's body, keeping its trailer (and so its old checksum)."""
    trailer = cache_file.read_bytes().rpartition(b"\n")[2]
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    cache_file.write_bytes(data + (b"\n" + trailer if keep_trailer else b""))


def resign(cache_file, body):
    """Replace a cache file's body with a valid checksum: JSON (or bytes) of the wrong shape, well signed."""

    trailer = json.loads(cache_file.read_bytes().rpartition(b"\n")[2])
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    trailer["sha256"] = hashlib.sha256(data).hexdigest()
    cache_file.write_bytes(data + b"\n" + json.dumps(trailer).encode())


def article_entries(cache_file):
    """An article cache's entries, by file name: [its first line, its second], decoded."""
    lines = [json.loads(line) for line in cache_file.read_bytes().rpartition(b"\n")[0].split(b"\n")[1:]]
    return {head[0]: [head, rest] for head, rest in zip(lines[0::2], lines[1::2], strict=True)}


def resign_entries(cache_file, entries):
    lines = [b"rameau articles 4"] + [json.dumps(part).encode() for entry in entries.values() for part in entry]
    resign(cache_file, b"\n".join(lines))


REST = [name for name in FIELDS if name not in ("id", "url", "guid", "date", "publish_at", "source")]


TAKEN = "kit-accueil-benevoles.md"  # an article of the example's edition: made from its entry
HEAD_DATE = 6


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """The example built once (cold) for the damage tests, its output and its caches as that build
    left them. Each test puts these caches back before it damages them: the articles are never
    touched, so their entries stay valid (a copy of the project would not do: an entry is of its
    file's inode and change time, and the cache's name of the project's path)."""

    folder = tmp_path_factory.mktemp("damaged")
    project = copy_example(folder / "project")
    assert invoke("build-issue", "--out", str(folder / "a"), "--no-history", cwd=project).code == 0
    shutil.copytree(project / ".rameau-cache", folder / "caches")
    shutil.rmtree(project / ".rameau-cache")  # put back as the tests put it back: a warm build keeps it as it is
    shutil.copytree(folder / "caches", project / ".rameau-cache")
    (cache,) = (project / ".rameau-cache" / "articles").glob("*.json")
    kept, inode = cache.read_bytes(), cache.stat().st_ino
    assert invoke("build-issue", "--out", str(folder / "warm"), "--no-history", cwd=project).code == 0
    assert (cache.read_bytes(), cache.stat().st_ino) == (kept, inode), "an entry was read again: the cache did not serve"
    return project, folder / "a", folder / "caches"


@pytest.mark.parametrize("damage", [
    "other code", "not json", "null", "empty list", "a title that is a number", "a tampered value", "deleted",
    "entry of the wrong length", "a naive date", "fields of the wrong length", "fields that are not json",
    "a priority that is a string", "an entry without its second line",
])
def test_a_damaged_or_deleted_cache_never_makes_a_build_wrong(built_once, run, tmp_path, damage):
    example, first, caches = built_once
    shutil.rmtree(example / ".rameau-cache", ignore_errors=True)
    shutil.copytree(caches, example / ".rameau-cache")
    (cache,) = (example / ".rameau-cache" / "articles").glob("*.json")
    entries = article_entries(cache)
    head, fields = entries[TAKEN]
    if damage == "other code":
        trailer = json.loads(cache.read_bytes().rpartition(b"\n")[2])
        trailer["stamp"] = "autre"
        cache.write_bytes(cache.read_bytes().rpartition(b"\n")[0] + b"\n" + json.dumps(trailer).encode())
    elif damage == "not json":
        rewrite(cache, b"pas du json")
    elif damage in ("null", "empty list"):
        resign(cache, None if damage == "null" else [])
    elif damage == "a tampered value":  # one character of a title, the checksum left as it was
        data = cache.read_bytes().rpartition(b"\n")[0]
        title = fields[REST.index("title")].encode()
        rewrite(cache, data.replace(title, title.replace(b"e", "é".encode(), 1)))
    elif damage == "deleted":

        shutil.rmtree(example / ".rameau-cache")
    elif damage == "an entry without its second line":
        resign(cache, cache.read_bytes().rpartition(b"\n")[0].rpartition(b"\n")[0])
    else:
        if damage == "a title that is a number":
            fields[REST.index("title")] = 42
        elif damage == "entry of the wrong length":
            entries[TAKEN][0] = head[:2]
        elif damage == "a naive date":
            head[HEAD_DATE] = "2026-11-24T09:00:00"
        elif damage == "fields of the wrong length":
            entries[TAKEN][1] = fields[:3]
        elif damage == "fields that are not json":
            entries[TAKEN][1] = "pas du json"  # written as a JSON string, then cut below
        elif damage == "a priority that is a string":
            fields[REST.index("priority")] = "1"
        resign_entries(cache, entries)
        if damage == "fields that are not json":
            resign(cache, cache.read_bytes().rpartition(b"\n")[0].replace(b'"pas du json"', b"pas du json"))
    result = run("build-issue", "--out", str(tmp_path / "b"), "--no-history", cwd=example)
    assert result.code == 0 and "Traceback" not in result.stderr and "warning" not in result.stderr
    assert tree(first) == tree(tmp_path / "b")


def test_an_entry_made_outside_the_window_is_read_again_when_damaged(example, run):
    """A build makes only the articles of its window from their entries; the others are made
    when asked for (`rameau articles --all`), and one whose fields are damaged is read again."""
    cold = run("articles", "--all", cwd=example)
    assert run("build-issue", "--no-history", cwd=example).code == 0
    (cache,) = (example / ".rameau-cache" / "articles").glob("*.json")
    entries = article_entries(cache)
    outside = [name for name, (head, _) in entries.items() if head[HEAD_DATE] < "2026-11-16"]
    assert outside
    for name in outside:
        entries[name][1] = entries[name][1][:3]
    resign_entries(cache, entries)
    warm = run("articles", "--all", cwd=example)
    assert cold.code == warm.code == 0 and cold.stdout == warm.stdout


def test_a_project_built_from_another_folder_finds_its_files_through_the_cache(example, run):
    """The cache keeps no path as a build named it: built from the project, then with -C from
    its parent, a whole article still has its body (read from its file when an email shows it)."""
    article = example / "articles" / TAKEN
    article.write_text(checked(article.read_text(encoding="utf-8")).replace("---\n", "---\nbody: full\n", 1), encoding="utf-8")
    assert run("build-issue", "--no-history", "--out", "../here", cwd=example).code == 0
    there = run("build-issue", "-C", example.name, "--no-history", "--out", "there", cwd=example.parent)
    assert there.code == 0, there.stderr
    for segment in ("quotidienne", "hebdo-association"):
        here_text = (example.parent / "here" / "2026-W48" / segment / "index.txt").read_text(encoding="utf-8")
        assert here_text == (example.parent / "there" / "2026-W48" / segment / "index.txt").read_text(encoding="utf-8")
    body = article.read_text(encoding="utf-8").split("---\n", 2)[2].split("\n\n")[0].split()[:6]
    assert " ".join(body) in " ".join(here_text.split())


def test_a_cache_stamp_covers_every_file_of_the_package(monkeypatch, tmp_path):
    """Moving, renaming or editing any module of rameau makes other caches; no list of names to keep."""

    copy = tmp_path / "rameau_cli"
    shutil.copytree(stamp.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stamp, "PACKAGE", copy)
    stamp.code_stamp.cache_clear()
    first = stamp.code_stamp()
    (copy / "content" / "markup.py").rename(copy / "content" / "markup_moved.py")
    stamp.code_stamp.cache_clear()
    second = stamp.code_stamp()
    (copy / "content" / "markup_moved.py").write_text("# changed\n", encoding="utf-8")
    stamp.code_stamp.cache_clear()
    third = stamp.code_stamp()
    monkeypatch.undo()
    stamp.code_stamp.cache_clear()
    assert len({first, second, third}) == 3


@posix_only("os.geteuid")  # POSIX permissions: chmod(0) makes a file unreadable
def test_an_article_that_failed_is_read_again_once_fixed(example, run):
    """Failures are never cached: an article that could not be read goes out once it can be."""
    path = example / "articles" / "kit-accueil-benevoles.md"
    text = path.read_text(encoding="utf-8")
    path.chmod(0)
    try:
        result = run("build-issue", "--no-history", "--json", cwd=example)
        if os.geteuid() != 0:  # root reads anything: then the failure is made another way below
            assert "kit-accueil-benevoles.md: cannot be read" in result.stderr
    finally:
        path.chmod(0o644)
    path.write_text(text.replace("title:", "_itle:", 1), encoding="utf-8")  # set aside, not a typo: skipped
    assert "kit-accueil-benevoles.md: title: missing" in run("build-issue", "--no-history", cwd=example).stderr
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same size and time as the broken one
    result = run("build-issue", "--no-history", "--json", cwd=example)
    ids = [a["id"] for a in json.loads(result.stdout)["segments"]["hebdo-association"]["articles"]]
    assert "kit-accueil-benevoles" in ids


def test_rendered_markdown_is_reused_and_a_damaged_cache_ignored(example, run, tmp_path):
    assert run("build-issue", "--out", str(tmp_path / "a"), "--no-history", cwd=example).code == 0
    cache = example / ".rameau-cache" / "texts.json"
    entries = body_of(cache)["markdown"]
    assert any("notre carte" in html for html in entries.values())  # the édito
    assert run("build-issue", "--out", str(tmp_path / "b"), "--no-history", cwd=example).code == 0
    cache.write_text("{pas du json", encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "c"), "--no-history", cwd=example).code == 0
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text(encoding="utf-8")).replace("notre carte", "la carte des rendez-vous"), encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "d"), "--no-history", cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
    assert b"la carte des rendez-vous" in (tmp_path / "d" / "2026-W48" / "quotidienne" / "index.html").read_bytes()
    kept = body_of(cache)["markdown"]
    assert not any("notre carte" in html for html in kept.values())  # only what the last build used


def test_an_unchanged_project_builds_again_without_yaml_markdown_or_babel(example, tmp_path):
    """The libraries a warm build skips are not even imported: the caches really serve it."""
    # A fresh process for each build: what a command imports is seen only from its start.

    code = ("import sys\nfrom rameau_cli.cli import launcher\nsys.argv = ['rameau', 'build-issue', '--no-history', "
            f"'--out', {str(tmp_path / 'out')!r}]\ntry:\n    launcher.main()\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'markdown_it', 'babel'})), "
            "file=sys.stderr)")
    imported = lambda: subprocess.run([sys.executable, "-c", code], cwd=example, capture_output=True,  # noqa: E731
                                      text=True).stderr.splitlines()[-1]
    assert imported() == "babel markdown_it yaml"  # cold: everything is parsed and rendered
    assert imported() == ""
    (example / "rameau.yaml").write_text((example / "rameau.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert imported() == "yaml"  # the changed file only


def test_a_changed_config_or_edition_file_is_read_again(example, run):
    assert run("build-issue", "--no-history", cwd=example).code == 0
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("title: La quotidienne", "title: Le quotidien"),
                      encoding="utf-8")
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text(encoding="utf-8")).replace(
        'subject: "Alliances : ce qui a bougé cette semaine"', 'subject: "Semaine 48"'), encoding="utf-8")
    result = run("build-issue", "--no-history", "--json", cwd=example)
    manifest = json.loads(result.stdout)
    assert manifest["segments"]["quotidienne"]["title"] == "Le quotidien"
    assert {s["subject"] for s in manifest["segments"].values()} == {"Semaine 48"}


def test_parsed_yaml_comes_back_the_same_or_is_not_kept(tmp_path):
    texts = {
        "dates": "date: 2026-11-30\nat: 2026-11-30T08:00:00+01:00\nnaive: 2026-11-30 08:00:00\n",
        "nested": "a: [1, 2.5, true, null, {b: 'c'}]\nd: {e: [f]}\n",
        "number keys": "1: un\n2: deux\n",
        "date keys": "2026-11-30: lundi\n",
        "a set": "!!set {a, b}\n",
        "binary": "!!binary aGVsbG8=\n",
        "a tag-like key": "$date: 2026-11-30\n",
        "not a number": "x: .nan\n",
    }
    for where, text in texts.items():
        expected = load_yaml_text(text, where)
        first = load_yaml_cached(text, where, CacheFolder(tmp_path))
        second = load_yaml_cached(text, where, CacheFolder(tmp_path))
        assert first == second == expected or (where == "not a number" and second["x"] != second["x"]), where
        assert [type(v) for v in (expected.values() if isinstance(expected, dict) else [expected])] == \
            [type(v) for v in (second.values() if isinstance(second, dict) else [second])], where
    kept = {body_of(p)["text"] for p in (tmp_path / "yaml").glob("*.json")}
    assert kept == {texts["dates"], texts["nested"]}


def test_a_damaged_yaml_cache_is_ignored(example, run, tmp_path):
    assert run("build-issue", "--no-history", "--out", str(tmp_path / "a"), cwd=example).code == 0
    for entry in (example / ".rameau-cache" / "yaml").glob("*.json"):
        data = body_of(entry)
        data["value"] = {"$date": "pas une date"}
        resign(entry, data)
    assert run("build-issue", "--no-history", "--out", str(tmp_path / "b"), cwd=example).code == 0
    for entry in (example / ".rameau-cache" / "yaml").glob("*.json"):
        entry.write_text("{pas du json", encoding="utf-8")
    assert run("build-issue", "--no-history", "--out", str(tmp_path / "c"), cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
