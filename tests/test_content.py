"""Content from authors and feeds: sanitized, read into blocks, rendered as strict HTML that
mjml-python accepts, with nothing that runs in a mail client."""

import pytest

from rameau_cli.content.markup import absolute_url, clean_html, markdown_to_html, plain_text
from rameau_cli.content.read_html import Reading, read_blocks
from rameau_cli.render.body_html import blocks_html
from rameau_cli.render.mjml import mjml_to_html
from rameau_cli.render.text import LinkList, blocks_text


def content_html(raw: str, base: str = "https://example.org/articles/x/") -> str:
    blocks = read_blocks(clean_html(raw), Reading(resolve=lambda url: absolute_url(url, base)))
    return str(blocks_html(blocks))


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
        '<img src="data:image/png;base64,AAAA" alt="x">',
        '<iframe src="https://evil.example/"></iframe><object data="x"></object><embed src="y"><form action="z"><input></form>',
        '<p style="width: expression(alert(1))" onclick="alert(1)">texte</p>',
        '<table><tr><td style="background:url(javascript:alert(1))" onmouseover="x()">c</td></tr></table>',
        '</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>',
        '<svg><script>alert(1)</script></svg><math><mi>x</mi></math><style>p{}</style>',
    ],
)
def test_hostile_html_is_neutralised_and_still_renders(hostile):
    html = in_mjml(content_html(hostile)).lower()
    for needle in ("<script", "javascript:", "vbscript:", "data:text", "data:image", "onerror", "onclick", "onmouseover",
                   "<iframe", "<object", "<embed", "<form", "expression(", "<mj-raw", "<svg", "url("):
        assert needle not in html


@pytest.mark.parametrize(
    "broken",
    ["<p>paragraphe jamais fermé", "a < b et c > d", "ligne<BR>suivante", '<a href=https://example.org/x title=t>lien</a>',
     "<ul><li>un<li>deux</ul>", "<b><i>croisés</b></i>", "&nbsp;&eacute;&#233;&bogus;",
     '<a title="deux\nlignes\tet &quot;guillemets&quot;" href="https://example.org">l</a>',
     "<table><td>sans tr<th>entête</table>", "<pre>code <b>gras</b>\n  indenté</pre>"],
)
def test_html_that_mjml_python_rejects_is_made_well_formed(broken):
    html = in_mjml(content_html(broken))
    assert "\\n" not in html and "\\t" not in html and '\\"' not in html


def test_very_deep_nesting_is_flattened_instead_of_crashing():
    deep = "<blockquote>" * 5000 + "fond" + "</blockquote>" * 5000 + "<span>" * 20000 + "bas" + "</span>" * 20000
    html = in_mjml(content_html(deep))
    assert "fond" in html and "bas" in html


def test_relative_links_and_images_become_absolute():
    html = content_html('<p><a href="/agenda">agenda</a> <a href="mailto:a@example.org">écrire</a></p><img src="photo.jpg" alt="p">')
    assert 'href="https://example.org/agenda"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'src="https://example.org/articles/x/photo.jpg"' in html


def test_jinja_syntax_in_content_stays_text():
    assert "{{ config.secret }}" in content_html("<p>{{ config.secret }} {% raw %}</p>")


def test_markdown_is_rendered_by_a_real_parser():
    html = markdown_to_html("## Titre\n\nUn *mot* et **deux**.\n\n- un\n- deux\n")
    assert "<h2>Titre</h2>" in html and "<em>mot</em>" in html and "<strong>deux</strong>" in html and "<li>un</li>" in html


def test_text_keeps_links_as_numbered_references():
    links = LinkList()
    blocks = read_blocks(clean_html('<p>Voir <a href="https://a.example/">ceci</a> et <a href="https://b.example/">cela</a>, '
                                    'puis <a href="https://a.example/">ceci</a>.</p>'))
    assert blocks_text(blocks, links) == "Voir ceci [1] et cela [2], puis ceci [1]."
    assert links.listing() == "[1] https://a.example/\n[2] https://b.example/"


def test_plain_text_drops_markup_and_scripts():
    assert plain_text("<b>Titre</b> &amp; <script>x()</script>suite") == "Titre & suite"


def test_links_with_control_characters_are_dropped_and_spaces_encoded():
    assert absolute_url("https://example.org/a\x00b", "") == ""
    assert absolute_url("https://example.org/a b", "") == "https://example.org/a%20b"


def test_control_characters_in_values_never_break_mjml():
    from rameau_cli.render.templates import mjml_value

    assert str(mjml_value("a\x00b\x1bc\x7f")) == "abc"
