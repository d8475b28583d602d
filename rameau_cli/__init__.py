"""rameau: turn a pool of articles into one send-ready email per audience segment.

The library can be used without the command line::

    from pathlib import Path
    from rameau_cli import BuildOptions, build, load_project

    config = load_project(Path("."))
    built = build(config, BuildOptions(week="2026-W48"))   # in memory; nothing is written
    for email in built.emails:
        print(email.issue.subject, len(email.html))

`build_issue(config, options)` builds and writes, as `rameau build-issue` does.
"""

from .version import __version__

__all__ = ["__version__", "BuildOptions", "RameauError", "build", "build_issue", "load_project", "write"]


def __getattr__(name: str) -> object:
    # Imported lazily so that `rameau --version` stays fast.
    if name in ("BuildOptions", "build", "build_issue", "load_project", "write"):
        from . import pipeline  # noqa: PLC0415 (the package seam: `rameau --version` must not load the pipeline)

        return getattr(pipeline, name)
    if name == "RameauError":
        from .errors import RameauError  # noqa: PLC0415 (the package seam)

        return RameauError
    raise AttributeError(name)
