"""rameau: turn a pool of articles into one send-ready email per audience segment.

The library can be used without the command line::

    from pathlib import Path
    from rameau_cli import build_issue, load_project

    project = load_project(Path("."))
    result = build_issue(project)
    print(result.manifest["segments"].keys())
"""

__version__ = "0.1.0"

__all__ = ["__version__", "build_issue", "load_project", "RameauError"]


def __getattr__(name: str):
    # Imported lazily so that `rameau --version` stays fast.
    if name in ("build_issue", "load_project"):
        from . import build

        return getattr(build, name)
    if name == "RameauError":
        from .errors import RameauError

        return RameauError
    raise AttributeError(name)
