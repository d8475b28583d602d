"""rameau's version: one place, read by the package, the command and the build."""

__version__ = "0.2.0"


def user_agent(purpose: str) -> str:
    """What rameau says it is to the servers it asks: `purpose` is "feed reader", "push"..."""
    return f"rameau-cli/{__version__} (newsletter compiler; {purpose})"
