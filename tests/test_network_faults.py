"""rameau's one HTTP client under hostile servers, for every use: `check --links`, `push` (the
emailing tool, and the images it checks under public_url). Servers on 127.0.0.1 that answer an
SSH banner, a bad status line, HTTP/0.9, a 70 KB header, 150 headers, two Content-Length
headers, or drip their answer a byte at a time: one line naming the server, never exit 3, and
never longer than the deadline. Links to the local network are never asked."""

import base64
import contextlib
import gzip
import json
import shutil
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

import rameau_cli.check.links as links
import rameau_cli.push.client as client
import rameau_cli.push.published as published
from rameau_cli.errors import ContentError
from rameau_cli.sources.fetch import FetchPolicy, fetch_url

import helpers
from helpers import FEEDS, Acceptor, Child, Listener, RawServer, checked, copy_example, invoke, set_public_url, with_front_matter
from standins import TOKEN, USER, Canned, Listmonk

ENV = {"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": TOKEN}
JSON = b'{"data": {"id": 5, "status": "draft"}}'


def head(*lines: bytes, body: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + b"".join(line + b"\r\n" for line in lines) + b"\r\n" + body


def banner(connection):
    connection.sendall(b"SSH-2.0-OpenSSH_9.7 Ubuntu-3\r\n")
    time.sleep(0.3)


def drip(stop: threading.Event):
    def reply(connection):  # a well-formed answer, one byte every 0.05 s: each read is quick, the whole never ends
        for byte in head(b"Content-Type: application/json", b"Content-Length: %d" % len(JSON), body=JSON) * 50:
            if stop.is_set():
                return
            connection.sendall(bytes([byte]))
            time.sleep(0.05)
    return reply


HOSTILE = {
    "an SSH banner": (banner, "not HTTP/1.x (it begins 'SSH-2.0-OpenSSH_9.7 Ubuntu-3')"),
    "a bad status line": (b"HTTP/1.1 2OO OK\r\n\r\n", "not HTTP/1.x (it begins 'HTTP/1.1 2OO OK')"),
    "HTTP/0.9 (a body, no head)": (b'{"data": {"id": 5}}', "not HTTP/1.x (it begins '{\"data\": {\"id\": 5}}')"),
    "a 70 KB header": (head(b"Set-Cookie: " + b"x" * 70_000), "a header line over 64 KB"),
    "150 headers": (head(*(b"X-Trace-%d: 1" % i for i in range(150))), "more than 100 headers"),
    "two Content-Length headers": (head(b"Content-Length: 4", b"Content-Length: 40", body=b"x" * 40),
                                   "2 Content-Length headers that disagree ('4' and '40')"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_example(tmp_path_factory.mktemp("faults") / "project")
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("profile: generic", "profile: listmonk"),
                      encoding="utf-8")
    assert invoke("build-issue", cwd=project).code == 0
    return project


def pushing_to(built, tmp_path, url: str):
    project = tmp_path / "project"
    shutil.copytree(built, project)
    push = {"url": url, "lists": {s: [3] for s in ("quotidienne", "hebdo-entreprise", "hebdo-association",
                                                   "hebdo-grand-public")}}
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "profile: listmonk", f"profile: listmonk\n  push: {json.dumps(push)}"), encoding="utf-8")
    return project


QUICK = {client: {"TIMEOUT": 0.3, "DEADLINE": 0.5}, published: {"TIMEOUT": 0.3, "DEADLINE": 0.5},
         links: {"TIMEOUT": 0.4, "DEADLINE": 3.0}}


@pytest.fixture
def quick(monkeypatch):
    """Short limits, for the tests that wait for one: a server that drips its answer from the start
    is cut at the deadline (each byte comes 0.05 s after the last, well within a read's 0.3 s).
    The other tests keep rameau's own limits: the answers they read are never cut by a loaded
    machine. A link's whole exchange has its timeout: 0.4 s, in which the 70 KB header is read."""
    for module, limits in QUICK.items():
        for name, value in limits.items():
            monkeypatch.setattr(module, name, value)


def quick_in_a_child() -> None:
    """The same limits in a helpers.Child (its `prepare`)."""
    for module, limits in QUICK.items():
        for name, value in limits.items():
            setattr(module, name, value)


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_push_to_a_tool_that_answers_wrong_is_one_line_and_exit_1(built, tmp_path, case):
    reply, said = HOSTILE[case]
    with RawServer(reply, read_request=case != "an SSH banner") as tool:
        result = invoke("push", "--segment", "quotidienne", cwd=pushing_to(built, tmp_path, tool.url), env=ENV)
    assert result.code == 1, result.stderr
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith("error: ") and f": listmonk at {tool.url} answered in a way rameau cannot read: the " \
                                                   "server's answer " in errors[0], errors
    assert said in errors[0] and "internal error" not in result.stderr
    assert errors[-1] == "error: pushed: none; not pushed: quotidienne"


