"""Feed fetching against a real HTTP server on 127.0.0.1 that misbehaves on purpose."""

import gzip
import http.server
import socket
import threading
import time
from pathlib import Path

import pytest

from rameau_cli.errors import ContentError
from rameau_cli.fetch import FetchPolicy, fetch_url

FEED = (Path(__file__).parent / "fixtures" / "feeds" / "atom.xml").read_bytes()
FAST = dict(timeout=0.5, deadline=1.5, max_bytes=200_000)


class Handler(http.server.BaseHTTPRequestHandler):
    requests: list = []

    def log_message(self, *args):
        pass

    def send(self, body: bytes, status=200, content_type="application/atom+xml", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - the http.server API
        Handler.requests.append((self.path, dict(self.headers)))
        route = self.path.split("?")[0]
        if route == "/feed.xml":
            self.send(FEED)
        elif route == "/etag.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
            else:
                self.send(FEED, headers=[("ETag", '"v1"')])
        elif route == "/gzip.xml":
            self.send(gzip.compress(FEED), headers=[("Content-Encoding", "gzip")])
        elif route == "/bomb.xml":
            self.send(gzip.compress(b"<" * 5_000_000), headers=[("Content-Encoding", "gzip")])
        elif route == "/big.xml":
            self.send(b" " * 300_000)
        elif route == "/chunked-big.xml":
            self.send_response(200)
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" " * 10_000)
        elif route == "/404.xml":
            self.send(b"absent", status=404, content_type="text/plain")
        elif route == "/500.xml":
            self.send(b"panne", status=500, content_type="text/plain")
        elif route == "/loop.xml":
            self.send_response(302)
            self.send_header("Location", "/loop2.xml")
            self.end_headers()
        elif route == "/loop2.xml":
            self.send_response(302)
            self.send_header("Location", "/loop.xml")
            self.end_headers()
        elif route == "/drip.xml":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif route == "/silent.xml":
            time.sleep(10)
        else:
            self.send(b"?", status=404)


@pytest.fixture(scope="module")
def server():
    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # clients hanging up on purpose (size caps, deadlines)

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_plain_and_gzip_bodies(server):
    assert fetch_url(f"{server}/feed.xml", FetchPolicy(**FAST)).data == FEED
    assert fetch_url(f"{server}/gzip.xml", FetchPolicy(**FAST)).data == FEED


@pytest.mark.parametrize(
    "path, message",
    [
        ("/404.xml", "feed unreachable: HTTP 404"),
        ("/500.xml", "feed unreachable: HTTP 500"),
        ("/loop.xml", "too many redirects"),
        ("/big.xml", "over the 0 MB limit"),
        ("/chunked-big.xml", "over the 0 MB limit"),
        ("/bomb.xml", "expands to over"),
        ("/drip.xml", "not received within 1.5 s"),
        ("/silent.xml", "no answer within 0.5 s"),
    ],
)
def test_faults_become_one_clear_message_quickly(server, path, message):
    started = time.monotonic()
    with pytest.raises(ContentError) as error:
        fetch_url(f"{server}{path}", FetchPolicy(**FAST))
    assert message in str(error.value)
    assert str(error.value).startswith(f"{server}{path}: ")
    assert time.monotonic() - started < 8  # the drip lasts 10 s and the silence 10 s: the limits cut them


def test_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ContentError, match="feed unreachable"):
        fetch_url(f"http://127.0.0.1:{port}/feed.xml", FetchPolicy(**FAST))


def test_conditional_get_and_offline_cache(server, tmp_path):
    policy = FetchPolicy(**FAST, cache_dir=tmp_path)
    first = fetch_url(f"{server}/etag.xml", policy)
    assert first.data == FEED and not first.from_cache
    Handler.requests.clear()
    second = fetch_url(f"{server}/etag.xml", policy)
    assert second.from_cache and second.note == "not modified" and second.data == FEED
    assert Handler.requests[0][1].get("If-None-Match") == '"v1"'
    Handler.requests.clear()
    offline = fetch_url(f"{server}/etag.xml", FetchPolicy(**FAST, cache_dir=tmp_path, offline=True))
    assert offline.data == FEED and Handler.requests == []
    with pytest.raises(ContentError, match="not in the cache and --offline is set"):
        fetch_url(f"{server}/feed.xml", FetchPolicy(**FAST, cache_dir=tmp_path, offline=True))


def test_an_unreachable_feed_falls_back_to_its_cached_copy(server, tmp_path):
    policy = FetchPolicy(**FAST, cache_dir=tmp_path)
    fetch_url(f"{server}/feed.xml", policy)
    cache_file = next((tmp_path / "feeds").glob("*.xml"))
    import json
    meta_file = cache_file.with_suffix(".json")
    meta = json.loads(meta_file.read_text())
    meta["url"] = f"{server}/404.xml"
    # the same cache entry under the URL that now fails
    from rameau_cli.fetch import _Cache
    broken = _Cache(tmp_path, f"{server}/404.xml")
    broken.store(FEED, meta)
    fetched = fetch_url(f"{server}/404.xml", policy)
    assert fetched.from_cache and "HTTP 404" in fetched.note and "used the cached copy" in fetched.note
