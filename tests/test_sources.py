import os

import pytest

from rameau_cli.errors import ContentError, Warnings
from rameau_cli.project.config import Source, load_config
from rameau_cli.sources.feeds import read_feed_source
from rameau_cli.sources.pool import collect_articles

from helpers import FEEDS, FIXTURES, LocalServer, Reply, checked, copy_example


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(copy_example(tmp_path_factory.mktemp("sources") / "project"))


def read_feed(config, source, warnings, skipped=None):
    skipped = [] if skipped is None else skipped
    articles = read_feed_source(config, source, warnings, skipped)
    for problem in skipped:
        warnings.warn(problem.where, f"{problem.message} (article skipped)")
    return articles


def feed(config, name, categories=()):
    warnings = Warnings()
    return read_feed(config, Source("feed", str(FEEDS / name), categories), warnings), warnings


def test_rss2_entries_map_onto_articles(config):
    articles, warnings = feed(config, "rss2-categories.xml", (("association", "association"), ("grand public", "grand-public")))
    first, second, third = articles
    assert first.title == "Une première entrée"
    assert first.url == "https://reseau.example/actus/premiere"
    assert first.audiences == ("association",) and first.tags == ("emploi",)
    assert second.audiences == ("grand-public",)
    assert first.image == "https://reseau.example/img/premiere.jpg"
    assert "alert" not in first.summary and first.summary.startswith("Résumé avec un lien")
    assert first.date.isoformat() == "2026-11-24T10:00:00+01:00"
    assert third.title == "Sans lien" and third.url == ""  # never dropped: it goes out without a link
    assert [str(w) for w in warnings] == [f"{FEEDS / 'rss2-categories.xml'} entry 3: entry 'Sans lien' has no link that "
                                          "can be followed (none); it goes out without one"]


def test_atom_with_xml_base_and_html_title(config):
    (article,), _ = feed(config, "atom.xml")
    assert article.title == "Appel à projets"
    assert article.url == "https://fondation.example/appels/2026"
    assert article.tags == ("entreprise",)
    assert article.guid == "urn:uuid:appel-2026"


@pytest.mark.parametrize("name, title", [("rss1.rdf", "Entrée RSS 1.0"), ("rss091.xml", "Entrée RSS 0.91")])
def test_older_rss_versions(config, name, title):
    (article,), _ = feed(config, name)
    assert article.title == title


@pytest.mark.parametrize(
    "name, message",
    [("html-page.xml", "not an RSS or Atom feed"), ("entity-bomb.xml", "declares XML entities that could expand")],
)
def test_things_that_are_not_feeds_are_refused(config, name, message):
    with pytest.raises(ContentError, match=message):
        feed(config, name)


def test_the_same_story_from_two_sources_appears_once(config, tmp_path):
    articles_dir = tmp_path / "articles"
    articles_dir.mkdir()
    (articles_dir / "premiere.md").write_text(
        "---\ntitle: Première (version maison)\ndate: 2026-11-24\nurl: https://reseau.example/actus/premiere/\n---\n", encoding="utf-8")
    sources = (Source("markdown", str(articles_dir)), Source("feed", str(FEEDS / "rss2-categories.xml")))
    articles = collect_articles(config, sources, Warnings()).articles
    titles = [a.title for a in articles]
    assert titles == ["Première (version maison)", "Une seconde entrée", "Sans lien"]


@pytest.fixture(scope="module")
def http_feed():
    """The fixture feeds, served over HTTP on 127.0.0.1 by a server of this module's own (the
    session's is shared with the hostile servers' tests)."""
    server = LocalServer().start()
    for path in FEEDS.iterdir():
        server.routes[f"/feeds/{path.name}"] = Reply(path.read_bytes())
    yield f"{server.url}/feeds"
    server.stop()


def test_feed_over_http(config, http_feed):
    articles = read_feed(config, Source("feed", f"{http_feed}/atom.xml"), Warnings())
    assert [a.title for a in articles] == ["Appel à projets"]


