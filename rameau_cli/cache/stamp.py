"""What the caches were made with: every file of the installed rameau, and the libraries.

A cache entry made by other code (an upgrade of rameau or of a library, a fix in a working
copy) must never be used. The stamp is a hash of the whole package, so no list of module names
can fall out of date, and of each library's installed files, found without importing them:
skipping that import is often the point of a cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

# Every library whose output a cache keeps: PyYAML (parsed YAML and front matter),
# markdown-it-py and its plugins (rendered Markdown), Babel (dates in words), nh3 (sanitized HTML),
# Pillow (images made email-ready).
LIBRARIES = ("yaml", "markdown_it", "mdit_py_plugins", "linkify_it", "babel", "nh3", "PIL")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A short hash of rameau's own source files and of the libraries' installed files."""
    digest = hashlib.sha256()
    for name, path in _sources():
        digest.update(name.encode())
        with open(path, "rb") as source:
            digest.update(source.read())
    for name in LIBRARIES:
        digest.update(f"\0{name}:{_library_stamp(name)}".encode())
    return digest.hexdigest()[:24]


def _sources() -> list[tuple[str, str]]:
    """Each .py file of the package, by its path inside it, in order; os.walk and strings, as
    this runs at the start of every command (Path.rglob and Path objects take twice as long)."""
    top = str(PACKAGE)
    found = []
    for folder, _, files in os.walk(top):
        inside = folder[len(top) + 1:]
        found += [(os.path.join(inside, name), os.path.join(folder, name)) for name in files if name.endswith(".py")]
    return sorted(found)


def _library_stamp(name: str) -> str:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "absent"
    origin = Path(spec.origin)
    # The package folder's modification time changes when pip replaces its files.
    stamps = [origin, origin.parent] if origin.name == "__init__.py" else [origin]
    parts = []
    for path in stamps:
        stat = path.stat()
        parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
    return ",".join(parts)
