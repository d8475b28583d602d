"""The rendered emails of the bundled example, checked for what a reader and a mail client see."""

import re
from html.parser import HTMLParser

import pytest

from rameau_cli.errors import RenderError
from rameau_cli.pipeline import BuildOptions, build, load_project
from rameau_cli.project.config import contrast, load_config, parse_config
from rameau_cli.render.text import TEXT_WIDTH

from helpers import checked


@pytest.fixture(scope="module")
def built(example_build):
    return example_build


@pytest.fixture
def example(warm_example):
    """These tests are not about a first build: their copy starts with the caches of one."""
    return warm_example


class Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def links(html):
    return [a["href"] for tag, a in Tags(html).tags if tag == "a" and "href" in a]


def test_the_example_builds_all_four_segments(built):
    assert [r.issue.segment.id for r in built.emails] == ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]


def test_html_is_finished_email_html(built):
    for rendered in built.emails:
        html = rendered.html
        assert "<mj-" not in html and "</mj-" not in html
        assert re.search(r'<html lang="fr"', html)
        assert rendered.issue.preheader and rendered.issue.preheader[:30] in html
        images = [a for tag, a in Tags(html).tags if tag == "img"]
        assert images, "the example has images"
        assert all(a.get("alt") and a.get("width") for a in images)
        assert all(a["src"].startswith("https://") for a in images)
        assert all(href.startswith("https://") or href in rendered.issue.profile.placeholders for href in links(html))
        assert rendered.issue.profile.unsubscribe in html
        assert "\\n" not in html and "\\t" not in html and "\\u{" not in html


def test_every_html_link_is_in_the_text_part(built):
    for rendered in built.emails:
        for href in links(rendered.html):
            assert href in rendered.text


def test_text_lines_fit_78_columns_except_lone_urls(built):
    for rendered in built.emails:
        for line in rendered.text.splitlines():
            if len(line) > TEXT_WIDTH:
                assert re.fullmatch(r"(\[\d+\] )?https?://\S+", line), line


def test_text_has_no_image_urls_and_no_markup(built):
    for rendered in built.emails:
        assert ".jpg" not in rendered.text and "<" not in rendered.text


def test_text_keeps_french_typography(built):
    text = built.emails[0].text
    assert "Version en ligne\u00a0:" in text
    assert "à très vite\u202f!" in text
    assert not re.search(r"^[;:!?»]", text, re.M)


def test_text_reads_in_the_same_order_as_the_html(built):
    rendered = built.emails[2]
    titles = [a.title for a in rendered.issue.articles]
    positions_text = [rendered.text.index(t.split(" ")[0] + " " + t.split(" ")[1]) for t in titles]
    assert positions_text == sorted(positions_text)


def test_french_dates(built):
    assert "Lundi\u00a023\u00a0novembre\u00a02026" in built.emails[2].text


def test_project_templates_override_the_theme_file_by_file(example):
    (example / "templates").mkdir()
    (example / "templates" / "footer.mjml").write_text(
        '<mj-section><mj-column><mj-text>Pied de page maison <a href="{{ issue.profile.unsubscribe }}">stop</a></mj-text></mj-column></mj-section>',
        encoding="utf-8")
    result = build(load_project(example), BuildOptions(segments=("quotidienne",)))
    html = result.emails[0].html
    assert "Pied de page maison" in html and "Lire la suite" in html  # the rest of the theme is still there


@pytest.mark.parametrize(
    "template, expected",
    [
        ("{% if %}", "templates/footer.mjml:1: template syntax error"),
        ("<mj-section>{{ issue.nope }}</mj-section>", "templates/footer.mjml:1: undefined variable"),
        ("<mj-section><mj-column><mj-text><p>pas fermé</mj-text></mj-column></mj-section>",
         "column 45: </mj-text> closes nothing here (<p> is still open)"),
        ("<mj-section><mj-column><mj-text>a < b</mj-text></mj-column></mj-section>", "column 35: a bare `<`"),
        ("<mj-section><mj-column><mj-text>a<BR>b</mj-text></mj-column></mj-section>", "column 34: an uppercase tag"),
        ("<mj-section><mj-column><mj-text><a href=x>b</a></mj-text></mj-column></mj-section>", "column 33: an unquoted attribute"),
        ("<mj-section><mj-column><mj-txt>faute de frappe</mj-txt></mj-column></mj-section>", "unknown tag <mj-txt>"),
    ],
)
def test_template_errors_name_the_file_and_line(example, template, expected):
    (example / "templates").mkdir()
    (example / "templates" / "footer.mjml").write_text(template, encoding="utf-8")
    with pytest.raises(RenderError) as error:
        build(load_project(example))
    assert expected in str(error.value)


