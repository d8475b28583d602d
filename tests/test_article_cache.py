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
    from rameau_cli import article_cache

    first = article_cache.code_fingerprint()
    monkeypatch.setattr(article_cache, "__file__", str(example / "rameau.yaml"))  # other files: other stamps
    assert article_cache.code_fingerprint() != first


def test_rendered_markdown_is_reused_and_a_damaged_cache_ignored(example, run, tmp_path):
    assert run("build-issue", "--out", str(tmp_path / "a"), "--no-history", cwd=example).code == 0
    cache = example / ".rameau-cache" / "markdown.json"
    entries = json.loads(cache.read_text(encoding="utf-8"))["html"]
    assert any("notre carte" in html for html in entries.values())  # the édito
    assert run("build-issue", "--out", str(tmp_path / "b"), "--no-history", cwd=example).code == 0
    cache.write_text("{pas du json", encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "c"), "--no-history", cwd=example).code == 0
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(edition.read_text(encoding="utf-8").replace("notre carte", "la carte des rendez-vous"), encoding="utf-8")
    assert run("build-issue", "--out", str(tmp_path / "d"), "--no-history", cwd=example).code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b") == tree(tmp_path / "c")
    assert b"la carte des rendez-vous" in (tmp_path / "d" / "2026-W48" / "quotidienne" / "index.html").read_bytes()
    kept = json.loads(cache.read_text(encoding="utf-8"))["html"]
    assert not any("notre carte" in html for html in kept.values())  # only what the last build used
