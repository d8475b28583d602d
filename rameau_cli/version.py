"""rameau's version: one place, read by the package, the command and the build."""

__version__ = "0.2.0"
