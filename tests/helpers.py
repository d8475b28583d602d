"""Helpers the test modules share (fixtures are in conftest.py)."""

from __future__ import annotations

import contextlib
import http.server
import importlib
import importlib.util
import io
import logging
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from rameau_cli.cli.app import main
from rameau_cli.project.history import entry_record
from rameau_cli.project.history_files import load_history

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEEDS = FIXTURES / "feeds"
SEGMENTS = ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]


class Checked(str):
    """A fixture's text whose `replace` fails when the text to replace is not there: an edit that
    silently changed nothing would let a test pass for the wrong reason."""

    def replace(self, old, new, count=-1):  # type: ignore[override]
        if old not in self:
            raise AssertionError(f"fixture edit: {old[:100]!r} is not in the text it should change")
        return Checked(str.replace(self, old, new, count))


def missing_tool(why: str):
    """A test whose tool (Chromium, SpamAssassin, less) is not installed: skipped with the reason
    on a developer's machine, failed in CI (CI=true), where .ci/run installs every tool."""

    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(why)
    pytest.skip(why)


def posix_only(*facilities: str):
    """Mark a test that needs POSIX facilities Windows lacks: modules (`pty`, `termios`, `fcntl`,
    `resource`), signals (`SIGHUP`, `SIGKILL`) or `os` functions (`os.mkfifo`, `os.killpg`). It is
    skipped, with the missing ones named, where this Python has not got them; it runs elsewhere."""

    def present(facility: str) -> bool:
        if facility.startswith("SIG"):
            return hasattr(signal, facility)
        if facility.startswith("os."):
            return hasattr(os, facility.removeprefix("os."))
        try:
            importlib.import_module(facility)
        except ImportError:
            return False
        return True

    missing = [facility for facility in facilities if not present(facility)]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}, which this system has not (POSIX only)")


def checked(text: str) -> Checked:
    """`checked(path.read_text()).replace(old, new)`: an edit of a fixture that must find `old`."""
    return Checked(text)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


# Any text UTF-8 can encode: text()'s own alphabet (characters(codec="utf-8"), all but the
# surrogates), named by category, which spares each worker the second Hypothesis spends finding
# a codec's characters where its cache (.hypothesis/) is new, as in a fresh clone.
UTF8_CHARACTERS = st.characters(exclude_categories=["Cs"])


