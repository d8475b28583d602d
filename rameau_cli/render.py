"""Stage 5: an `Issue` rendered to MJML (Jinja2), then HTML (mjml-python), and to plain text."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateNotFound, TemplateSyntaxError, UndefinedError)
from markupsafe import Markup, escape

from .content import CONTROLS, PlainText, one_line
from .errors import Problem, RenderError
from .french import typography
from .issue import Issue

TEXT_WIDTH = 78
HTML_TEMPLATE = "email.mjml"
TEXT_TEMPLATE = "email.txt"


@dataclass(frozen=True)
class RenderedIssue:
    issue: Issue
    html: str
    text: str

    @cached_property
    def files(self) -> dict[str, bytes]:
        """The files of this segment's issue, made once for the manifest and the output."""
        from .output import issue_files

        return issue_files(self)


def builtin_templates() -> Path:
    """The default theme: inside the installed package, or the repository's `templates/`."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def _invisible_to_mjml(char: str) -> bool:
    import unicodedata

    return char == "\\" or (ord(char) > 127 and unicodedata.category(char)[0] in "ZCM")


@lru_cache(maxsize=4096)
def _char_ref(char: str) -> str:
    return f"&#{ord(char)};" if _invisible_to_mjml(char) else char


def mjml_value(value) -> Markup:
    """Escape a value for MJML. Beyond HTML escaping, characters that mjml-python would write
    as Rust escapes inside attributes (`\\u{a0}` for a no-break space, `\\u{301}` for an accent,
    doubled backslashes) become character references, which every mail client reads; control
    characters, which HTML does not allow, are dropped."""
    text = str(value) if isinstance(value, Markup) else str(escape(value))
    text = CONTROLS.sub("", text)
    if text.isascii() and "\\" not in text:
        return Markup(text)
    return Markup("".join(_char_ref(char) for char in text))


@lru_cache(maxsize=8)
def template_environment(project_templates: Path | None, kind: str = "mjml") -> Environment:
    """Project templates first, then the built-in theme, file by file. Compiled templates are
    kept in the project's .rameau-cache/jinja/ (Jinja checks each against its source)."""
    from jinja2 import FileSystemBytecodeCache

    bytecode_cache = None
    if project_templates is not None:
        folder = project_templates.parent / ".rameau-cache" / "jinja"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            bytecode_cache = FileSystemBytecodeCache(str(folder))
        except OSError:
            pass  # a read-only project builds without it
    # The project's folder is always asked first, even while it does not exist yet: it may be
    # created while a preview is running.
    loaders = [FileSystemLoader(str(project_templates))] if project_templates else []
    loaders.append(FileSystemLoader(str(builtin_templates())))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=kind == "mjml",
        finalize=mjml_value if kind == "mjml" else None,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=bytecode_cache,
    )
    env.filters["wrap"] = wrap
    env.filters["upper_first"] = upper_first
    env.filters["text_blocks"] = text_blocks
    return env


def render_issue(issue: Issue, project_templates: Path | None) -> RenderedIssue:
    mjml_source = _render_template(template_environment(project_templates, "mjml"), HTML_TEMPLATE, issue)
    text = _render_template(template_environment(project_templates, "text"), TEXT_TEMPLATE, issue)
    profile = issue.profile
    tags = (str(profile.unsubscribe), str(issue.view_online), str(profile.first_name))
    return RenderedIssue(issue, mjml_to_html(mjml_source), finish_text(text, issue.newsletter.language, tags))


def render_within(issue: Issue, project_templates: Path | None) -> RenderedIssue:
    """Render; when the HTML is over the segment's `max_bytes`, move the last articles into the
    short "more online" list, keeping as many full cards as fit (at least one)."""
    rendered = render_issue(issue, project_templates)
    limit = issue.segment.max_bytes
    if not limit or len(rendered.html.encode()) <= limit or len(issue.articles) <= 1:
        return rendered
    pool = issue.articles + issue.more
    low, high, best = 1, len(issue.articles) - 1, None
    while low <= high:
        cards = (low + high) // 2
        candidate = render_issue(replace(issue, articles=pool[:cards], more=pool[cards:]), project_templates)
        if len(candidate.html.encode()) <= limit:
            best, low = candidate, cards + 1
        else:
            high = cards - 1
    return best or render_issue(replace(issue, articles=pool[:1], more=pool[1:]), project_templates)


def _render_template(env: Environment, name: str, issue: Issue) -> str:
    try:
        return env.get_template(name).render(issue=issue)
    except TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise RenderError(Problem(where, f"template syntax error: {exc.message}")) from None
    except TemplateNotFound as exc:
        raise RenderError(Problem(name, f"template {exc.name!r} not found in the project's templates/ or the theme")) from None
    except UndefinedError as exc:
        raise RenderError(Problem(_template_line(exc, name), f"undefined variable: {exc.message}; check its spelling")) from None
    except TemplateError as exc:
        raise RenderError(Problem(_template_line(exc, name), f"template error: {exc}")) from None


