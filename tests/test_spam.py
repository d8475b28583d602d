"""What a spam filter makes of each segment's message: SpamAssassin (Debian's `spamassassin`
package, local rules only: no DNS, no network) scores the example's four message.eml files in one
process. A hidden preheader in white text (mjml's mj-preview) cost 0.7 points in every message."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import SEGMENTS, missing_tool

SCORE = Path(__file__).parent / "sa_score.pl"
INSTALL = ("SpamAssassin is not installed: apt-get install --no-install-recommends spamassassin "
           "(.ci/run installs it when it is missing)")


@pytest.fixture(scope="session")
def spam_scores(built_example, tmp_path_factory) -> dict[str, dict]:
    """SpamAssassin's verdict on each segment's message.eml, by segment: one perl process for all."""
    if not shutil.which("spamassassin") or not shutil.which("perl"):
        missing_tool(INSTALL)
    home = tmp_path_factory.mktemp("spamassassin-home")
    paths = [built_example / "dist" / "2026-W48" / segment / "message.eml" for segment in SEGMENTS]
    done = subprocess.run(["perl", str(SCORE), *map(str, paths)], capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"})
    if done.returncode != 0 and "Can't locate Mail/SpamAssassin.pm" in done.stderr:
        missing_tool(INSTALL)
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    return {Path(v["file"]).parent.name: v for v in verdicts}


@pytest.mark.parametrize("segment", SEGMENTS)
def test_each_segment_scores_at_most_0_3(spam_scores, segment):
    verdict = spam_scores[segment]
    assert verdict["score"] <= 0.3, f"{segment}: {verdict['score']} from {verdict['tests']}"
    assert "HTML_FONT_LOW_CONTRAST" not in verdict["tests"] and "FONT_INVIS_MSGID" not in verdict["tests"]
