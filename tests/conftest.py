"""Shared fixtures: copies of the example project, the CLI run in-process (or, where a test
needs one, in a real process), one build of the example for the whole session, and a local
HTTP server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from rameau_cli.pipeline import build, load_project

from helpers import LocalServer, camera_files, copy_example, invoke

# Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every real `python -m rameau_cli`
# a test starts would compile rameau from source again: the tests let Python keep its bytecode,
# as an installed copy has it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Tests never reach the network: a name other than the loopback's is not found (a build
    asks remote images for their size; the tests serve those they need from 127.0.0.1)."""

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

    return build(load_project(built_example))


@pytest.fixture
def run():
    return invoke


@pytest.fixture(scope="session")
def http_server():
    """A real HTTP server on 127.0.0.1 for the whole session; tests add routes to it:
    `http_server.routes["/feed.xml"] = handler(request)`. Every request is recorded."""

    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def images() -> dict[str, bytes]:
    """Image files as people have them on disk, by name (see helpers.camera_files)."""

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
