"""`rameau check`: the rules a built email is checked against (rules.py), with --links its
links asked of their servers (links.py), and the check itself over the built emails of the
edition, or the edition built in memory when there are none (procedure.py)."""

from .procedure import Report, check_edition, run_check
from .rules import CheckedEmail, Finding, check_email

__all__ = ["CheckedEmail", "Finding", "Report", "check_edition", "check_email", "run_check"]
