"""The manual's command reference, read from the command line itself (the Click command Typer
makes of cli/app.py): every command, its help and example, its arguments and options.

Typer carries its own copy of Click (typer._click), so commands and parameters are read by what
they have (`commands`, `param_type_name`, `is_flag`), not by their classes."""

from __future__ import annotations

from typing import Any


def commands_reference() -> str:
    """A section per command, in the order `rameau --help` lists them."""
    import typer

    from ..cli.app import app

    root = typer.main.get_command(app)
    lines = ["### rameau", "", _paragraphs(root.help or ""), "", _usage(root, "rameau"), ""]
    lines += _table(root.params)
    for path, command in _commands(root, "rameau"):
        lines += ["", f"### {path}", "", _paragraphs(command.help or ""), "", _usage(command, path), ""]
        lines += _table(command.params)
    return "\n".join(lines).rstrip()


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    import typer

    found = []
    for name in group.list_commands(typer.Context(group)):
        command = group.get_command(typer.Context(group), name)
        if command is None or command.hidden:
            continue
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def _paragraphs(text: str) -> str:
    """The help text as Markdown: its paragraphs, each on one line; `Example:` as code."""
    out = []
    for paragraph in text.strip().split("\n\n"):
        if paragraph.strip().startswith("Example: "):
            example, _, note = paragraph.strip().removeprefix("Example: ").partition("   ")
            out.append(f"Example: `{' '.join(example.split())}`" + (f" {' '.join(note.split())}" if note else ""))
        else:
            out.append(" ".join(paragraph.split()))
    return "\n\n".join(out)


def _usage(command: Any, path: str) -> str:
    pieces = [path, "[OPTIONS]"] if any(_is_option(p) for p in command.params) else [path]
    for param in command.params:
        if not _is_option(param):
            pieces.append(f"[{param.name.upper()}]" if not param.required else (param.name or "").upper())
    if hasattr(command, "commands"):
        pieces.append("COMMAND")
    return "    " + " ".join(pieces)


def _is_option(param: Any) -> bool:
    return param.param_type_name == "option"


def _table(params: list[Any]) -> list[str]:
    rows = [p for p in params if not getattr(p, "hidden", False) and "--help" not in p.opts]
    if not rows:
        return []
    lines = ["| argument or option | value | default | what it does |", "| --- | --- | --- | --- |"]
    for param in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in
                                       (_names(param), _value(param), _default(param), _help(param))) + " |")
    return lines


def _names(param: Any) -> str:
    if not _is_option(param):
        return f"`{(param.name or '').upper()}`"
    names = " ".join(f"`{name}`" for name in param.opts)
    if param.secondary_opts:
        names += " / " + " ".join(f"`{name}`" for name in param.secondary_opts)
    return names


def _value(param: Any) -> str:
    if _is_option(param) and param.is_flag:
        return "flag"
    kind = {"text": "text", "str": "text", "integer": "whole number", "int": "whole number", "path": "path",
            "boolean": "true or false"}.get(
        param.type.name, param.type.name)
    return kind + (", repeatable" if param.multiple else "")


def _default(param: Any) -> str:
    if _is_option(param) and (param.is_flag and not param.secondary_opts):
        return ""
    if _is_option(param) and param.show_default is False:
        return ""
    value: Any = param.default
    if _is_option(param) and param.is_flag:
        return f"`{param.opts[0] if value else param.secondary_opts[0]}`"
    if value in (None, [], (), "") or callable(value):
        return ""
    return f"`{value}`"


def _help(param: Any) -> str:
    return " ".join((getattr(param, "help", None) or "").split())
