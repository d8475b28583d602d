"""The generated parts of the manual's pages: each written between its markers,
`<!-- reference: NAME -->` and `<!-- end of reference: NAME -->`, in whichever page holds them."""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path("docs") / "reference"


def generated() -> dict[str, str]:
    """Each generated part, by its marker's name."""
    from ..project.reference import tables
    from .commands import commands_reference
    from .variables import variables_reference

    return {**tables(), "commands": commands_reference(), "template variables": variables_reference()}


def marker(name: str) -> tuple[str, str]:
    return f"<!-- reference: {name} -->", f"<!-- end of reference: {name} -->"


def refreshed(page: str, parts: dict[str, str]) -> str:
    """`page` with every part whose markers it holds made anew."""
    for name, part in parts.items():
        start, end = marker(name)
        before, _, rest = page.partition(start)
        _, found, after = rest.partition(end)
        if rest and found:
            page = f"{before}{start}\n{part}\n{end}{after}"
    return page


def stale(root: Path, parts: dict[str, str], write: bool = False) -> list[str]:
    """The reference pages under `root` that are not what the code says (rewritten if `write`),
    and the parts no page holds."""
    pages = sorted((root / REFERENCE).glob("*.md"))
    found = []
    texts = {path: path.read_text(encoding="utf-8") for path in pages}
    for path, text in texts.items():
        new = refreshed(text, parts)
        if new != text:
            found.append(f"{path.relative_to(root)}: not what the code says")
            if write:
                path.write_text(new, encoding="utf-8", newline="\n")
    for name in parts:
        if not any(marker(name)[0] in text and marker(name)[1] in text for text in texts.values()):
            found.append(f"{REFERENCE}: no page holds the markers of {name!r}")
    return found
