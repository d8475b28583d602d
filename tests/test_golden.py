"""Golden files: the bundled example's emails, byte for byte, as `rameau build-issue` writes them.

When a change to the theme or the pipeline is meant to change the output, run
`pytest tests/test_golden.py --update-golden` and review the diff of tests/golden/ like code.
"""

import hashlib
import json
from pathlib import Path

from helpers import tree

GOLDEN = Path(__file__).parent / "golden" / "example-2026-W48"


def written_files(built_example: Path) -> dict[str, bytes]:
    """What build-issue wrote for the emailing tool (the web versions, index.html with merge tags
    filled, are tested elsewhere)."""
    return tree(built_example / "dist" / "2026-W48")


def test_example_matches_golden_files(built_example, update_golden):
    files = written_files(built_example)
    if update_golden:
        for name, data in files.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = tree(GOLDEN)
    assert sorted(expected) == sorted(files), "run pytest --update-golden to add or remove golden files"
    for name, data in files.items():
        assert data == expected[name], f"{name} differs from tests/golden; review, then run pytest --update-golden"


def test_the_manifest_describes_the_files_written_beside_it(built_example):
    """Sizes and checksums in the manifest are those of the files on disk, the web version in the
    public folder included."""
    edition = built_example / "dist" / "2026-W48"
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    described = 0
    for segment_id, entry in manifest["segments"].items():
        assert sorted(entry["files"]) == sorted(p.name for p in (edition / segment_id).iterdir())
        for name, meta in entry["files"].items():
            data = (edition / segment_id / name).read_bytes()
            assert meta == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            described += 1
        web = entry["web"]
        data = (built_example / "dist" / "public" / web["path"]).read_bytes()
        assert web["path"] == f"2026-W48/{segment_id}/web.html" and entry["archive"] == "public"
        assert (web["bytes"], web["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        described += 1
    assert described == 16
