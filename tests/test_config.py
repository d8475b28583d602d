from pathlib import Path

import pytest

from rameau_cli.config import load_config, parse_config
from rameau_cli.errors import ConfigError

MINIMAL = {
    "newsletter": {"name": "Lettre", "sender": "Lettre <a@example.org>", "base_url": "https://example.org"},
    "segments": {"tous": {"title": "Tous"}},
}


def test_example_config_loads_four_segments():
    config = load_config(Path(__file__).resolve().parent.parent)
    assert [s.id for s in config.segments] == ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
    assert config.segment("hebdo-entreprise").rule.any_audiences == {"entreprise", "fondation", "partenaire"}
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


def test_unknown_keys_warn_with_a_suggestion(tmp_path):
    raw = {**MINIMAL, "segmnts": {}}
    config = parse_config(raw, tmp_path)
    assert [str(w) for w in config.warnings] == ["rameau.yaml: segmnts: unknown key, ignored (did you mean 'segments'?)"]


def test_missing_segments_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="segments: expected a mapping"):
        parse_config({"newsletter": MINIMAL["newsletter"]}, tmp_path)


def test_bad_segment_id_is_refused(tmp_path):
    raw = {**MINIMAL, "segments": {"../../etc": {"title": "x"}}}
    with pytest.raises(ConfigError, match="must be a slug"):
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
