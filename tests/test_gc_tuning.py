"""The garbage-collector tuning of rameau_cli/gc_tuning.py changes how fast a build is, never
what it writes; RAMEAU_PLAIN_GC=1 runs with Python's own settings."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys

import pytest

from rameau_cli import gc_tuning
from rameau_cli.errors import Warnings
from rameau_cli.pipeline import load_project
from rameau_cli.sources.markdown import read_markdown_source

from helpers import run_process, tree


def test_a_tuned_build_writes_the_bytes_a_plain_build_writes(example, tmp_path):
    # Cold builds both (no article cache), so both read every article with the collector paused or not.
    for name, env in (("tuned", {}), ("plain", {gc_tuning.PLAIN: "1"})):
        shutil.rmtree(example / ".rameau-cache", ignore_errors=True)
        result = run_process("build-issue", "--out", str(tmp_path / name), "--no-history", cwd=example, env=env)
        assert result.code == 0, result.stderr
    built = tree(tmp_path / "tuned")
    assert any(name.endswith("index.html") for name in built)
    assert built == tree(tmp_path / "plain")


def test_a_warm_plain_build_reads_the_cache_a_tuned_build_wrote(example, tmp_path):
    tuned = run_process("build-issue", "--out", str(tmp_path / "tuned"), "--no-history", cwd=example)
    plain = run_process("build-issue", "--out", str(tmp_path / "plain"), "--no-history", cwd=example,
                        env={gc_tuning.PLAIN: "1"})
    assert tuned.code == plain.code == 0, tuned.stderr + plain.stderr
    assert tree(tmp_path / "tuned") == tree(tmp_path / "plain")


@pytest.mark.parametrize(("value", "tuned"), [("", True), ("0", True), ("1", False), ("yes", False)])
def test_the_environment_chooses_the_collector_settings_of_a_command(value, tuned):
    # The launcher tunes the collector before it loads the command line: a child process shows it.
    code = ("import gc, sys; from rameau_cli import gc_tuning; from rameau_cli.cli import launcher; "
            "sys.argv = ['rameau', '--help']; launcher._run(); print(gc.get_threshold(), file=sys.stderr)")
    env = {**os.environ, gc_tuning.PLAIN: value, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    default = subprocess.run([sys.executable, "-c", "import gc; print(gc.get_threshold())"], capture_output=True,
                             text=True, timeout=120).stdout.strip()
    shown = done.stderr.strip().splitlines()[-1]
    assert shown == (str(gc_tuning.BUILD_THRESHOLD) if tuned else default), done.stderr


def test_the_pause_ends_with_the_block_even_on_an_error(monkeypatch):
    monkeypatch.delenv(gc_tuning.PLAIN, raising=False)
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_tuning.paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


def test_the_pause_leaves_a_disabled_collector_disabled(monkeypatch):
    monkeypatch.delenv(gc_tuning.PLAIN, raising=False)
    gc.disable()
    try:
        with gc_tuning.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_plain_run_never_pauses_the_collector(monkeypatch):
    monkeypatch.setenv(gc_tuning.PLAIN, "1")
    with gc_tuning.paused():
        assert gc.isenabled()


def test_reading_articles_leaves_the_collector_on(example):
    # The markdown reader pauses the collector while it reads; a build goes on collecting after it.
    config = load_project(example)
    source = config.sources[0]
    assert read_markdown_source(config, source, Warnings(), [])
    assert gc.isenabled()
