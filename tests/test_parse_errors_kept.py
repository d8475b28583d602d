"""The speed trick of check/parse_errors_kept.py finds what html5lib finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rameau_cli.check.parse_errors_kept import KEPT_AT_MOST, parse_errors, plain_parse_errors

# Pieces of HTML, broken ones among them: stray and misnested end tags, bad entities, an
# unclosed comment or attribute, a doctype late, tables holding text.
pieces = st.sampled_from(["<!DOCTYPE html>", "<html>", "<head>", "<body>", "<p>", "</p>", "</div>", "<div>",
                          "<table>", "<tr>", "<td>", "text", "&amp;", "&nope;", "&#0;", "<b><i>", "</b></i>",
                          "<!--", "-->", '<a href="x', '">', "<br/>", "</br>", "\n", "é", "<", ">", "\0"])
documents = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=80, deadline=None)
@given(documents=st.lists(documents, min_size=1, max_size=5), first=st.sampled_from([0, 1, 10]))
def test_kept_errors_are_html5libs(documents, first):
    for html in documents + documents:  # the second time from what was kept
        assert parse_errors(html, first) == plain_parse_errors(html, first)


def test_errors_asked_for_more_html_than_is_kept_stay_right():
    documents = [f"<p>{i}</div>" * (i % 3 + 1) for i in range(KEPT_AT_MOST * 2 + 3)]
    for html in documents + documents[::-1]:
        assert parse_errors(html, 10) == plain_parse_errors(html, 10)
        assert parse_errors(html, 10)  # a stray end tag: never an empty answer kept for a wrong one
