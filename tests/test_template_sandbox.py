"""Templates an author writes (a subject, a preheader, the theme's files) are bounded in work,
time and size: a template that asks for a gigabyte or a billion steps is one clear error naming
where it is, never a build that runs for minutes or fills the memory."""

from __future__ import annotations

import tracemalloc

import pytest
from jinja2 import TemplateError

from rameau_cli.compose import sandbox
from rameau_cli.compose.issue import _setting_template

from helpers import REPO, checked, invoke

BOMBS = {
    "lipsum": "{{ lipsum(10**6)|length }}",
    "lipsum-words": "{{ lipsum(3, max=10**7)|length }}",
    "nested-loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}x",
    "loops-of-text": "{% for a in 'x'|center(99999) %}{% for b in 'y'|center(99999) %}{% endfor %}{% endfor %}",
    "loop-of-lipsum": "{% for a in range(100000) %}{% set p = lipsum(100) %}{% endfor %}x",
    "center": "{{ 'a'|center(10**9) }}",
    "method-center": "{{ 'a'.center(10**9) }}",
    "rjust": "{{ 'a'.rjust(10**9)|length }}",
    "repeat": "{{ ('ab' * 10**9)|length }}",
    "list-repeat": "{{ ([1, 2] * 10**9)|length }}",
    "power": "{{ 9 ** (9 ** 9) }}",
    "percent-width": "{{ '%0999999999d' % 1 }}",
    "format-width": "{{ '%0999999999d'|format(1) }}",
    "str-format-width": "{{ '{:>999999999}'.format(1) }}",
    "str-format-nested-width": "{{ '{:>{}}'.format(1, 999999999) }}",
    "format-map-nested-width": "{{ '{x:>{w}}'.format_map({'x': 1, 'w': 999999999}) }}",
    "str-format-precision": "{{ '{:.999999999f}'.format(1.0) }}",
    "markup-format-width": "{{ ('{:>{}}'|safe).format(1, 999999999) }}",
    "percent-star": "{{ '%*d' % (999999999, 1) }}",
    "percent-star-precision": "{{ '%.*f' % (999999999, 1.0) }}",
    "format-star": "{{ '%*d'|format(999999999, 1) }}",
    "indent": "{{ ('a\n' * 1000)|indent(10**7) }}",
    "replace": "{{ ('a' * 100000)|replace('a', 'b' * 100000) }}",
    "join": "{{ (['x'|center(900000)] * 1000)|join }}",
    "macro-fork": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "output": "{% for a in range(100000) %}{{ 'x' * 999 }}{% endfor %}",
    "namespace-doubling": "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                          "{% endfor %}{{ ns.s|length }}",
    "format-doubling": "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = '%s%s'|format(ns.s, ns.s) %}"
                       "{% endfor %}",
    "method-format-doubling": "{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
                              "{% set ns.s = '{}{}'.format(ns.s, ns.s) %}{% endfor %}",
    "macro-doubling": "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}"
                      "{{ d('ab', 64) }}",
    "block-doubling": "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set b %}{{ ns.s }}{{ ns.s }}{% endset %}"
                      "{% set ns.s = b %}{% endfor %}",
    "list-doubling": "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
    "list-extend": "{% set l = [1] %}{% for i in range(64) %}{% set _ = l.extend(l) %}{% endfor %}{{ l|length }}",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_subject_template_cannot_exhaust_the_machine(name):
    with pytest.raises(TemplateError, match="make (it|its loops) (smaller|shorter|simpler)|ask for fewer|unsafe"):
        _setting_template(BOMBS[name]).render({})


# The bombs whose text can be told before it is made: refused then, never made and measured.
SIZED_BEFORE = ["center", "method-center", "rjust", "repeat", "list-repeat", "power", "percent-width", "format-width",
                "str-format-width", "str-format-nested-width", "format-map-nested-width", "str-format-precision",
                "markup-format-width", "percent-star", "percent-star-precision", "format-star", "indent", "replace", "join"]


@pytest.mark.parametrize("name", SIZED_BEFORE)
def test_a_text_that_would_be_huge_is_refused_before_it_is_made(name):
    template = _setting_template(BOMBS[name])
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError, match="make it smaller"):
            template.render({})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"{name}: {peak:,} bytes at the peak"


