"""The table of compiled dataclass methods (rameau_cli/dataclass_cache.py) changes how fast a
command starts, never what its classes do: a class made from the table is the class Python
makes, whether the table is new, kept from an earlier command, out of date or damaged."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import marshal
import signal
import sys
from dataclasses import KW_ONLY, InitVar, dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest

from rameau_cli import dataclass_cache
from rameau_cli.cli import launcher
from rameau_cli.compat import STOP_SIGNALS


def kinds(extra_field: bool = False) -> dict[str, type]:
    """Dataclasses of every kind rameau and its libraries write: frozen (with slots), with
    defaults and factories, keyword-only fields, an InitVar and __post_init__, a ClassVar,
    ordered, unhashable, without __eq__; made anew at each call."""

    @dataclass(frozen=True)
    class Frozen:
        """Frozen."""

        name: str
        size: int = 0
        tags: tuple[str, ...] = ()

    @dataclass(frozen=True, slots=True)
    class Slotted:
        name: str
        parts: list[str] = field(default_factory=list)
        if extra_field:
            more: int = 1

    @dataclass
    class Mutable:
        name: str
        _: KW_ONLY
        seen: bool = False
        scale: InitVar[int] = 1
        kind: ClassVar[str] = "mutable"

        def __post_init__(self, scale: int) -> None:
            self.name = self.name * scale

    @dataclass(order=True, frozen=True)
    class Ordered:
        rank: int
        label: str = field(default="", compare=False)

    @dataclass(eq=False)
    class Plain:
        value: object = None

    @dataclass(unsafe_hash=True)
    class Hashed:
        value: int = 0

    return {kind.__name__: kind for kind in (Frozen, Slotted, Mutable, Ordered, Plain, Hashed)}


def behaviour(classes: dict[str, type]) -> list[object]:
    """What a user of each class sees: values, reprs, comparisons, hashes, refusals, signatures."""
    frozen, slotted, mutable = classes["Frozen"](" a", 2), classes["Slotted"]("b"), classes["Mutable"]("c", seen=True, scale=3)
    ordered = sorted([classes["Ordered"](2, "x"), classes["Ordered"](1, "y")])
    seen: list[object] = [repr(frozen), repr(slotted), repr(mutable), repr(ordered), frozen == classes["Frozen"](" a", 2),
                          hash(frozen) == hash(classes["Frozen"](" a", 2)), classes["Ordered"](1, "a") == classes["Ordered"](1, "b"),
                          classes["Plain"](1) == classes["Plain"](1), hash(classes["Hashed"](4)) == hash(classes["Hashed"](4)),
                          classes["Mutable"].__hash__ is None, slotted.parts is not classes["Slotted"]("b").parts]
    for instance, name in ((frozen, "size"), (slotted, "name")):
        try:
            setattr(instance, name, 5)
            seen.append("changed")
        except dataclasses.FrozenInstanceError as exc:
            seen.append(f"refused: {exc}")
        try:
            delattr(instance, name)
            seen.append("deleted")
        except dataclasses.FrozenInstanceError as exc:
            seen.append(f"refused: {exc}")
    try:
        classes["Mutable"]("d", True)
        seen.append("positional keyword-only")
    except TypeError as exc:
        seen.append(str(exc))
    for kind in classes.values():
        for name in ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__", "__lt__"):
            method = kind.__dict__.get(name)
            code = getattr(method, "__code__", None) or getattr(getattr(method, "__wrapped__", None), "__code__", None)
            if code is not None:
                seen.append((kind.__name__, name, code.co_code, code.co_consts, code.co_names, code.co_varnames,
                             method.__qualname__, getattr(method, "__annotations__", None)))
    return seen


def made_with(table: dataclass_cache.MethodTable | None, monkeypatch, extra_field: bool = False) -> dict[str, type]:
    """The classes made as a command under the launcher makes them (with `table`), or plainly (None)."""
    with monkeypatch.context() as patch:
        if table is not None:
            patch.setattr(dataclasses, "exec", table.exec, raising=False)
        else:
            patch.delattr(dataclasses, "exec", raising=False)
        return kinds(extra_field)


def test_a_class_made_from_the_table_is_the_class_python_makes(tmp_path, monkeypatch):
    path = tmp_path / "methods.marshal"
    plain = behaviour(made_with(None, monkeypatch))
    first = dataclass_cache.MethodTable(path)
    assert behaviour(made_with(first, monkeypatch)) == plain
    assert first.compiled > 20  # each method of each class was compiled once...
    first.save()
    again = dataclass_cache.MethodTable(path)
    assert behaviour(made_with(again, monkeypatch)) == plain
    assert again.compiled == 0  # ...and the next command took them all from the table


def test_a_changed_class_is_compiled_and_kept_beside_the_others(tmp_path, monkeypatch):
    path = tmp_path / "methods.marshal"
    table = dataclass_cache.MethodTable(path)
    made_with(table, monkeypatch)
    table.save()
    changed = dataclass_cache.MethodTable(path)
    assert behaviour(made_with(changed, monkeypatch, extra_field=True)) == behaviour(made_with(None, monkeypatch, extra_field=True))
    assert changed.compiled > 0
    assert made_with(changed, monkeypatch, extra_field=True)["Slotted"]("x").more == 1
    changed.save()
    both = dataclass_cache.MethodTable(path)
    made_with(both, monkeypatch)
    made_with(both, monkeypatch, extra_field=True)
    assert both.compiled == 0


def table_bytes(table: object) -> bytes:
    """A table file as `save` writes one: Python's magic number, the body's sha256, the body."""
    body = marshal.dumps(table)
    return importlib.util.MAGIC_NUMBER + hashlib.sha256(body).digest() + body


def body_of(data: bytes) -> dict:
    return marshal.loads(data[len(importlib.util.MAGIC_NUMBER) + dataclass_cache.DIGEST:])


@pytest.mark.parametrize("damage", ["empty", "truncated", "other Python", "a flipped bit", "not a table", "bad entries",
                                    "a folder"])
def test_a_damaged_or_foreign_table_is_ignored_and_written_anew(tmp_path, monkeypatch, damage):
    path = tmp_path / "methods.marshal"
    good = dataclass_cache.MethodTable(path)
    made_with(good, monkeypatch)
    good.save()
    data = path.read_bytes()
    magic = importlib.util.MAGIC_NUMBER
    if damage == "a folder":
        path.unlink()
        path.mkdir()
    else:
        flipped = bytearray(data)
        flipped[len(magic) + dataclass_cache.DIGEST + len(data) // 3] ^= 0x10  # in the marshalled body
        path.write_bytes({"empty": b"", "truncated": data[: len(data) // 2], "other Python": b"\0\0\r\n" + data[4:],
                          "a flipped bit": bytes(flipped),
                          "not a table": table_bytes(["def f(): pass"]),
                          "bad entries": table_bytes({text: b"\xff" + blob[1:] for text, blob in body_of(data).items()})
                          }[damage])
    table = dataclass_cache.MethodTable(path)
    assert behaviour(made_with(table, monkeypatch)) == behaviour(made_with(None, monkeypatch))
    assert table.compiled > 0
    table.save()  # a folder in its place: nothing written, nothing raised
    if damage != "a folder":
        assert dataclass_cache.MethodTable(path).blobs.keys() == table.blobs.keys()
    assert [p.name for p in tmp_path.iterdir()] == ["methods.marshal"]  # no temporary file left


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    table = dataclass_cache.MethodTable(tmp_path / "methods.marshal")
    made_with(table, monkeypatch)
    assert table.compiled > 0
    table.save()
    assert list(tmp_path.iterdir()) == []


def test_only_the_last_commands_methods_are_kept_once_the_table_is_full(tmp_path, monkeypatch):
    path = tmp_path / "methods.marshal"
    path.write_bytes(table_bytes(
        {f"def old_{n}(): pass": marshal.dumps(compile("pass", "<string>", "exec")) for n in range(dataclass_cache.KEEP_AT_MOST)}))
    table = dataclass_cache.MethodTable(path)
    made_with(table, monkeypatch)
    table.save()
    kept = dataclass_cache.MethodTable(path).blobs
    assert kept.keys() == table.used.keys() and not any(text.startswith("def old_") for text in kept)


@pytest.mark.parametrize(("value", "kept"), [("", True), ("0", True), ("1", False)])
def test_the_launcher_keeps_the_methods_of_a_command_unless_told_not_to(tmp_path, monkeypatch, capsys, value, kept):
    """`rameau COMMAND` makes its classes from the table, and writes the table at its end when
    it compiled new methods; RAMEAU_PLAIN_DATACLASSES=1 runs with the classes Python makes."""
    path = tmp_path / "methods.marshal"
    made: dict[str, object] = {}

    def command() -> int:
        made["exec"] = dataclasses.__dict__.get("exec")
        made["classes"] = kinds()
        return 0

    monkeypatch.setenv(dataclass_cache.PLAIN, value)
    monkeypatch.setattr(dataclass_cache, "table_file", lambda: path)
    monkeypatch.setattr(dataclass_cache, "_installed", [])
    monkeypatch.setattr("rameau_cli.cli.app.main", command)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "argv", ["rameau", "build-issue"])
    monkeypatch.delattr(dataclasses, "exec", raising=False)
    # What the console script sets for the rest of its process, kept from this one:
    monkeypatch.setattr(launcher.interrupts, "keep_lost_stops", lambda: None)
    monkeypatch.setattr(launcher.gc_tuning, "tune_for_a_build", lambda: None)
    monkeypatch.setattr(launcher.gc_tuning, "freeze_before_exit", lambda: None)
    handlers = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    try:
        with pytest.raises(SystemExit) as exit_:
            launcher.main()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert exit_.value.code == 0
    assert (made["exec"] is not None) == kept
    assert "exec" not in dataclasses.__dict__  # put back once the command is over
    assert path.exists() == kept
    assert behaviour(made["classes"]) == behaviour(made_with(None, monkeypatch))  # type: ignore[arg-type]
    if kept:
        assert len(dataclass_cache.MethodTable(path).blobs) > 20


def test_the_table_is_read_from_the_package_never_from_a_project():
    assert dataclass_cache.table_file().parent == Path(dataclass_cache.__file__).resolve().parent / "__pycache__"
