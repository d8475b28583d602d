"""Golden files: the bundled example's emails, byte for byte.

When a change to the theme or the pipeline is meant to change the output, run
`pytest tests/test_golden.py --update-golden` and review the diff of tests/golden/ like code.
"""

import json
from pathlib import Path

from rameau_cli.build import build_issue, load_project
from rameau_cli.output import issue_files

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "example-2026-W48"


def current_files() -> dict[str, bytes]:
    result = build_issue(load_project(REPO), write=False)
    files = {"manifest.json": (json.dumps(result.manifest, ensure_ascii=False, indent=2) + "\n").encode()}
    for rendered in result.issues:
        for name, data in issue_files(rendered).items():
            if name != "web.html":  # index.html with merge tags filled in: tested in test_calendar
                files[f"{rendered.issue.segment.id}/{name}"] = data
    return files


def test_example_matches_golden_files(update_golden):
    files = current_files()
    if update_golden:
        for name, data in files.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(expected) == sorted(files), "run pytest --update-golden to add or remove golden files"
    for name, data in files.items():
        assert data == expected[name], f"{name} differs from tests/golden; review, then run pytest --update-golden"


def test_golden_manifest_hashes_match_the_golden_files():
    import hashlib

    manifest = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    for segment_id, entry in manifest["segments"].items():
        for name, meta in entry["files"].items():
            if name == "web.html":
                continue
            data = (GOLDEN / segment_id / name).read_bytes()
            assert meta == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
