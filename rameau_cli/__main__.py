"""`python -m rameau_cli`: the command line (cli/launcher.py)."""

from .cli.launcher import main

main()
