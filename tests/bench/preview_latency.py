"""How long an edit of an article takes to reach an open live preview, as a person sees it.

    python tests/bench/preview_latency.py [--rameau PATH] [--edits 5] PROJECT

Starts `rameau preview --serve` on a free port of 127.0.0.1 in a copy of PROJECT (its
rameau.yaml, articles, editions, templates and cache), listens to
its event stream as the open page does, then, once the preview is idle, rewrites one article
(a word of its summary) and times from the write to the event that tells the page to reload.
Prints the median of the edits in milliseconds. Each edit waits for the previous one's event.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connect(port: int, deadline: float) -> socket.socket:
    while True:
        try:
            stream = socket.create_connection(("127.0.0.1", port), timeout=10)
            stream.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return stream
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def next_event(stream: socket.socket, buffer: bytearray) -> bytes:
    """The next `data:` line of the event stream (keep-alives skipped)."""
    while True:
        while b"\n\n" in buffer:
            message, _, rest = bytes(buffer).partition(b"\n\n")
            buffer[:] = rest
            for line in message.splitlines():
                if line.startswith(b"data:"):
                    return line
        chunk = stream.recv(65536)
        if not chunk:
            raise RuntimeError("the preview closed its event stream")
        buffer += chunk


def measure(rameau: list[str], project: Path, edits: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project"
        copy.mkdir()
        shutil.copyfile(project / "rameau.yaml", copy / "rameau.yaml")
        for name in ("articles", "issues", "editions", "templates", ".rameau-cache"):
            if (project / name).is_dir():
                shutil.copytree(project / name, copy / name)
        article = sorted((copy / "articles").glob("*.md"))[0]
        original = article.read_text(encoding="utf-8")
        port = free_port()
        server = subprocess.Popen([*rameau, "preview", "--serve", "--port", str(port)], cwd=copy,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            stream = connect(port, time.monotonic() + 30)
            buffer = bytearray()
            next_event(stream, buffer)  # the version the page was opened at
            time.sleep(1.0)  # let the watcher settle
            timings = []
            for edit in range(edits):
                text = original.replace("\n---\n", f"\n---\n\nÉdition {edit} du banc d'essai.\n", 1)
                start = time.perf_counter()
                article.write_text(text, encoding="utf-8")
                next_event(stream, buffer)
                timings.append((time.perf_counter() - start) * 1000)
                time.sleep(0.5)
            stream.close()
            return statistics.median(timings)
        finally:
            server.terminate()
            server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--rameau", help="the rameau command (default: this interpreter's)")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args(argv)
    rameau = [args.rameau] if args.rameau else [sys.executable, "-m", "rameau_cli"]
    print(f"{measure(rameau, args.project.resolve(), args.edits):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
