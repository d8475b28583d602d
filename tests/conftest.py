"""Shared fixtures: copies of the example project, the CLI run in-process (or, where a test
needs one, in a real process), one build of the example for the whole session, and a local
HTTP server."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO, Run

# Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every real `python -m rameau_cli`
# a test starts would compile rameau from source again: the tests let Python keep its bytecode,
# as an installed copy has it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Tests never reach the network: a name other than the loopback's is not found (a build
    asks remote images for their size; the tests serve those they need from 127.0.0.1)."""
    import socket

    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in (None, "localhost", "::1") and not str(host).startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: tests never reach the network")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = loopback_only
    yield
    socket.getaddrinfo = real


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite tests/golden/ from the current build.")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def copy_example(target: Path) -> Path:
    """A copy of the bundled example project (nothing is ever written into the checkout)."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "rameau.yaml", target / "rameau.yaml")
    shutil.copytree(REPO / "articles", target / "articles")
    shutil.copytree(REPO / "issues", target / "issues")
    return target


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of the bundled example project, safe to modify."""
    return copy_example(tmp_path / "project")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory) -> Path:
    """The example, built once for the session by `rameau build-issue`. Read it, never change it."""
    project = copy_example(tmp_path_factory.mktemp("built") / "project")
    result = invoke("build-issue", cwd=project)
    assert result.code == 0, result.stderr
    return project


@pytest.fixture(scope="session")
def example_build(built_example):
    """The example's edition built in memory (pipeline.Build), for tests of the stages."""
    from rameau_cli.pipeline import build, load_project

    return build(load_project(built_example))


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
    from rameau_cli.cli.app import main

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


@pytest.fixture
def run():
    return invoke


@pytest.fixture(scope="session")
def http_server():
    """A real HTTP server on 127.0.0.1 for the whole session; tests add routes to it:
    `http_server.routes["/feed.xml"] = handler(request)`. Every request is recorded."""
    from helpers import LocalServer

    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def images() -> dict[str, bytes]:
    """Image files as people have them on disk, by name (see helpers.camera_files)."""
    from helpers import camera_files

    return camera_files()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (cert.pem, key.pem), for the test
    SMTP and HTTPS servers; an EC key, made in milliseconds."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"
