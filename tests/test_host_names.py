"""Host names in IDNA 2008 (UTS #46, non-transitional), as browsers and registries write them:
ß, ς and the joiners are letters of their own, so `straße.de` is never `strasse.de`, another
domain that someone else may own."""

import pytest

from rameau_cli.project.urls import ascii_host, feed_url

DISTINCT = {  # IDNA 2003 (Python's codec) maps each left one onto the right one
    "straße.de": ("xn--strae-oqa.de", "strasse.de"),
    "faß.example": ("xn--fa-hia.example", "fass.example"),
    "βόλος.gr": ("xn--nxasmm1c.gr", "xn--nxasmq6b.gr"),
}


@pytest.mark.parametrize("name", DISTINCT)
def test_a_host_keeps_its_own_letters(name):
    ours, idna2003 = DISTINCT[name]
    assert ascii_host(name) == ours != idna2003
    url = feed_url(f"https://{name}/feed.xml?q=ß")
    assert url.host == ours and url.host_header == ours
    assert str(url) == f"https://{ours}/feed.xml?q=%C3%9F"


def test_hosts_are_mapped_as_browsers_map_them_and_ascii_is_left_alone():
    assert ascii_host("ＥＸＡＭＰＬＥ。Straße.DE") == "example.xn--strae-oqa.de"  # full-width, ideographic dot
    assert ascii_host("Exämple.FR") == "xn--exmple-cua.fr"
    assert ascii_host("a_b.Example.org") == "a_b.example.org"
    with pytest.raises(ValueError):
        feed_url("https://-straße-.de/")


def test_the_newsletter_tags_links_to_its_own_domain_however_it_is_written():
    from rameau_cli.compose.links import on_our_domains

    assert on_our_domains("https://straße.de/a", ("xn--strae-oqa.de",))
    assert on_our_domains("https://xn--strae-oqa.de/a", ("straße.de",))
    assert not on_our_domains("https://strasse.de/a", ("straße.de",))