def test_ordinary_templates_are_untouched():
    source = ("{% for n in range(3) %}{{ n }}{% endfor %} {{ 'Lettre'|center(12) }}|{{ lipsum(1, html=False)|length > 0 }}"
              " {{ '%03d'|format(7) }} {{ 'a-b'.replace('-', '+') }} {{ [1, 2] * 2 }} {{ 2 ** 10 }}"
              " {{ 'a' ~ 1 ~ 'b' }} {{ [1] + [2] }} {{ 'x' + 'y' }} {{ 1 + 2 }}"
              " {{ '{:>{}}|{x}'.format(1, 3, x='y') }} {{ '{n:02d}'.format_map({'n': 5}) }} {{ '%*d' % (3, 7) }}"
              " {{ '%.*f'|format(1, 2.25) }} {{ ('<b>{}</b>'|safe).format('<i>') }}")
    assert _setting_template(source).render({}) == ("012    Lettre   |True 007 a+b [1, 2, 1, 2] 1024 a1b [1, 2] xy 3"
                                                    "   1|y 05   7 2.2 <b>&lt;i&gt;</b>")


def test_a_bomb_in_the_segments_subject_stops_the_build_with_its_key(example):
    edition = example / "issues" / "2026-W48.md"  # its own subject would be used instead
    edition.write_text("".join(line for line in edition.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not line.startswith("subject:")), encoding="utf-8")
    config = example / "rameau.yaml"
    text = checked(config.read_text(encoding="utf-8"))
    config.write_text(text.replace('subject: "La quotidienne – {{ edition.date_short }}"',
                                   "subject: \"{{ 'a'|center(10**9) }}{{ lipsum(10**6)|length }}\""), encoding="utf-8")
    result = invoke("build-issue", cwd=example)
    assert result.code == 2, result.stderr
    assert "rameau.yaml: segments.quotidienne.subject: template error" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bomb_in_an_editions_preheader_stops_the_build_with_its_file(example):
    edition = example / "issues" / "2026-W48.md"
    text = checked(edition.read_text(encoding="utf-8"))
    loops = "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}"
    edition.write_text(text.replace('preheader: "Un baromètre', f"preheader: \"{loops}Un baromètre", 1),
                       encoding="utf-8")
    result = invoke("build-issue", cwd=example)
    assert result.code == 1, result.stderr
    assert "issues/2026-W48.md: preheader: template error" in result.stderr
    assert not (example / "dist" / "2026-W48").exists()


def test_the_themes_templates_are_in_the_same_sandbox(example, monkeypatch):
    # The bomb runs to the step budget before it is stopped: the budget a tenth of the product's
    # (still some fifty times what the theme takes), whose whole size the subject bombs above
    # meet. What this test proves is that the theme's templates count their steps at all.
    monkeypatch.setattr(sandbox, "MAX_STEPS", sandbox.MAX_STEPS // 10)
    (example / "templates").mkdir()
    footer = (REPO / "templates" / "footer.mjml").read_text(encoding="utf-8")
    (example / "templates" / "footer.mjml").write_text(
        footer + "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(50) }}",
        encoding="utf-8")
    # One segment: each would run the bomb to its budget, and one shows where the footer is read.
    result = invoke("build-issue", "--segment", "quotidienne", cwd=example)
    assert result.code == 1, result.stderr
    assert "footer.mjml" in result.stderr and "steps of loops and calls" in result.stderr
    (example / "templates" / "footer.mjml").write_text(footer + "{{ ''.__class__.__mro__ }}", encoding="utf-8")
    result = invoke("build-issue", "--segment", "quotidienne", cwd=example)
    assert result.code == 1 and "footer.mjml" in result.stderr and "unsafe" in result.stderr, result.stderr
