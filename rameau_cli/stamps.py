"""What a cache entry was made with: rameau's version, its own modules, the libraries it used.

The caches of parsed and rendered content in .rameau-cache/ (articles, YAML, Markdown, dates)
are keyed with such a stamp, so that an entry made by other code (an upgrade of rameau or of a
library, a fix in a working copy) is never used. A library is stamped from its installed
files, without importing it: skipping that import is often the point of the cache.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def _file_stamp(path: Path | str | None) -> str:
    try:
        stat = Path(path).stat() if path else None
    except OSError:
        stat = None
    return f"{stat.st_mtime_ns}:{stat.st_size}" if stat else "?"


def code_stamp(modules: tuple[str, ...], libraries: tuple[str, ...] = ()) -> str:
    """`modules`: file names in this package, such as "articles.py"; `libraries`: top-level
    import names, such as "yaml"."""
    from . import __version__

    here = Path(__file__).parent
    stamps = [_file_stamp(here / name) for name in modules]
    for name in libraries:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        stamps.append(_file_stamp(spec.origin if spec else None))
    return f"{__version__}:{','.join(stamps)}"
