"""One HTTP request and its answer, over the standard library's http.client, against a deadline:
rameau's one HTTP client, for feeds, `check --links` and `push` alike.

The host is resolved here (within the deadline too) and the connection made to the address that
was checked, so a name cannot point elsewhere between the check and the connection. Every
answer a server can get wrong (not HTTP at all, a 70 KB header line, 150 headers, two
Content-Length headers, a broken chunk, a body shorter than announced) becomes a FetchFailure
with one line saying so.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import show, size
from ...project.reading import shorten
from ...project.urls import FeedURL
from .deadline import Deadline, DeadlinePassed, DeadlineReader
from .proxy import ProxyFailure, proxy_for, tunnel

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
READ_SIZE = 65536


class FetchFailure(Exception):
    """The answer cannot be had from this server; the message says why, on one line."""


@dataclass(frozen=True)
class Outgoing:
    """What is asked: the method, headers and body, which answers' bodies are read, and what the
    thing asked is called in messages ("feed", "page", the tool's name)."""

    headers: dict[str, str]
    method: str = "GET"
    body: bytes | None = None
    what: str = "feed"
    read_body: Callable[[int], bool] = lambda status: 200 <= status < 300


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: Any  # http.client.HTTPMessage
    body: bytes
    public: bool  # the server's address is a public one


def is_public_address(address: IPAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local (cloud
    metadata services live at 169.254.169.254), shared, reserved or multicast."""
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_global and not (mapped or address).is_multicast


class Internal(FetchFailure):
    """The host has an address of a local or private network, and those are refused here."""

    def __init__(self, host: str, address: str):
        super().__init__(f"{host} ({address}) is an address of a local or private network")
        self.host, self.address = host, address


def exchange(url: FeedURL, outgoing: Outgoing, deadline: Deadline, max_bytes: int,
             is_public: Callable[[IPAddress], bool], internal_allowed: bool) -> Answer:
    """Ask `url`; the body is read for the answers `outgoing.read_body` names (GET's 2xx by
    default). Internal, before connecting, when the host has an address that is not public and
    `internal_allowed` is False."""

    proxy = proxy_for(url)
    try:
        addresses = resolve(url.host, url.port, deadline, outgoing.what)
    except UnknownHost:
        if proxy is None:
            raise
        addresses = []  # behind a proxy, names may be known to the proxy only
    public = all(is_public(address) for _, _, address in addresses)
    if not public and not internal_allowed:
        raise Internal(url.host, next(str(a) for _, _, a in addresses if not is_public(a)))
    sock = connect(resolve(proxy.host, proxy.port, deadline, "proxy") if proxy else addresses, deadline, outgoing.what)
    try:
        if proxy and url.scheme == "https":
            try:
                tunnel(sock, url, proxy, deadline)
            except ProxyFailure as exc:
                raise FetchFailure(f"{outgoing.what} unreachable: {exc}") from None
            except OSError as exc:
                raise _network_failure(exc, deadline, outgoing.what) from None
        if url.scheme == "https":
            sock = _tls(sock, url.host, deadline, outgoing.what)
        absolute = proxy is not None and url.scheme == "http"  # an http proxy is asked for the whole URL
        return _converse(sock, url, outgoing, deadline, max_bytes, public, absolute)
    finally:
        sock.close()


def resolve(host: str, port: int, deadline: Deadline, what: str = "feed") -> list[tuple[int, Any, IPAddress]]:
    """The addresses of `host`, found within the deadline (getaddrinfo itself has no timeout)."""
    try:
        literal = ipaddress.ip_address(host)
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        return [(family, (host, port) if literal.version == 4 else (host, port, 0, 0), literal)]
    except ValueError:
        pass
    found: dict[str, Any] = {}

    def look_up() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            found["error"] = exc

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(max(0.0, deadline.remaining()))
    if thread.is_alive():
        raise TimedOut(f"{what} unreachable: {host} could not be looked up within {deadline.seconds:g} s",
                       deadline.seconds)
    if "error" in found:
        why = getattr(found["error"], "strerror", None) or found["error"]
        raise UnknownHost(f"{what} unreachable: cannot find the server {host} ({why})", host)
    return [(family, sockaddr, ipaddress.ip_address(sockaddr[0].split("%")[0]))
            for family, _, _, _, sockaddr in found["infos"]]


class UnknownHost(FetchFailure):
    """The host name has no address."""

    def __init__(self, message: str, host: str = ""):
        super().__init__(message)
        self.host = host


def connect(addresses: list[tuple[int, Any, IPAddress]], deadline: Deadline, what: str = "feed") -> socket.socket:
    error: OSError | None = None
    for family, sockaddr, _ in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            deadline.arm(sock)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError):
                break
    raise _network_failure(error or OSError("no address"), deadline, what)


def _tls(sock: socket.socket, host: str, deadline: Deadline, what: str) -> socket.socket:
    context = ssl.create_default_context()
    try:
        deadline.arm(sock)  # the handshake as a whole is bound by this timeout
        return context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        raise FetchFailure(f"{what} unreachable: the server's certificate is not valid ({exc.verify_message})") \
            from None
    except (ssl.SSLError, OSError) as exc:
        sock.close()
        raise _network_failure(exc, deadline, what) from None


class _Socket:
    """What http.client needs of a socket, with every read and write armed by the deadline.
    Closing is left to `exchange`, once the answer is read."""

    def __init__(self, sock: socket.socket, deadline: Deadline):
        self.sock = sock
        self.deadline = deadline

    def sendall(self, data: bytes) -> None:
        self.deadline.arm(self.sock)
        self.sock.sendall(data)

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(DeadlineReader(self.sock, self.deadline), READ_SIZE)

    def close(self) -> None:
        pass


class _Connection(http.client.HTTPConnection):
    def __init__(self, url: FeedURL, sock: _Socket):
        super().__init__(url.host, url.port)
        self._ready = sock

    def connect(self) -> None:
        self.sock = self._ready


def _converse(sock: socket.socket, url: FeedURL, outgoing: Outgoing, deadline: Deadline, max_bytes: int,
              public: bool, absolute: bool = False) -> Answer:
    connection = _Connection(url, _Socket(sock, deadline))
    what = outgoing.what
    try:
        connection.putrequest(outgoing.method, str(url) if absolute else url.target, skip_host=True,
                              skip_accept_encoding=True)
        connection.putheader("Host", url.host_header)
        for name, value in outgoing.headers.items():
            connection.putheader(name, value)
        if outgoing.body is not None:
            connection.putheader("Content-Length", str(len(outgoing.body)))
        connection.endheaders(outgoing.body)
        response = connection.getresponse()
        _one_length(response)
        body = _read_body(response, max_bytes, what) if outgoing.read_body(response.status) else b""
    except http.client.BadStatusLine as exc:  # RemoteDisconnected included
        line = str(exc.args[0] if exc.args else "").strip()
        if isinstance(exc, http.client.RemoteDisconnected) or not line or line == "''":
            raise FetchFailure(f"{what} unreachable: the server closed the connection without answering") from None
        raise FetchFailure(f"the server's answer is not HTTP/1.x (it begins {show(line[:40])})") from None
    except http.client.LineTooLong as exc:  # "got more than 65536 bytes when reading header line"
        what = str(exc).rsplit("reading ", 1)[-1] if "reading " in str(exc) else "line"
        raise FetchFailure(f"the server's answer has a {what} over 64 KB; refused") from None
    except http.client.IncompleteRead:
        raise FetchFailure("the server's answer is cut short or its chunked encoding is broken; "
                           "the download is incomplete") from None
    except http.client.HTTPException as exc:
        if "more than" in str(exc) and "headers" in str(exc):
            raise FetchFailure("the server's answer has more than 100 headers; refused") from None
        raise FetchFailure(f"the server's answer is not well-formed HTTP ({show(str(exc))})") from None
    except (OSError, ValueError) as exc:
        raise _network_failure(exc, deadline, what) from None
    return Answer(response.status, response.reason, response.headers, body, public)


def _one_length(response: http.client.HTTPResponse) -> None:
    """RFC 9112 6.3: Content-Length headers that disagree make the answer's length unknowable
    (http.client would believe the first and cut the body there, or read past it)."""
    lengths = {value.strip() for value in response.headers.get_all("Content-Length") or []}
    if len(lengths) > 1:
        said = " and ".join(show(value[:20]) for value in sorted(lengths)[:3])
        raise FetchFailure(f"the server's answer has {len(lengths)} Content-Length headers that disagree ({said}); "
                           "its length cannot be known, so it is refused")


def _read_body(response: http.client.HTTPResponse, max_bytes: int, what: str = "feed") -> bytes:
    declared = _content_length(response)
    if declared is not None and declared > max_bytes:
        raise FetchFailure(f"{what} is {size(declared)}, over the {size(max_bytes)} limit; refused")
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read(READ_SIZE):
        total += len(chunk)
        if total > max_bytes:
            raise FetchFailure(f"{what} is over the {size(max_bytes)} limit; refused")
        chunks.append(chunk)
    if declared is not None and total < declared:
        raise FetchFailure(f"the server's answer is cut short ({total} of {declared} bytes); the download is incomplete")
    return b"".join(chunks)


def _content_length(response: http.client.HTTPResponse) -> int | None:
    if "chunked" in (response.getheader("Transfer-Encoding") or "").lower():
        return None
    length = (response.getheader("Content-Length") or "").strip()
    return int(length) if length.isdigit() else None


class TimedOut(FetchFailure):
    """No answer in time: each operation's timeout, or the deadline of the whole (`seconds`)."""

    def __init__(self, message: str, seconds: float):
        super().__init__(message)
        self.seconds = seconds


def _network_failure(exc: BaseException, deadline: Deadline, what: str = "feed") -> FetchFailure:
    if isinstance(exc, DeadlinePassed) or (isinstance(exc, TimeoutError) and deadline.passed()):
        return TimedOut(f"{what} unreachable: not received within {deadline.seconds:g} s", deadline.seconds)
    if isinstance(exc, TimeoutError):
        return TimedOut(f"{what} unreachable: no answer within {deadline.timeout:g} s", deadline.timeout)
    if isinstance(exc, ConnectionRefusedError):
        return FetchFailure(f"{what} unreachable: connection refused")
    why = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
    return FetchFailure(f"{what} unreachable: {shorten(str(why), 120)}")
