"""Hostile and broken input, run through the real command: a clear message or neutralised output,
never a traceback, never a signal, never a write outside the output folder."""

import json
import re
from pathlib import Path

import pytest

from rameau_cli.content.markup import clean_html

from helpers import checked

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
UNSAFE = re.compile(r"<script|<iframe|<object|<embed|<form|javascript:|vbscript:|data:|expression\(|<mj-|\son\w+\s*=", re.I)


def build(run, project, source, *extra):
    return run("build-issue", "--source", str(source), "--since", "2000-01-01", "--until", "2100-01-01",
               "--out", "out", *extra, cwd=project)


def outputs(project) -> dict[str, str]:
    out = project / "out"
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("index.*")} if out.exists() else {}


@pytest.mark.parametrize("name, title", [
    ("xxe-file.xml", "Entrée XXE"),
    ("xinclude.xml", "Entrée XInclude"),
])
def test_external_resources_are_never_fetched(example, run, name, title):
    result = build(run, example, HOSTILE / name)
    assert result.code == 0, result.stderr
    files = outputs(example)
    assert any(title in text for text in files.values())
    assert not any("root:" in text for text in files.values())


@pytest.mark.parametrize("name", ["external-entity.xml", "parameter-entity.xml", "quadratic-blowup.xml"])
def test_entity_declarations_are_refused(example, run, name):
    result = build(run, example, HOSTILE / name)
    assert result.code == 1
    assert f"error: {HOSTILE / name}: feed declares XML entities that could expand or fetch data, which rameau never does; refused" in result.stderr
    assert "error: no source could be read; nothing was built" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name, message", [
    ("truncated.xml", "truncated.xml:1: feed is not well-formed XML (no element found)"),
    ("empty.xml", "feed is empty"),
    ("plain-text.xml", "not an RSS or Atom feed"),
])
def test_broken_feeds_get_one_line(example, run, name, message):
    result = build(run, example, HOSTILE / name, "--source", str(Path(__file__).parent / "fixtures" / "feeds" / "atom.xml"), "--strict")
    assert result.code == 1
    assert f"error: {HOSTILE / name}" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_scripts_links_and_markup_from_a_feed_never_reach_the_email(example, run):
    result = build(run, example, HOSTILE / "scripts-in-content.xml")
    assert result.code == 0, result.stderr
    assert "entry 1: entry 'Titre piégé' has no link that can be followed (javascript:" in result.stderr
    assert "it goes out without one" in result.stderr
    files = outputs(example)
    assert files
    for name, text in files.items():
        assert not UNSAFE.search(text.replace("<!--[if mso", "")), name
    html = next(text for name, text in files.items() if name.endswith(".html"))
    assert "Titre sur deux lignes {{ 7*7 }}" in html


def test_a_huge_feed_is_read_and_a_deep_one_does_not_crash(example, run, tmp_path):
    items = "".join(
        f"<item><title>Entrée {i}</title><link>https://x.example/{i}</link>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 +0100</pubDate><description>Texte {i}</description></item>"
        for i in range(2000))  # 200 KB of feed; tests/bench/run.py times one of 5,000 entries
    big = tmp_path / "big.xml"
    big.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link>{items}</channel></rss>')
    result = build(run, example, big, "--segment", "quotidienne")
    assert result.code == 0, result.stderr
    deep = tmp_path / "deep.xml"
    deep.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link>'
                    '<item><title>Profond</title><link>https://x.example/p</link><pubDate>Tue, 24 Nov 2026 10:00:00 +0100</pubDate>'
                    f'<description><![CDATA[{"<div>" * 180000}au fond<script>x()</script>{"</div>" * 180000}]]>'
                    f'</description><extra>{"<a>" * 20000}{"</a>" * 20000}</extra></item></channel></rss>')
    # As deep as fits in the 2 MB read of an entry: parsed, such HTML takes hours (the parser's
    # time grows with the square of the depth); it is read as its text.
    result = build(run, example, deep, "--segment", "quotidienne")
    assert result.code == 0, result.stderr
    text = outputs(example)["2000-01-01_2100-01-01/quotidienne/index.txt"]
    assert "Profond" in text and "au fond" in text and "x()" not in text


def write_article(project, name, text):
    (project / "articles" / name).write_text(text, encoding="utf-8")