def copy_example(target: Path) -> Path:
    """A copy of the bundled example project (nothing is ever written into the checkout)."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "rameau.yaml", target / "rameau.yaml")
    shutil.copytree(REPO / "articles", target / "articles")
    shutil.copytree(REPO / "issues", target / "issues")
    return target


def copy_example_warm(target: Path, built: Path) -> Path:
    """copy_example, with the caches a build of the example left in `built` (conftest's
    built_example): for tests not about a first build, which compiling the theme's templates
    again would cost most of."""
    copy_example(target)
    shutil.copytree(built / ".rameau-cache", target / ".rameau-cache")
    return target


@contextlib.contextmanager
def _environment(env: dict[str, str]):
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke(*args: str, cwd: Path, env: dict | None = None) -> Run:
    """Run a command in this process, as `rameau ARGS` run in `cwd` with its output piped."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with _environment({"NO_COLOR": "1", "COLUMNS": "120", **(env or {})}), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def run_process(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> Run:
    """Run the real command in another process, as a user would (`python -m rameau_cli`)."""
    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    done = subprocess.run([sys.executable, "-m", "rameau_cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=timeout)
    return Run(done.returncode, done.stdout, done.stderr)



# `rameau ARGS` as a process of its own, forked from this one on Linux. Not on macOS, where
# Python's own multiprocessing no longer forks because system libraries may crash in a child
# forked without exec (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods),
# nor on Windows, which cannot fork: there, a fresh interpreter runs the same.
FORKS = hasattr(os, "fork") and sys.platform.startswith("linux")
CHILD = """
import importlib, sys
sys.path.insert(0, sys.argv[1])
module, function, count, console = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
if function:
    getattr(importlib.import_module(module), function)(*sys.argv[6:6 + count])
args = sys.argv[6 + count:]
if console:
    from rameau_cli.cli.launcher import main
    sys.argv = ["rameau", *args]
    main()
from rameau_cli.cli.app import main
raise SystemExit(main(args))
"""


def as_a_fresh_interpreter() -> None:
    """In a child forked from the test process: logging and warnings as a fresh interpreter has
    them, not as pytest set them for itself (its log capture would take what rameau logs, its
    record of warnings what Python would print on stderr)."""
    for handler in logging.root.handlers[:]:
        logging.root.removeHandler(handler)
    logging.root.setLevel(logging.WARNING)
    # pytest records warnings by replacing the function that prints them: the module's own is
    # taken from a fresh copy of it (made first: making it reads -W options into the filters).
    spec = importlib.util.find_spec("warnings")
    assert spec and spec.loader
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    warnings._showwarnmsg_impl = fresh._showwarnmsg_impl  # type: ignore[attr-defined]
    warnings.showwarning = warnings._showwarning_orig  # type: ignore[attr-defined]
    warnings.resetwarnings()  # then Python's default filters, as a `python` given no -W has them
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


class Child:
    """`rameau ARGS` run in a process of its own, as `rameau` would run (`cli.app.main`; with
    `console`, the console script itself, `cli.launcher.main`), after `prepare(*given)` (fault
    points, limits, a trace: a function of a test module, of strings) has run in it.

    On Linux (FORKS), the child is this process forked: a real process, which a
    kill ends with no cleanup and a signal reaches as it reaches any process, without the start
    of a fresh interpreter (its imports are most of what a short command costs; a test of what
    happens while they run needs a fresh one). Elsewhere (macOS, Windows), a fresh interpreter runs the
    same. Its stdout and stderr go to files, read by `result()` once it has ended; with `pipe`,
    its stderr is `stderr`, a pipe read as it writes; with `terminal` (forking systems only: see
    in_a_terminal), its stdin, stdout and stderr are that pseudo-terminal, in a session of its
    own, with the environment a person's terminal has."""

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None,
                 prepare: Callable[..., None] | None = None, given: tuple[str, ...] = (), console: bool = False,
                 pipe: bool = False, terminal: int | None = None) -> None:
        self.files = [tempfile.TemporaryFile() for _ in range(2)]  # noqa: SIM115 (read and closed by result())
        self.returncode: int | None = None
        self.finished: Run | None = None
        self.stderr: io.TextIOWrapper | None = None
        reading, writing = os.pipe() if pipe else (-1, -1)
        environment = {"NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
        if terminal is not None:
            environment = {"TERM": "xterm-256color", **(env or {})}
        if not FORKS:
            self.process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(Path(__file__).parent), prepare.__module__ if prepare else "",
                 prepare.__name__ if prepare else "", str(len(given)), "1" if console else "", *given, *args],
                cwd=cwd, stdout=self.files[0], stderr=writing if pipe else self.files[1],
                env={**os.environ, **environment})
            self.pid = self.process.pid
        else:
            self.process = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # forked with threads (the test servers'): the child uses none
                self.pid = os.fork()
            if self.pid == 0:
                self._run(args, cwd, environment, prepare, given, console, writing if pipe else self.files[1].fileno(),
                          terminal)
        if pipe:
            os.close(writing)
            self.stderr = open(reading, encoding="utf-8", errors="replace")  # noqa: SIM115 (closed by result())

    def _run(self, args, cwd, environment, prepare, given, console, stderr, terminal) -> None:  # in the child: never returns
        code = 3
        try:
            if terminal is None:
                os.dup2(self.files[0].fileno(), 1)
                os.dup2(stderr, 2)
            else:  # as subprocess's start_new_session=True, stdin=stdout=stderr=terminal
                os.setsid()
                for fd in (0, 1, 2):
                    os.dup2(terminal, fd)
                sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
                for name in ("NO_COLOR", "COLUMNS", "LINES", "PAGER", "LESS"):
                    os.environ.pop(name, None)
            sys.stdout, sys.stderr = (io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8",
                                                       write_through=True) for fd in (1, 2))
            as_a_fresh_interpreter()
            os.chdir(cwd)
            os.environ.update(environment)
            if prepare:
                prepare(*given)
            if console:
                from rameau_cli.cli import launcher  # noqa: PLC0415 (the console script, as `rameau` runs it)

                sys.argv = ["rameau", *args]
                launcher.main()
            code = main(list(args))
        except SystemExit as exc:  # the console script's way out
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # said, as an uncaught exception says it
            traceback.print_exc()
        finally:
            os._exit(code)

    def poll(self) -> int | None:
        if self.returncode is None:
            if self.process:
                self.returncode = self.process.poll()
            else:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float = 120) -> int:
        """Its exit code (minus the signal that ended it), once it has ended; subprocess's
        TimeoutExpired after `timeout` seconds, as a hung process gets there (polled as it polls)."""
        if self.process:
            self.returncode = self.process.wait(timeout)
        deadline, delay = time.monotonic() + timeout, 0.0005
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"rameau (process {self.pid})", timeout)
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.process:
            self.process.send_signal(signum)
        elif self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        if self.process:
            self.process.kill()
        else:
            self.send_signal(signal.SIGKILL)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        """Killed and reaped if it is still running (a test that failed half way leaves no process)."""
        if self.poll() is None:
            self.kill()
            self.wait()

    def result(self, timeout: float = 120) -> Run:
        """Its exit code, stdout and stderr (what is left to read of the pipe), once it has ended."""
        if self.finished is None:
            rest = ""
            if self.stderr and self.process:  # a pipe of a fresh interpreter (Windows: no select on pipes)
                with self.stderr:
                    rest = self.stderr.read()
            elif self.stderr:
                deadline = time.monotonic() + timeout
                with self.stderr:
                    while select.select([self.stderr], [], [], max(0.0, deadline - time.monotonic()))[0]:
                        line = self.stderr.readline()
                        if not line:
                            break
                        rest += line
            code = self.wait(timeout)
            said = []
            for file in self.files:
                with file:
                    file.seek(0)
                    said.append(file.read().decode("utf-8", "replace"))
            self.finished = Run(code, said[0], rest if self.stderr else said[1])
        return self.finished