class Echoing(Listmonk):
    """A tool whose refusals quote the request's headers back, as some debug pages do."""

    def refused(self, headers=None) -> Canned:
        return Canned(401, {"message": "bad credentials"})

    def answer(self, method, path, headers, body):
        auth = headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        return Canned(401, {"message": f"refused {auth}; as {scheme} {value[:14]}…; you sent {value[6:30]} "
                                       f"(Bearer {TOKEN[:20]}); see ?token={TOKEN}"})


def test_credentials_echoed_by_the_tool_are_never_shown_whole_or_in_part(built, tmp_path):
    tool = Echoing()
    try:
        result = invoke("push", "--segment", "quotidienne", "--json", cwd=pushing_to(built, tmp_path, tool.url),
                        env=ENV)
    finally:
        tool.stop()
    assert result.code == 1 and "answered 401" in result.stderr
    shown = result.stdout + result.stderr
    basic = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
    for secret in (TOKEN, basic):
        for start in range(0, len(secret) - 8):
            assert secret[start:start + 8] not in shown, (secret[start:start + 8], shown)
    assert "refused ***; as ***…" in shown


@pytest.mark.usefixtures("quick")
def test_image_checks_under_public_url_are_one_line_and_bounded_and_a_tool_that_drips_is_cut_at_the_deadline(
        built, tmp_path):
    project = pushing_to(built, tmp_path, "http://127.0.0.1:9")  # never reached: the images come first
    (project / "articles" / "logo.png").write_bytes(helpers.logo_png())
    with_front_matter(project / "articles" / "journee-alliances-citoyennes-5-decembre.md",
                      "image: logo.png\nimage_alt: Logo")
    stop, stop_tool = threading.Event(), threading.Event()
    hostile = [banner]

    def reply(connection):  # the one public_url's server, hostile in each way in turn
        connection.sendall(hostile[0]) if isinstance(hostile[0], bytes) else hostile[0](connection)

    # A push to a tool that drips its answer, in a process of its own (helpers.Child, forked, with
    # the same limits), waits out its deadline at the same time as this one's push to a public_url
    # that drips.
    with RawServer(drip(stop_tool)) as tool, \
            Child("push", "--segment", "quotidienne", cwd=pushing_to(built, tmp_path / "tool", tool.url), env=ENV,
                  prepare=quick_in_a_child) as pushing, RawServer(reply) as site:
        try:
            set_public_url(project, site.url)
            assert invoke("build-issue", "--resend", cwd=project).code == 0
            for hostile[0] in (banner, HOSTILE["150 headers"][0], drip(stop)):
                connections = site.connections
                result = invoke("push", cwd=project, env=ENV)
                assert site.connections > connections  # this way of answering was met
                assert result.code == 1 and "internal error" not in result.stderr, result.stderr
                assert "/assets/" in result.stderr and "cannot be reached" in result.stderr and "nothing was pushed" in result.stderr
            stop.set()
            dripped = pushing.result(timeout=60)
        finally:
            stop.set()
            stop_tool.set()
    assert dripped.code == 1, dripped.stderr
    assert ": listmonk did not answer whole within 0.5 s" in dripped.stderr  # its first request: the template


# --- check --links -------------------------------------------------------------------------------


def linking_to(folder, urls):
    """A small project whose édito links to each of `urls`."""
    (folder / "articles").mkdir(parents=True)
    (folder / "issues").mkdir()
    (folder / "rameau.yaml").write_text("""newsletter:
  name: Lettre d'essai
  sender: "Lettre <lettre@example.org>"
  base_url: https://lettre.invalid
emailing:
  unsubscribe_mailto: desinscription@example.org
segments:
  hebdo:
    title: L'hebdo
""", encoding="utf-8")
    (folder / "articles" / "liens.md").write_text("""---
title: "Des liens"
date: 2026-11-24T09:00:00+01:00
summary: "Un article, et des liens dans l'édito."
url: https://lettre.invalid/liens  # .invalid: never asked
---
Le corps.
""", encoding="utf-8")
    edito = "\n".join(f"- [lien {i}](<{url}>)" for i, url in enumerate(urls))
    (folder / "issues" / "2026-W48.md").write_text(f"""---
since: 2026-11-23
until: 2026-11-29
subject: "Les liens de la semaine, en quelques mots"
---
{edito}
""", encoding="utf-8")
    assert invoke("build-issue", "2026-W48", cwd=folder).code == 0
    return folder


