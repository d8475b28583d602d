"""`rameau check`: the rules a built email is checked against (rules.py), and, with --links,
its links asked of their servers (links.py)."""

from .rules import CheckedEmail, Finding, check_edition, check_email

__all__ = ["CheckedEmail", "Finding", "check_edition", "check_email"]