def content_project(target: Path) -> Path:
    """The example with the articles of tests/fixtures/content (a table, code, footnotes, images,
    bare links, a video, a 12-column table...), `hebdo-association` showing articles whole."""

    project = copy_example(target)
    for path in (FIXTURES / "content").glob("*.md"):
        shutil.copy(path, project / "articles" / path.name)
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "hebdo-association:\n    title: L'hebdo association\n    cadence: weekly\n",
        "hebdo-association:\n    title: L'hebdo association\n    cadence: weekly\n    body: full\n    max_articles: 12\n")
        .replace("quotidienne:\n    title: La quotidienne\n    cadence: daily\n    max_articles: 12",
                 "quotidienne:\n    title: La quotidienne\n    cadence: daily\n    max_articles: 20"), encoding="utf-8")
    return project


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
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


def wake(address: tuple[str, int]) -> None:
    """Connect to a port and hang up: wakes a thread waiting there for its next connection."""
    with socket.create_connection(address[:2]):
        pass


class Serving:
    """`httpd` (an http.server) answering in a thread of its own until `stop()`. handle_request()
    waits for the next connection without polling (serve_forever looks for shutdown() every poll
    interval, which each stop waited); stop() wakes it with a connection of its own, waits for the
    thread, then closes the port (see Acceptor)."""

    def __init__(self, httpd: http.server.HTTPServer) -> None:
        self.httpd = httpd
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            self.httpd.handle_request()

    def stop(self) -> None:
        if not self.stopping.is_set():
            self.stopping.set()
            wake(self.httpd.server_address)
            self.thread.join()
            self.httpd.server_close()


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
        self.serving = Serving(self.httpd)
        return self

    def stop(self) -> None:
        self.serving.stop()


# Images from disk (tests/test_images.py, the browser tests)

PUBLIC = "https://lettres.example.org"
GPS, ORIENTATION = 0x8825, 0x0112
LOGO_COLOUR = (214, 40, 160)  # no theme colour: found in a screenshot, it is the logo