def _template_line(exc: Exception, name: str) -> str:
    """The template file and line of a runtime error, read from the traceback."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and not frame.filename.endswith(".py"):
            return f"{frame.filename}:{frame.lineno}"
    return name


def _refuse_include(path: str) -> str:
    raise ValueError(f"mj-include is not supported (asked for {path!r})")


MJML_TAGS = frozenset({
    "mjml", "mj-head", "mj-body", "mj-attributes", "mj-all", "mj-class", "mj-breakpoint", "mj-font", "mj-preview",
    "mj-style", "mj-title", "mj-accordion", "mj-accordion-element", "mj-accordion-title", "mj-accordion-text",
    "mj-button", "mj-carousel", "mj-carousel-image", "mj-column", "mj-divider", "mj-group", "mj-hero", "mj-image",
    "mj-navbar", "mj-navbar-link", "mj-raw", "mj-section", "mj-social", "mj-social-element", "mj-spacer", "mj-table",
    "mj-text", "mj-wrapper",
})
_MJML_TAG = re.compile(r"<(mj-[A-Za-z0-9-]+|mjml)\b")


def check_mjml_tags(source: str) -> None:
    """mjml-python copies unknown `<mj-*>` tags into the HTML as they are: refuse them here."""
    for match in _MJML_TAG.finditer(source):
        if match.group(1) not in MJML_TAGS:
            line = source.count("\n", 0, match.start()) + 1
            raise RenderError(Problem(f"MJML line {line}", f"unknown tag <{match.group(1)}>; check its spelling in your templates"))


def mjml_to_html(source: str) -> str:
    check_mjml_tags(source)
    # mjml-python still writes a button's vertical-align onto its column's <td>, an attribute
    # HTML does not have (MJML itself stopped in 2023): validators flag it, browsers ignore it.
    return _TD_VERTICAL_ALIGN.sub(r"\1", _mjml2html(source))


_TD_VERTICAL_ALIGN = re.compile(r'(<td\b[^<>]*?) vertical-align="[a-z]*"')


def _mjml2html(source: str) -> str:
    from mjml import mjml2html  # imported here: only builds need it

    try:
        return mjml2html(source, disable_comments=True, fonts={}, include_loader=_refuse_include)
    except (ValueError, RuntimeError) as exc:
        located = locate_mjml_error(source)
        if located is None:
            raise RenderError(Problem("MJML rendered from the templates", f"MJML error: {exc}")) from None
        line, column, why = located
        snippet = one_line(source.split("\n")[line - 1])[max(0, column - 30): column + 40]
        raise RenderError(Problem(f"MJML rendered from the templates, line {line}, column {column}",
                                  f"{why}, near {snippet!r} (mjml-python: {exc})")) from None


VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


def locate_mjml_error(source: str) -> tuple[int, int, str] | None:
    """Where the rendered MJML stops being the strict markup mjml-python needs: line, column, why.
    mjml-python's own messages carry no position; this finds the usual causes."""
    from html.parser import HTMLParser

    checks = (
        (re.compile(r"<(?![A-Za-z/!?])"), "a bare `<`; write &lt;"),
        (re.compile(r"<[A-Z][A-Za-z0-9-]*"), "an uppercase tag; write tags in lowercase"),
        (re.compile(r"<[a-z][^<>]*?\s[a-z-]+=(?![\"'])[^\s>]"), "an unquoted attribute value; put it in quotes"),
    )
    found = []
    for pattern, why in checks:
        match = pattern.search(source)
        if match:
            found.append((match.start(), why))

    class Balance(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=False)
            self.stack, self.problem = [], None

        def _position(self):
            line, column = self.getpos()
            return sum(len(l) + 1 for l in source.split("\n")[: line - 1]) + column

        def handle_starttag(self, tag, attrs):
            if tag not in VOID:
                self.stack.append((tag, self._position()))

        def handle_endtag(self, tag):
            if self.problem or tag in VOID:
                return
            if not self.stack or self.stack[-1][0] != tag:
                open_tag = f"<{self.stack[-1][0]}> is still open" if self.stack else "nothing is open"
                self.problem = (self._position(), f"</{tag}> closes nothing here ({open_tag})")
            else:
                self.stack.pop()

    balance = Balance()
    balance.feed(source)
    if balance.problem:
        found.append(balance.problem)
    elif balance.stack:
        tag, offset = balance.stack[-1]
        found.append((offset, f"<{tag}> is never closed"))
    if not found:
        return None
    offset, why = min(found)
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1, why


def upper_first(text: str) -> str:
    """`mardi 24 novembre` -> `Mardi 24 novembre`; unlike Jinja's capitalize, the rest is kept
    (`Monday, November 30`, not `Monday, november 30`)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str = "") -> str:
    """Fold at `width` columns; long URLs stay whole on their own line."""
    return textwrap.fill(
        one_line(str(text)),
        width=width,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def text_blocks(text: PlainText) -> str:
    parts = []
    for block in text.blocks:
        if block.kind == "li":
            parts.append(wrap(block.text, first="- ", indent="  "))
            continue
        if parts:
            parts.append("")
        if block.kind == "h":
            parts.append(wrap(block.text.upper()))
        elif block.kind == "quote":
            parts.append(wrap(block.text, indent="> "))
        elif block.kind == "pre":
            parts.append(block.text)
        else:
            parts.append(wrap(block.text))
    return "\n".join(parts)


def finish_text(text: str, language: str, keep: tuple[str, ...] = ()) -> str:
    """Typography and tidy line ends for the whole text part; `keep` (merge tags) stay as they are."""
    for index, tag in enumerate(keep):
        text = text.replace(tag, f"\x00{index}\x00")
    text = typography(text, language)
    for index, tag in enumerate(keep):
        text = text.replace(f"\x00{index}\x00", tag)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
