"""`rameau check`: what it flags in an email that a mail client or a reader would suffer from."""

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import checked, in_a_terminal, on_screen, set_public_url


@pytest.fixture
def built(built_example, tmp_path) -> Path:
    """A copy of the example as `rameau build-issue` built it (once for the session), safe to change."""
    return shutil.copytree(built_example, tmp_path / "project", symlinks=True)


def findings(run, project, *args):
    result = run("check", "--json", *args, cwd=project)
    return result, json.loads(result.stdout)


def test_the_example_passes_strictly(built, run):
    result, report = findings(run, built, "--strict")
    assert result.code == 0, report
    assert report["errors"] == 0 and report["warnings"] == 0
    assert report["segments"] == ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
    assert report["checked"].endswith("dist/2026-W48")
    table = run("check", cwd=built, env={"COLUMNS": "100"})
    assert table.code == 0 and "0 error(s), 0 warning(s) in 4 segment(s)" in table.stdout


def test_without_a_build_it_checks_the_edition_built_in_memory(example, run):
    result, report = findings(run, example)
    assert result.code == 0 and report["checked"] == "edition 2026-W48, built in memory"
    assert not (example / "dist").exists()


def break_html(project, segment, old, new):
    path = project / "dist" / "2026-W48" / segment / "index.html"
    html = path.read_text(encoding="utf-8")
    assert old in html
    path.write_text(html.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, rule, message", [
    ('alt="Des bénévoles', 'data-alt="Des bénévoles', "image-alt", "has no alt text"),
    ('src="https://www.rameau-alliances.org/medias/kit', 'src="data:image/png;base64,AAAA" data-x="', "image-base64", "embedded as base64"),
    ('src="https://www.rameau-alliances.org/medias/kit', 'src="http://www.rameau-alliances.org/medias/kit', "image-https", "not an absolute https URL"),
    (' width="552"', "", "image-width", "has no explicit width"),
    ('href="https://www.rameau-alliances.org/5-decembre"', 'href="javascript:alert(1)"', "link-script", "runs code"),
    ('href="https://www.rameau-alliances.org/5-decembre"', 'href="/5-decembre"', "link-absolute", "not an absolute http(s) URL"),
    ('href="{{unsubscribe_url}}"', 'href="https://www.rameau-alliances.org/"', "unsubscribe-missing", "HTML part has no unsubscribe link"),
    ("<body", "<body><p><b>mal</i></p", "html-parse", "HTML parse error"),
])
def test_each_rule_flags_what_it_should(built, run, old, new, rule, message):
    if rule == "unsubscribe-missing":
        path = built / "dist" / "2026-W48" / "hebdo-association" / "index.html"
        path.write_text(checked(path.read_text(encoding="utf-8")).replace('href="{{unsubscribe_url}}"', 'href="https://www.rameau-alliances.org/"'),
                        encoding="utf-8")
    else:
        break_html(built, "hebdo-association", old, new)
    result, report = findings(run, built)
    assert result.code == 1
    flagged = [(f["segment"], f["rule"]) for f in report["findings"] if message in f["message"]]
    assert ("hebdo-association", rule) in flagged, report["findings"]
    assert all(f["segment"] == "hebdo-association" for f in report["findings"])


def test_text_part_rules(built, run):
    path = built / "dist" / "2026-W48" / "hebdo-grand-public" / "index.txt"
    text = path.read_text(encoding="utf-8")
    text = text.replace("https://www.rameau-alliances.org/5-decembre", "(lien retiré)")
    text = text.replace("Se désinscrire\u00a0: {{unsubscribe_url}}", "x" * 90 + "\nhttps://www.rameau-alliances.org/medias/portes-ouvertes-tiers-lieux.jpg")
    path.write_text(text, encoding="utf-8")
    result, report = findings(run, built, "--segment", "hebdo-grand-public")  # the segment whose findings are read
    messages = [f["message"] for f in report["findings"] if f["segment"] == "hebdo-grand-public"]
    assert any("https://www.rameau-alliances.org/5-decembre is in the HTML but not in the text part" in m for m in messages)
    assert any("columns; keep lines to 78" in m for m in messages)
    assert any("text part has no unsubscribe link" in m for m in messages)
    assert any("text part shows an image URL" in m for m in messages)


