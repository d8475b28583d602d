"""Feed servers that get HTTP wrong, below what an HTTP server library lets one write (raw sockets
on 127.0.0.1), redirects that try to leave http(s) or reach the local network, and what a build
does with them: a one-line warning and the last good copy, never exit 3."""

import ipaddress
import ssl
import time
import zlib

import pytest

from rameau_cli.errors import ContentError
from rameau_cli.sources.fetch import FetchPolicy, fetch_url

from helpers import FEEDS, Listener, RawServer, Reply, checked

FEED = (FEEDS / "atom.xml").read_bytes()
FAST = dict(timeout=0.4, deadline=1.0, max_bytes=200_000)
SURE = dict(max_bytes=200_000)  # the default limits: a fetch that must succeed is never cut by a loaded machine


def ok(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in (f"Content-Length: {len(body)}", *headers))
    return f"HTTP/1.1 200 OK\r\n{head}\r\n".encode() + body


def banner(connection):
    connection.sendall(b"SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n")
    time.sleep(0.5)


MISBEHAVING = {
    "bad status line": (b"HTTP/1.1 deux-cents OK\r\n\r\n", "is not HTTP/1.x (it begins 'HTTP/1.1 deux-cents OK')"),
    "SSH banner": (banner, "is not HTTP/1.x (it begins 'SSH-2.0-OpenSSH_9.6p1 Debian-4')"),
    "HTTP/0.9 reply": (FEED, "is not HTTP/1.x (it begins '<?xml version=\"1.0\" encoding=\"utf-8\"?>')"),
    "70 KB header line": (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", "has a header line over 64 KB; refused"),
    "150 headers": (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n",
                    "has more than 100 headers; refused"),
    "bad chunk size": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + FEED + b"\r\n0\r\n\r\n",
                       "cut short or its chunked encoding is broken"),
    "truncated body": (ok(FEED)[:-200], f"cut short ({len(FEED) - 200} of {len(FEED)} bytes)"),
    "truncated chunks": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % len(FEED) + FEED[:300],
                         "cut short or its chunked encoding is broken"),
    "closed without a word": (b"", "the server closed the connection without answering"),
}


@pytest.mark.parametrize("case", MISBEHAVING, ids=list(MISBEHAVING))
def test_a_misbehaving_server_is_one_line_quickly(case):
    reply, message = MISBEHAVING[case]
    # The answers come whole at once, and have 0.6 s. A server that drips its head is cut by the
    # deadline: tests/test_fetch.py waits for it at the same time as a drip and a silence.
    policy = FetchPolicy(**{**FAST, "deadline": 0.6})
    with RawServer(reply, read_request=case != "SSH banner") as server, pytest.raises(ContentError) as error:
        fetch_url(f"{server.url}/feed.xml", policy)
    assert str(error.value) == f"{server.url}/feed.xml: {str(error.value).split(': ', 1)[1]}"
    assert message in str(error.value) and "\n" not in str(error.value)


def test_raw_and_zlib_deflate_are_read_and_a_cut_one_is_refused():
    raw = zlib.compressobj(wbits=-15)
    raw_deflate = raw.compress(FEED) + raw.flush()
    for body in (raw_deflate, zlib.compress(FEED)):
        with RawServer(ok(body, "Content-Encoding: deflate")) as server:
            assert fetch_url(f"{server.url}/f.xml", FetchPolicy(**SURE)).data == FEED
    with RawServer(ok(raw_deflate[:-30], "Content-Encoding: deflate")) as server, \
            pytest.raises(ContentError, match="sent as deflate but cut short; the download is incomplete"):
        fetch_url(f"{server.url}/f.xml", FetchPolicy(**FAST))


def test_non_ascii_paths_and_queries_are_percent_encoded():
    with RawServer(ok(FEED)) as server:
        assert fetch_url(f"HTTP://127.0.0.1:{server.port}/actualités/flux.xml?thème=été&n=%C3%A9", FetchPolicy(**SURE)).data == FEED
    request_line = server.requests[0].split(b"\r\n")[0]
    assert request_line == b"GET /actualit%C3%A9s/flux.xml?th%C3%A8me=%C3%A9t%C3%A9&n=%C3%A9 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}\r\n".encode() in server.requests[0]


def redirect(location: str) -> bytes:
    return f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()


@pytest.mark.parametrize("scheme, message", [
    ("ftp", "redirected to an address of scheme ftp: ('ftp://127.0.0.1:{port}/feed.xml'); only http(s) redirects are followed"),
    ("gopher", "redirected to an address of scheme gopher: ('gopher://127.0.0.1:{port}/1'); only http(s)"),
    ("file", "redirected to an address of scheme file: ('file:///etc/passwd'); only http(s)"),
    ("data", "redirected to an address of scheme data: ('data:application/xml,<rss/>'); only http(s)"),
])
def test_redirects_leave_http_never_and_nothing_connects(scheme, message):
    with Listener() as target:
        location = {"ftp": f"ftp://127.0.0.1:{target.port}/feed.xml", "gopher": f"gopher://127.0.0.1:{target.port}/1",
                    "file": "file:///etc/passwd", "data": "data:application/xml,<rss/>"}[scheme]
        with RawServer(redirect(location)) as server, pytest.raises(ContentError) as error:
            fetch_url(f"{server.url}/feed.xml", FetchPolicy(**FAST))
        assert message.format(port=target.port) in str(error.value)
        assert not target.connected()


