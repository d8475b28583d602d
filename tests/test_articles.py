import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rameau_cli.errors import ContentError, Warnings
from rameau_cli.project.reading import slugify
from rameau_cli.sources.article import read_markdown_article

PARIS = ZoneInfo("Europe/Paris")


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def read(path):
    warnings = Warnings()
    return read_markdown_article(path, PARIS, "https://example.org", warnings), warnings


def test_front_matter_becomes_an_article(tmp_path):
    path = write(tmp_path, "Mon Article.md", '---\ntitle: "Bonjour : le monde"\ndate: 2026-11-24T09:30:00+01:00\n'
                 "audiences: [Association, grand-public]\ntags: [emploi]\nfeatured: true\n---\nCorps *Markdown*.\n")
    article, warnings = read(path)
    assert article.id == "mon-article"
    assert article.title == "Bonjour : le monde"
    assert article.date == dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert article.audiences == ("association", "grand-public")
    assert article.url == "https://example.org/articles/mon-article/"
    assert article.featured and article.body.strip() == "Corps *Markdown*."
    assert not warnings


def test_a_date_without_time_zone_is_read_in_the_newsletter_zone(tmp_path):
    article, _ = read(write(tmp_path, "a.md", "---\ntitle: A\ndate: 2026-11-24\n---\n"))
    assert article.date == dt.datetime(2026, 11, 24, tzinfo=PARIS)


@pytest.mark.parametrize(
    "front, expected",
    [
        ("title: [a, b]\ndate: 2026-11-24", "title: expected text, got a list; put the value in quotes"),
        ("title: A\ndate: demain", "date: 'demain' is not a date"),
        ("title: A\ndate: 2026-11-24\naudiences: association", "audiences: expected a list such as [association]"),
        ("date: 2026-11-24", "title: missing"),
        ("title: A", "date: missing"),
        ("title: A\ndate: 2026-11-24\nfeatured: peut-être", "featured: expected true or false"),
        ("title: A\ndate: 2026-11-24\npriority: haute", "priority: expected a whole number, got text ('haute')"),
        ("title: A\ndate: 2026-11-24\ntags: [a, [b]]", "tags: expected a list of names such as [association, entreprise]"),
        ('title: A\ndate: 2026-11-24\nurl: "https://evil\\nBcc: x"', "url: expected an absolute http(s) URL"),
    ],
)
def test_wrong_fields_are_named(tmp_path, front, expected):
    path = write(tmp_path, "a.md", f"---\n{front}\n---\nCorps\n")
    with pytest.raises(ContentError) as error:
        read(path)
    assert f"{path}: {expected}" in str(error.value)


def test_every_wrong_field_is_reported_together(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: [a]\ndate: demain\n---\n")
    with pytest.raises(ContentError) as error:
        read(path)
    assert len(error.value.problems) == 2


@pytest.mark.parametrize(
    "content, expected",
    [
        ("---\ntitle: [oops\n---\n", ":3: invalid YAML"),
        ("---\ntitle: Alliances : ce qui a bougé\ndate: 2026-11-24\n---\n",
         ":2: invalid YAML: a colon followed by a space inside the value of 'title'; put the whole value in quotes"),
        ("---\ntitle: A\n\tdate: 2026-11-24\n---\n", "invalid YAML: a tab character; indent with spaces only"),
        ('---\ntitle: "A\ndate: 2026-11-24\n---\n', "invalid YAML: a quote is opened but never closed"),
        ("---\n- a\n- b\n---\n", ":2: front matter must be `key: value` lines"),
        ("Juste du texte\n", ":1: no front matter"),
        ("", "file is empty"),
        ("---\ntitle: A\n", ":1: front matter opened with `---` but never closed"),
        ("---\ntitle: A\ndate: 2026-13-45\n---\n", "invalid YAML value (month must be in 1..12)"),
        ("---\ntitle: A\ndate: 0000-01-01\n---\n", "invalid YAML value (year 0 is out of range)"),
        ("---\ntitle: A\ndate: 2026-11-24T25:61:00\n---\n", "invalid YAML value (hour must be in 0..23)"),
        ("---\ntitle: !!python/object/apply:os.system ['echo pwned']\ndate: 2026-11-24\n---\n", "invalid YAML"),
    ],
)
def test_broken_front_matter_gets_a_clear_message(tmp_path, content, expected):
    path = write(tmp_path, "a.md", content)
    with pytest.raises(ContentError) as error:
        read(path)
    assert expected in str(error.value) and str(path) in str(error.value)


@pytest.mark.parametrize(
    "data, expected",
    [
        ("---\ntitle: Été\ndate: 2026-11-24\n---\n".encode("latin-1"), "not valid UTF-8"),
        ("---\ntitle: A\n---\n".encode("utf-16"), "UTF-16"),
        (b"---\ntitle: A\x00\n---\n", "NUL bytes"),
    ],
)
def test_files_that_are_not_utf8_are_named(tmp_path, data, expected):
    path = write(tmp_path, "a.md", data)
    with pytest.raises(ContentError, match=expected):
        read(path)


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    article, _ = read(write(tmp_path, "a.md", "\ufeff---\r\ntitle: Été\r\ndate: 2026-11-24\r\n---\r\nCorps\r\n"))
    assert article.title == "Été"


def test_unknown_keys_and_missing_alt_warn(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: A\ndate: 2026-11-24\nimage: https://example.org/a.jpg\nmood: x\n---\n")
    article, warnings = read(path)
    assert [str(w).split("; ")[0] for w in warnings] == [
        f"{path}: mood: unknown front matter key, ignored",
        f"{path}: image_alt: missing",
    ]
    assert article.image_alt == "A"


def test_slugify_keeps_ids_safe():
    assert slugify("../../etc/Été à Paris") == "etc-ete-a-paris"
    assert slugify("///") == "article"


def test_control_characters_never_reach_a_field(tmp_path):
    article, _ = read(write(tmp_path, "a.md", '---\ntitle: "Titre\\x00 \\x1b[31mrouge"\ndate: 2026-11-24\n'
                                             'image: "https://example.org/a.jpg\\x07"\nimage_alt: "x"\n---\n'))
    assert article.title == "Titre [31mrouge"
    assert article.image == "https://example.org/a.jpg"