def test_subject_and_preheader_lengths(example, run):
    edition = example / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text(encoding="utf-8"))
                       .replace('subject: "Alliances : ce qui a bougé cette semaine"', "subject: " + '"' + "Très long objet " * 4 + '"')
                       .replace('preheader: "Un baromètre', 'preheader: "Court"\n# was: "Un baromètre'), encoding="utf-8")
    result, report = findings(run, example, "--segment", "quotidienne")
    messages = [f["message"] for f in report["findings"]]
    assert result.code == 0  # warnings only
    assert any(m.startswith("subject is 63 characters; inboxes on phones show about 50") for m in messages)
    assert any(m.startswith("preheader is 5 characters; 40 to 140 read best") for m in messages)
    assert run("check", "--strict", "--segment", "quotidienne", cwd=example).code == 1


def many_articles(project: Path, count: int) -> None:
    for index in range(count):
        (project / "articles" / f"long-{index:03d}.md").write_text(
            f"---\ntitle: \"Un article assez long numéro {index} pour remplir la lettre de la semaine\"\n"
            f"date: 2026-11-24T{index % 24:02d}:00:00+01:00\naudiences: [association]\n"
            f"summary: \"{'Une phrase de résumé qui prend de la place dans la lettre. ' * 4}\"\n"
            f"image: https://www.rameau-alliances.org/medias/long-{index}.jpg\nimage_alt: \"Illustration {index}\"\n---\n",
            encoding="utf-8")
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("max_articles: 8", "max_articles: 80"), encoding="utf-8")


def test_an_email_over_gmails_limit_is_flagged_with_how_much_to_cut(example, run):
    many_articles(example, 60)
    assert run("build-issue", cwd=example).code == 0
    result, report = findings(run, example, "--segment", "hebdo-association")
    assert result.code == 1
    (size,) = [f for f in report["findings"] if f["rule"] == "size-clipped"]
    assert size["level"] == "error"
    assert "Gmail clips messages over 102 KB. Cut about" in size["message"]
    assert "segments.hebdo-association.max_bytes" in size["message"]


