"""Shared fixtures: copies of the example project, the CLI run in-process (or, where a test
needs one, in a real process), one build of the example for the whole session, a local
HTTP server, and one Chromium for the session."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from rameau_cli.errors import UsageError
from rameau_cli.pipeline import build, load_project
from rameau_cli.preview.screenshots import find_browser, launch_browser

from helpers import LocalServer, camera_files, checked, copy_example, copy_example_warm, invoke, missing_tool

# Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every real `python -m rameau_cli`
# a test starts would compile rameau from source again: the tests let Python keep its bytecode,
# as an installed copy has it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# A run writes some 40,000 small files (copies of the example and what they build) and deletes
# them again: on a disk, that is seconds of the kernel's time and of waiting for the disk. Where
# the system keeps a RAM disk with room to spare (/dev/shm on Linux), the tests' folders are made
# there; elsewhere, and when PYTEST_DEBUG_TEMPROOT or --basetemp says where, where pytest puts them.
def _ram_disk() -> str | None:
    try:
        room = os.statvfs("/dev/shm")
    except (AttributeError, OSError):
        return None
    enough = room.f_bavail * room.f_frsize >= 2 * 1024**3
    return "/dev/shm" if enough and os.access("/dev/shm", os.W_OK | os.X_OK) else None


if "PYTEST_DEBUG_TEMPROOT" not in os.environ and (_ram := _ram_disk()):
    os.environ["PYTEST_DEBUG_TEMPROOT"] = _ram

# The run is a batch of work, three workers on two cores (pytest_xdist_auto_num_workers): on
# Linux it asks the scheduler for batch treatment (SCHED_BATCH, sched(7): "a CPU-intensive"
# process, not preempted on every wake-up of another), which each worker, server thread, child
# process and browser inherits. Fewer switches between three busy processes, so less time
# spent refilling caches: some 2% of the run's CPU, in alternated runs on two idle cores.
if hasattr(os, "SCHED_BATCH"):
    with contextlib.suppress(OSError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


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


@pytest.fixture
def warm_example(tmp_path, built_example) -> Path:
    """A copy of the example, safe to modify, with the caches a build of it left (built_example's)."""
    return copy_example_warm(tmp_path / "project", built_example)


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


@pytest.fixture(scope="session")
def built_for(tmp_path_factory):
    """A built copy of the example per emailing profile, made once for the session; tests copy it."""
    made = {}

    def make(tool: str):
        if tool not in made:
            project = copy_example(tmp_path_factory.mktemp(tool) / "project")
            config = project / "rameau.yaml"
            config.write_text(checked(config.read_text(encoding="utf-8")).replace("profile: generic", f"profile: {tool}"),
                              encoding="utf-8")
            assert invoke("build-issue", cwd=project).code == 0
            made[tool] = project
        return made[tool]

    return make


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
def images(tmp_path_factory) -> dict[str, bytes]:
    """Image files as people have them on disk, by name (see helpers.camera_files): made once
    for the run (half a second of Pillow's time) in the folder the workers share, and read
    from there by the others."""
    made = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        made = made.parent  # the run's folder, above each worker's own
    folder = made / "camera-files"
    with FileLock(str(made / "camera-files.lock")):
        if not folder.is_dir():
            staged = made / "camera-files.part"
            shutil.rmtree(staged, ignore_errors=True)
            staged.mkdir()
            for name, data in camera_files().items():
                (staged / name).write_bytes(data)
            staged.rename(folder)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (cert.pem, key.pem), for the test
    SMTP and HTTPS servers; an EC key, made in milliseconds."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="session")
def playwright():
    """Playwright, started once for the session. Missing browser: skipped on a developer's
    machine, failed in CI."""
    try:
        find_browser()
    except UsageError as exc:
        missing_tool(f"{exc} (.ci/run installs Debian's chromium and chromium-headless-shell)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (loaded by the one worker that opens pages)

    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright):
    """The browser `preview --screenshot` would take (Debian's chromium-headless-shell where it
    is installed), launched once for the session as the command launches it (a launch costs more
    CPU than most of the tests that use it). Tests open their pages in it and close them."""
    browser = launch_browser(playwright)
    yield browser
    browser.close()


@pytest.fixture
def own_playwright():
    """For a test that runs `preview --screenshot` in this process: the command starts a sync
    Playwright of its own, which refuses to start where the session's `browser` runs (between
    its calls, that one's event loop is marked as running in this thread), and the command must
    run in the main thread (it sets signal handlers). That loop is set aside while the command
    runs: `with own_playwright(): invoke("preview", "--screenshot", ...)`."""

    @contextlib.contextmanager
    def aside():
        loop = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(None)
        try:
            yield
        finally:
            asyncio.events._set_running_loop(loop)

    return aside


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    """Each worker imports every test module, and pytest compiles a module with its assertions
    rewritten (some 1.3 s of CPU for them all) in each worker that finds no copy in __pycache__,
    as in a fresh clone. Each worker of a whole run first imports a share of the modules, and
    waits for the others' shares (10 s at most), so that each module is compiled once."""
    config = session.config
    worker = getattr(config, "workerinput", None)
    here = Path(__file__).resolve().parent
    asked = [(config.invocation_params.dir / arg).resolve() for arg in config.args]
    if worker is None or asked != [here] or not config.option.basetemp:
        return  # in the controller, or a run of some tests only
    count, me = int(worker["workercount"]), worker["workerid"]
    for path in sorted(here.glob("test_*.py"))[int(me.removeprefix("gw"))::count]:
        with contextlib.suppress(Exception, pytest.skip.Exception):  # collecting it says what is wrong
            importlib.import_module(path.stem)
    shared = Path(config.option.basetemp).parent / "imported"
    shared.mkdir(exist_ok=True)
    (shared / me).touch()
    deadline = time.monotonic() + 10
    while sum(1 for _ in shared.iterdir()) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def pytest_unconfigure(config):
    """A worker whose run is over ends without taking its heap apart object by object (some
    0.4 s at the end of a run, the last worker's, which the run waits for)."""
    if hasattr(config, "workerinput"):
        atexit.register(_end_at_once)


def _end_at_once():
    atexit.unregister(_end_at_once)
    atexit._run_exitfuncs()  # the other exit functions first (temporary folders, locks)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def pytest_collection_finish(session):
    """What is alive once the tests are collected (the modules, the test items) lives as long as
    the run: moved out of the collector's sight, so that each full collection during the run
    does not scan it again (some 150 ms each, a few seconds of a run)."""
    gc.collect()
    gc.freeze()


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: a worker per core the run may use, and one more, which keeps the cores busy
    while the others wait on servers, deadlines and Chromium (on two idle cores, runs alternated:
    about 1.6 s less than with two workers; four workers take longer)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1


# The test files that open pages in the session's `browser`: run on one worker, they launch one
# Chromium between them (a launch and Playwright's driver cost more CPU than most of their tests).
# A file missing here still passes; it only launches a browser of its own worker's.
BROWSER_FILES = {"test_browser.py", "test_inboxes.py"}


def pytest_xdist_make_scheduler(config, log):
    """xdist's `--dist loadfile` (a file's tests on one worker, its module fixtures made once),
    with the files of BROWSER_FILES as one unit."""
    from xdist.scheduler import LoadFileScheduling  # noqa: PLC0415 (xdist's, loaded only when it runs)

    class BrowserFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "the session's browser" if Path(scope).name in BROWSER_FILES else scope

    return BrowserFilesTogether(config, log) if config.getvalue("dist") == "loadfile" else None