def test_content_with_jinja_and_mjml_stays_text(example):
    (example / "articles" / "piege.md").write_text(
        '---\ntitle: "{{ 7*7 }} </mj-text><mj-raw><script>alert(1)</script></mj-raw>"\ndate: 2026-11-24\n'
        'summary: "{% raw %} <img src=x onerror=alert(1)>"\n---\n', encoding="utf-8")
    html = build(load_project(example), BuildOptions(segments=("quotidienne",))).emails[0].html
    assert "{{ 7*7 }}" in html and "49" not in html.split("{{ 7*7 }}")[0][-5:]
    assert "<script" not in html and "<mj-raw" not in html and "<img src=x" not in html


def test_quotes_and_line_breaks_in_values_survive_attributes(example):
    (example / "articles" / "guillemets.md").write_text(
        '---\ntitle: "Le \\"grand\\" rendez-vous"\ndate: 2026-11-24\nimage: https://example.org/a.jpg\n'
        'image_alt: "Une photo\\tavec \\"guillemets\\"\\net retour"\nfeatured: true\n---\n', encoding="utf-8")
    html = build(load_project(example), BuildOptions(segments=("quotidienne",))).emails[0].html
    alts = [a["alt"] for tag, a in Tags(html).tags if tag == "img"]
    assert 'Une photo avec "guillemets" et retour' in alts
    assert "\\n" not in html and '\\"' not in html and "\\t" not in html


def test_no_break_spaces_and_accents_survive_attributes(example):
    (example / "articles" / "accents.md").write_text(
        '---\ntitle: "Cafe\u0301 : « rencontre » ?"\ndate: 2026-11-24\nimage: https://example.org/a.jpg\n'
        'image_alt: "Un cafe\u0301 ; une table\u00a0!"\nfeatured: true\n---\n', encoding="utf-8")
    rendered = build(load_project(example), BuildOptions(segments=("quotidienne",))).emails[0]
    alts = [a["alt"] for tag, a in Tags(rendered.html).tags if tag == "img"]
    assert "Un cafe\u0301\u202f; une table\u202f!" in alts
    assert "\\u{" not in rendered.html and "\\\\" not in rendered.html


def test_dark_mode_is_declared_and_styled(built):
    for rendered in built.emails:
        assert '<meta name="color-scheme" content="light dark" />' in rendered.html
        assert 'vertical-align="' not in rendered.html
        assert "@media (prefers-color-scheme: dark)" in rendered.html


def test_headings_are_headings_and_unsubscribe_is_visible_in_the_body(built):
    for rendered in built.emails:
        tags = [tag for tag, _ in Tags(rendered.html).tags]
        assert tags.count("h1") == 1 and tags.count("h2") == len(rendered.issue.articles)  # every article at one level
        assert re.search(r'<a href="\{\{unsubscribe_url\}\}"[^>]*>Se désinscrire</a>', rendered.html)


def test_theme_colours_have_enough_contrast(built_example):
    config = load_config(built_example)
    for segment in config.segments:
        assert contrast(segment.accent, "#ffffff") >= 4.5
    # body text, meta text and footer text on their backgrounds, light and dark
    for text, background in (("#1d2b27", "#ffffff"), ("#5b615e", "#ffffff"), ("#5b615e", "#f2efe8"),
                             ("#ece9e2", "#1c2220"), ("#b9bdb9", "#1c2220"), ("#b9bdb9", "#121614"), ("#9fd8c4", "#1c2220")):
        assert contrast(text, background) >= 4.5, (text, background)


def test_a_pale_accent_warns(tmp_path):
    raw = {"newsletter": {"name": "L", "sender": "L <a@example.org>", "base_url": "https://example.org"},
           "segments": {"s": {"title": "S", "accent": "#ffcc00"}}}
    warnings = [str(w) for w in parse_config(raw, tmp_path).warnings]
    assert warnings == ["rameau.yaml: segments.s.accent: white text on #ffcc00 has a contrast of 1.5:1, under the 4.5:1 "
                        "readers need; choose a darker colour"]


def test_an_english_newsletter_gets_english_words_dates_and_typography(example):
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("language: fr", "language: en"), encoding="utf-8")
    rendered = build(load_project(example), BuildOptions(segments=("hebdo-association",))).emails[0]
    assert "Read more" in rendered.html and "Lire la suite" not in rendered.html
    assert '<html lang="en"' in rendered.html
    assert "Unsubscribe: {{unsubscribe_url}}" in rendered.text
    assert "Online version: {{view_online_url}}" in rendered.text
    assert "Hello {{first_name|there}}," in rendered.text
    assert "Monday, November\u00a023, 2026" in rendered.text
    assert "\u202f" not in rendered.text and "Read more:" in rendered.text
