import pytest

from rameau_cli.render.markup import clean_html, html_to_text, markdown_to_html, plain_text, summary_from_html
from rameau_cli.render.mjml import mjml_to_html


def in_mjml(fragment: str) -> str:
    return mjml_to_html(f"<mjml><mj-body><mj-section><mj-column><mj-text>{fragment}</mj-text></mj-column></mj-section></mj-body></mjml>")


@pytest.mark.parametrize(
    "hostile",
    [
        '<p>Bonjour<script>alert(1)</script></p>',
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">clic</a>',
        '<a href="jav&#x61;script:alert(1)">clic</a>',
        '<a href=" java\tscript:alert(1)">clic</a>',
        '<a href="vbscript:msgbox(1)">clic</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">clic</a>',
        '<iframe src="https://evil.example/"></iframe><object data="x"></object><embed src="y"><form action="z"><input></form>',
        '<p style="width: expression(alert(1))" onclick="alert(1)">texte</p>',
        '</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>',
    ],
)
def test_hostile_html_is_neutralised_and_still_renders(hostile):
    cleaned = clean_html(hostile, "https://example.org/")
    html = in_mjml(cleaned).lower()
    for needle in ("<script", "javascript:", "vbscript:", "data:text", "onerror", "onclick", "<iframe", "<object",
                   "<embed", "<form", "expression(", "<mj-raw"):
        assert needle not in html


@pytest.mark.parametrize(
    "broken",
    ["<p>paragraphe jamais fermé", "a < b et c > d", "ligne<BR>suivante", '<a href=https://example.org/x title=t>lien</a>',
     "<ul><li>un<li>deux</ul>", "<b><i>croisés</b></i>", "&nbsp;&eacute;&#233;&bogus;", '<a title="deux\nlignes\tet &quot;guillemets&quot;" href="https://example.org">l</a>'],
)
def test_html_that_mjml_python_rejects_is_made_well_formed(broken):
    html = in_mjml(clean_html(broken, "https://example.org/"))
    assert "\\n" not in html and "\\t" not in html and '\\"' not in html


def test_very_deep_nesting_is_flattened_instead_of_crashing():
    deep = "<span>" * 20000 + "fond" + "</span>" * 20000
    html = in_mjml(clean_html(deep))
    assert "fond" in html


def test_relative_links_become_absolute():
    cleaned = clean_html('<a href="/agenda">agenda</a> <a href="mailto:a@example.org">écrire</a>', "https://example.org/articles/x/")
    assert 'href="https://example.org/agenda"' in cleaned
    assert 'href="mailto:a@example.org"' in cleaned


def test_jinja_syntax_in_content_stays_text():
    cleaned = clean_html("<p>{{ config.secret }} {% raw %}</p>")
    assert "{{ config.secret }}" in cleaned


def test_markdown_is_rendered_by_a_real_parser():
    html = markdown_to_html("## Titre\n\nUn *mot* et **deux**.\n\n- un\n- deux\n")
    assert "<h2>Titre</h2>" in html and "<em>mot</em>" in html and "<strong>deux</strong>" in html and "<li>un</li>" in html


def test_text_keeps_links_as_numbered_references():
    text = html_to_text(clean_html('<p>Voir <a href="https://a.example/">ceci</a> et <a href="https://b.example/">cela</a>, puis <a href="https://a.example/">ceci</a>.</p>'))
    assert text.blocks[0].text == "Voir ceci [1] et cela [2], puis ceci [1]."
    assert text.links == ("https://a.example/", "https://b.example/")


def test_summary_from_body_is_cut_at_a_word():
    body = clean_html("<p>" + "mot " * 200 + "</p>")
    summary = summary_from_html(body, limit=50)
    assert len(summary) <= 50 and summary.endswith("mot…")


def test_plain_text_drops_markup_and_scripts():
    assert plain_text("<b>Titre</b> &amp; <script>x()</script>suite") == "Titre & suite"


def test_links_with_control_characters_are_dropped_and_spaces_encoded():
    from rameau_cli.render.markup import absolute_url

    assert absolute_url("https://example.org/a\x00b", "") == ""
    assert absolute_url("https://example.org/a b", "") == "https://example.org/a%20b"


def test_control_characters_in_values_never_break_mjml():
    from rameau_cli.render.templates import mjml_value

    assert str(mjml_value("a\x00b\x1bc\x7f")) == "abc"
