"""The speed trick of render/message_bytes.py writes what the email package writes."""

from __future__ import annotations

from email.headerregistry import Address

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rameau_cli.render.message import POLICY, quoted_printable
from rameau_cli.render.message_bytes import message_bytes, plain_message_bytes

# Values a header may get: non-ASCII, specials of addresses and phrases, encoded-word and
# comment look-alikes, quotes, backslashes, runs of spaces, and long enough to fold.
pieces = st.sampled_from(["a", "Zoé", " ", "  ", ",", ";", ":", '"', "\\", "(", ")", "<", ">", "@", ".",
                          "=?utf-8?q?x?=", "\u202f", "\t", "😀", "L'hebdo", "entreprise", "x" * 40, "-"])
values = st.lists(pieces, max_size=30).map("".join)
names = st.sampled_from(["Subject", "Reply-To", "To", "List-Unsubscribe", "List-Id", "List-Archive",
                         "Message-ID", "Date", "MIME-Version", "X-Anything"])
domains = st.sampled_from(["example.org", "rameau-alliances.org", "xn--zo-9ia.fr"])
users = st.sampled_from(["lettres", "a.b", "x+y", "z"])
senders = st.builds(lambda name, user, domain: Address(name, user, domain), values, users, domains)
headers = st.lists(st.one_of(st.tuples(names, values), st.tuples(st.just("From"), senders)), max_size=8,
                   unique_by=lambda header: header[0])  # as in a message: each header once
texts = st.lists(st.sampled_from(list("ab =.\t\n\r-é€😀") + ["{{first_name}}", "From ", "\r\n", "x" * 90]),
                 max_size=80).map("".join)
boundaries = st.sampled_from(["=_rameau_0123456789abcdef01234567", "b", "=_a b"])


def both(heads, boundary, parts):
    """Each writer's bytes, or "refused" when it raised. A header the email package cannot
    parse or fold is refused by both, not always with the same error: the package parses every
    header before it folds the first, message_bytes folds each in turn."""
    results = []
    for write in (plain_message_bytes, message_bytes, message_bytes):  # message_bytes twice: the second from kept headers
        try:
            results.append(write(heads, boundary, parts, POLICY))
        except Exception:  # that both refuse is what is compared
            results.append("refused")
    return results


@settings(max_examples=120, deadline=None)
@example(heads=[("List-Id", "L'hebdo entreprise, fondation, partenaire <hebdo.example.org>")], boundary="b",
         texts=["Bonjour\n", "<p>x</p>"])
@example(heads=[("Subject", "Zoé " * 30), ("From", Address("Zoé, \"la\" lettre", "lettres", "example.org"))],
         boundary="b", texts=["", "\r\r\n"])
@given(heads=headers, boundary=boundaries, texts=st.lists(texts, min_size=1, max_size=3))
def test_the_written_message_is_the_email_packages_byte_for_byte(heads, boundary, texts):
    heads = [*heads, ("Content-Type", f'multipart/alternative; boundary="{boundary}"')]
    subtypes = ["plain", "html", "plain"]
    parts = [(subtypes[i], quoted_printable(text, ("{{first_name}}",))) for i, text in enumerate(texts)]
    plain, written, again = both(heads, boundary, parts)
    assert written == plain and again == plain


@settings(max_examples=50, deadline=None)
@given(text=texts)
def test_a_payload_with_any_line_ends_is_written_as_the_generator_writes_it(text):
    ascii_text = text.encode("ascii", "replace").decode("ascii")  # a payload as set: ASCII, any line ends
    heads = [("Content-Type", 'multipart/alternative; boundary="b"')]
    assert message_bytes(heads, "b", [("plain", ascii_text)], POLICY) == \
        plain_message_bytes(heads, "b", [("plain", ascii_text)], POLICY)
