"""The proxy the environment names (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as urllib and curl read
them), and a tunnel through it: an https request goes through `CONNECT host:port`, then TLS with
the server itself; an http one asks the proxy for the absolute URL. The proxy is the person's
own choice: its address may be on the local network; what is asked through it is checked as
without it. A proxy that wants credentials, or is itself spoken to over TLS, is not supported.
"""

from __future__ import annotations

import http.client
import io
import socket

from ...errors import show
from ...project.urls import FeedURL, feed_url
from .deadline import Deadline, DeadlineReader


class ProxyFailure(Exception):
    """The proxy would not tunnel; the message says what it answered."""


def proxy_for(url: FeedURL) -> FeedURL | None:
    """The proxy to ask `url` through, or None to connect to it directly."""
    import urllib.request

    proxy = urllib.request.getproxies_environment().get(url.scheme)
    if not proxy or urllib.request.proxy_bypass_environment(url.host):  # type: ignore[attr-defined]
        return None
    try:
        return feed_url(proxy if "://" in proxy else f"http://{proxy}")
    except ValueError:
        return None


def tunnel(sock: socket.socket, url: FeedURL, proxy: FeedURL, deadline: Deadline) -> None:
    """Ask the proxy on `sock` for a tunnel to `url`'s host and port (RFC 9110 9.3.6)."""
    where = f"{url.host}:{url.port}" if ":" not in url.host else f"[{url.host}]:{url.port}"
    deadline.arm(sock)
    sock.sendall(f"CONNECT {where} HTTP/1.1\r\nHost: {where}\r\n\r\n".encode("ascii"))

    class Reader:
        def makefile(self, mode: str, *args: object, **kwargs: object) -> io.BufferedReader:
            return io.BufferedReader(DeadlineReader(sock, deadline), 1)  # unbuffered: TLS follows the head

    response = http.client.HTTPResponse(Reader(), method="CONNECT")  # type: ignore[arg-type]
    try:
        response.begin()
    except http.client.HTTPException as exc:
        raise ProxyFailure(f"the proxy {proxy.host_header} did not answer CONNECT in HTTP ({show(str(exc))})") from None
    if response.status != 200:
        raise ProxyFailure(f"the proxy {proxy.host_header} refused a tunnel to {where} "
                           f"({response.status} {' '.join(str(response.reason).split())[:60]})")
