"""Helpers the test modules share (fixtures are in conftest.py)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEEDS = FIXTURES / "feeds"
SEGMENTS = ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def content_project(target: Path) -> Path:
    """The example with the articles of tests/fixtures/content (a table, code, footnotes, images,
    bare links, a video, a 12-column table...), `hebdo-association` showing articles whole."""
    import shutil

    from conftest import copy_example

    project = copy_example(target)
    for path in (FIXTURES / "content").glob("*.md"):
        shutil.copy(path, project / "articles" / path.name)
    config = project / "rameau.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "hebdo-association:\n    title: L'hebdo association\n    cadence: weekly\n",
        "hebdo-association:\n    title: L'hebdo association\n    cadence: weekly\n    body: full\n    max_articles: 12\n")
        .replace("quotidienne:\n    title: La quotidienne\n    cadence: daily\n    max_articles: 12",
                 "quotidienne:\n    title: La quotidienne\n    cadence: daily\n    max_articles: 20"), encoding="utf-8")
    return project


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def wait_for(condition: Callable[[], bool], timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/xml"


Handler = Callable[[http.server.BaseHTTPRequestHandler], "Reply | None"]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1. `routes` maps a path to a Reply, or to a function
    of the request that returns a Reply (or answers by itself and returns None). Every request
    is recorded in `requests` as (method, path, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class RequestHandler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_HEAD(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def do_PATCH(self) -> None:
                self._answer()

            def _answer(self) -> None:
                outer.requests.append((self.command, self.path, dict(self.headers)))
                route = outer.routes.get(self.path.split("?")[0])
                reply = route(self) if callable(route) else route
                if route is None:
                    reply = Reply(b"not found", 404, content_type="text/plain")
                if reply is None:
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients hanging up on purpose (size caps, deadlines)

        self.httpd = Server(("127.0.0.1", 0), RequestHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> LocalServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
