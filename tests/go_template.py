"""What listmonk does with a campaign's body before a subscriber sees it, for the listmonk stand-in
(tests/standins.py): a small reading of Go's html/template, as far as listmonk uses it.

Followed, in listmonk's source (github.com/knadh/listmonk):
- models/campaigns.go `CompileTemplate`: the campaign template's body (the default template's
  when the campaign has no template_id: queries/campaigns.sql `is_default = true`) is compiled
  with `{{ template "content" . }}` standing for the campaign's body; `regTplFuncs` first
  (models/common.go) turn `{{ UnsubscribeURL }}` into `{{ UnsubscribeURL . }}` and
  `{{ TrackLink "…" }}` into `{{ TrackLink "…" . }}`; an unknown function fails the compile, so
  a create or an update answers 400 "Error compiling campaign body: …" (cmd/campaigns.go
  validateCampaignFields).
- The functions: internal/manager/manager.go `TemplateFuncs` (TrackLink, TrackView,
  UnsubscribeURL, ManageURL, OptinURL, MessageURL, ArchiveURL, RootURL) and the generic ones
  (Date, L, `Safe`, which returns template.HTML) with Sprig's GenericFuncMap (here: default,
  upper, lower, trim, title).
- Go's text/template lexer (text/template/parse/lex.go): an action runs from `{{` to the first
  `}}` that is not inside a quoted string; `{{- ` and ` -}}` trim the spaces beside them;
  `{{/* … */}}` is a comment. Interpreted strings take Go's escapes.
- Go's html/template (escape.go, transition.go): HTML comments in the template's text are
  stripped (but not inside <style> or <script>), and so is any action inside one; an action's
  value is HTML-escaped (`"` as `&#34;`, `'` as `&#39;`, `+` as `&#43;`) unless it is
  template.HTML (`Safe`) written in text; in an href or src, a URL with another scheme than
  http, https or mailto becomes `#ZgotmplZ`.
Anything else listmonk's templates can do (if, range, with, variables) is refused here as
unknown: rameau never writes it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

REG_TPL_FUNCS = [  # models/common.go regTplFuncs
    (re.compile(r'{{\s*TrackLink\s+"([^"]+)"\s*}}'), r'{{ TrackLink "\1" . }}'),
    (re.compile(r"(https?://[\w\-.~!#$&'()*+,/:;=?@\[\]%]*)@TrackLink"), r'{{ TrackLink "\1" . }}'),
    (re.compile(r"{{(\s+)?(TrackView|UnsubscribeURL|ManageURL|OptinURL|MessageURL)(\s+)?}}"), r"{{ \2 . }}"),
]
TEMPLATE_TAG = re.compile(r'{{(\s+)?template\s+?"content"(\s+)?\.(\s+)?}}')  # cmd/templates.go regexpTplTag
TRANSLATIONS = {"email.unsub": "Unsubscribe", "email.viewInBrowser": "View in browser"}  # i18n/en.json


class TemplateError(Exception):
    """What Go's parser or executor would say."""


class Safe(str):
    """template.HTML: written as it is in text."""


@dataclass
class Message:
    """What a campaign message's template is executed with (internal/manager CampaignMessage)."""

    subscriber: dict[str, Any]
    unsubscribe_url: str = "https://lists.example.org/subscription/c-uuid/s-uuid"
    message_url: str = "https://lists.example.org/campaign/c-uuid/s-uuid"
    links: list[str] = field(default_factory=list)


def _call(name: str, args: list[Any], message: Message) -> Any:
    def want(count: int) -> None:
        if len(args) != count:
            raise TemplateError(f"wrong number of args for {name}: want {count} got {len(args)}")

    if name in ("UnsubscribeURL", "ManageURL", "OptinURL", "MessageURL", "TrackView"):
        want(1)
        return {"UnsubscribeURL": message.unsubscribe_url, "ManageURL": message.unsubscribe_url + "?manage=true",
                "OptinURL": "https://lists.example.org/subscription/optin/s-uuid", "MessageURL": message.message_url,
                "TrackView": Safe('<img src="https://lists.example.org/campaign/c-uuid/s-uuid/px.png" alt="">')}[name]
    if name == "TrackLink":
        want(2)
        message.links.append(str(args[0]))
        return f"https://lists.example.org/link/{len(message.links)}"
    if name in ("ArchiveURL", "RootURL"):
        want(0)
        return "https://lists.example.org" + ("/archive" if name == "ArchiveURL" else "")
    if name == "Safe":
        want(1)
        return Safe(args[0])
    if name == "default":  # Sprig: default DEFAULT GIVEN
        want(2)
        return args[1] if args[1] else args[0]
    if name in ("upper", "lower", "trim", "title"):
        want(1)
        return {"upper": str.upper, "lower": str.lower, "trim": str.strip, "title": str.title}[name](str(args[0]))
    if name == "Date":
        want(1)
        return "2026-11-30"
    if name == "L.T":
        want(1)
        return TRANSLATIONS.get(str(args[0]), str(args[0]))
    raise TemplateError(f'function "{name}" not defined')


