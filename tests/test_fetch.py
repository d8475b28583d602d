"""Feed fetching against a real HTTP server on 127.0.0.1 that misbehaves on purpose, and the
last good copy of a feed kept for when it does."""

import gzip
import socket
import threading
import time

import pytest

from rameau_cli.cache.base import CacheFolder
from rameau_cli.errors import ContentError, Warnings
from rameau_cli.project.config import Source, load_config
from rameau_cli.sources.feeds import read_feed_source
from rameau_cli.sources.fetch import FetchPolicy, fetch_url

from helpers import FEEDS, LocalServer, RawServer, Reply

FEED = (FEEDS / "atom.xml").read_bytes()
FAST = dict(timeout=0.5, deadline=0.8, max_bytes=200_000)
# For the faults that last until a limit cuts them: the silent server is cut at 0.3 s, and the drip
# (a byte every 0.05 s, each well within a read's 0.3 s) at the 0.5 s deadline.
TIMED = dict(timeout=0.3, deadline=0.5, max_bytes=200_000)
SURE = dict(max_bytes=200_000)  # the default limits: a fetch that must succeed is never cut by a loaded machine


def redirect(location):
    return Reply(status=302, headers=[("Location", location)])


def chunked_big(request):
    request.send_response(200)
    request.send_header("Connection", "close")
    request.end_headers()
    for _ in range(40):
        request.wfile.write(b" " * 10_000)


def drip(request):
    request.send_response(200)
    request.send_header("Content-Type", "application/rss+xml")
    request.send_header("Connection", "close")
    request.end_headers()
    try:
        for _ in range(100):
            request.wfile.write(b"<")
            request.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def silent(request):
    time.sleep(10)


def etag(request):
    if request.headers.get("If-None-Match") == '"v1"':
        return Reply(status=304)
    return Reply(FEED, headers=[("ETag", '"v1"')])


@pytest.fixture(scope="module")
def http_server():
    """A local HTTP server of this module's own, in place of the session's, which the other
    modules on this worker share (and some of them with servers that misbehave on purpose)."""
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(http_server):
    http_server.routes.update({
        "/feed.xml": Reply(FEED),
        "/etag.xml": etag,
        "/gzip.xml": Reply(gzip.compress(FEED), headers=[("Content-Encoding", "gzip")]),
        "/cut-gzip.xml": Reply(gzip.compress(FEED)[:-40], headers=[("Content-Encoding", "gzip")]),
        "/bomb.xml": Reply(gzip.compress(b"<" * 5_000_000), headers=[("Content-Encoding", "gzip")]),
        "/big.xml": Reply(b" " * 300_000),
        "/chunked-big.xml": chunked_big,
        "/404.xml": Reply(b"absent", 404, content_type="text/plain"),
        "/500.xml": Reply(b"panne", 500, content_type="text/plain"),
        "/loop.xml": redirect("/loop2.xml"),
        "/loop2.xml": redirect("/loop.xml"),
        "/drip.xml": drip,
        "/silent.xml": silent,
    })
    return http_server.url


def test_plain_and_gzip_bodies(server):
    assert fetch_url(f"{server}/feed.xml", FetchPolicy(**SURE)).data == FEED
    assert fetch_url(f"{server}/gzip.xml", FetchPolicy(**SURE)).data == FEED


@pytest.mark.parametrize(
    "path, message",
    [
        ("/404.xml", "feed unreachable: HTTP 404"),
        ("/500.xml", "feed unreachable: HTTP 500"),
        ("/loop.xml", "a redirect loop (back to"),
        ("/big.xml", "feed is 292 KB, over the 195 KB limit; refused"),
        ("/chunked-big.xml", "feed is over the 195 KB limit; refused"),
        ("/bomb.xml", "feed expands to over 195 KB; refused"),
        ("/cut-gzip.xml", "cut short; the download is incomplete"),
    ],
)
def test_faults_become_one_clear_message_quickly(server, path, message):
    with pytest.raises(ContentError) as error:
        fetch_url(f"{server}{path}", FetchPolicy(**FAST))
    assert message in str(error.value)
    assert str(error.value).startswith(f"{server}{path}: ")


def drip_head(connection):  # a raw server's reply: its status line and headers a byte every 0.05 s
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n":
        connection.sendall(bytes([byte]))
        time.sleep(0.05)


