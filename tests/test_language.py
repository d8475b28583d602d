"""Every word for readers in the newsletter's language: catalogs, plurals, a project's own words,
segments in two languages from one pool."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import checked

FRENCH = re.compile(r"n°|N°|Lire la suite|Lire en ligne|Se désinscrire|Bonjour|à vous|Version en ligne|Voir la "
                    r"version|À lire aussi|articles :|archives|\b(janvier|février|mars|avril|mai|juin|juillet|août|"
                    r"septembre|octobre|novembre|décembre|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", re.I)


def visible(html: str) -> str:
    """What a reader sees of an HTML page: no style sheet, no tags, no comments."""
    html = re.sub(r"<style.*?</style>|<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(scope="module", params=["en", "de"])
def starter(request, tmp_path_factory):
    """A project made with `rameau init --language`, its edition file removed (rameau's own
    subject and preheader), built; with what build-issue, preview and check printed."""
    from conftest import invoke

    project = tmp_path_factory.mktemp(request.param) / "project"
    assert invoke("init", "--language", request.param, str(project), cwd=project.parent).code == 0
    for edition in (project / "issues").glob("*.md"):
        edition.unlink()
    built = invoke("build-issue", "--week", "2026-W48", cwd=project)
    assert built.code == 0, built.stderr
    outputs = [built.stderr, invoke("preview", "--week", "2026-W48", cwd=project).stdout,
               invoke("check", "--week", "2026-W48", cwd=project).stdout]
    return request.param, project, outputs


def test_an_english_or_german_project_shows_no_french_anywhere(starter):
    language, project, outputs = starter
    files = [p for p in (project / "dist").rglob("*") if p.is_file() and p.suffix in (".html", ".txt", ".json", ".xml")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        shown = visible(text) if path.suffix == ".html" else text
        assert not FRENCH.search(shown), f"{path}: {FRENCH.search(shown)}"
        if path.suffix != ".json":
            assert not re.search(r"\w[ \u00a0\u202f]:(?!//)", shown), f"{path}: a space before a colon"
    for output in outputs:
        assert not FRENCH.search(output), FRENCH.search(output)
    text = next((project / "dist" / "2026-W48").glob("*/index.txt")).read_text(encoding="utf-8")
    words = {"en": ("Hello {{first_name|there}},", "Read more", "Unsubscribe", "November"),
             "de": ("Hallo {{first_name|zusammen}},", "Weiterlesen", "Abmelden", "30.\u00a0November\u00a02026")}[language]
    assert all(word in text for word in words), text[:400]
    archive = (project / "dist" / "public" / "archive" / "index.html").read_text(encoding="utf-8")
    assert {"en": "No.&#160;1 · Monday, 30\u00a0November", "de": "Nr.&#160;1 · Montag, 30.\u00a0November"}[language] in archive


def test_the_default_subject_and_preheader_speak_the_language_and_count_right(starter):
    language, project, _ = starter
    manifest = json.loads((project / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["segments"].values():
        count = len(entry["articles"])
        sign = {"en": "No.", "de": "Nr."}[language]
        assert f" {sign} " in entry["subject"] and "–" in entry["subject"]
        expected = {"en": f"{count} article{'' if count == 1 else 's'}: ", "de": f"{count} Artikel: "}[language]
        assert entry["preheader"].startswith(expected), entry["preheader"]


def project_with(example: Path, config_text: str) -> Path:
    (example / "rameau.yaml").write_text(config_text, encoding="utf-8")
    return example


def test_one_article_is_one_article(example, run):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("    max_articles: 8\n    accent: \"#6b2d6b\"",
                                                                 "    max_articles: 1\n    accent: \"#6b2d6b\""),
                      encoding="utf-8")
    for edition in (example / "issues").glob("*.md"):
        edition.unlink()
    assert run("build-issue", "--week", "2026-W48", cwd=example).code == 0
    manifest = json.loads((example / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["segments"]["hebdo-grand-public"]["preheader"].startswith("1 article\u00a0: ")
    count = len(manifest["segments"]["quotidienne"]["articles"])
    assert count > 1 and manifest["segments"]["quotidienne"]["preheader"].startswith(f"{count} articles\u00a0: ")


BILINGUAL = {
    "fr-une": ("fr", "", "Une nouvelle en français"),
    "en-one": ("en", "fr-une", "News in English"),
    "en-two": ("en-GB", "", "More news in English"),
    "sans-langue": ("", "", "Sans langue dite"),
}


def test_a_french_and_an_english_segment_from_one_pool(example, run):
    """Each segment takes the articles in its language; the English one has its own words,
    dates, édito, subject and preheader; a translation of a pinned article is pinned too."""
    for path in (example / "articles").glob("*.md"):
        path.unlink()
    for slug, (lang, original, title) in BILINGUAL.items():
        extra = (f"lang: {lang}\n" if lang else "") + (f"translation_of: {original}\n" if original else "")
        (example / "articles" / f"{slug}.md").write_text(
            f"---\ntitle: \"{title}\"\ndate: 2026-11-2{len(slug) % 5 + 3}\n{extra}summary: \"{title}, en bref.\"\n---\n"
            "Texte.\n", encoding="utf-8")
    (example / "issues" / "2026-W48.md").write_text(
        "---\nsubject: \"Les nouvelles de la semaine, à lire\"\npinned: [fr-une]\n---\nLe mot de la semaine, en français.\n",
        encoding="utf-8")
    (example / "issues" / "2026-W48.en.md").write_text(
        "---\npreheader: \"This week, in English and in short.\"\n---\nThe week's word, in English.\n", encoding="utf-8")
    config = example / "rameau.yaml"
    text = config.read_text(encoding="utf-8")
    text = text[:text.index("segments:")].replace("  dir: dist\n", "  dir: dist\n  public_url: https://lettres.example.org\n") + """segments:
  lettre:
    title: La lettre
  letter:
    title: The Letter
    language: en
    wording:
      read_more: "Continue reading"
      articles: {one: "{count} story", other: "{count} stories"}