FUNCTIONS = {"UnsubscribeURL", "ManageURL", "OptinURL", "MessageURL", "TrackView", "TrackLink", "ArchiveURL",
             "RootURL", "Safe", "default", "upper", "lower", "trim", "title", "Date", "L.T", "template"}
_TOKEN = re.compile(r'\s*(?:("(?:[^"\\\n]|\\.)*")|(`[^`]*`)|(\|)|(\.[A-Za-z_][\w.]*|\.)|([A-Za-z_][\w.]*)|(-?\d+))')


_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}
_ESCAPE = re.compile(r'\\(?:([abfnrtv\\"])|x([0-9A-Fa-f]{2})|([0-7]{3})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')


def _go_string(literal: str) -> str:
    """An interpreted string literal's value, as Go's strconv.Unquote reads it: characters as
    written (UTF-8), escapes of bytes (\\xNN, \\NNN) and of characters (\\uNNNN, \\UNNNNNNNN)."""
    if literal.startswith("`"):
        return literal[1:-1]
    out, at, body = bytearray(), 0, literal[1:-1]
    left = _ESCAPE.sub("", body)
    if "\\" in left or '"' in left:  # an escape Go does not know, or a quote not escaped
        raise TemplateError(f"invalid syntax {literal}")
    for found in _ESCAPE.finditer(body):
        out += body[at:found.start()].encode("utf-8")
        simple, byte, octal, short, long = found.groups()
        if simple:
            out.append(_SIMPLE[simple])
        elif byte or (octal and int(octal, 8) < 256):
            out.append(int(byte, 16) if byte else int(octal, 8))
        elif octal:
            raise TemplateError(f"invalid syntax {literal}")  # an octal escape over \\377
        else:
            out += chr(int(short or long, 16)).encode("utf-8")
        at = found.end()
    try:
        return (out + body[at:].encode("utf-8")).decode("utf-8")
    except UnicodeError:
        raise TemplateError(f"invalid syntax {literal}") from None


def _tokens(action: str) -> list[tuple[str, str]]:
    out, at, rest = [], 0, action.rstrip()
    while at < len(rest):
        match = _TOKEN.match(rest, at)
        if not match or match.end() == at:
            raise TemplateError(f"unexpected {rest[at:].strip()[:10]!r} in command")
        kind = ("string", "string", "pipe", "field", "name", "number")[match.lastindex - 1]
        out.append((kind, match.group(match.lastindex)))
        at = match.end()
    return out


def _commands(action: str) -> list[list[tuple[str, str]]]:
    """An action's pipeline as commands; unknown functions fail here, at parse time, as in Go."""
    commands: list[list[tuple[str, str]]] = [[]]
    for kind, value in _tokens(action):
        if kind == "pipe":
            commands.append([])
            continue
        if kind == "name" and value not in FUNCTIONS:
            raise TemplateError(f'function "{value}" not defined')
        commands[-1].append((kind, value))
    if any(not command for command in commands):
        raise TemplateError("missing value for command")
    return commands


def _value(kind: str, value: str, message: Message) -> Any:
    if kind == "string":
        return _go_string(value)
    if kind == "number":
        return int(value)
    if value == ".":
        return message
    current: Any = {"Subscriber": message.subscriber}
    for name in value.strip(".").split("."):
        if not isinstance(current, dict) or name not in current:
            raise TemplateError(f"can't evaluate field {name}")
        current = current[name]
    return current


