"""`rameau check`: the rules a built email is checked against (rules.py), with --links its
links asked of their servers (links.py), and which emails a check reads (edition.py)."""

from .edition import Report, check_edition, run_check
from .rules import CheckedEmail, Finding, check_email

__all__ = ["CheckedEmail", "Finding", "Report", "check_edition", "check_email", "run_check"]