"""
    config.write_text(text, encoding="utf-8")
    result = run("build-issue", "2026-W48", cwd=example)
    assert result.code == 0, result.stderr
    manifest = json.loads((example / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in manifest["segments"]["lettre"]["articles"]] == ["fr-une", "sans-langue"]
    assert [a["id"] for a in manifest["segments"]["letter"]["articles"]] == ["en-one", "en-two"]  # the pinned one's translation first
    english = manifest["segments"]["letter"]
    assert english["subject"] == "The Letter No. 1 – November\u00a030, 2026"
    assert english["preheader"] == "This week, in English and in short."
    text_part = (example / "dist" / "2026-W48" / "letter" / "index.txt").read_text(encoding="utf-8")
    assert "The week's word, in English." in text_part and "en français" not in text_part
    assert "Continue reading" in text_part and "Hello {{first_name|there}}," in text_part
    assert not FRENCH.search(visible((example / "dist" / "2026-W48" / "letter" / "index.html").read_text(encoding="utf-8")))
    french = (example / "dist" / "2026-W48" / "lettre" / "index.txt").read_text(encoding="utf-8")
    assert "Le mot de la semaine" in french and "Lire la suite" in french
    assert manifest["segments"]["lettre"]["subject"] == "Les nouvelles de la semaine, à lire"
    preview = run("preview", "2026-W48", "--segment", "letter", cwd=example).stdout
    assert "2 stories" in preview and "Editorial" in preview
    articles = " ".join(run("articles", "2026-W48", cwd=example).stdout.split())
    assert "letter: in fr, not the segment's language" in articles
    archive = example / "dist" / "public" / "archive"
    french_index, english_index = (archive / "index.html").read_text("utf-8"), (archive / "en" / "index.html").read_text("utf-8")
    assert "La lettre" in french_index and "The Letter" not in french_index and '<html lang="fr">' in french_index
    assert "The Letter" in english_index and "La lettre" not in english_index and '<html lang="en">' in english_index
    assert not FRENCH.search(visible(english_index).replace("Français", "")) and "No.&#160;1 · Monday" in english_index
    assert 'href="en/index.html"' in french_index and 'href="../index.html"' in english_index
    assert 'xml:lang="en"' in (archive / "en" / "feed.xml").read_text("utf-8")
    year = archive / "en" / "letter" / "2026.html"
    assert 'href="https://lettres.example.org/2026-W48/letter/web.html"' in year.read_text("utf-8")
    assert not (archive / "letter").exists() and not (archive / "en" / "lettre").exists()
    message = (example / "dist" / "2026-W48" / "letter" / "message.eml").read_text("utf-8")
    assert "List-Archive: <https://lettres.example.org/archive/en/index.html>" in message
    # unpublished, the archive's links lead from its folder to the issues beside it
    config.write_text(checked(config.read_text("utf-8")).replace("  public_url: https://lettres.example.org\n", ""), "utf-8")
    assert run("build-issue", "2026-W48", cwd=example).code == 0
    link = re.search(r'href="([^"]+/web\.html)"', year.read_text("utf-8"))
    assert link and (year.parent / link.group(1)).resolve() == (example / "dist" / "public" / "2026-W48" / "letter" / "web.html").resolve()


def test_the_greeting_is_a_word_like_the_others(example, run):
    edition = example / "issues" / "2026-W48.md"
    text = edition.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    edition.write_text(f"{head}\n---\nBonjour à toutes et à tous,\n\n{body}", encoding="utf-8")
    assert run("build-issue", "--segment", "quotidienne", cwd=example).code == 0
    text_part = (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    assert text_part.count("Bonjour") == 1 and "Bonjour à toutes et à tous," in text_part  # never two greetings
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "  base_url: https://www.rameau-alliances.org\n",
        "  base_url: https://www.rameau-alliances.org\n  wording:\n    greeting: \"Chers amis de {first_name},\"\n"),
        encoding="utf-8")
    edition.write_text(text, encoding="utf-8")
    assert run("build-issue", "--segment", "quotidienne", "--resend", cwd=example).code == 0
    text_part = (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    assert "Chers amis de {{first_name|à vous}}," in text_part and "Bonjour" not in text_part
    config.write_text(checked(config.read_text(encoding="utf-8")).replace('"Chers amis de {first_name},"', '""'), encoding="utf-8")
    assert run("build-issue", "--segment", "quotidienne", "--resend", cwd=example).code == 0
    html = (example / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    assert "first_name" not in html and "Chers amis" not in html


def test_a_language_without_words_falls_back_to_english_once_or_takes_the_projects_catalog(example, run):
    from rameau_cli.compose.catalogs import synced

    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("  language: fr\n", "  language: it\n"), encoding="utf-8")
    result = run("build-issue", "--segment", "quotidienne", cwd=example)
    assert result.code == 0
    assert result.stderr.count("rameau has no words in 'it'") == 1 and "locales/it.po" in result.stderr
    assert "Read more" in (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    po = synced(None, "it").decode("utf-8")
    po = po.replace('msgid "Read more"\nmsgstr ""', 'msgid "Read more"\nmsgstr "Continua a leggere"')
    (example / "locales").mkdir()
    (example / "locales" / "it.po").write_text(po, encoding="utf-8")
    result = run("build-issue", "--segment", "quotidienne", "--resend", cwd=example)
    assert result.code == 0 and "no words in" not in result.stderr
    text_part = (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    assert "Continua a leggere" in text_part and "Unsubscribe" in text_part  # untranslated: English
    (example / "locales" / "it.po").write_text('msgid "x"\nmsgstr "y"\nnot a catalog line\n', encoding="utf-8")
    broken = run("build-issue", "--segment", "quotidienne", "--resend", cwd=example)
    assert broken.code == 2 and "locales/it.po" in broken.stderr and "Traceback" not in broken.stderr


def test_wording_keys_are_checked(example, run):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "  base_url: https://www.rameau-alliances.org\n",
        "  base_url: https://www.rameau-alliances.org\n  wording:\n    read_mroe: Suite\n    articles: {un: x}\n"),
        encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 2
    assert "newsletter.wording.read_mroe" in result.stderr and "did you mean 'read_more'" in result.stderr
    assert "unknown plural category un" in result.stderr


def test_the_catalogs_are_complete_and_compiled():
    """Every message translated in French and German; each .mo is its .po compiled."""
    from rameau_cli.compose.catalogs import compiled, synced
    from rameau_cli.compose.wording import LOCALES
    from rameau_cli.locales import BUILT_IN, MESSAGES, PLURALS

    assert sorted(p.name for p in LOCALES.iterdir() if p.is_dir() and not p.name.startswith("_")) == sorted(BUILT_IN)
    for language in BUILT_IN:
        po = (LOCALES / language / "LC_MESSAGES" / "rameau.po").read_bytes()
        assert synced(po, language) == po, f"run python -m rameau_cli.compose.catalogs ({language})"
        assert compiled(po) == (LOCALES / language / "LC_MESSAGES" / "rameau.mo").read_bytes()
        assert po.count(b'msgstr ""\n\n') + po.count(b'msgstr[0] ""') == 0 or language == "en", language
    assert MESSAGES and PLURALS


def test_init_knows_its_languages(tmp_path, run):
    result = run("init", "--language", "es", str(tmp_path / "p"), cwd=tmp_path)
    assert result.code == 2 and "choose from fr, en, de" in result.stderr
