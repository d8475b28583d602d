"""Unknown keys in what people write (front matter, edition files): a key surely meant as a
known one is a typo that stops the build; a key of its own is warned about and ignored."""

from __future__ import annotations

import re

from ..errors import Problem

IGNORED = "ignored"  # the word that ends an unknown key's warning


def unknown_key(problem: Problem) -> bool:
    """Whether a warning is that of an unknown key, ignored (front matter, edition files)."""
    return problem.message.startswith("unknown ") and f", {IGNORED}" in problem.message


def key_form(name: str) -> str:
    """A key as it is meant, whatever its spelling: `publishAt`, `publish-at`, `Publish At` are `publish_at`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name.strip()).lower().replace("-", "_").replace(" ", "_")


def _distance(first: str, second: str) -> int:
    """Edits from one word to the other (a letter added, removed, changed, or two swapped)."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        row = [i]
        for j, b in enumerate(second, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a != b)))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]


def meant_as(name: str, known: list[str], aliases: dict[str, str]) -> str | None:
    """The known key an unknown one was surely meant as: the same once case, `-` and `_` are set
    aside (`publish-at`), another word for it (`aliases`: `segment` for `audiences`), or a
    letter or two off (`audiances`); None for a key of its own (`image_credit`), or one set
    aside on purpose by a prefix (`_publish_at`, `x_preheader`)."""
    if name.startswith(("_", "x_", "x-", "X_", "X-")):
        return None  # set aside on purpose, as `_publish_at:` or `x_preheader:` are
    form = key_form(name)
    for key in known:
        if key_form(key) == form:
            return key
    if form in aliases:
        return aliases[form]
    if len(form) >= 4:
        near = [key for key in known if _distance(form, key) <= (1 if len(form) < 7 else 2)]
        if near:
            return min(near, key=lambda key: _distance(form, key))
    return None
