"""The live preview's server under load and against slow clients: hundreds of requests at once
all answered quickly, idle and dripping clients cut, a cap on open connections answered with a
quick 503, HEAD without a body (the event stream too), and an event stream that outlives the
idle timeout. Short limits here; the defaults are 10 s, 10 s, 256 connections and 15 s."""

import http.client
import select
import socket
import threading
import time

import pytest

from rameau_cli.pipeline import BuildOptions
from rameau_cli.preview.server import PreviewServer, ServerLimits
from rameau_cli.render.templates import THEME

from helpers import checked, copy_example_warm

LIMITS = ServerLimits(idle=0.3, head=0.6, keepalive=0.4)


@pytest.fixture(scope="module")
def server(tmp_path_factory, built_example):
    project = copy_example_warm(tmp_path_factory.mktemp("limits") / "project", built_example)  # these tests are about serving
    served = PreviewServer(project, BuildOptions(), port=0, limits=LIMITS).start()
    yield served
    served.stop()


def connect(server) -> socket.socket:
    return socket.create_connection(server.httpd.server_address[:2], timeout=5)


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_hundreds_of_requests_at_once_are_all_answered_quickly(server):
    count = 200
    start, statuses = threading.Barrier(count + 1), []

    def fetch():
        start.wait()
        connection = http.client.HTTPConnection(*server.httpd.server_address[:2], timeout=5)
        connection.request("GET", "/style.css")
        statuses.append(connection.getresponse().status)
        connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    assert statuses == [200] * count
    # socketserver's backlog of 5 made the last ones wait out SYN retransmissions (7.7 s)
    assert server.httpd.request_queue_size >= count


def test_beyond_the_cap_a_503_comes_at_once(warm_example):
    """Three event streams hold the three connections a server capped at three allows (a stream is
    never cut as idle, and its first line says the server took it): a fourth client gets a 503 at
    once; once the streams are closed (let go at the server's next keep-alive), it is served."""
    capped = PreviewServer(warm_example, BuildOptions(), port=0, limits=ServerLimits(connections=3, keepalive=0.2)).start()
    try:
        held = [connect(capped) for _ in range(3)]
        for sock in held:
            sock.sendall(b"GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(17) == b"HTTP/1.0 200 OK\r\n"  # taken, and held open
        extra = connect(capped)
        extra.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer(extra).startswith(b"HTTP/1.0 503 Service Unavailable\r\n")
        for sock in held:
            sock.close()
        began = time.monotonic()
        while True:  # asked until the server lets go of a closed stream (at its next keep-alive), 10 s at most
            again = connect(capped)
            again.sendall(b"GET /style.css HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            served = answer(again)
            if not served.startswith(b"HTTP/1.0 503") or time.monotonic() - began > 10:
                break
            time.sleep(0.02)
        assert served.startswith(b"HTTP/1.0 200 OK\r\n")
    finally:
        capped.stop()


@pytest.mark.parametrize("path, content_type", [("/", "text/html"), ("/events", "text/event-stream")])
def test_head_answers_headers_only(server, path, content_type):
    sock = connect(server)
    sock.sendall(f"HEAD {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head, _, body = answer(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 OK\r\n") and f"Content-Type: {content_type}".encode() in head
    assert body == b""


def test_idle_and_dripping_clients_are_cut_and_the_event_stream_outlives_the_idle_timeout(server):
    """Idle clients and one that drips its request are cut, while an event stream open all the
    while, as quiet between its keep-alives as an idle client, is not (its test waits out the
    same limits as theirs, at the same time). It comes after the test of the cap: the server
    lets go of a closed stream at its next keep-alive, and counts it as open until then."""
    stream = connect(server)
    stream.sendall(b"GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    idle = [connect(server) for _ in range(10)]
    dripping = connect(server)
    head = b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # 4.5 s of drip, far past the head's deadline
    sent = 0
    for byte in head:  # one byte every 0.1 s: under the idle timeout
        try:
            dripping.sendall(bytes([byte]))
        except OSError:
            break
        sent += 1
        if select.select([dripping], [], [], 0.1)[0]:  # the server closed it
            break
    assert sent < len(head) and answer(dripping) == b""  # cut before its head was whole
    for sock in idle:
        assert answer(sock) == b""  # closed by the server, having sent nothing
        sock.close()
    dripping.close()

    received = b""
    began = time.monotonic()
    while b": keep-alive" not in received and time.monotonic() - began < 3:
        received += stream.recv(4096)
    assert b"\r\n\r\ndata: " in received and b": keep-alive\n\n" in received  # the idle timeout did not cut it
    stream.close()


def wait_for(server, version: int) -> None:
    began = time.monotonic()
    while server.state.snapshot.version <= version and time.monotonic() - began < 10:
        server.state.wait_for_change(version, timeout=0.5)


def email(server, segment: str) -> str:
    connection = http.client.HTTPConnection(*server.httpd.server_address[:2], timeout=5)
    connection.request("GET", f"/segment/{segment}/email.html")
    return connection.getresponse().read().decode("utf-8")


def test_an_edit_rebuilds_what_it_touched_and_a_template_edit_every_segment(warm_example):
    """The preview renders again only the segments whose email an edit changes, and never shows
    an email older than the templates."""
    project = warm_example
    served = PreviewServer(project, BuildOptions(), port=0, limits=LIMITS).start()
    try:
        segments = ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
        before = {segment: served.state.rendered[segment][1] for segment in segments}
        article = project / "articles" / "kit-accueil-benevoles.md"
        version = served.state.snapshot.version
        article.write_text(checked(article.read_text(encoding="utf-8")).replace("notre kit gratuit", "notre kit tout neuf"),
                           encoding="utf-8")
        wait_for(served, version)
        showing = [s for s in segments if "notre kit tout neuf" in email(served, s)]
        assert showing and len(showing) < len(segments)
        for segment in set(segments) - set(showing):  # the same email, not made again
            assert served.state.rendered[segment][1] is before[segment]
        (project / "templates").mkdir()
        footer = (THEME / "footer.mjml").read_text(encoding="utf-8")
        (project / "templates" / "footer.mjml").write_text(footer.replace("</mj-column>", "<mj-text>Pied relu</mj-text>"
                                                                          "</mj-column>", 1), encoding="utf-8")
        version = served.state.snapshot.version
        wait_for(served, version)
        assert all("Pied relu" in email(served, segment) for segment in segments)
    finally:
        served.stop()
