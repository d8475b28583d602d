"""Property-based tests: whatever an author or a feed sends, the build either succeeds with
safe output or fails with a RameauError, never with another exception."""

import functools
import re
import shutil
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rameau_cli.errors import RameauError
from rameau_cli.pipeline import BuildOptions, build, load_project
from rameau_cli.project.config import Source

UNSAFE_TAGS = {"script", "iframe", "object", "embed", "form", "input", "frame", "frameset", "applet", "base", "meta"}


class Unsafe(HTMLParser):
    """What would run or load in a mail client: tags, handlers, non-web URLs (text is only text)."""

    def __init__(self, placeholders):
        super().__init__()
        self.placeholders = placeholders
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in UNSAFE_TAGS - {"meta"} or tag.startswith("mj-"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.found.append(f"{name}=")
            if (name in ("href", "src", "action", "background") and value not in self.placeholders
                    and not value.startswith(("https://", "http://", "mailto:"))):
                self.found.append(f"{name}={value[:40]}")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])

TOKENS = list("aé <>&\"'=/;:!?«»{}%#\n\t\\-*_[]()`") + ["\u00a0", "\u0301", "\x00", "\u2028", "<script>", "javascript:",
                                                      "</mj-text>", "<mj-raw>", "{{", "{%", "&#106;", " onload=", "mot "]
tricky_text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
yaml_scalar = st.one_of(tricky_text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False),
                        st.lists(tricky_text, max_size=3), st.dictionaries(tricky_text, tricky_text, max_size=2))


@pytest.fixture(scope="module")
def config(built_example, tmp_path_factory):
    """A copy of the built example: each generated input leaves the cache of its articles in the
    project's .rameau-cache/ (hundreds of files), which is not the session's example to fill."""
    return load_project(shutil.copytree(built_example, tmp_path_factory.mktemp("properties") / "project", symlinks=True))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """`folders()`: a new empty folder for one generated input. pytest's mktemp would list every
    folder of the run made so far to number each new one (hundreds of them by the last example)."""
    parent = tmp_path_factory.mktemp("inputs")
    return lambda: Path(tempfile.mkdtemp(dir=parent))


OUTCOMES: Counter[str] = Counter()


def some_build(test):
    """A property test that also fails when none of its generated inputs built an email: a build
    that raised a RameauError every time would otherwise pass every property unseen."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        OUTCOMES.clear()
        test(*args, **kwargs)
        assert OUTCOMES["built"], f"no generated input built an email ({dict(OUTCOMES)})"

    return run


def check(config, source: Path) -> str:
    """Build `source`: "built" with safe output, or "refused" with a RameauError, or a failure."""
    options = BuildOptions(sources=(Source("markdown" if source.is_dir() else "feed", str(source)),),
                           since=__import__("datetime").date(2000, 1, 1), until=__import__("datetime").date(2100, 1, 1),
                           segments=("quotidienne",))
    try:
        result = build(config, options)
    except RameauError:
        event("failed with a RameauError")
        OUTCOMES["refused"] += 1
        return "refused"
    event(f"{len(result.emails)} email(s) rendered")
    OUTCOMES["built" if result.emails else "empty"] += 1
    for rendered in result.emails:
        unsafe = Unsafe(rendered.issue.profile.placeholders)
        unsafe.feed(re.sub(r"<!--\[if.*?<!\[endif\]-->", "", rendered.html, flags=re.S))
        assert not unsafe.found
        lines = rendered.text.splitlines()
        for before, line in zip(lines, lines[1:], strict=False):  # every link of the text part is a web address
            if re.match(r"^\[\d+\] ", line) or before.startswith("Lire la suite"):
                assert re.match(r"^(\[\d+\] )?(https?://|mailto:)", line), line
    return "built" if result.emails else "empty"


@some_build
@SETTINGS
@given(title=st.one_of(tricky_text, tricky_text, yaml_scalar), date=st.one_of(st.just("2026-11-24T10:00:00+01:00"), yaml_scalar),
       audiences=st.one_of(st.none(), st.lists(tricky_text, max_size=3), yaml_scalar), summary=st.one_of(tricky_text, yaml_scalar), body=tricky_text)
def test_any_front_matter(config, folders, title, date, audiences, summary, body):
    folder = folders()
    front = yaml.safe_dump({"title": title, "date": date, "audiences": audiences, "summary": summary}, allow_unicode=True)
    (folder / "a.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8", errors="surrogatepass")
    check(config, folder)


@some_build
@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_an_article(config, folders, raw):
    folder = folders()
    (folder / "a.md").write_bytes(b"---\ntitle: T\ndate: 2026-11-24\n---\n" + raw)
    (folder / "b.md").write_bytes(raw)
    check(config, folder)


@SETTINGS
@given(body=st.lists(st.sampled_from(["# ", "> ", "- ", "1. ", "```", "<div>", "</div>", "<p>", "[lien](javascript:alert(1))",
                                      "![img](data:x)", "<a href='vbscript:x'>v</a>", "**", "_", "\n", "\n\n", "texte", "<!--",
                                      "-->", "<style>", "&", "<", ">", "|a|b|\n|-|-|\n"]), max_size=60))
def test_any_markdown_body(config, folders, body):
    folder = folders()
    (folder / "a.md").write_text("---\ntitle: T\ndate: 2026-11-24\n---\n" + "".join(body), encoding="utf-8")
    assert check(config, folder) == "built"  # a well-formed article builds, whatever its body


entry = st.fixed_dictionaries({
    "title": tricky_text, "link": st.sampled_from(["https://x.example/a", "javascript:alert(1)", "/relatif", "", "mailto:a@b.c"]),
    "date": st.sampled_from(["Tue, 24 Nov 2026 10:00:00 +0100", "demain", "", "2026-11-24T10:00:00Z"]),
    "description": tricky_text,
})


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\x00", "")


@some_build
@SETTINGS
@given(entries=st.lists(entry, max_size=5), raw_tail=st.sampled_from(["", "</channel></rss>", "<item>", "&lol;", "]]>"]),
       escape=st.booleans())
def test_any_feed_document(config, folders, entries, raw_tail, escape):
    items = "".join(
        f"<item><title>{escape_xml(e['title']) if escape else e['title']}</title><link>{e['link']}</link>"
        f"<pubDate>{e['date']}</pubDate><description>{escape_xml(e['description'])}</description></item>"
        for e in entries)
    document = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link>{items}{raw_tail}'
    path = folders() / "feed.xml"
    path.write_bytes(document.encode("utf-8", errors="surrogatepass"))
    check(config, path)
