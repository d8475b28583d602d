"""Rules the test suite keeps so that it holds on a loaded machine and fails when it should:
fixture edits that must find what they change, and no assertion on elapsed time (speed is
measured in tests/bench/, side by side with a baseline)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {"monotonic", "time", "perf_counter", "monotonic_ns", "perf_counter_ns"}


@functools.cache
def modules() -> list[tuple[Path, list[ast.AST]]]:
    """Each test file and its tree's nodes, read once for the rules below."""
    return [(path, list(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))) for path in sorted(TESTS.glob("*.py"))]


def test_every_fixture_edit_fails_when_its_text_is_missing():
    """`path.read_text().replace(old, new)` changes nothing when `old` is not there: the test
    then passes for the wrong reason. Each goes through helpers.checked, which fails instead."""
    unchecked = []
    for path, nodes in modules():
        for node in nodes:
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"
                    and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Attribute)
                    and node.func.value.func.attr == "read_text"):
                unchecked.append(f"{path.name}:{node.lineno}")
    assert unchecked == [], "wrap these in checked(...): " + ", ".join(unchecked)


def test_no_test_asserts_on_elapsed_time():
    timed = []
    for path, nodes in modules():
        for node in nodes:
            if isinstance(node, ast.Assert):
                for inner in ast.walk(node.test):
                    if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                            and inner.func.attr in CLOCKS and isinstance(inner.func.value, ast.Name)
                            and inner.func.value.id == "time"):
                        timed.append(f"{path.name}:{node.lineno}")
    assert timed == [], "wait on events, not wall time: " + ", ".join(timed)
