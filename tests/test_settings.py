"""rameau.yaml is declared once: each mapping a dataclass whose fields are its keys. These tests
fail when a key's schema entry and its typed field drift apart."""

import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from zoneinfo import ZoneInfo

import pytest

from rameau_cli.errors import ConfigError
from rameau_cli.project.config import CONFIG, parse_config
from rameau_cli.project.editions import EDITION, TRANSLATION
from rameau_cli.project.front_matter import FRONT_MATTER
from rameau_cli.project.newsletter import SENDER_MAPPING, Sender
from rameau_cli.project.schema import (
    TEXT,
    Either,
    Integer,
    Key,
    Kind,
    ListOf,
    MapOf,
    Mapping,
    Walk,
    validate,
)
from rameau_cli.project.settings import setting, settings_mapping
from rameau_cli.project.words import WORDING


def mappings(kind: Kind, path: str = "") -> typing.Iterator[tuple[str, Mapping]]:
    """Every mapping reachable from `kind`, with its key path."""
    if isinstance(kind, Mapping):
        yield path, kind
        for key in kind.keys:
            yield from mappings(key.kind, f"{path}.{key.name}".lstrip("."))
    elif isinstance(kind, MapOf):
        yield from mappings(kind.value, f"{path}.<{kind.what}>")
    elif isinstance(kind, ListOf):
        yield from mappings(kind.item, f"{path}[]")
    elif isinstance(kind, Either):
        for _, inner in kind.kinds:
            yield from mappings(inner, path)
    elif isinstance(kind, Sender):  # text, or a mapping
        yield from mappings(SENDER_MAPPING, path)


def expected_type(key: Key) -> typing.Any:
    """The type a key's field must have: what its kind reads, or None when the key may be left out
    (an optional mapping left out reads as an empty one, never as None)."""
    always = key.required or key.default is not None or (isinstance(key.kind, Mapping) and key.kind.optional)
    return key.kind.type if always else key.kind.type | None


def drift(mapping: Mapping) -> list[str]:
    """How a mapping's keys and its settings dataclass's fields differ."""
    if mapping.settings is None:
        return ["reads as a dict, not as a settings dataclass"]
    hints = typing.get_type_hints(mapping.settings)
    problems = []
    names = [item.name for item in fields(mapping.settings)]
    if names != [key.name for key in mapping.keys]:
        problems.append(f"fields {names} but keys {[key.name for key in mapping.keys]}")
    for key in mapping.keys:
        if key.name not in hints:
            problems.append(f"{key.name}: a key without a field")
        elif hints[key.name] != expected_type(key):
            problems.append(f"{key.name}: field typed {hints[key.name]}, its kind reads {expected_type(key)}")
    return problems


def test_every_mapping_of_rameau_yaml_is_a_dataclass_whose_fields_are_its_keys_and_their_types():
    found = dict(mappings(CONFIG))
    assert {"", "newsletter", "newsletter.sender", "sources[]", "segments.<segment id>", "segments.<segment id>.links",
            "output", "emailing", "emailing.push", "emailing.push.mailchimp.segments.<segment id>", "links",
            "links.utm", "check"} <= set(found)
    problems = [f"{path or 'rameau.yaml'}: {problem}" for path, mapping in found.items()
                if mapping is not WORDING  # its keys are the catalogs' messages, read as a dict by design
                for problem in drift(mapping)]
    assert problems == []


@pytest.mark.parametrize("mapping", [EDITION, TRANSLATION, FRONT_MATTER],
                         ids=["edition file", "translation of an edition file", "front matter"])
def test_an_edition_file_or_front_matter_is_a_dataclass_whose_fields_are_its_keys_and_their_types(mapping):
    assert [path for path, _ in mappings(mapping)] == [""]
    assert drift(mapping) == []


def test_the_drift_check_sees_a_field_typed_otherwise_than_its_key_reads():
    @dataclass(frozen=True)
    class Drifted:
        count: str = setting(Integer(1), "A number, but the field says text.", default=1)
        label: str = setting(TEXT, "May be left out, so it may be None.")

    assert drift(settings_mapping(Drifted)) == [
        "count: field typed <class 'str'>, its kind reads <class 'int'>",
        "label: field typed <class 'str'>, its kind reads str | None",
    ]


def test_a_field_that_is_no_key_is_refused_when_the_mapping_is_made():
    @dataclass(frozen=True)
    class Stray:
        name: str = setting(TEXT, "A key.")
        computed: str = "not a key"

    with pytest.raises(TypeError, match="Stray.computed"):
        settings_mapping(Stray)


