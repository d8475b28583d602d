"""The theme and the Jinja environments that render it: the project's own templates first,
then the built-in theme, file by file; autoescaped for MJML and HTML; undefined names are errors."""

from __future__ import annotations

import os
import traceback
import unicodedata
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from markupsafe import Markup, escape

from ..cache.base import CACHE_DIR
from ..compose.sandbox import BoundedSandbox
from ..errors import Problem, RenderError
from ..memo import Kept
from ..project.reading import CONTROLS
from .body_html import Look, blocks_html, box_height, inline_html, start_align, text_dir
from .palette import dark_accent
from .template_cache import TemplateCache
from .text import TextLook, blocks_text, inline_text, upper_first, wrap

if TYPE_CHECKING:
    from ..compose.issue import Issue

_PACKAGE = Path(__file__).resolve().parent.parent
# The default theme: inside an installed package (the wheel puts the repository's top-level
# templates/ there), or the repository's templates/ beside the package in a checkout.
THEME = _PACKAGE / "templates" if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent / "templates"


def _invisible_to_mjml(char: str) -> bool:
    return char == "\\" or (ord(char) > 127 and unicodedata.category(char)[0] in "ZCM")


class _CharRefs(dict[int, str]):
    """str.translate's table for MJML values: each character met, mapped to itself or to its
    character reference (filled as characters come). str.translate runs in C: a join over the
    characters, one call each, was 2 ms of the four emails of a 10,000-article build."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = found = f"&#{code};" if _invisible_to_mjml(char) else char
        return found


_CHAR_REFS = _CharRefs()


def mjml_value(value: object) -> Markup:
    """Escape a value for MJML. Beyond HTML escaping, characters that mjml-python would write
    as Rust escapes inside attributes (`\\u{a0}` for a no-break space, `\\u{301}` for an accent,
    doubled backslashes) become character references, which every mail client reads; control
    characters, which HTML does not allow, are dropped."""
    text = str(value) if isinstance(value, Markup) else str(escape(value))
    text = CONTROLS.sub("", text)
    if text.isascii() and "\\" not in text:
        return Markup(text)
    return Markup(text.translate(_CHAR_REFS))


# How each kind of template is escaped: MJML and HTML and XML autoescaped (MJML values also made
# safe for mjml-python's attributes), the text part not at all.
KINDS = ("mjml", "html", "xml", "text")


def overrides(project_templates: Path | None) -> tuple[tuple[str, int], ...]:
    """The project's template files and their times: an environment is made again when a file
    is added or removed (Jinja itself notices changes to the files it has loaded)."""
    if project_templates is None or not project_templates.is_dir():
        return ()

    found = []
    for folder, _, names in os.walk(project_templates):
        for name in names:
            path = os.path.join(folder, name)
            found.append((path, os.stat(path).st_mtime_ns))
    return tuple(sorted(found))


def template_environment(project_templates: Path | None, kind: str = "mjml") -> Environment:
    """Project templates first, then the built-in theme, file by file. Compiled templates are
    kept in the project's .rameau-cache/jinja/ (Jinja checks each against its source)."""
    return _environment(project_templates, kind, overrides(project_templates))


# Every environment of one kind is made alike below (its options, its filters), so a template's
# text compiles to the same code in each: compiled once per process, for each project built.
_COMPILED: dict[str, Kept[CodeType]] = {kind: Kept(64) for kind in KINDS}


@lru_cache(maxsize=16)
def _environment(project_templates: Path | None, kind: str, files: tuple[tuple[str, int], ...]) -> Environment:
    assert kind in KINDS, kind
    bytecode_cache = TemplateCache(project_templates.parent / CACHE_DIR / "jinja") if project_templates else None
    # The project's folder is always asked first, even while it does not exist yet: it may be
    # created while a preview is running.
    loaders = [FileSystemLoader(str(project_templates))] if project_templates else []
    loaders.append(FileSystemLoader(str(THEME)))
    env = BoundedSandbox(
        compiled=_COMPILED[kind],
        loader=ChoiceLoader(loaders),
        autoescape=kind != "text",
        finalize=mjml_value if kind == "mjml" else None,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=bytecode_cache,
    )
    env.filters["wrap"] = wrap
    env.filters["upper_first"] = upper_first
    env.filters["blocks_html"] = lambda blocks, issue: blocks_html(blocks, look(issue))
    env.filters["inline_html"] = lambda spans, issue: inline_html(spans, look(issue))
    env.filters["blocks_text"] = lambda blocks, issue, links: blocks_text(blocks, links, text_look(issue))
    env.filters["inline_text"] = inline_text
    env.filters["dark_accent"] = dark_accent
    env.filters["text_dir"] = text_dir
    env.filters["start_align"] = start_align
    env.filters["box_height"] = lambda picture: box_height(picture.width, picture.height)
    return env


def look(issue: Issue) -> Look:
    words = issue.words
    return Look(issue.segment.accent, words.table, words.video, words.notes, words.colon)


def text_look(issue: Issue) -> TextLook:
    words = issue.words
    return TextLook(words.image, words.video, words.notes, words.colon)


def render_template(project_templates: Path | None, kind: str, name: str, **context: Any) -> str:
    """Render a theme template; whatever goes wrong in it is a RenderError naming its file and line."""
    try:
        return template_environment(project_templates, kind).get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise RenderError(Problem(where, f"template syntax error: {exc.message}")) from None
    except TemplateNotFound as exc:
        raise RenderError(Problem(name, f"template {exc.name!r} not found in the project's templates/ or the theme")) from None
    except UndefinedError as exc:
        raise RenderError(Problem(_template_line(exc, name), f"undefined variable: {exc.message}; check its spelling")) from None
    except TemplateError as exc:
        raise RenderError(Problem(_template_line(exc, name), f"template error: {exc}")) from None
    except RecursionError:
        raise RenderError(Problem(name, "template error: templates include each other without end")) from None
    except Exception as exc:
        raise RenderError(Problem(_template_line(exc, name), f"template error: {type(exc).__name__}: {exc}")) from None


def _template_line(exc: BaseException, name: str) -> str:
    """The template file and line of a runtime error, read from the traceback."""

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and not frame.filename.endswith(".py"):
            return f"{frame.filename}:{frame.lineno}"
    return name
