"""The cache of parsed articles: a warm build is the same build, and never a wrong one."""

import json
import os


def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


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
    path.write_text(path.read_text(encoding="utf-8").replace("notre kit gratuit", "notre kit libre"), encoding="utf-8")
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


def test_a_damaged_or_deleted_cache_never_makes_a_build_wrong(example, run, tmp_path):
    assert run("build-issue", "--out", str(tmp_path / "a"), "--no-history", cwd=example).code == 0
    (cache,) = (example / ".rameau-cache" / "articles").glob("*.json")
    cache.write_text('{"key": "autre", "files": {}}', encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "b"), "--no-history", cwd=example).code == 0
    cache.write_text("pas du json", encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "c"), "--no-history", cwd=example).code == 0
    data = json.loads(cache.read_text(encoding="utf-8"))
    name = next(iter(data["files"]))
    data["files"][name][2] = {"title": 42}
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "d"), "--no-history", cwd=example).code == 0
    import shutil
    shutil.rmtree(example / ".rameau-cache")
    assert run("build-issue", "--out", str(tmp_path / "e"), "--no-history", cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c") == tree(tmp_path / "d") == tree(tmp_path / "e")


def test_a_cache_made_by_other_code_is_not_used(example, monkeypatch):
    from rameau_cli import article_cache, stamps

    first = article_cache.code_fingerprint()
    monkeypatch.setattr(stamps, "__file__", str(example / "rameau.yaml"))  # other files: other stamps
    assert article_cache.code_fingerprint() != first


def test_rendered_markdown_is_reused_and_a_damaged_cache_ignored(example, run, tmp_path):
    assert run("build-issue", "--out", str(tmp_path / "a"), "--no-history", cwd=example).code == 0
    cache = example / ".rameau-cache" / "texts.json"
    entries = json.loads(cache.read_text(encoding="utf-8"))["markdown"]
    assert any("notre carte" in html for html in entries.values())  # the édito
    assert run("build-issue", "--out", str(tmp_path / "b"), "--no-history", cwd=example).code == 0
    cache.write_text("{pas du json", encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "c"), "--no-history", cwd=example).code == 0
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(edition.read_text(encoding="utf-8").replace("notre carte", "la carte des rendez-vous"), encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "d"), "--no-history", cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
    assert b"la carte des rendez-vous" in (tmp_path / "d" / "2026-W48" / "quotidienne" / "index.html").read_bytes()
    kept = json.loads(cache.read_text(encoding="utf-8"))["markdown"]
    assert not any("notre carte" in html for html in kept.values())  # only what the last build used


def test_an_unchanged_project_builds_again_without_yaml_markdown_or_babel(example, tmp_path):
    """The libraries a warm build skips are not even imported: the caches really serve it."""
    import subprocess
    import sys

    code = ("import sys\nfrom rameau_cli import launcher\nsys.argv = ['rameau', 'build-issue', '--no-history', "
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
    config.write_text(config.read_text(encoding="utf-8").replace("title: La quotidienne", "title: Le quotidien"),
                      encoding="utf-8")
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(edition.read_text(encoding="utf-8").replace(
        'subject: "Alliances : ce qui a bougé cette semaine"', 'subject: "Semaine 48"'), encoding="utf-8")
    result = run("build-issue", "--no-history", "--json", cwd=example)
    manifest = json.loads(result.stdout)
    assert manifest["segments"]["quotidienne"]["title"] == "Le quotidien"
    assert {s["subject"] for s in manifest["segments"].values()} == {"Semaine 48"}


def test_parsed_yaml_comes_back_the_same_or_is_not_kept(tmp_path):
    from rameau_cli.yamlio import load_yaml_cached, load_yaml_text

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
        first = load_yaml_cached(text, where, tmp_path)
        second = load_yaml_cached(text, where, tmp_path)
        assert first == second == expected or (where == "not a number" and second["x"] != second["x"]), where
        assert [type(v) for v in (expected.values() if isinstance(expected, dict) else [expected])] == \
            [type(v) for v in (second.values() if isinstance(second, dict) else [second])], where
    kept = {json.loads(p.read_text(encoding="utf-8"))["text"] for p in (tmp_path / "yaml").glob("*.json")}
    assert kept == {texts["dates"], texts["nested"]}


def test_a_damaged_yaml_cache_is_ignored(example, run, tmp_path):
    assert run("build-issue", "--no-history", "--out", str(tmp_path / "a"), cwd=example).code == 0
    for entry in (example / ".rameau-cache" / "yaml").glob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["value"] = {"$date": "pas une date"}
        entry.write_text(json.dumps(data), encoding="utf-8")
    assert run("build-issue", "--no-history", "--out", str(tmp_path / "b"), cwd=example).code == 0
    for entry in (example / ".rameau-cache" / "yaml").glob("*.json"):
        entry.write_text("{pas du json", encoding="utf-8")
    assert run("build-issue", "--no-history", "--out", str(tmp_path / "c"), cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
