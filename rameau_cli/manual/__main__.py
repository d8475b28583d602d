"""`python -m rameau_cli.manual [--check]`: write the manual's generated parts again, or (with
--check) only say which pages are not what the code says, and exit 1 if any."""

import sys
from pathlib import Path

from .pages import generated, stale

check = "--check" in sys.argv[1:]
problems = stale(Path.cwd(), generated(), write=not check)
for problem in problems:
    print(problem if check else problem.replace("not what the code says", "written again"), file=sys.stderr)
sys.exit(1 if check and problems else 0)
