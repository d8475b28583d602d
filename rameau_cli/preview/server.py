"""`rameau preview --serve`: a live web preview of every segment, on the loopback interface only.

Each segment is shown at desktop and phone widths with its text part and an inbox row. The
project's files are watched; each change rebuilds the edition in memory and the open pages
reload themselves (server-sent events). A build error shows on the page; the server goes on.
The server answers only its own routes: it serves no file from disk, and refuses requests whose
Host header is not the loopback address or localhost (DNS rebinding). It stays responsive under
load and against slow clients: a normal listen backlog (socketserver's default is 5: 200
requests at once waited for SYN retransmissions), a deadline for each request's head and an idle
timeout on every read and write (a client that drips its request a byte at a time, or sends
nothing, is cut), and a cap on open connections, beyond which it answers 503 at once.
"""

from __future__ import annotations

import http.server
import io
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import Problem, RameauError, UsageError
from ..images.assets import NAME, content_type
from ..pipeline import BuildOptions
from ..render.emails import Email
from ..sources.fetch.deadline import Deadline, DeadlineReader
from .live import ASSETS, PreviewState
from .pages import as_read, asset, index_page, segment_page

LOOPBACK = "127.0.0.1"
ALLOWED_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
SIGNAL_POLL = 0.2  # s: how soon the main thread sees a stop signal another thread received
EMAIL_CSP = "default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; font-src https:"
PAGE_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
            "frame-src 'self'; img-src 'self'")
BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
        b"Content-Length: 38\r\nConnection: close\r\n\r\nToo many connections; try again soon.\n")


@dataclass(frozen=True)
class ServerLimits:
    idle: float = 10.0  # a read or write that waits longer closes the connection
    head: float = 10.0  # the request line and headers must have arrived by then
    connections: int = 256  # open at once; beyond, 503
    keepalive: float = 15.0  # an event stream with nothing new sends a comment this often