def conforms(value: typing.Any, kind: typing.Any) -> bool:
    """Whether a value read from YAML is of the type its field declares."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is typing.Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is tuple:
        return isinstance(value, tuple) and all(conforms(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
    if is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return isinstance(value, kind) and all(conforms(getattr(value, f.name), hints[f.name]) for f in fields(kind))
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


EVERY_KEY = {
    "newsletter": {"name": "Lettre", "sender": {"name": "La lettre", "email": "a@example.org"},
                   "reply_to": "r@example.org", "language": "fr", "timezone": "Europe/Paris",
                   "base_url": "https://example.org", "address": "1 rue\n75001 Paris", "wording": {"greeting": "Salut",
                   "articles": {"one": "{count} article", "other": "{count} articles"}},
                   "logo": "logo.png", "logo_dark": "logo-dark.png"},
    "sources": [{"markdown": "articles", "lang": "fr"},
                {"feed": "feed.xml", "categories": {"Grand public": "grand-public"}, "base_url": "https://example.org"}],
    "segments": {"tous": {"title": "Tous", "cadence": "daily", "audiences": ["a"], "tags": ["t"],
                          "exclude_audiences": ["b"], "exclude_tags": ["u"], "max_articles": 3, "body": "full",
                          "subject": "S", "preheader": "P", "accent": "#1f5c4a", "max_bytes": 90000,
                          "links": {"utm": {"source": "s", "medium": "m", "campaign": "c"}, "domains": ["example.org"]},
                          "language": "fr", "wording": {"greeting": "Bonjour"}, "archive": "unlisted", "late": "skip",
                          "forward_url": "https://example.org/inscription"}},
    "output": {"dir": "public", "public_url": "https://lettres.example.org"},
    "emailing": {"profile": "mailchimp", "unsubscribe_mailto": "stop@example.org",
                 "push": {"url": "https://us1.api.mailchimp.com/3.0", "lists": {"tous": ["abc123"]}, "name": "{title}",
                          "mailchimp": {"segments": {"tous": {"tag": 4821}}}, "buttondown": {"content_only": False}}},
    "links": {"utm": True},
    "check": {"rules": {"subject-length": False, "link-moved": "warning"}, "private_links": True},
}


@pytest.mark.parametrize("raw", [EVERY_KEY, {"newsletter": EVERY_KEY["newsletter"], "segments": {"s": {"title": "S"}},
                                             "links": {"utm": False}}],
                         ids=["every key given", "most keys left out"])
def test_what_rameau_yaml_reads_is_of_the_types_its_fields_declare(tmp_path, raw):
    walk = Walk("rameau.yaml")
    settings = validate(CONFIG, raw, walk, "", None)
    assert walk.problems == []
    assert conforms(settings, CONFIG.settings)
    config = parse_config(raw, tmp_path)  # and the project's settings are made from them
    assert config.segments[0].max_articles == (3 if raw is EVERY_KEY else 10)


def test_an_edition_file_reads_as_the_types_its_fields_declare():
    raw = {"number": 7, "date": "2026-11-30T09:00:00", "since": "2026-11-23", "until": "2026-11-29",
           "week": "2026-W48", "subject": {"tous": "Sept"}, "preheader": "Le numéro sept", "pinned": ["un", "deux"]}
    walk = Walk("issues/2026-W48.md", ZoneInfo("Europe/Paris"))
    settings = validate(EDITION, raw, walk, "", None)
    assert walk.problems == []
    assert conforms(settings, EDITION.settings)
    assert settings.since.tzinfo == ZoneInfo("Europe/Paris")


def test_front_matter_reads_as_the_types_its_fields_declare():
    raw = {"title": "Un titre", "date": "2026-11-24", "summary": "Court", "audiences": ["Grand public"], "tags": ["t"],
           "author": "A", "image": "photo.jpg", "image_alt": "Une photo", "url": "https://example.org/a",
           "featured": True, "priority": 2, "publish_at": "2026-11-25T08:00:00", "body": "full", "slug": "un-titre",
           "lang": "fr", "translation_of": "autre", "draft": False, "status": "published", "published": True}
    walk = Walk("articles/un-titre.md", ZoneInfo("Europe/Paris"))
    settings = validate(FRONT_MATTER, raw, walk, "", None)
    assert walk.problems == []
    assert conforms(settings, FRONT_MATTER.settings)
    assert settings.audiences == ("grand-public",)


MINIMAL = {"newsletter": {"name": "L", "sender": "L <a@example.org>", "base_url": "https://example.org"},
           "segments": {"tous": {"title": "Tous"}}}


@pytest.mark.parametrize("key, value, where", [
    ("emailing", 5, "emailing"),
    ("emailing", {"push": "x"}, "emailing.push"),
    ("emailing", {"push": {"mailchimp": 4}}, "emailing.push.mailchimp"),
    ("emailing", {"push": {"mailchimp": {"segments": {"tous": 3}}}}, "emailing.push.mailchimp.segments.tous"),
    ("emailing", {"profile": "mailchimp", "push": {"lists": 3}}, "emailing.push.lists"),
    ("links", {"utm": "x"}, "links.utm"),
    ("segments", {"tous": {"title": "T", "links": 4}}, "segments.tous.links"),
    ("newsletter", {"name": "L", "sender": {"name": "x"}, "base_url": "https://e.org"}, "newsletter.sender.email"),
    ("sources", [5], "sources[0]"),
    ("check", {"rules": 3}, "check.rules"),
])
def test_a_mapping_of_the_wrong_shape_at_any_depth_is_named_never_a_crash(tmp_path, key, value, where):
    """A mapping that cannot be read leaves no settings object where its parent expects one: the
    checks across keys must still say the problem, by its path, with exit code 2."""
    raw = {**MINIMAL, key: value}
    with pytest.raises(ConfigError) as error:
        parse_config(raw, tmp_path)
    assert [problem.where for problem in error.value.problems] == [f"rameau.yaml: {where}"]
    assert error.value.exit_code == 2