def test_a_drip_and_a_silence_are_cut_by_the_limit_they_meet(server):
    """The faults that last until a limit cuts them, fetched at the same time (a thread each), so
    that the test waits out the longest limit once, not each in turn: a body dripped, a server
    silent, and (from a raw socket: tests/test_fetch_servers.py) a head dripped, each byte well
    within the 0.4 s per read, so that only the deadline cuts it, at 0.3 s."""
    with RawServer(drip_head) as raw:
        cases = {f"{server}/drip.xml": (TIMED, "not received within 0.5 s"),
                 f"{server}/silent.xml": (TIMED, "no answer within 0.3 s"),
                 f"{raw.url}/feed.xml": (dict(timeout=0.4, deadline=0.3, max_bytes=200_000),
                                         "feed unreachable: not received within 0.3 s")}
        raised: dict[str, BaseException | None] = {}

        def fetch(url: str) -> None:
            try:
                fetch_url(url, FetchPolicy(**cases[url][0]))
                raised[url] = None
            except BaseException as exc:  # judged in the test's own thread
                raised[url] = exc

        threads = [threading.Thread(target=fetch, args=(url,)) for url in cases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for url, (_, message) in cases.items():
        error = raised[url]
        assert isinstance(error, ContentError), (url, error)
        # the drips last 5 s and 2.5 s, the silence 10 s: the message names the limit that cut them
        assert message in str(error) and "\n" not in str(error), (url, error)
        assert str(error).startswith(f"{url}: ")


def test_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ContentError, match="feed unreachable"):
        fetch_url(f"http://127.0.0.1:{port}/feed.xml", FetchPolicy(**FAST))


def read(config, url, cache, offline=False):
    warnings, skipped = Warnings(), []
    articles = read_feed_source(config, Source("feed", url), warnings, skipped, FetchPolicy(**SURE, offline=offline),
                                cache)
    return [a.title for a in articles], [str(w) for w in warnings]


@pytest.fixture
def config(example):
    return load_config(example)


def test_conditional_get_and_offline_cache(server, http_server, config, tmp_path):
    cache = CacheFolder(tmp_path)
    assert read(config, f"{server}/etag.xml", cache) == (["Appel à projets"], [])
    http_server.requests.clear()
    assert read(config, f"{server}/etag.xml", cache) == (["Appel à projets"], [])  # 304: the cached copy
    assert http_server.requests[0][2].get("If-None-Match") == '"v1"'
    http_server.requests.clear()
    assert read(config, f"{server}/etag.xml", cache, offline=True) == (["Appel à projets"], [])
    assert http_server.requests == []
    with pytest.raises(ContentError, match="not in the cache and --offline is set"):
        read(config, f"{server}/feed.xml", cache, offline=True)


@pytest.mark.parametrize("bad", [
    Reply(b"<html><body>Maintenance en cours</body></html>", content_type="text/html"),
    Reply(b""),
    Reply(FEED[: len(FEED) // 2]),
    Reply(gzip.compress(FEED)[:-40], headers=[("Content-Encoding", "gzip")]),
    Reply(b"panne", 503, content_type="text/plain"),
], ids=["maintenance page", "empty body", "truncated body", "truncated gzip", "503"])
def test_a_bad_answer_never_replaces_the_last_good_copy(server, http_server, config, tmp_path, bad):
    cache = CacheFolder(tmp_path)
    url = f"{server}/changing.xml"
    http_server.routes["/changing.xml"] = Reply(FEED)
    assert read(config, url, cache)[0] == ["Appel à projets"]
    http_server.routes["/changing.xml"] = bad
    titles, warnings = read(config, url, cache)
    assert titles == ["Appel à projets"]
    assert len(warnings) == 1 and warnings[0].startswith(f"{url}: ") and warnings[0].endswith("; used the last good copy")
    assert read(config, url, cache, offline=True)[0] == ["Appel à projets"]  # the cached copy is still the good one


def test_a_tampered_cached_copy_is_not_used(server, config, tmp_path):
    cache = CacheFolder(tmp_path)
    read(config, f"{server}/feed.xml", cache)
    (body,) = (tmp_path / "feeds").glob("*.xml")
    body.write_bytes(body.read_bytes().replace(b"Appel", b"Rappel"))
    with pytest.raises(ContentError, match="not in the cache and --offline is set"):
        read(config, f"{server}/feed.xml", cache, offline=True)