def test_an_email_over_max_bytes_with_a_single_card_keeps_that_card(example, run):
    """A limit no email can meet: one full card, every other article in the "more online" list."""
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        'accent: "#8a3b12"', 'accent: "#8a3b12"\n    max_bytes: 10000'), encoding="utf-8")
    assert run("build-issue", cwd=example).code == 0
    manifest = json.loads((example / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["segments"]["hebdo-association"]
    text = (example / "dist" / "2026-W48" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")
    first, *others = entry["articles"]
    assert others and "À LIRE AUSSI EN LIGNE" in text
    listed = text.split("À LIRE AUSSI EN LIGNE")[1]
    assert first["url"] not in listed and all(article["url"] in listed for article in others)


def test_max_bytes_moves_the_overflow_into_a_more_online_list(example, run):
    many_articles(example, 60)
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        'accent: "#8a3b12"', 'accent: "#8a3b12"\n    max_bytes: 80000'), encoding="utf-8")
    assert run("build-issue", cwd=example).code == 0
    folder = example / "dist" / "2026-W48" / "hebdo-association"
    html = (folder / "index.html").read_text(encoding="utf-8")
    text = (folder / "index.txt").read_text(encoding="utf-8")
    assert len(html.encode()) <= 80000
    assert "À lire aussi en ligne" in html and "À LIRE AUSSI EN LIGNE" in text
    manifest = json.loads((example / "dist" / "2026-W48" / "manifest.json").read_text(encoding="utf-8"))
    for article in manifest["segments"]["hebdo-association"]["articles"]:  # every article is still in the email
        assert article["url"] in html and article["url"] in text
    result, report = findings(run, example, "--segment", "hebdo-association", "--strict")
    assert result.code == 0, report["findings"]


def long_subject_and_short_preheader(project: Path) -> None:
    edition = project / "issues" / "2026-W48.md"
    edition.write_text(checked(edition.read_text(encoding="utf-8"))
                       .replace('subject: "Alliances : ce qui a bougé cette semaine"',
                                'subject: "Alliances : ce qui a bougé cette semaine dans vos territoires"')
                       .replace('preheader: "Un baromètre', 'preheader: "Court"\n# was: "Un baromètre'), encoding="utf-8")


def test_in_a_pipe_each_finding_is_one_plain_line_with_its_rule(example, run):
    long_subject_and_short_preheader(example)
    shown = run("check", "--segment", "quotidienne", cwd=example, env={"COLUMNS": "60"})
    assert shown.code == 0
    assert shown.stdout.splitlines() == [
        "Checked edition 2026-W48, built in memory",
        "quotidienne: warning: subject is 61 characters; inboxes on phones show about 50 [subject-length]",
        "quotidienne: warning: preheader is 5 characters; 40 to 140 read best [preheader-length]",
        "0 error(s), 2 warning(s) in 1 segment(s)",
    ]


def test_on_a_terminal_the_findings_are_a_table_with_their_rules(example):
    long_subject_and_short_preheader(example)
    # A real process at a pseudo-terminal: how rameau writes when its output is a terminal.
    code, shown = in_a_terminal("check", "--segment", "quotidienne", cwd=example, columns=120, forked=True)
    screen = on_screen(shown)
    assert code == 0 and "┃ Segment" in screen and re.search(r"\x1b\[[0-9;]*33m", shown)  # yellow warnings
    assert re.search(r"│ quotidienne .*│ warning: subject is 61 characters; inboxes on phones show about 50 "
                     r"\[subject-length\] +│", screen)


def test_rameau_yaml_sets_the_level_of_a_rule_or_turns_it_off(example, run):
    long_subject_and_short_preheader(example)
    config = example / "rameau.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\ncheck:\n  rules:\n    subject-length: off\n"
                      "    preheader-length: error\n    address-missing: 'off'\n", encoding="utf-8")
    result, report = findings(run, example, "--segment", "quotidienne", "--strict")
    assert result.code == 1
    assert [(f["rule"], f["level"]) for f in report["findings"]] == [("preheader-length", "error")]
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("preheader-length: error", "preheader-length: info"),
                      encoding="utf-8")
    result, report = findings(run, example, "--segment", "quotidienne", "--strict")
    assert result.code == 0 and report["errors"] == report["warnings"] == 0
    assert [(f["rule"], f["level"]) for f in report["findings"]] == [("preheader-length", "info")]


def test_an_unknown_rule_or_level_is_a_configuration_error(example, run):
    config = example / "rameau.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\ncheck:\n  rules:\n    subject-lenght: off\n"
                      "    preheader-length: warn\n    image-alt: on\n", encoding="utf-8")
    result = run("check", cwd=example)
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "error: rameau.yaml: check.rules.subject-lenght: unknown rule 'subject-lenght'; did you mean 'subject-length'?",
        "error: rameau.yaml: check.rules.preheader-length: expected one of error, warning, info, off, got 'warn' "
        "(did you mean 'warning'?)",
        "error: rameau.yaml: check.rules.image-alt: expected one of error, warning, info, off, got true (YAML reads an "
        "unquoted on or yes as true); write the level",
    ]



def test_a_long_web_version_address_keeps_the_text_part_within_78_columns(example, run):
    """The "view online" line of the text part puts a long address on a line of its own."""

    set_public_url(example, "https://lettres-et-nouvelles.rameau-alliances.example.org/archives-des-lettres")
    assert run("build-issue", "--segment", "hebdo-grand-public", cwd=example).code == 0
    lines = (example / "dist" / "2026-W48" / "hebdo-grand-public" / "index.txt").read_text(encoding="utf-8").splitlines()
    address = "https://lettres-et-nouvelles.rameau-alliances.example.org/archives-des-lettres/2026-W48/hebdo-grand-public/web.html"
    assert lines[2] == "Version en ligne\u00a0:" and lines[3] == address
    result = run("check", "--json", "--segment", "hebdo-grand-public", cwd=example)
    assert "text-line-length" not in result.stdout, result.stdout
