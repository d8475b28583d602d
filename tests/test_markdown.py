"""What people really write, intact in both parts: tables, code, footnotes, images, bare links,
Markdown summaries, whole articles (`body: full`), in a segment that shows them whole and in one
that shows summaries."""

import json
import re
from html.parser import HTMLParser

import pytest

from conftest import invoke
from helpers import checked, content_project, tree


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = content_project(tmp_path_factory.mktemp("content") / "project")
    result = invoke("build-issue", cwd=project)
    assert result.code == 0, result.stderr
    folder = project / "dist" / "2026-W48"
    parts = {segment: ((folder / segment / "index.html").read_text(encoding="utf-8"),
                       (folder / segment / "index.txt").read_text(encoding="utf-8"))
             for segment in ("hebdo-association", "quotidienne")}
    return project, parts, result


def article_html(html: str, title: str) -> str:
    """The HTML of one article's card, from its title to the next card."""
    start = html.index(title)
    end = html.find("<h2", start + 10)
    return html[start:end if end != -1 else len(html)]


def article_text(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("-" * 78, start)
    return text[start:end if end != -1 else len(text)]


class Cells(HTMLParser):
    """The cells of the content's tables (role="table"), not those of the email's layout."""

    def __init__(self, html):
        super().__init__()
        self.cells, self.current, self.inside = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.inside = dict(attrs).get("role") == "table"
        if tag in ("td", "th") and self.inside:
            self.current = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        if tag in ("td", "th") and self.current is not None:
            self.cells.append(self.current.strip())
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current += data


def test_a_table_keeps_every_value_in_a_cell_and_aligned_columns_in_text(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    card = article_html(html, "Plantations d&#39;hiver")
    cells = Cells(card).cells
    assert cells[:4] == ["Site", "Arbres", "Bénévoles", "Notes"]
    for value in ("Canal Est", "640", "170", "Sol argileux", "Parc des Hauteurs", "1\u202f200", "95", "Jardin partagé"):
        assert value in cells
    assert 'scope="col"' in card and 'role="region"' in card and 'tabindex="0"' in card
    assert 'aria-label="Tableau: Site, Arbres, Bénévoles, Notes"' in card
    lines = article_text(text, "Plantations").splitlines()
    assert "Site              | Arbres | Bénévoles | Notes" in lines
    assert "Canal Est         |    640 |       170 | Sol argileux" in lines  # numbers aligned right, a row a line


def test_a_table_too_wide_for_78_columns_is_a_block_per_row(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    block = article_text(text, "Les douze indicateurs")
    assert "Région\u00a0: Bretagne\nInd. 1\u00a0: 12\nInd. 2\u00a0: 34" in block
    assert "Région\u00a0: Occitanie\nInd. 1\u00a0: 21" in block and "Ind. 11\u00a0: 21" in block
    assert len(Cells(article_html(html, "Les douze indicateurs")).cells) == 12 * 3


def test_code_is_verbatim_and_never_widens_the_email(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    line = ("python migrate.py --source ancien-fichier-des-benevoles-2019-2025.csv --destination nouvelle-base "
            "--mapping colonnes.yaml --verbose --dry-run")
    # whole, with a break opportunity after its punctuation (a <wbr />, which copying leaves out)
    assert re.search(r"<pre[^>]*white-space:pre-wrap[^>]*><code>" + re.escape(line) + "</code></pre>",
                     html.replace("<wbr />", ""))
    assert "    " + line in text.splitlines()  # indented by four spaces, whole
    assert "<code " in article_html(html, "Un script pour migrer") and "rameau check" in html


def test_footnotes_are_numbered_notes_at_the_end_of_their_article(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    card = article_html(html, "Plantations d&#39;hiver")
    assert "plantations<sup>1</sup>" in card and "Chiffres arrêtés au 20 novembre" in card
    block = article_text(text, "Plantations")
    assert "plantations¹ de cet hiver" in block and "NOTES\n1. Chiffres arrêtés au 20 novembre" in block
    for part in (html, text):
        assert "[^" not in part


def test_bare_urls_and_autolinks_are_links(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    assert '<a href="https://www.rameau-alliances.org/plantations-2026"' in html
    assert '<a href="https://docs.example.org/methode"' in html
    assert "https://www.rameau-alliances.org/plantations-2026" in text and "https://docs.example.org/methode." in text


def test_images_videos_lists_quotes_and_headings(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    card = article_html(html, "Un script pour migrer")
    assert 'alt="Capture de l&#39;écran d&#39;import, colonne par colonne"' in card
    assert 'src="https://img.youtube.com/vi/dQw4w9WgXcQ/hqdefault.jpg"' in card  # a thumbnail: nothing fetched
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in card
    # the article's highest heading (`##`) is an h3, right under the email's h2 (its title)
    assert "<h3" in card and "<h4" not in card and "<h1" not in card
    assert "<s>Imprimez tout</s>" in card and "☑" in card and "☐" in card and "<blockquote" in card
    block = article_text(text, "Un script pour migrer")
    assert "2. Lancez le script\n   - d'abord avec --dry-run\n   - puis pour de vrai" in block
    assert "- [x] Sauvegarde faite\n- [ ] Export relu" in block and "> «\u00a0Le script a traité" in block
    assert "(Image\u00a0: Capture de l'écran d'import, colonne par colonne)" in block
    assert "▶ Voir la vidéo sur YouTube [" in block and "ET ENSUITE\u202f?" in block
    big = article_html(html, "Les douze indicateurs")
    assert re.search(r'<img src="https://www.rameau-alliances.org/medias/carte.png" alt="[^"]+" width="552" height="368"',
                     big)  # 3000 x 2000, shown at the column's width, proportions kept


def test_a_markdown_summary_renders_in_both_parts(built):
    _, parts, _ = built
    html, text = parts["quotidienne"]
    card = article_html(html, "Plantations d&#39;hiver")
    assert "<strong>1&#8239;450 donateurs</strong>" in card  # the groups of a number held together
    assert '<a href="https://www.rameau-alliances.org/rapport-plantations"' in card
    block = article_text(text, "Plantations")
    assert "1\u202f450 donateurs ont financé les arbres\u202f; le rapport [" in block.replace("\n", " ")
    assert "https://www.rameau-alliances.org/rapport-plantations" in block
    assert "Canal Est" not in block  # a summary segment shows the summary, not the table


def test_nothing_is_left_as_markdown_syntax(built):
    _, parts, _ = built
    for html, text in parts.values():
        for part in (html, text):
            assert "**" not in part and "](http" not in part and "[^" not in part


def test_rtl_emoji_and_long_words(built):
    _, parts, _ = built
    html, text = parts["hebdo-association"]
    assert '<p dir="auto"' in html and "مرحبا بكم" in html
    assert "👨&#8205;👩&#8205;👧&#8205;👦" in html and "👨\u200d👩\u200d👧\u200d👦" in text  # the family stays one emoji
    assert all(len(line) <= 78 or line.startswith("    ") or re.fullmatch(r"\S+://\S+", line) for line in text.splitlines())


def test_the_content_project_checks_clean_but_for_the_wide_table(built):
    project, _, _ = built
    result = invoke("check", "--json", cwd=project)
    findings = json.loads(result.stdout)["findings"]
    assert result.code == 0, findings
    assert [(f["segment"], f["rule"]) for f in findings] == [("hebdo-association", "table-wide")]


def test_a_full_build_is_the_same_warm_and_cold(tmp_path):
    """Whole articles come back the same when the article cache left their bodies in their files."""
    project = content_project(tmp_path / "project")
    for out in ("cold", "warm"):
        assert invoke("build-issue", "--out", str(tmp_path / out), "--no-history", cwd=project).code == 0
    assert tree(tmp_path / "cold") == tree(tmp_path / "warm")


def test_an_article_can_ask_to_be_shown_whole(example, run):
    path = example / "articles" / "kit-accueil-benevoles.md"
    path.write_text(checked(path.read_text(encoding="utf-8")).replace("featured: true", "featured: true\nbody: full"), encoding="utf-8")
    assert run("build-issue", "--segment", "hebdo-grand-public", "--segment", "hebdo-association", cwd=example).code == 0
    html = (example / "dist" / "2026-W48" / "hebdo-association" / "index.html").read_text(encoding="utf-8")
    assert "Ce que contient le kit" in html and "Lire en ligne" in html


def test_an_image_without_alt_text_warns(example, run):
    (example / "articles" / "muet.md").write_text("---\ntitle: Muet\ndate: 2026-11-24\nbody: full\n---\n"
                                                 "![](https://x.example/a.png)\n", encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert "muet.md: 1 image(s) of its body have no alt text" in result.stderr


def test_a_summary_made_from_the_body_takes_its_words_not_its_table_cells(example, run):
    (example / "articles" / "sans-resume.md").write_text(
        "---\ntitle: Sans résumé\ndate: 2026-11-24\n---\n| A | B |\n|---|---|\n| cellule | 12 |\n\n"
        "Le premier paragraphe dit l'essentiel.\n\n```\ncode()\n```\n", encoding="utf-8")
    assert run("build-issue", "--segment", "quotidienne", cwd=example).code == 0
    text = (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
    block = article_text(text, "Sans résumé")
    assert "Le premier paragraphe dit l'essentiel." in block and "cellule" not in block and "code()" not in block
