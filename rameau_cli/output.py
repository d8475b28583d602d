"""Stage 6: files on disk. An edition is assembled in a staging folder beside its final place
and swapped in whole, so a failed build leaves the last good issue untouched."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from .editions import Edition
from .errors import OutputError, Problem
from .files import write_atomic
from .render import RenderedIssue

MANIFEST = "manifest.json"


def safe_join(root: Path, *parts: str) -> Path:
    """Join under `root`, refusing anything (`..`, absolute parts, links) that would leave it."""
    root_resolved = root.resolve()
    candidate = root_resolved.joinpath(*parts).resolve()
    if candidate != root_resolved and root_resolved not in candidate.parents:
        raise OutputError(Problem("/".join(parts), f"refusing to write outside the output folder {root}"))
    return candidate


def issue_files(rendered: RenderedIssue) -> dict[str, bytes]:
    from .mime import build_message

    return {
        "index.html": rendered.html.encode("utf-8"),
        "index.txt": rendered.text.encode("utf-8"),
        "message.eml": build_message(rendered.issue, rendered.html, rendered.text),
        "web.html": web_version(rendered).encode("utf-8"),
    }


def web_version(rendered: RenderedIssue) -> str:
    """The email as a public web page: merge tags that only the emailing tool can fill are
    replaced (the greeting takes its fallback, the unsubscribe link leads to the archive)."""
    profile = rendered.issue.profile
    html = rendered.html.replace(str(profile.first_name), rendered.issue.words.first_name_fallback)
    html = html.replace(f'href="{profile.unsubscribe}"', 'href="../../archive/index.html"')
    return html.replace(f'href="{profile.view_online}"', 'href="../../archive/index.html"')


def make_manifest(edition: Edition, issues: tuple[RenderedIssue, ...], empty: tuple[str, ...]) -> dict:
    window = edition.windows.get("*")
    segments = {}
    for rendered in issues:
        issue = rendered.issue
        segments[issue.segment.id] = {
            "title": issue.segment.title,
            "subject": issue.subject,
            "preheader": issue.preheader,
            "window": edition.window(issue.segment.id).as_dict(),
            "articles": [{"id": a.id, "title": a.title, "url": a.canonical_url} for a in issue.articles + issue.more],
            "files": {
                name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                for name, data in rendered.files.items()
            },
        }
    return {
        "edition": edition.id,
        "number": edition.number,
        "date": edition.date.isoformat(),
        "window": window.as_dict() if window else None,
        "segments": segments,
        "empty_segments": list(empty),
    }


def write_edition(out_dir: Path, edition_id: str, issues: tuple[RenderedIssue, ...], manifest: dict,
                  keep_other_segments: bool = False, then=None) -> Path:
    """Write `out_dir/<edition>/` whole and return its path; `then()`, if given, runs under the
    same lock once the edition is in place (to record it in the history and the archive)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with output_lock(out_dir):
            path = _write_edition(out_dir, edition_id, issues, manifest, keep_other_segments)
            if then:
                then()
            return path
    except OSError as exc:
        raise OutputError(Problem(str(exc.filename or out_dir), f"cannot write the issue: {exc.strerror or exc}")) from None


def _write_edition(out_dir: Path, edition_id: str, issues: tuple[RenderedIssue, ...], manifest: dict,
                   keep_other_segments: bool) -> Path:
    remove_leftovers(out_dir)
    target = safe_join(out_dir, edition_id)
    staging = safe_join(out_dir, f".{edition_id}.staging-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        if keep_other_segments and target.is_dir():
            manifest = _carry_over(target, staging, manifest)
        for rendered in issues:
            folder = safe_join(staging, rendered.issue.segment.id)
            folder.mkdir(exist_ok=True)
            for name, data in rendered.files.items():
                write_atomic(folder / name, data)
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
        write_atomic(staging / MANIFEST, manifest_bytes)
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _carry_over(target: Path, staging: Path, manifest: dict) -> dict:
    """Keep the segments this build did not touch (a `--segment` build replaces only its own)."""
    try:
        previous = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return manifest
    segments = dict(previous.get("segments", {}))
    for segment_id in list(segments):
        if segment_id in manifest["segments"] or segment_id in manifest["empty_segments"]:
            del segments[segment_id]
            continue
        source = safe_join(target, segment_id)
        if source.is_dir():
            shutil.copytree(source, safe_join(staging, segment_id))
    merged = dict(manifest)
    merged["segments"] = {**segments, **manifest["segments"]}
    merged["segments"] = {k: merged["segments"][k] for k in sorted(merged["segments"], key=_order(previous, manifest))}
    return merged


def _order(previous: dict, manifest: dict):
    known = list(previous.get("segments", {})) + list(manifest["segments"])
    return lambda segment_id: known.index(segment_id)


def _swap(staging: Path, target: Path) -> None:
    """Put `staging` in the place of `target` in one step where the system allows it.

    On Linux, renameat2(RENAME_EXCHANGE) swaps the two folders atomically: at every
    instant `target` is either the old issue or the new one. Elsewhere two renames."""
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous issue
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return result == 0


LOCK_FILE = ".rameau.lock"
LOCK_WAIT = 120.0


@contextlib.contextmanager
def output_lock(out_dir: Path, wait: float = LOCK_WAIT):
    """One writer per output folder: a second build waits for the first, then gives up clearly."""
    import fcntl

    with open(out_dir / LOCK_FILE, "a+b") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(Problem(str(out_dir), f"another rameau build has been writing here for over {wait:g} s; "
                                                            "wait for it to end, or use another --out")) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(out_dir: Path) -> None:
    """Staging and old folders left by a killed build (only called under the lock)."""
    for path in out_dir.glob(".*"):
        if path.is_dir() and (".staging-" in path.name or ".old-" in path.name):
            shutil.rmtree(path, ignore_errors=True)