def photo(width: int, height: int, seed: int = 0):  # -> PIL.Image.Image
    """Something like a camera photo: shapes and grain, which JPEG cannot squeeze to nothing."""

    image = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    # grain two pixels wide: a 4000 x 3000 photo is still a 3.7 MB JPEG, made in half the time
    grain = Image.effect_noise((max(1, width // 2), max(1, height // 2)), 30 + seed).resize((width, height), Image.NEAREST)
    image = Image.blend(image, grain.convert("RGB"), 0.4)
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 10, height // 10, width // 2, height // 2), fill=(190, 60 + seed, 40))
    return image


def logo_png() -> bytes:
    """A transparent PNG logo in LOGO_COLOUR."""
    out = io.BytesIO()
    logo = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((50, 50, 550, 250), fill=LOGO_COLOUR + (255,))
    logo.save(out, "PNG")
    return out.getvalue()


def camera_files(scale: int = 1) -> dict[str, bytes]:
    """The files a communications officer has on disk, by name: a camera photo with its GPS
    position, a portrait stored sideways, a transparent logo, a WebP, a cut JPEG and an SVG.
    `scale` divides the sizes (10: still wider than an email shows them, a hundredth of the
    pixels to make and read)."""

    made: dict[str, bytes] = {}
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[GPS] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    photo(4000 // scale, 3000 // scale).save(out, "JPEG", quality=92, exif=exif)
    made["Été à Lyon.jpg"] = out.getvalue()
    out = io.BytesIO()
    sideways = Image.new("RGB", (1600 // scale, 1200 // scale), (30, 90, 160))  # a portrait stored landscape: the top is at the left
    ImageDraw.Draw(sideways).rectangle((0, 0, 399 // scale, 1199 // scale), fill=(250, 220, 0))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    sideways.save(out, "JPEG", exif=exif)
    made["portrait.jpg"] = out.getvalue()
    made["logo.png"] = logo_png()
    out = io.BytesIO()
    photo(900 // scale, 600 // scale, 5).save(out, "WEBP")
    made["feuilles.webp"] = out.getvalue()
    made["cassée.jpg"] = made["portrait.jpg"][:min(1500, len(made["portrait.jpg"]) // 2)]
    made["schema.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9" height="9"/></svg>'
    return made


# Articles of the example's week 2026-W48, each given one of the images.
ARTICLES = {
    "laureats-trophees-alliances-territoriales-2026": "Été à Lyon.jpg",
    "formation-gouvernance-partagee": "portrait.jpg",
    "journee-alliances-citoyennes-5-decembre": "logo.png",
    "charte-ethique-partenariats-revisee": "feuilles.webp",
    "fondations-territoriales-appel-a-projets": "cassée.jpg",
    "webinaire-evaluation-impact-associations": "schema.svg",
}


def set_public_url(project: Path, url: str = PUBLIC) -> None:
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("  dir: dist\n", f"  dir: dist\n  public_url: {url}\n"),
                      encoding="utf-8")


def with_front_matter(path: Path, lines: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle:", f"\n{lines}\ntitle:", 1), encoding="utf-8")


def add_body(path: Path, markdown: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + markdown + "\n", encoding="utf-8")


def with_photos(example: Path, images: dict[str, bytes]) -> Path:
    """The example with a photo (or a broken file) next to six of the week's articles, and
    output.public_url set."""
    for slug, name in ARTICLES.items():
        (example / "articles" / name).write_bytes(images[name])
        with_front_matter(example / "articles" / f"{slug}.md", f"image: {name}\nimage_alt: Une image")
    set_public_url(example)
    return example


RawReply = Callable[[socket.socket], None]


class Acceptor:
    """A TCP port on `host` (127.0.0.1 by default) whose connections `serve(connection)` takes,
    each in a thread of its own, for test servers written on raw sockets.

    `stop()` wakes the thread waiting in accept() and waits for it to end before the port is
    closed. Closing a socket under a blocked accept() does not wake it (Linux): the port goes on
    listening, and the next socket the process opens takes the closed one's number, so the old
    thread could accept another server's connection and answer it with this server's reply."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.listener = socket.create_server((host, 0))
        self.port: int = self.listener.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.connections = 0
        self.stopping = threading.Event()
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        while True:
            connection, _ = self.listener.accept()
            if self.stopping.is_set():
                connection.close()
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if not self.stopping.is_set():
            self.stopping.set()
            wake(self.listener.getsockname())
            self.accepting.join()
            self.listener.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RawServer(Acceptor):
    """A server for what gets HTTP itself wrong: each connection is counted, its request head read
    (unless `read_request` is False), then `reply` sent as bytes, or `reply(connection)` called,
    and the connection closed."""

    def __init__(self, reply: bytes | RawReply = b"", host: str = "127.0.0.1", read_request: bool = True) -> None:
        self.reply = reply
        self.read_request = read_request
        self.requests: list[bytes] = []
        super().__init__(host)

    def serve(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.settimeout(5)
                head = b""
                while self.read_request and b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                self.requests.append(head)
                if callable(self.reply):
                    self.reply(connection)
                else:
                    connection.sendall(self.reply)
                connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the client hung up first: what a deadline or a cap does


class Listener:
    """A port that listens but never accepts: whether anything tried to connect to it is
    whether a connection waits in its queue."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.socket = socket.create_server((host, 0))
        self.port = self.socket.getsockname()[1]

    def connected(self) -> bool:
        self.socket.setblocking(False)
        try:
            self.socket.accept()[0].close()
            return True
        except BlockingIOError:
            return False

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.socket.close()


# A real pseudo-terminal (tests/test_preview.py, tests/test_check.py)


def in_a_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None, rows: int = 500, columns: int = 80,
                  keys: bytes = b"", after: str = "", timeout: float = 30, forked: bool = False) -> tuple[int, str]:
    """`rameau ARGS` run in a real pseudo-terminal of `rows` x `columns`, as at a person's
    terminal (TERM=xterm-256color; NO_COLOR, COLUMNS, LINES, PAGER and LESS unset unless `env`
    sets them). `keys` are typed once `after` shows on the screen. Returns the exit code and all
    the terminal showed, escape sequences included. In a session of its own: a pager reads the
    keys from the pseudo-terminal, never from the terminal running the tests. Skipped, saying
    why, where there are no pseudo-terminals (Windows). `forked`: the console script in a child of
    this process (helpers.Child), for a test not about what a command does while it starts."""
    try:
        import fcntl  # noqa: PLC0415 (POSIX only: the test is skipped elsewhere)
        import pty  # noqa: PLC0415 (POSIX only)
        import termios  # noqa: PLC0415 (POSIX only)
    except ImportError:
        pytest.skip("needs a pseudo-terminal: pty, termios and fcntl (POSIX only)")

    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    inherited = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "PAGER", "LESS")}
    process: subprocess.Popen | Child
    if forked and FORKS:
        process = Child(*args, cwd=cwd, env=env, console=True, terminal=secondary)
    else:
        process = subprocess.Popen([sys.executable, "-m", "rameau_cli", *args], cwd=cwd, stdin=secondary,
                                   stdout=secondary, stderr=secondary,
                                   env={**inherited, "TERM": "xterm-256color", **(env or {})}, start_new_session=True)
    os.close(secondary)
    shown, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if keys and after.encode() in shown:
                os.write(main, keys)
                keys = b""
            ready, _, _ = select.select([main], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the process and its pager have closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        return process.wait(timeout=max(1.0, deadline - time.monotonic())), shown.decode("utf-8", "replace")
    finally:
        if process.poll() is None:  # stuck (a pager waiting for keys): it and its pager, which are in its session
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(main)


def on_screen(shown: str) -> str:
    """What a terminal shows, without its escape sequences and carriage returns."""

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>]|\r", "", shown)


def recorded(project: Path) -> dict[str, list[dict]]:
    """The project's history as rameau reads it (history.json and history/): segment -> its
    editions, oldest first, each as it is written."""

    history = load_history(project / "history.json")
    return {segment: [entry_record(e) for e in entries] for segment, entries in history.segments.items()}


# The starter of `rameau init --language en`, with personal words and template-looking text
THANKS = "Thank you, {first_name}, for a great year."
TYPED = 'Write {{ not_a_tag }} and {% now "Y" %} in your own templates.'
ARTICLE = "council-partnerships-pilot"


def starter(tmp_path, profile: str, edito: str = "", body: str = "", opening: str = "", build: bool = True):
    """`rameau init --language en`, its édito thanking the reader by name (after `edito`, and
    opening with `opening`), an article's summary showing template code (its body ending with
    `body`, shown whole in weekly-nonprofits when given), built for `profile`."""

    project = tmp_path / profile
    assert invoke("init", "--language", "en", str(project), cwd=tmp_path).code == 0
    edition = next((project / "issues").glob("*.md"))
    text = checked(edition.read_text(encoding="utf-8")).replace("\n— ", f"\n{edito}\n\n{THANKS}\n\n— ", 1)
    edition.write_text(checked(text).replace("---\n\n", f"---\n\n{opening}", 1) if opening else text, encoding="utf-8")
    article = project / "articles" / f"{ARTICLE}.md"
    text = article.read_text(encoding="utf-8")
    text, edits = re.subn(r'^summary: ".*"$', "summary: '" + TYPED + "'", text, count=1, flags=re.M)
    assert edits == 1
    article.write_text(text.rstrip("\n") + "\n\n" + body + "\n", encoding="utf-8")
    config = project / "rameau.yaml"
    text = checked(config.read_text(encoding="utf-8")).replace("profile: generic", f"profile: {profile}")
    if body:
        text = text.replace("    audiences: [nonprofit]\n", "    audiences: [nonprofit]\n    body: full\n")
    config.write_text(text, encoding="utf-8")
    if build:
        built = invoke("build-issue", cwd=project)
        assert built.code == 0, built.stderr
    return project


def theme_colour(pattern: str, template: str) -> tuple[int, ...]:
    """A colour the default theme's `template` sets, found by `pattern`, as an RGB triple."""
    found = re.search(pattern, (REPO / "templates" / template).read_text(encoding="utf-8"))
    assert found, f"templates/{template} no longer says {pattern}"
    return tuple(bytes.fromhex(found.group(1)[1:]))