def test_yaml_tags_are_never_executed_and_alias_bombs_are_bounded(example, run, tmp_path):
    marker = tmp_path / "pwned"
    write_article(example, "tag.md", f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\ndate: 2026-11-24\n---\n")
    bomb = "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x]"] +
                     [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 10)])
    write_article(example, "bombe.md", f"---\n{bomb}\ntitle: Bombe\ndate: 2026-11-24\ntags: *a9\naudiences: *a9\nfeatured: *a9\n---\n")
    result = run("build-issue", cwd=example)
    assert result.code == 0
    assert not marker.exists()
    assert "tag.md:2: invalid YAML" in result.stderr
    assert "bombe.md: tags: expected a list of names" in result.stderr
    assert len(result.stderr) < 5000


def test_path_traversal_through_ids_is_refused(example, run):
    write_article(example, "evasion.md", "---\ntitle: Évasion\ndate: 2026-11-24\nslug: ../../../etc/evasion\n---\n")
    assert run("build-issue", cwd=example).code == 0
    assert not list(example.parent.rglob("evasion*.html"))
    result = run("build-issue", "../../etc/x", cwd=example)
    assert result.code == 2 and "is not a valid edition id" in result.stderr
    result = run("build-issue", "/etc/passwd", cwd=example)
    assert result.code == 2 and "is not a valid edition id" in result.stderr


def test_duplicate_slugs_are_named(example, run):
    write_article(example, "doublon.md", "---\ntitle: Doublon\ndate: 2026-11-24\nslug: kit-accueil-benevoles\n---\n")
    result = run("build-issue", cwd=example)
    assert "slug 'kit-accueil-benevoles' is already used by" in result.stderr and "(article skipped)" in result.stderr


def test_a_10_mb_article_gets_a_clear_message(example, run):
    write_article(example, "enorme.md", "---\ntitle: Énorme\ndate: 2026-11-24\n---\n" + "mot " * 2_700_000)
    result = run("build-issue", cwd=example)
    assert result.code == 0
    assert re.search(r"enorme\.md: file is \d+(\.\d)? MB, over the 5 MB limit; shorten it \(article skipped\)", result.stderr)


def test_crlf_in_titles_never_splits_a_subject(example, run):
    write_article(example, "crlf.md", '---\ntitle: "Ligne\\r\\nBcc: victime@example.org"\ndate: 2026-11-24\n---\n')
    (example / "rameau.yaml").write_text(checked((example / "rameau.yaml").read_text(encoding="utf-8")).replace(
        'subject: "La quotidienne – {{ edition.date_short }}"', 'subject: "{{ articles[0].title }}"'), encoding="utf-8")
    result = run("build-issue", "--since", "2026-11-24", "--until", "2026-11-24", "--json", "--segment", "quotidienne", cwd=example)
    subject = json.loads(result.stdout)["segments"]["quotidienne"]["subject"]
    assert "\n" not in subject and "\r" not in subject


def test_entity_tricks_are_caught_wherever_they_hide(example, run, tmp_path):
    bomb = ('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<rss version="2.0"><channel><title>&b;</title><link>https://x.example/</link></channel></rss>')
    late = tmp_path / "late.xml"
    late.write_text('<?xml version="1.0"?><!--' + "x" * 70_000 + "-->" + bomb)
    utf16 = tmp_path / "utf16.xml"
    utf16.write_bytes(('<?xml version="1.0" encoding="UTF-16"?>' + bomb).encode("utf-16"))
    for path in (late, utf16):
        result = build(run, example, path)
        assert result.code == 1 and "feed declares XML entities" in result.stderr, path


def test_short_literal_entities_are_allowed(example, run, tmp_path):
    feed = tmp_path / "nbsp.xml"
    feed.write_text('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;">]><rss version="2.0"><channel>'
                    '<title>t</title><link>https://x.example/</link><item><title>Avant&nbsp;après</title>'
                    '<link>https://x.example/a</link><pubDate>Tue, 24 Nov 2026 10:00:00 +0100</pubDate></item></channel></rss>')
    result = build(run, example, feed)
    assert result.code == 0, result.stderr
    assert "Avant\u00a0après" in outputs(example)["2000-01-01_2100-01-01/quotidienne/index.txt"]


def test_only_html_nested_past_reason_is_read_as_text():
    """Long content with the end tags HTML lets authors leave out keeps its markup; 300 nested
    elements do not (and their script stays out)."""

    flat = "<p>Un paragraphe" * 1000 + "<ul>" + "<li>un point" * 1000 + "</ul>" + "<div><blockquote>" * 50 + "cité"
    kept = clean_html(flat)
    assert kept.count("<p>") == 1000 and kept.count("<li>") == 1000 and kept.count("<blockquote>") == 50
    deep = "<div>" * 300 + "texte<script>alert(1)</script>" + "</div>" * 300
    assert clean_html(deep) == "<p>texte</p>"