@pytest.fixture(scope="module")
def chain(http_server):
    for hops in (5, 6):
        for index in range(hops):
            following = f"/chain{hops}-{index + 1}" if index + 1 < hops else "/chain-end.xml"
            http_server.routes[f"/chain{hops}-{index}"] = Reply(status=301 if index % 2 else 307,
                                                                 headers=[("Location", following)])
    http_server.routes["/chain-end.xml"] = Reply(FEED)
    return http_server.url


def test_five_redirects_are_followed_and_a_sixth_is_refused(chain):
    assert fetch_url(f"{chain}/chain5-0", FetchPolicy(**SURE)).data == FEED
    with pytest.raises(ContentError, match="more than 5 redirects; refused"):
        fetch_url(f"{chain}/chain6-0", FetchPolicy(**FAST))


def test_a_redirect_from_a_public_host_to_a_private_address_is_refused():
    """On 127.0.0.1 the "public" host is 127.0.0.1 by the classifier given here; the target,
    127.0.0.2, stands for a metadata service or an intranet: nothing may connect to it."""
    def public(address):
        return address == ipaddress.ip_address("127.0.0.1")

    with Listener("127.0.0.2") as inside:
        with RawServer(redirect(f"http://127.0.0.2:{inside.port}/latest/meta-data/")) as server, \
                pytest.raises(ContentError) as error:
            fetch_url(f"{server.url}/feed.xml", FetchPolicy(**FAST, is_public=public))
        assert "redirected from a public address to 127.0.0.2 (127.0.0.2), an address of a local or private network; " \
               "refused" in str(error.value)
        assert not inside.connected()
    with RawServer(ok(FEED), host="127.0.0.2") as intranet, RawServer(redirect(f"{intranet.url}/feed.xml")) as server:
        assert fetch_url(f"{server.url}/feed.xml", FetchPolicy(**SURE)).data == FEED  # from inside, inside is fine


def test_build_issue_warns_and_builds_from_the_last_good_copy(example, run):
    """The README's promise, end to end with the real limits: a server gone wrong costs a warning."""
    with Listener() as ftp, RawServer(ok(FEED, "Content-Type: application/atom+xml")) as server:
        url = f"HTTP://127.0.0.1:{server.port}/feed.xml"  # an upper-case scheme is a URL all the same
        built = run("build-issue", "--source", url, "--segment", "quotidienne", cwd=example)
        assert built.code == 0, built.stderr
        for reply, why in [(b"SSH-2.0-OpenSSH_9.6\r\n", "the server's answer is not HTTP/1.x (it begins 'SSH-2.0-OpenSSH_9.6')"),
                           (redirect(f"ftp://127.0.0.1:{ftp.port}/"), "redirected to an address of scheme ftp:")]:
            server.reply = reply
            again = run("build-issue", "--source", url, "--segment", "quotidienne", cwd=example)
            assert again.code == 0, again.stderr
            assert f"{url}: {why}" in again.stderr and "used the last good copy" in again.stderr
            html = (example / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
            assert "Appel à projets" in html
        assert not ftp.connected()


@pytest.mark.parametrize("url, why", [
    ("http://[::1/x", "is not a well-formed URL (Invalid IPv6 URL)"),
    ("http://%00/", "has the host name '%00', which is not a host name"),
    ("http://www.example.org/mon flux.xml", "contains a space; write it as %20"),
    ("ftp://127.0.0.1/feed.xml", "uses the ftp: scheme; feeds are fetched over http(s) only"),
    ("https:/feed.xml", "has no host name; write it as https://www.example.org/feed.xml"),
])
def test_a_malformed_feed_url_is_a_configuration_error_naming_its_source(example, run, url, why):
    given = run("build-issue", "--source", url, cwd=example)
    assert given.code == 2 and given.stderr == f"error: --source: {url!r} {why}\n"
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "  - markdown: articles", f'  - markdown: articles\n  - feed: "{url}"'), encoding="utf-8")
    result = run("build-issue", cwd=example)
    assert result.code == 2 and result.stderr == f"error: rameau.yaml: sources[1].feed: {url!r} {why}\n"


def test_https_with_the_certificate_checked(certificate, monkeypatch):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))

    def tls(connection):
        with context.wrap_socket(connection, server_side=True) as secure:
            secure.recv(4096)
            secure.sendall(ok(FEED))

    with RawServer(tls, read_request=False) as server:
        url = f"https://localhost:{server.port}/feed.xml"
        with pytest.raises(ContentError, match="the server's certificate is not valid"):
            fetch_url(url, FetchPolicy(**FAST))
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # OpenSSL's own way to name a CA bundle
        assert fetch_url(url, FetchPolicy(**SURE)).data == FEED