class PreviewServer:
    """The preview's HTTP server and its watcher, startable from tests as from the CLI."""

    def __init__(self, project: Path, options: BuildOptions, port: int = 0, limits: ServerLimits = ServerLimits()):
        self.state = PreviewState(project, options)
        self.state.rebuild()
        handler = type("Handler", (PreviewHandler,), {"state": self.state, "limits": limits, "timeout": limits.idle})
        try:
            self.httpd = _Server((LOOPBACK, port), handler, limits.connections)
        except OSError as exc:
            why = f"cannot listen on {LOOPBACK}:{port}: {exc.strerror}; choose another port"
            raise UsageError(Problem("--port", why)) from None
        # A short poll: stop() returns within 0.1 s, and refused sockets are closed on time.
        self.threads = [threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
                        threading.Thread(target=self.state.watch, daemon=True)]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.httpd.server_address[1]}/"

    def start(self) -> PreviewServer:
        for thread in self.threads:
            thread.start()
        self.state.watching.wait(timeout=60)  # the file watcher's watches are in place before anyone edits a file
        return self

    def stop(self) -> None:
        self.state.stopping.set()
        with self.state.changed:
            self.state.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], handler: type, max_connections: int):
        self.max_connections = max_connections
        self._open: set[socket.socket] = set()
        self._refused: list[tuple[float, socket.socket]] = []
        self._lock = threading.Lock()
        super().__init__(address, handler)

    def handle_error(self, request, client_address):
        pass  # a browser closing an event stream is not an error

    def process_request(self, request, client_address):
        with self._lock:
            full = len(self._open) >= self.max_connections
            if not full:
                self._open.add(request)
        if full:
            return self._refuse(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def _refuse(self, request: socket.socket) -> None:
        """503 at once, without a thread. The socket is closed a second later (service_actions),
        after what the client sent is read: closing it with unread data would send a reset that
        may wipe the 503 before the client reads it."""
        try:
            request.setblocking(False)
            request.sendall(BUSY)
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self._refused.append((time.monotonic(), request))
        if len(self._refused) > 1024:
            self._refused.pop(0)[1].close()

    def service_actions(self):
        now = time.monotonic()
        while self._refused and now - self._refused[0][0] > 1.0:
            _, request = self._refused.pop(0)
            try:
                request.recv(65536)
            except OSError:
                pass
            request.close()

    def server_close(self):
        super().server_close()
        for _, request in self._refused:
            request.close()
        self._refused.clear()


def serve_preview(project: Path, options: BuildOptions, port: int, open_browser: bool, console) -> None:
    server = PreviewServer(project, options, port).start()
    try:
        console.print(f"Preview on {server.url} (Ctrl-C to stop); watching {project}", markup=False)
        if server.state.snapshot.error:
            console.print(f"error: {server.state.snapshot.error}", markup=False, style="red")
        server.state.on_rebuild = lambda before, error: _say_rebuild(console, before, error)
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        # Woken often: a signal the kernel gives another thread (the watcher's, a request's) is
        # only acted on when the main thread runs; a sleep of an hour would not see it until then.
        while not server.state.stopping.wait(SIGNAL_POLL):
            pass
    except KeyboardInterrupt:
        console.print("Preview stopped.", markup=False)
    finally:
        server.stop()


def _say_rebuild(console, before: str, error: str) -> None:
    """A line in the terminal when a rebuild fails (once per new error), and when it works again."""
    now = time.strftime("%H:%M:%S")
    if error and error != before:
        for problem in error.splitlines():
            console.print(f"{now} rebuild failed (the page shows the error): {problem}", markup=False, style="red")
    elif before and not error:
        console.print(f"{now} rebuilt: the build works again", markup=False, style="green")


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    state: PreviewState
    limits: ServerLimits
    server_version = "rameau-preview"
    sys_version = ""

    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()  # the socket's timeout: limits.idle, for every read and write
        self.rfile.close()
        self._reader = DeadlineReader(self.connection, None, self.limits.idle)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self):
        # The request line and headers within limits.head, however slowly they drip in.
        self._reader.deadline = Deadline(self.limits.head, self.limits.idle)
        super().handle_one_request()

    def parse_request(self):
        parsed = super().parse_request()
        self._reader.deadline = None
        self.connection.settimeout(self.limits.idle)
        return parsed

    def do_GET(self):
        if not self._host_allowed():
            return self._send(403, "Forbidden: this preview answers only to 127.0.0.1 or localhost.\n", "text/plain")
        path = unquote(urlsplit(self.path).path)
        routes: list[tuple[str, Callable[..., None]]] = [
            (r"/", self._index),
            (r"/preview\.js", self._script),
            (r"/style\.css", self._style),
            (r"/events", self._events),
            (r"/segment/([a-z0-9][a-z0-9-]{0,62})", self._segment_page),
            (r"/segment/([a-z0-9][a-z0-9-]{0,62})/email\.html", self._email),
            (r"/segment/([a-z0-9][a-z0-9-]{0,62})/email\.txt", self._email_text),
            (rf"{ASSETS}/({NAME.pattern})", self._image),
        ]
        for pattern, action in routes:
            match = re.fullmatch(pattern, path)
            if match:
                return action(*match.groups())
        return self._send(404, "Not found.\n", "text/plain")

    def do_HEAD(self):
        self.do_GET()

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        return name in ALLOWED_HOSTS

    def _send(self, status: int, body: str, content_type: str, csp: str = PAGE_CSP) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _email_of(self, segment_id: str) -> Email | None:
        result = self.state.snapshot.result
        return next((e for e in result.emails if e.issue.segment.id == segment_id), None) if result else None

    def _page(self, status: int, make) -> None:
        try:
            body = make()
        except RameauError as exc:  # a broken preview template of the project's
            status, body = 500, "\n".join(str(p) for p in exc.problems)
            return self._send(status, body, "text/plain")
        self._send(status, body, "text/html")

    def _index(self):
        self._page(200, lambda: index_page(self.state.snapshot, self.state.templates))

    def _segment_page(self, segment_id: str):
        email = self._email_of(segment_id)
        self._page(200 if email else 404,
                   lambda: segment_page(self.state.snapshot, segment_id, email, self.state.templates))

    def _email(self, segment_id: str):
        email = self._email_of(segment_id)
        if not email:
            return self._send(404, "<p>No email for this segment.</p>", "text/html", EMAIL_CSP)
        self._send(200, as_read(email, html=True), "text/html", EMAIL_CSP)

    def _email_text(self, segment_id: str):
        email = self._email_of(segment_id)
        self._send(200 if email else 404, as_read(email, html=False) if email else "", "text/plain", EMAIL_CSP)

    def _image(self, name: str):
        result = self.state.snapshot.result
        data = result.assets.get(name) if result else None
        if data is None:
            return self._send(404, "Not found.\n", "text/plain")
        self.send_response(200)
        self.send_header("Content-Type", content_type(name))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _script(self):
        self._send(200, asset("preview.js"), "text/javascript")

    def _style(self):
        self._send(200, asset("style.css"), "text/css")

    def _events(self):
        """Server-sent events: the build version, each time it changes. The socket's idle timeout
        bounds each write only: a stream with nothing new sends a comment every limits.keepalive."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        seen = self.state.snapshot.version
        try:
            self.wfile.write(f"data: {seen}\n\n".encode())
            self.wfile.flush()
            while not self.state.stopping.is_set():
                version = self.state.wait_for_change(seen, timeout=self.limits.keepalive)
                message = f"data: {version}\n\n" if version != seen else ": keep-alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = version
        except OSError:
            return
