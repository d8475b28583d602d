import copy

import pytest

from rameau_cli.errors import ConfigError
from rameau_cli.project.config import load_config, parse_config

from helpers import SEGMENTS

MINIMAL = {
    "newsletter": {"name": "Lettre", "sender": "Lettre <a@example.org>", "base_url": "https://example.org"},
    "segments": {"tous": {"title": "Tous"}},
}


def test_example_config_loads_four_segments(example):
    config = load_config(example)
    assert [s.id for s in config.segments] == SEGMENTS
    assert config.segment("hebdo-entreprise").rule.audiences == {"entreprise", "fondation", "partenaire"}
    assert config.newsletter.language == "fr"
    assert config.newsletter.timezone == "Europe/Paris"
    assert not config.warnings


def test_every_problem_is_reported_at_once_with_its_key_path(tmp_path):
    raw = {
        "newsletter": {"name": ["x"], "sender": "pas une adresse", "base_url": "example.org", "timezone": "Mars/Olympus"},
        "segments": {"hebdo-asso": {"title": "Asso", "max_articles": "dix", "cadence": "hourly", "accent": "red"}},
    }
    with pytest.raises(ConfigError) as error:
        parse_config(raw, tmp_path)
    messages = [str(p) for p in error.value.problems]
    assert "rameau.yaml: segments.hebdo-asso.max_articles: expected a positive integer, got text ('dix')" in messages
    joined = "\n".join(messages)
    for path in ("newsletter.name", "newsletter.sender", "newsletter.base_url", "newsletter.timezone",
                 "segments.hebdo-asso.cadence", "segments.hebdo-asso.accent"):
        assert f"rameau.yaml: {path}:" in joined
    assert error.value.exit_code == 2


@pytest.mark.parametrize("where, key, suggestion", [
    ((), "segmnts", "segments"),
    (("newsletter",), "langage", "language"),
    (("segments", "tous"), "audiance", "audiences"),
    (("segments", "tous"), "exclude_tag", "exclude_tags"),
    (("output",), "public-url", "public_url"),
    (("emailing",), "profil", "profile"),
])
def test_an_unknown_key_is_an_error_that_suggests_the_known_one(tmp_path, where, key, suggestion):
    """A typo must not be ignored: `audiance: [donateurs]` would send donor-only content to everyone."""

    raw = copy.deepcopy(MINIMAL)
    raw.setdefault("output", {})
    raw.setdefault("emailing", {})
    target = raw
    for part in where:
        target = target[part]
    target[key] = ["donateurs"] if key == "audiance" else "x"
    with pytest.raises(ConfigError) as error:
        parse_config(raw, tmp_path)
    path = ".".join((*where, key))
    assert [str(p) for p in error.value.problems] == [f"rameau.yaml: {path}: unknown key; did you mean {suggestion!r}?"]


def test_an_unknown_key_in_a_source_is_an_error(tmp_path):
    raw = {**MINIMAL, "sources": [{"markdown": "articles", "categorie": {"a": "b"}}]}
    with pytest.raises(ConfigError, match=r"sources\[0\]\.categorie: unknown key; did you mean 'categories'\?"):
        parse_config(raw, tmp_path)


@pytest.mark.parametrize("last_line, message", [
    ('subject: Objet"', "rameau.yaml: segments.asso.title: holds the text 'audiences:': a quote opened in this value "
                        "is closed only on a later line"),
    ('subject: "Objet"', "rameau.yaml:6: invalid YAML: a quote left open on an earlier line"),
])
def test_an_unclosed_quote_that_swallows_the_next_keys_is_named(tmp_path, last_line, message):
    (tmp_path / "rameau.yaml").write_text(
        "newsletter: {name: L, sender: a@example.org, base_url: https://example.org}\nsegments:\n  asso:\n"
        f'    title: "L\'hebdo association\n    audiences: [association]\n    {last_line}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert message in str(error.value)


def test_missing_segments_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="segments: missing; add it"):
        parse_config({"newsletter": MINIMAL["newsletter"]}, tmp_path)


def test_bad_segment_id_is_refused(tmp_path):
    raw = {**MINIMAL, "segments": {"../../etc": {"title": "x"}}}
    with pytest.raises(ConfigError, match="expected a slug"):
        parse_config(raw, tmp_path)


def test_broken_yaml_names_the_line(tmp_path):
    (tmp_path / "rameau.yaml").write_text("newsletter:\n  name: Lettre\n  sender: [oops\nsegments: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert str(error.value).startswith("rameau.yaml:4: invalid YAML")


def test_missing_config_says_how_to_start(tmp_path):
    with pytest.raises(ConfigError, match="rameau init"):
        load_config(tmp_path)


def test_sender_as_mapping_and_reply_to(tmp_path):
    raw = {**MINIMAL, "newsletter": {**MINIMAL["newsletter"], "sender": {"name": "Équipe", "email": "e@example.org"}}}
    newsletter = parse_config(raw, tmp_path).newsletter
    assert (newsletter.sender_name, newsletter.sender_email) == ("Équipe", "e@example.org")