@pytest.mark.usefixtures("quick")
def test_check_links_names_each_hostile_server_in_one_finding(tmp_path, monkeypatch):
    monkeypatch.setattr(links, "KEPT", ())  # nothing remembered from one run to the next
    monkeypatch.setattr("rameau_cli.sources.fetch.exchange.is_public_address", lambda address: True)  # servers of the internet
    stop = threading.Event()
    servers = {case: RawServer(reply, read_request=case != "an SSH banner") for case, (reply, _) in HOSTILE.items()}
    servers["a dripped answer"] = RawServer(drip(stop))
    try:
        urls = {case: f"{server.url}/page" for case, server in servers.items()}
        project = linking_to(tmp_path / "lettre", urls.values())
        result = invoke("check", "--links", "--json", cwd=project)
    finally:
        stop.set()
        for server in servers.values():
            server.stop()
    assert result.code in (0, 1) and "internal error" not in result.stderr, result.stderr
    found = {f["url"]: f for f in json.loads(result.stdout)["findings"] if f["rule"].startswith("link-")}
    for case, url in urls.items():
        assert found[url]["rule"] == "link-doubtful", (case, found.get(url))
        said = HOSTILE[case][1] if case in HOSTILE else "no answer within 0.4 s"
        assert said in found[url]["message"] and "\n" not in found[url]["message"], (case, found[url])


def test_check_links_never_connects_to_the_local_network(tmp_path, monkeypatch):
    """A link to a loopback address, and one that redirects there from a public one, are
    never asked unless check.private_links says so."""
    monkeypatch.setattr(links, "KEPT", ())
    with Listener() as loopback, Listener("127.0.0.2") as inside, \
            RawServer(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: http://127.0.0.2:%d/admin/delete-all"
                      b"?confirm=yes\r\n\r\n" % inside.port, host="127.0.0.3") as public:
        monkeypatch.setattr("rameau_cli.sources.fetch.exchange.is_public_address",
                            lambda address: str(address) == "127.0.0.3")  # this one plays a public server
        urls = [f"http://127.0.0.1:{loopback.port}/admin/delete-all?confirm=yes", f"{public.url}/vers-l-interieur",
                f"http://localhost:{loopback.port}/x", f"http://[::ffff:127.0.0.1]:{loopback.port}/y"]
        project = linking_to(tmp_path / "lettre", urls)
        result = invoke("check", "--links", "--json", cwd=project)
        assert not loopback.connected() and not inside.connected()
        assert public.connections >= 1
    assert result.code in (0, 1) and "internal error" not in result.stderr, result.stderr
    found = {f["url"]: f for f in json.loads(result.stdout)["findings"] if f["rule"].startswith("link-")}
    assert found[urls[0]]["rule"] == "link-unchecked"
    assert "not asked: it leads to 127.0.0.1 (127.0.0.1), an address of a local or private network" \
           in found[urls[0]]["message"]
    assert "not asked: it redirects to 127.0.0.2" in found[urls[1]]["message"]
    assert all(found[url]["rule"] == "link-unchecked" for url in urls)


# --- feeds: answers named as what they are --------------------------------------------------------


def test_a_feed_with_disagreeing_lengths_or_in_gzip_members_is_named_or_read_whole():
    feed = (FEEDS / "atom.xml").read_bytes()
    policy = FetchPolicy(timeout=0.4, deadline=1.0, max_bytes=200_000)
    half = len(feed) // 2
    members = gzip.compress(feed[:half]) + gzip.compress(feed[half:]) + gzip.compress(b"")  # what `cat a.gz b.gz` makes
    with RawServer(head(b"Content-Encoding: gzip", b"Content-Length: %d" % len(members), body=members)) as server:
        assert fetch_url(f"{server.url}/feed.xml", policy).data == feed
    lengths = head(b"Content-Length: 120", b"Content-Type: application/atom+xml", b"Content-Length: %d" % len(feed),
                   body=feed)
    with RawServer(lengths) as server, pytest.raises(ContentError) as error:
        fetch_url(f"{server.url}/feed.xml", policy)
    assert f"2 Content-Length headers that disagree ('120' and '{len(feed)}')" in str(error.value)
    trailing = gzip.compress(feed) + b"<html>oops</html>"
    with RawServer(head(b"Content-Encoding: gzip", body=trailing)) as server, pytest.raises(ContentError) as error:
        fetch_url(f"{server.url}/feed.xml", policy)
    assert "feed is sent as gzip, followed by 17 bytes that are not gzip; refused" in str(error.value)


