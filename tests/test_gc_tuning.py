"""The garbage-collector tuning of rameau_cli/gc_tuning.py changes how fast a build is, never
what it writes; RAMEAU_PLAIN_GC=1 runs with Python's own settings."""

from __future__ import annotations

import gc
import shutil
import sys
from pathlib import Path

import pytest

from rameau_cli import gc_tuning
from rameau_cli.cli import launcher
from rameau_cli.errors import Warnings
from rameau_cli.pipeline import load_project
from rameau_cli.sources.markdown import read_markdown_source

from helpers import Run, invoke, tree


def build(monkeypatch, project: Path, out: Path, plain: bool) -> Run:
    """`rameau build-issue` run here as the launcher runs it (the collector tuned for the build
    unless RAMEAU_PLAIN_GC=1), the collector's settings put back after it."""
    threshold = gc.get_threshold()
    try:
        with monkeypatch.context() as patch:
            if plain:
                patch.setenv(gc_tuning.PLAIN, "1")
            else:
                patch.delenv(gc_tuning.PLAIN, raising=False)
            gc_tuning.tune_for_a_build()
            assert gc.get_threshold() == (threshold if plain else gc_tuning.BUILD_THRESHOLD)
            return invoke("build-issue", "--out", str(out), "--no-history", cwd=project)
    finally:
        gc.set_threshold(*threshold)


def test_a_tuned_build_writes_the_bytes_a_plain_build_writes(example, tmp_path, monkeypatch):
    # Cold builds both (no article cache), so both read every article with the collector paused or not.
    for name, plain in (("tuned", False), ("plain", True)):
        shutil.rmtree(example / ".rameau-cache", ignore_errors=True)
        result = build(monkeypatch, example, tmp_path / name, plain)
        assert result.code == 0, result.stderr
    built = tree(tmp_path / "tuned")
    assert any(name.endswith("index.html") for name in built)
    assert built == tree(tmp_path / "plain")


def test_a_warm_plain_build_reads_the_cache_a_tuned_build_wrote(example, tmp_path, monkeypatch):
    tuned = build(monkeypatch, example, tmp_path / "tuned", plain=False)
    plain = build(monkeypatch, example, tmp_path / "plain", plain=True)
    assert tuned.code == plain.code == 0, tuned.stderr + plain.stderr
    assert tree(tmp_path / "tuned") == tree(tmp_path / "plain")


@pytest.mark.parametrize(("value", "tuned"), [("", True), ("0", True), ("1", False), ("yes", False)])
def test_the_environment_chooses_the_collector_settings_of_a_command(value, tuned, monkeypatch, capsys):
    # The launcher tunes the collector before it loads the command line (run here, its settings put back).
    monkeypatch.setenv(gc_tuning.PLAIN, value)
    monkeypatch.setattr(sys, "argv", ["rameau", "--help"])
    before = gc.get_threshold()
    assert before != gc_tuning.BUILD_THRESHOLD  # Python's own settings, which a plain run keeps
    try:
        assert launcher._run() == 0
        shown = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert "build-issue" in capsys.readouterr().out  # the command line ran
    assert shown == (gc_tuning.BUILD_THRESHOLD if tuned else before)


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
