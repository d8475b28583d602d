"""The manual's reference is the code's: its generated pages are what the code makes now, and
the template variables page names every variable and member the theme's templates use."""

import re
import shutil

import pytest

from helpers import REPO, checked

VARIABLES = (REPO / "docs" / "reference" / "template-variables.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parts():
    from rameau_cli.manual.pages import generated

    return generated()


def test_the_reference_pages_are_what_the_code_makes(parts):
    from rameau_cli.manual.pages import stale

    assert stale(REPO, parts) == [], "run python -m rameau_cli.manual"


def test_a_page_behind_the_code_is_found(parts, tmp_path):
    """A page written before a new key or option is said to be stale, and written again."""
    from rameau_cli.manual.pages import stale

    shutil.copytree(REPO / "docs", tmp_path / "docs")
    page = tmp_path / "docs" / "reference" / "commands.md"
    page.write_text(checked(page.read_text(encoding="utf-8")).replace("| `--strict` | flag |", "| `--strikt` | flag |", 1),
                    encoding="utf-8")
    variables = tmp_path / "docs" / "reference" / "template-variables.md"
    variables.write_text(checked(variables.read_text(encoding="utf-8")).replace("| `issue.subject` |", "| `issue.subjekt` |"),
                         encoding="utf-8")
    assert stale(tmp_path, parts) == ["docs/reference/commands.md: not what the code says",
                                      "docs/reference/template-variables.md: not what the code says"]
    stale(tmp_path, parts, write=True)
    assert stale(tmp_path, parts) == []


def test_every_command_and_option_is_in_the_command_reference(run, tmp_path):
    page = (REPO / "docs" / "reference" / "commands.md").read_text(encoding="utf-8")
    listed = run("--help", cwd=tmp_path).stdout
    commands = re.findall(r"^  ([a-z-]+)\s{2,}", listed.split("Commands:")[1], re.M)
    assert "history" in commands
    commands[commands.index("history")] = "history resolve"  # a group: its commands have the options
    for command in commands:
        assert f"### rameau {command}" in page
        helptext = run(*command.split(), "--help", cwd=tmp_path).stdout
        declared = re.findall(r"^  (?:-\w, )?(--[a-z][a-z-]+)(?: / (--[a-z][a-z-]+))?", helptext.split("Options:")[-1], re.M)
        options = {name for pair in declared for name in pair if name} - {"--help"}
        section = page.split(f"### rameau {command}", 1)[1].split("\n### ", 1)[0]
        assert options and all(f"`{option}`" in section for option in options), (command, options)


def test_the_theme_uses_only_what_the_variables_page_names():
    from rameau_cli.manual.contexts import entries
    from rameau_cli.manual.uses import theme_problems
    from rameau_cli.render.templates import THEME

    problems, reached = theme_problems(THEME, entries())
    assert problems == []
    templates = {p.relative_to(THEME).as_posix() for p in THEME.rglob("*") if p.suffix in (".mjml", ".txt", ".html", ".xml")}
    assert reached == templates  # every template of the theme was read


def test_every_member_the_theme_uses_is_on_the_page():
    """Read from the page itself: each variable and member the templates use has its row."""
    from rameau_cli.manual.contexts import entries
    from rameau_cli.manual.uses import theme_uses
    from rameau_cli.render.templates import THEME

    used = theme_uses(THEME, entries())
    assert {"issue", "segment.accent", "article.title", "image.at(width)", "words.read_more", "entry.subject",
            "snapshot.result", "newsletter.address"} <= used
    rows = set(re.findall(r"^\| `([^`]+)` \|", VARIABLES, re.M)) | set(re.findall(r"^\| `[^`]+` \| `([^`]+)` \|", VARIABLES, re.M))
    assert used - rows == set()


@pytest.mark.parametrize("edit, said", [
    (("header.mjml", "{{ issue.segment.title }}</h1>", "{{ issue.segment.title }}<img src=\"{{ issue.logo_url }}\"></h1>"),
     ("header.mjml", "`issue.logo_url`")),
    (("header.mjml", "{{ issue.segment.title }}</h1>", "{{ banner }}</h1>"), ("header.mjml", "`banner`: no such variable")),
    (("card.mjml", "{{ article.title }}</a>{% else %}", "{{ article.titel }}</a>{% else %}"),
     ("card.mjml", "`issue.others (each).titel`")),
    (("macros.mjml", "{{ image.url }}", "{{ image.src }}"), ("macros.mjml", "`issue.featured.image.at.src`")),
    (("more.mjml", "{{ article.title }}", "{{ article.image_url }}"), ("more.mjml", "`issue.more (each).image_url`")),
    (("footer.mjml", "issue.newsletter.address.splitlines()", "issue.newsletter.postal.splitlines()"),
     ("footer.mjml", "`issue.newsletter.postal`")),
    (("archive/feed.xml", "{{ entry.subject }}", "{{ entry.subjet }}"), ("archive/feed.xml", "`entries (each).subjet`")),
    (("archive/index.html", "{{ issue.link }}", "{{ issue.url }}"), ("archive/index.html", "`latest[…].url`")),
    (("preview/index.html", 'map(attribute="edition.id")', 'map(attribute="edition.ident")'),
     ("preview/index.html", "`snapshot.result.editions (each).edition.ident`")),
    (("email.txt", "{% for article in issue.articles %}", "{% for article in issue.articles %}{{ article.lead }}"),
     ("email.txt", "`issue.articles (each).lead`")),
])
def test_a_template_using_what_the_page_does_not_name_is_found(tmp_path, edit, said):
    from rameau_cli.manual.contexts import entries
    from rameau_cli.manual.uses import theme_problems
    from rameau_cli.render.templates import THEME

    theme = tmp_path / "theme"
    shutil.copytree(THEME, theme)
    name, old, new = edit
    text = (theme / name).read_text(encoding="utf-8")
    assert old in text
    (theme / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    problems, _ = theme_problems(theme, entries())
    template, what = said
    assert [p for p in problems if re.match(rf"{re.escape(template)}:\d+: {re.escape(what)}", p)], problems


def test_a_new_filter_of_the_theme_must_say_what_it_does(monkeypatch):
    from rameau_cli.manual import variables
    from rameau_cli.render import templates

    environment = templates.template_environment(None, "mjml").overlay()
    environment.filters = {**environment.filters, "sparkle": lambda text: text}  # the theme's own stays as it is
    monkeypatch.setattr(templates, "template_environment", lambda *args: environment)
    with pytest.raises(ValueError, match="'sparkle' says nowhere what it does"):
        variables.filters()
    monkeypatch.setitem(variables.FILTERS, "sparkle", "Makes text sparkle.")
    assert variables.filters()["sparkle"] == "Makes text sparkle."