def _run(commands: list[list[tuple[str, str]]], message: Message) -> Any:
    result: Any = None
    for index, command in enumerate(commands):
        (kind, value), args = command[0], [_value(k, v, message) for k, v in command[1:]]
        if index:
            args.append(result)
        if kind == "name":
            result = _call(value, args, message)
        elif args:
            raise TemplateError(f"can't give argument to non-function {value}")
        else:
            result = _value(kind, value, message)
    return result


@dataclass
class Piece:
    text: str = ""
    action: list[list[tuple[str, str]]] | None = None
    content: bool = False  # {{ template "content" . }}


def parse(source: str) -> list[Piece]:
    """Text and actions, as Go's lexer cuts them (after listmonk's regTplFuncs)."""
    for pattern, replacement in REG_TPL_FUNCS:
        source = pattern.sub(replacement, source)
    pieces, at = [], 0
    while (start := source.find("{{", at)) >= 0:
        text = source[at:start]
        end, quote = start + 2, ""
        while end < len(source):
            char = source[end]
            if quote:
                if char == "\\" and quote == '"':
                    end += 1
                elif char == quote:
                    quote = ""
                elif char == "\n" and quote == '"':
                    raise TemplateError("unterminated quoted string")
            elif char in "\"`":
                quote = char
            elif source.startswith("}}", end):
                break
            end += 1
        else:
            raise TemplateError("unclosed action")
        inner = source[start + 2 : end]
        if inner.startswith("- "):
            text, inner = text.rstrip(), inner[2:]
        at = end + 2
        if inner.endswith(" -"):
            inner = inner[:-2]
            at = len(source) - len(source[at:].lstrip())
        pieces.append(Piece(text))
        stripped = inner.strip()
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                raise TemplateError("unclosed comment")
            continue
        if TEMPLATE_TAG.fullmatch("{{" + inner + "}}"):
            pieces.append(Piece(content=True))
            continue
        pieces.append(Piece(action=_commands(inner)))
    pieces.append(Piece(source[at:]))
    return pieces


def _escaped(value: Any, in_url: bool) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, Safe) and not in_url:
        return text
    if in_url and not re.match(r"(?i)(https?|mailto):|[^:]*$", text):
        return "#ZgotmplZ"
    return html.escape(text).replace("&#x27;", "&#39;").replace("&quot;", "&#34;").replace("+", "&#43;")


def execute(template: str, body: str, message: Message) -> str:
    """The HTML a subscriber gets: `template` (a campaign template's body) around `body`."""
    pieces = parse(template)
    inner = parse(body)
    out: list[str] = []
    state = {"comment": False, "raw": ""}
    for piece in [p for outer in pieces for p in (inner if outer.content else [outer])]:
        if piece.action is None:
            out.append(_text(piece.text, state))
            continue
        if state["comment"]:
            continue  # an action in a comment is stripped with it
        tail = "".join(out)[-300:]
        in_tag = tail.rfind("<") > tail.rfind(">")
        in_url = in_tag and bool(re.search(r'\b(href|src)="[^"]*$', tail))
        value = _run(piece.action, message)
        out.append(_escaped(value, in_url) if not (in_tag and isinstance(value, Safe)) else html.escape(re.sub("<[^>]*>", "", value)))
    return "".join(out)


def _text(text: str, state: dict[str, Any]) -> str:
    """Template text as html/template writes it: its HTML comments left out."""
    out, at = [], 0
    while at < len(text):
        if state["comment"]:
            end = text.find("-->", at)
            if end < 0:
                return "".join(out)
            state["comment"], at = False, end + 3
            continue
        if state["raw"]:
            end = text.lower().find(f"</{state['raw']}", at)
            if end < 0:
                out.append(text[at:])
                return "".join(out)
            out.append(text[at:end])
            state["raw"], at = "", end
            continue
        comment = text.find("<!--", at)
        raw = re.compile(r"<(style|script)\b", re.I).search(text, at)
        if raw and (comment < 0 or raw.start() < comment):
            close = text.find(">", raw.start())
            close = len(text) if close < 0 else close + 1
            out.append(text[at:close])
            state["raw"], at = raw.group(1).lower(), close
            continue
        if comment < 0:
            out.append(text[at:])
            break
        out.append(text[at:comment])
        state["comment"], at = True, comment + 4
    return "".join(out)


def compiles(source: str) -> str:
    """"" when `source` compiles as listmonk compiles a body, else Go's complaint."""
    try:
        parse(source)
    except TemplateError as exc:
        return str(exc)
    return ""
