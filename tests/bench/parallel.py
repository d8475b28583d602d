"""Would rendering the segments in parallel pay? Serial, two threads and two forked processes.

    python tests/bench/parallel.py                                  # the bundled example
    python tests/bench/parallel.py tests/bench/.work/articles-10000 2026-W48

Each variant renders every segment of one edition (MJML, HTML, text part and message.eml, as a
build does), 15 times after one untimed run; the medians are printed side by side. rameau renders
its segments one after the other because, on a 2-core machine, neither variant has been faster:
the GIL serialises Jinja and mjml-python, and forking plus pickling the results costs more than
the rendering itself.
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from rameau_cli.output.manifest import email_files
from rameau_cli.pipeline import BuildOptions, build, load_project
from rameau_cli.render.emails import render_within

ROUNDS = 15
_templates: Path | None = None  # set before any fork: the workers inherit it


def render_one(issue):
    return email_files(render_within(issue, _templates))


def main(argv: list[str]) -> int:
    project = Path(argv[0]) if argv else Path(__file__).resolve().parents[2]
    options = BuildOptions(week=argv[1]) if len(argv) > 1 else BuildOptions()
    config = load_project(project)
    issues = [email.issue for email in build(config, options, history=None).emails]
    global _templates
    _templates = config.root / "templates"

    def serial():
        return [render_one(issue) for issue in issues]

    def threads():
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(render_one, issues))

    def processes():
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(render_one, issues))

    expected = serial()
    for variant in (serial, threads, processes):
        assert variant() == expected, f"{variant.__name__} rendered something else"
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            variant()
            times.append(time.perf_counter() - start)
        print(f"{variant.__name__:<10} {statistics.median(times) * 1000:6.1f} ms  ({len(issues)} segments)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