def test_credentials_in_a_feed_address_are_never_shown(tmp_path):
    """A private feed's address may carry its credentials (user:password@, ?token=): the warning
    that it cannot be fetched names the feed without them."""
    with RawServer(banner, read_request=False) as server:
        secret_url = f"http://lecteur:s3cr3t-Pa55@127.0.0.1:{server.port}/feed.xml?token=9f8e7d6c5b4a&lang=fr"
        project = copy_example(tmp_path / "project")
        config = project / "rameau.yaml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("sources:\n", f"sources:\n  - feed: \"{secret_url}\"\n", 1), encoding="utf-8")
        assert "feed: \"http://lecteur" in config.read_text(encoding="utf-8")
        result = invoke("articles", cwd=project)
    shown = result.stdout + result.stderr
    assert "not HTTP/1.x" in shown, shown
    assert "s3cr3t-Pa55" not in shown and "9f8e7d6c5b4a" not in shown
    assert "http://lecteur:***@127.0.0.1" in shown and "token=***&lang=fr" in shown


# --- proxies ---------------------------------------------------------------------------------------


class Proxy(Acceptor):
    """A forward proxy on 127.0.0.1, as HTTPS_PROXY and HTTP_PROXY name one: CONNECT makes a
    tunnel; an absolute-form request is passed on. It records what it was asked."""

    def __init__(self, refuse: bool = False):
        self.asked: list[str] = []
        self.refuse = refuse
        super().__init__()

    def serve(self, client_socket):
        with client_socket:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client_socket.recv(65536)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            self.asked.append(line)
            method, target, _ = line.split(" ")
            if self.refuse:
                client_socket.sendall(b"HTTP/1.1 403 Forbidden by policy\r\nContent-Length: 0\r\n\r\n")
                return
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                upstream, rest = socket.create_connection((host, int(port))), head.split(b"\r\n\r\n", 1)[1]
                client_socket.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                parts = urlsplit(target)
                upstream = socket.create_connection((parts.hostname, parts.port))
                rest = head.replace(target.encode(), (parts.path or "/").encode(), 1)
            with upstream:
                upstream.sendall(rest)
                onward = threading.Thread(target=self._pipe, args=(client_socket, upstream), daemon=True)
                onward.start()
                self._pipe(upstream, client_socket)
                with contextlib.suppress(OSError):
                    client_socket.shutdown(socket.SHUT_RDWR)  # ends the other pipe before its sockets close
                onward.join()

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass


def test_push_goes_through_the_proxy_the_environment_names(built, tmp_path, monkeypatch):
    proxy = Proxy()
    tool = Listmonk()
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = invoke("push", "--segment", "quotidienne", cwd=pushing_to(built, tmp_path, tool.url), env=ENV)
        assert result.code == 0, result.stderr
        assert f"POST {tool.url}/api/campaigns HTTP/1.1" in proxy.asked and len(tool.campaigns) == 1
        refusing = Proxy(refuse=True)
        monkeypatch.setenv("HTTP_PROXY", refusing.url)
        again = invoke("push", "--segment", "quotidienne", cwd=tmp_path / "project", env=ENV)
        refusing.stop()
        assert again.code == 1 and "listmonk" in again.stderr and "answered 403" in again.stderr, again.stderr
    finally:
        proxy.stop()
        tool.stop()


def test_an_https_link_is_asked_through_a_connect_tunnel(monkeypatch):
    proxy = Proxy()
    try:
        with RawServer(b"garbage that is not TLS", read_request=False) as server:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url)
            outcomes = links.probe_all([f"https://127.0.0.1:{server.port}/page"], private=True)
        assert set(proxy.asked) == {f"CONNECT 127.0.0.1:{server.port} HTTP/1.1"}  # HEAD, then GET
        outcome = outcomes[f"https://127.0.0.1:{server.port}/page"]
        assert outcome.rule == "link-doubtful" and "cannot be reached" in outcome.note, outcome
    finally:
        proxy.stop()
    refusing = Proxy(refuse=True)
    try:
        monkeypatch.setenv("HTTPS_PROXY", refusing.url)
        outcome = links.probe_all(["https://127.0.0.1:9/page"], private=True)["https://127.0.0.1:9/page"]
        assert f"the proxy {refusing.url.removeprefix('http://')} refused a tunnel to 127.0.0.1:9 (403 Forbidden by " \
               "policy)" in outcome.note, outcome
    finally:
        refusing.stop()
