"""A mistake on the command line as one line, `<option or word>: <what is wrong>; <what to do>`,
with the nearest option or command when there is one, in place of Click's usage block.

Typer carries its own copy of Click (typer._click): its errors are read by what they hold
(`option_name`, `param`, `ctx`), not by their classes."""

from __future__ import annotations

import difflib
import re
from typing import Any


def usage_line(error: Any) -> str:
    """`--weeek: no such option; did you mean --week?` for a usage error of the option parser."""
    message = " ".join(str(error.format_message()).split())
    context = getattr(error, "ctx", None)
    path = getattr(context, "command_path", "") or "rameau"
    help_hint = f"see {path} --help"
    name = getattr(error, "option_name", None)
    if type(error).__name__ == "NoSuchOption" and name:
        known = list(getattr(error, "possibilities", None) or ()) or _options(context)
        return f"{name}: no such option; {_suggestion(name, known) or help_hint}"
    if match := re.match(r"No such command '(.*?)'", message):
        word = match.group(1)
        return f"{word}: no such command; {_suggestion(word, _commands(context)) or f'see {path} --help'}"
    if match := re.match(r"Option '(.*?)' requires an argument", message):
        return f"{match.group(1)}: needs a value, as in `{match.group(1)} VALUE`"
    if match := re.match(r"Option '(.*?)' does not take a value", message):
        return f"{match.group(1)}: takes no value; write {match.group(1)} alone"
    if match := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message):
        return f"{match.group(1)}: unexpected argument; {help_hint}"
    if match := re.match(r"Missing (?:option|argument|parameter) '?(.*?)'?\.?$", message):
        return f"{match.group(1)}: required; {help_hint}"
    if match := re.match(r"Invalid value for '(.*?)': (.*)", message):
        why = match.group(2).rstrip(".").replace("a valid int", "a whole number").replace("a valid integer", "a whole number")
        return f"{match.group(1)}: {why}"
    return f"{message.rstrip('.')}; {help_hint}"


def _suggestion(word: str, known: list[str]) -> str:
    found = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"did you mean {found[0]}?" if found else ""


def _options(context: Any) -> list[str]:
    if context is None:
        return []
    return [name for param in context.command.params for name in (*param.opts, *param.secondary_opts)
            if name.startswith("--")]


def _commands(context: Any) -> list[str]:
    if context is None or not hasattr(context.command, "list_commands"):
        return []
    return list(context.command.list_commands(context))
