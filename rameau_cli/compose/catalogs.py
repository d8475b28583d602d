"""Keep rameau's message catalogs in step with compose/wording.py, for whoever edits them.

    python -m rameau_cli.compose.catalogs            # update every locales/*/rameau.po, compile .mo
    python -m rameau_cli.compose.catalogs --new it   # start a catalog for Italian

Each .po gets every message of MESSAGES and PLURALS (new ones untranslated, gone ones dropped;
translations kept), the language's Plural-Forms from Babel's plural rules, then is compiled to
the .mo that builds read. Not used by builds: a development tool.
"""

from __future__ import annotations

import argparse
import io
import sys

from ..locales import MESSAGES, PLURALS
from .wording import DOMAIN, LOCALES


def synced(po: bytes | None, language: str) -> bytes:
    """The .po of `language` with exactly the messages rameau has, its translations kept."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    old = read_po(io.BytesIO(po)) if po else Catalog(locale=language)
    catalog = Catalog(locale=language, domain=DOMAIN, project="rameau", fuzzy=False,
                      header_comment=f"# rameau's words for readers, in {language}.\n"
                                     "# Update with: python -m rameau_cli.compose.catalogs")
    catalog.creation_date = catalog.revision_date = old.creation_date if po else catalog.creation_date
    for key, (english, note) in MESSAGES.items():
        found = old.get(english, context=key)
        string = found.string if found is not None else (english if language == "en" else "")
        catalog.add(english, string, context=key, auto_comments=[note])
    for key, (one, many, note) in PLURALS.items():
        found = old.get((one, many), context=key)
        forms = found.string if found is not None and isinstance(found.string, tuple) else None
        if forms is None or len(forms) != catalog.num_plurals:
            forms = (one, many) if language == "en" else ("",) * catalog.num_plurals
        catalog.add((one, many), forms, context=key, auto_comments=[note])
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False)
    return out.getvalue()


def compiled(po: bytes) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(po)))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new", metavar="LANGUAGE", help="start a catalog for this language")
    args = parser.parse_args(argv)
    if args.new:
        (LOCALES / args.new / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    for folder in sorted(p for p in LOCALES.iterdir() if p.is_dir() and not p.name.startswith("_")):  # not __pycache__
        po_path = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        old = po_path.read_bytes() if po_path.exists() else None
        po = synced(old, folder.name)
        po_path.write_bytes(po)
        (folder / "LC_MESSAGES" / f"{DOMAIN}.mo").write_bytes(compiled(po))
        print(f"{po_path.relative_to(LOCALES.parent.parent)}: {len(MESSAGES) + len(PLURALS)} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["compiled", "main", "synced"]
