"""`rameau push` killed or stopped while the emailing tool creates a draft (a real push process
against the stand-in of tests/standins.py, which holds its answer to a create), then pushed
again: never a second draft, and the last line says which segments were pushed."""

import json
import shutil
import signal
import threading
from dataclasses import astuple

import pytest

from helpers import SEGMENTS, Child, checked, invoke, recorded
from standins import PREFIX, STANDINS, TOKEN, USER

ENV = {"RAMEAU_PUSH_USER": USER, "RAMEAU_PUSH_TOKEN": TOKEN}


def holding(tool: str, nth: int):
    """The stand-in of `tool`, whose nth create (from 0) makes the draft, then waits to answer."""

    class Holding(STANDINS[tool]):
        def __init__(self):
            self.creates = 0
            self.creating = threading.Event()  # the held create has made its draft
            self.answer_now = threading.Event()
            super().__init__()

        def route(self, method, path, data):
            reply = super().route(method, path, data)
            if method == "POST" and not path.endswith("/content") and "template" not in path:  # a campaign's create
                self.creates += 1
                if self.creates == nth + 1:
                    self.creating.set()
                    self.answer_now.wait(60)
            return reply

        def stop(self):
            self.answer_now.set()
            super().stop()

    return Holding()


@pytest.fixture
def pushing(built_for, tmp_path):
    servers = []

    def make(tool, nth):
        project = tmp_path / tool
        shutil.copytree(built_for(tool), project)
        server = holding(tool, nth)
        servers.append(server)
        ids = {s: [f"aud{i}" if tool == "mailchimp" else i] for i, s in enumerate(SEGMENTS, start=3)}
        push = {"url": server.url + PREFIX[tool], "lists": ids}
        config = project / "rameau.yaml"
        config.write_text(checked(config.read_text(encoding="utf-8")).replace(
            f"profile: {tool}", f"profile: {tool}\n  push: {json.dumps(push)}"), encoding="utf-8")
        return project, server

    yield make
    for server in servers:
        server.stop()


def start_push(project):
    """A real push process (helpers.Child): the tests kill it (SIGKILL: nothing of rameau runs
    after) or signal it."""
    return Child("push", cwd=project, env=ENV)


def ids_in_history(project):
    return {segment: (entries[-1].get("campaign") or {}).get("id") for segment, entries in recorded(project).items()}


@pytest.mark.parametrize("tool", ["listmonk", "brevo", "mailchimp", "buttondown"])
def test_a_push_killed_during_a_create_then_pushed_again_makes_one_draft(pushing, tool):
    project, server = pushing(tool, nth=1)
    process = start_push(project)
    try:
        assert server.creating.wait(60), process.result().stderr if process.poll() is not None else "no create"
        process.kill()  # SIGKILL: nothing of rameau runs after this
        process.wait(30)
    finally:
        server.answer_now.set()
    assert len(server.campaigns) == 2  # the tool made the second draft; rameau never heard of it
    again = invoke("push", cwd=project, env=ENV)
    assert again.code == 0, again.stderr
    assert len(server.campaigns) == len(SEGMENTS)  # not one more
    assert sorted(ids_in_history(project).values()) == sorted(server.campaigns)
    assert "found in" in again.stderr and "by its name and updated" in again.stderr


def test_a_signal_during_a_create_waits_for_its_id_and_says_what_was_pushed(pushing):
    project, server = pushing("listmonk", nth=1)
    process = start_push(project)
    try:
        assert server.creating.wait(60)
        process.send_signal(signal.SIGTERM)
        server.answer_now.set()  # the tool answers after the signal: the id is written all the same
        code, _, errors = astuple(process.result(timeout=60))
    finally:
        server.answer_now.set()
    assert code == 130, errors
    first, second = sorted(server.campaigns)
    assert errors.strip().splitlines()[-1] == (
        f"error: interrupted; pushed: {SEGMENTS[0]} (created {first}), {SEGMENTS[1]} (created {second}); "
        f"not pushed: {', '.join(SEGMENTS[2:])}")
    assert "nothing was changed" not in errors
    assert ids_in_history(project)[SEGMENTS[1]] == second
    again = invoke("push", cwd=project, env=ENV)
    assert again.code == 0 and len(server.campaigns) == len(SEGMENTS), again.stderr


def test_a_second_signal_stops_a_create_at_once_and_the_next_push_finds_its_draft(pushing):
    project, server = pushing("brevo", nth=0)
    process = start_push(project)
    try:
        assert server.creating.wait(60)
        process.send_signal(signal.SIGTERM)
        process.send_signal(signal.SIGINT)  # insists (another signal: two of one kind may arrive as one)
        code, _, errors = astuple(process.result(timeout=60))
    finally:
        server.answer_now.set()
    assert code == 130, errors
    assert errors.strip().splitlines()[-1] == (
        f"error: interrupted while Brevo was creating the draft of {SEGMENTS[0]}; it may have been made: the next "
        f"push finds it by its name; pushed: none; not pushed: {', '.join(SEGMENTS)}")
    again = invoke("push", cwd=project, env=ENV)
    assert again.code == 0 and len(server.campaigns) == len(SEGMENTS), again.stderr
