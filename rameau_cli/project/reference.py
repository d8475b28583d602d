"""The manual's reference tables, made from the schema: what each key of rameau.yaml, of an
article's front matter and of an edition file means, and every rule of `rameau check`
(`python -m rameau_cli.manual` writes them into docs/reference/)."""

from __future__ import annotations

from .schema import Key, ListOf, MapOf, Mapping


def reference_rows(kind: Mapping, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key path, kind, default, doc) for every key, nested mappings flattened."""
    rows = []
    for key in kind.keys:
        path = f"{prefix}{key.name}"
        inner = key.kind
        if isinstance(inner, MapOf):
            rows.append((path, inner.name, _default(key), key.doc))
            if isinstance(inner.value, Mapping):
                rows += reference_rows(inner.value, f"{path}.<{inner.what}>.")
            continue
        if isinstance(inner, ListOf) and isinstance(inner.item, Mapping):
            rows.append((path, "list", _default(key), key.doc))
            rows += reference_rows(inner.item, f"{path}[].")
            continue
        if isinstance(inner, Mapping):
            rows.append((path, "mapping", "", key.doc + (f" Its keys: the {inner.table} table." if inner.table else "")))
            if not inner.table:
                rows += reference_rows(inner, f"{path}.")
            continue
        rows.append((path, inner.name, _default(key), key.doc))
    return rows


def _default(key: Key) -> str:
    if key.required:
        return "required"
    if key.default in (None, "", (), {}):
        return ""
    if isinstance(key.default, bool):
        return str(key.default).lower()
    return f"`{key.default}`"


def reference_table(kind: Mapping) -> str:
    lines = ["| key | value | default | what it does |", "| --- | --- | --- | --- |"]
    for path, kind_name, default, doc in reference_rows(kind):
        cells = [f"`{path}`", kind_name, default, doc]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def tables() -> dict[str, str]:
    """Each table, by the name of its markers in the manual's pages."""
    from .checks import rules_table
    from .config import CONFIG
    from .editions import EDITION
    from .front_matter import FRONT_MATTER
    from .words import WORDING

    return {"rameau.yaml": reference_table(CONFIG), "front matter": reference_table(FRONT_MATTER),
            "edition file": reference_table(EDITION), "wording": reference_table(WORDING),
            "check rules": rules_table()}
