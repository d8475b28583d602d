"""A build asks a host that cannot be found once, not once per image on it."""

from __future__ import annotations

import socket

import pytest

from rameau_cli import pipeline
from rameau_cli.errors import ContentError, Problem
from rameau_cli.pipeline import ImageFetcher
from rameau_cli.sources.fetch import HostNotFound


def test_a_build_without_a_network_looks_up_the_images_host_once(example, run, monkeypatch):
    asked = []
    not_found = socket.getaddrinfo  # the suite's: no name but the loopback's is found

    def counted(host, *args, **kwargs):
        asked.append(host)
        return not_found(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counted)
    result = run("build-issue", cwd=example)
    assert result.code == 0, result.stderr
    assert asked == ["www.rameau-alliances.org"]  # the example's four remote images are all there
    html = (example / "dist" / "2026-W48" / "hebdo-association" / "index.html").read_text(encoding="utf-8")
    assert "www.rameau-alliances.org" in html  # still shown, in a box of the stated ratio


def test_only_the_host_not_found_is_skipped_and_a_redirect_blames_its_target(monkeypatch):
    fetched = []

    def fetch_url(url, policy):
        fetched.append(url)
        if "a.example" in url:
            raise HostNotFound("a.example", Problem(url, "cannot find the server a.example"))
        if "moved.example" in url:  # redirected to a host that does not exist
            raise HostNotFound("gone.example", Problem(url, "cannot find the server gone.example"))

        class Fetched:
            data = b"image"
        return Fetched()

    monkeypatch.setattr(pipeline, "fetch_url", fetch_url)
    fetch = ImageFetcher()
    for url in ("https://a.example/1.png", "https://A.example/2.png", "https://moved.example/3.png",
                "https://gone.example/4.png", "https://moved.example/5.png", "https://b.example/6.png"):
        try:
            fetch(url)
        except ContentError:
            pass
    assert fetched == ["https://a.example/1.png", "https://moved.example/3.png", "https://moved.example/5.png",
                       "https://b.example/6.png"]
    with pytest.raises(ContentError, match="a.example"):
        fetch("https://a.example/7.png")