def test_unreachable_feed_warns_and_the_build_goes_on(config, http_feed):
    warnings = Warnings()
    sources = (Source("feed", f"{http_feed}/absent.xml"), Source("feed", str(FEEDS / "atom.xml")))
    articles = collect_articles(config, sources, warnings).articles
    assert [a.title for a in articles] == ["Appel à projets"]
    assert "feed unreachable: HTTP 404" in str(list(warnings)[0])


def test_undated_entries_take_the_feed_date_and_relative_links_are_explained(config, tmp_path):
    path = tmp_path / "rss091.xml"
    path.write_text('<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><link>/actus</link>'
                    "<lastBuildDate>Mon, 23 Nov 2026 08:00:00 GMT</lastBuildDate>"
                    "<item><title>Sans date</title><link>https://x.example/a</link></item>"
                    "<item><title>Lien relatif</title><link>/b</link></item></channel></rss>")
    warnings = Warnings()
    first, second = read_feed(config, Source("feed", str(path)), warnings)
    assert first.title == "Sans date" and first.date.date().isoformat() == "2026-11-23"
    assert second.url == "https://www.rameau-alliances.org/b"  # read against the newsletter's base_url, said so
    messages = sorted(str(w) for w in warnings)
    assert messages[0] == f"{path}: 2 entries have no date that can be read; dated with the feed's own date, 2026-11-23"
    assert messages[1] == (f"{path}: the feed's links are relative and it gives no address of its own; they were read "
                           "against newsletter.base_url (https://www.rameau-alliances.org): set `base_url:` on this "
                           "source if that is not where they lead")


def test_every_source_failing_is_an_error(config):
    with pytest.raises(ContentError, match="no source could be read"):
        collect_articles(config, (Source("feed", str(FEEDS / "html-page.xml")),), Warnings())


def test_a_feed_with_no_date_at_all_is_dated_by_its_file(config, tmp_path):
    path = tmp_path / "rss091.xml"
    path.write_text('<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><link>https://x.example/</link>'
                    "<item><title>Sans date</title><link>https://x.example/a</link></item></channel></rss>")
    os.utime(path, (1795600000, 1795600000))  # 2026-11-25
    warnings = Warnings()
    (article,) = read_feed(config, Source("feed", str(path)), warnings)
    assert article.date.date().isoformat() == "2026-11-25"
    assert "dated with the time the feed was last modified, 2026-11-25" in str(list(warnings)[0])


PELICAN = FIXTURES / "feeds" / "pelican-relative.atom.xml"  # as Pelican writes its feeds: every link relative


def test_a_feed_of_relative_links_is_read_against_the_address_it_came_from(config, http_server):
    http_server.routes["/blog/feeds/all.atom.xml"] = Reply(PELICAN.read_bytes())
    warnings = Warnings()
    articles = read_feed(config, Source("feed", f"{http_server.url}/blog/feeds/all.atom.xml"), warnings)
    assert [a.url for a in articles] == [f"{http_server.url}/filename_metadata-example.html",
                                         f"{http_server.url}/second-article.html"]
    assert [str(w) for w in warnings] == []


def test_a_feed_file_of_relative_links_takes_the_sources_base_url(config):
    warnings = Warnings()
    articles = read_feed(config, Source("feed", str(PELICAN), base_url="https://blog.example.org/"), warnings)
    assert [a.url for a in articles] == ["https://blog.example.org/filename_metadata-example.html",
                                         "https://blog.example.org/second-article.html"]
    assert [str(w) for w in warnings] == []


def test_links_and_images_inside_relative_content_become_absolute(example, run, http_server):
    http_server.routes["/site/feed.xml"] = Reply(PELICAN.read_bytes())
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("hebdo-association:\n    title: L'hebdo association",
                      "hebdo-association:\n    title: L'hebdo association\n    body: full"), encoding="utf-8")
    result = run("build-issue", "--source", f"{http_server.url}/site/feed.xml", "--since", "2012-01-01", "--until",
                 "2012-12-31", "--segment", "quotidienne", "--out", "out", "--json", cwd=example)
    assert result.code == 0, result.stderr
    html = (example / "out" / "2012-01-01_2012-12-31" / "quotidienne" / "index.html").read_text(encoding="utf-8")
    assert f'href="{http_server.url}/filename_metadata-example.html"' in html
    assert 'href="/' not in html and 'src="/' not in html
