"""Writing a build: its editions, then the archive, then the history, as one commit.

The order, in plain steps (the caller holds the output lock from reading the history on):

1. make every file in memory: each segment's emails, each edition's manifest, the history
   with this build recorded, the archive made from that history;
2. stage each of them beside its place (output/commit.py);
3. swap them in, the history last. A failure before the last swap changes nothing.

An edition folder keeps the segments this build does not replace (a `--segment` build, a
calendar build of other cadences, a segment with nothing new this time), even when its
manifest cannot be read. An edition with nothing to send is not written at all.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import files as fs
from ..builds import EditionBuild
from ..cache.base import NO_CACHE, CacheFolder
from ..errors import OutputError, Problem, Warnings
from ..images.assets import shown_in
from ..project.addresses import HTML, MANIFEST, MESSAGE, WEB, Addresses, web_page
from ..project.config import Config
from ..project.history import HISTORY_FILE, History, SentEdition, record
from ..project.history_files import HISTORY_DIR, complete, history_changes
from ..render.emails import Email
from .archive import archive_files
from .commit import Commit, recover
from .manifest import email_files, files_entry, make_manifest, manifest_bytes, segment_entry, web_file


@dataclass(frozen=True)
class Written:
    """One edition as it now is in the output folder."""

    edition: str
    path: Path | None  # None when nothing was written (no segment had anything to send)
    manifest: dict[str, Any]


@contextlib.contextmanager
def output_folder(config: Config, out_dir: Path) -> Iterator[Path]:
    """The output folder, locked for this process, with what a killed build left put right."""
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with fs.output_lock(out_dir):
            recover(out_dir, config.root)
            yield out_dir
    except OSError as exc:
        why = f"cannot write to the output folder: {exc.strerror or exc}"
        raise OutputError(Problem(str(exc.filename or out_dir), why)) from None
    finally:
        if created and out_dir.is_dir() and [p.name for p in out_dir.iterdir()] in ([], [fs.LOCK_FILE]):
            fs.remove(out_dir)  # a build that wrote nothing leaves no empty folder behind (on Windows, nor a lock file)


def settle(config: Config, out_dir: Path) -> None:
    """Put right what a build killed during its swaps left, before reading the output folder."""
    from .commit import pending

    if pending(out_dir):
        with output_folder(config, out_dir):
            pass


def write_build(config: Config, editions: tuple[EditionBuild, ...], out_dir: Path, history: History | None,
                warnings: Warnings, assets: dict[str, bytes] | None = None,
                cache: CacheFolder = NO_CACHE, named: bool = True) -> tuple[Written, ...]:
    """Write `editions` into `out_dir`, with the images from disk they
    show (`assets`, by name), recording them in `history` (None: no history, no archive). Call
    inside `output_folder`. `named`: an edition was asked for by name or window, so that
    latest.json may go back to it (else it only moves forward)."""
    commit = Commit(out_dir)
    places = config.addresses(out_dir)
    assets = assets or {}
    built_now = {email.issue.segment.id: (email.issue.edition_id, built.edition.date)
                 for built in editions for email in built.emails}
    try:
        if built_now:
            _stage_assets(commit, places, assets)
        written = tuple(_stage_edition(commit, places, built, warnings, config, assets, history is not None)
                        for built in editions)
        if built_now:
            latest = _latest_after(places, built_now, named)
            commit.stage_file(places.latest, (json.dumps({"segments": dict(sorted(latest.items()))}, indent=2)
                                              + "\n").encode("utf-8"))
        if history is not None and built_now:
            for built in editions:
                for email in built.emails:
                    history = _record(history, email)
            history = complete(history)
            changes = history_changes(history)
            _stage_archive(commit, places, archive_files(config, history, changes, cache))
            stage_history(commit, config.root, changes)
        if commit.swaps:
            commit.run()
    except BaseException:
        commit.abandon()
        raise
    return written


def write_history(config: Config, history: History) -> None:
    """The history as it is now, written alone as one commit (`history resolve`, a pushed
    campaign's id); the caller holds the output folder's lock."""
    commit = Commit(config.output_dir)
    try:
        stage_history(commit, config.root, history_changes(history))
        commit.run()
    except BaseException:
        commit.abandon()
        raise


def stage_history(commit: Commit, root: Path, changes: dict[Path, bytes]) -> None:
    """The history files that change, flushed to the disk; history.json, their index, last."""
    files = {path.relative_to(root).as_posix(): data for path, data in changes.items()}
    index = files.pop(HISTORY_FILE, None)
    if files:
        commit.stage_tree(root / HISTORY_DIR, {name.removeprefix(f"{HISTORY_DIR}/"): data
                                               for name, data in files.items()}, durable=True)
    if index is not None:
        commit.stage_file(root / HISTORY_FILE, index, durable=True)


def _stage_archive(commit: Commit, places: Addresses, files: dict[str, bytes]) -> None:
    """The archive's files whose bytes change: a page that stays the same is not written again.
    `files` is the whole archive: when a page there is no longer in it (a segment that left the
    archive), the folder is replaced whole, so that nothing of that segment stays published."""
    folder = fs.safe_join(places.out, str(places.archive.relative_to(places.out)))
    if folder.is_dir() and not folder.is_symlink():
        there = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
                 and not any(part.startswith(".") for part in path.relative_to(folder).parts)}
        if there - set(files):
            staged = commit.stage_folder(folder)
            for name, data in sorted(files.items()):
                path = fs.safe_join(staged, *name.split("/"))
                fs.make_folder(path.parent)
                fs.write_new(path, data)
            return
        files = {name: data for name, data in files.items() if not _holds(folder / name, data)}
    if files:
        commit.stage_tree(folder, files)


def latest_editions(out_dir: Path) -> dict[str, str]:
    """Which edition each segment was last built in, by any build into `out_dir` (LATEST)."""
    places = Addresses(out_dir)
    try:
        data = json.loads(places.latest.read_text(encoding="utf-8"))["segments"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str) and places.email(v, str(k)).is_dir()}


def _latest_after(places: Addresses, built_now: dict[str, tuple[str, Any]], named: bool) -> dict[str, str]:
    """latest.json once this build is written: each segment built moves to its new edition,
    unless the build was not asked for an edition and the one it built is older than the
    segment's latest (latest.json only moves forward, but to an edition named on purpose)."""
    import datetime as dt

    latest = latest_editions(places.out)
    dates: dict[str, dt.datetime | None] = {}
    for segment, (edition, date) in built_now.items():
        before = latest.get(segment)
        if not named and before is not None and before != edition:
            if before not in dates:
                dates[before] = _edition_date(places, before)
            if dates[before] is not None and dates[before] > date:
                continue
        latest[segment] = edition
    return latest


def _edition_date(places: Addresses, edition: str) -> Any:
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(json.loads(places.manifest(edition).read_text(encoding="utf-8"))["date"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _record(history: History, email: Email) -> History:
    issue = email.issue
    entry = SentEdition(issue.edition_id, issue.number or 0, issue.date.isoformat(), issue.subject, issue.preheader,
                        tuple(a.id for a in issue.articles + issue.more))
    return record(history, issue.segment.id, entry)


def _stage_assets(commit: Commit, places: Addresses, assets: dict[str, bytes]) -> None:
    """The images from disk, in the public folder: new names added, none ever removed (the archive
    still shows the older ones). A name is its content's hash, so a file already there is kept."""
    folder = fs.safe_join(places.out, str(places.assets.relative_to(places.out)))
    new = {name: data for name, data in sorted(assets.items()) if not _holds(folder / name, data)}
    if not new:
        return
    if not folder.is_dir() or folder.is_symlink():
        staged = commit.stage_folder(folder)
        for name, data in new.items():
            fs.write_new(staged / name, data)
    else:
        for name, data in new.items():
            commit.stage_file(folder / name, data)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _stage_edition(commit: Commit, places: Addresses, built: EditionBuild, warnings: Warnings, config: Config,
                   assets: dict[str, bytes], with_history: bool) -> Written:
    edition, emails = built.edition, built.emails
    order = [segment.id for segment in config.segments]
    new_ids = {email.issue.segment.id for email in emails}
    target = fs.safe_join(places.out, edition.id)
    previous = _previous_segments(target, warnings) if target.is_dir() else {}
    carried = {segment_id: entry for segment_id, entry in previous.items() if segment_id not in new_ids}
    empty = [segment_id for segment_id in built.empty if segment_id not in carried]
    for segment_id in built.empty:
        if segment_id in carried:
            warnings.warn(f"segment {segment_id}", f"nothing to send in {edition.id}; its earlier email is kept")
    if not emails:
        segments = {segment_id: carried[segment_id] for segment_id in sorted(carried, key=_position(order))}
        return Written(edition.id, None, make_manifest(edition, segments, empty, with_history))
    staged = commit.stage_folder(target)
    entries: dict[str, dict[str, Any]] = {}
    web = _carried_web(places, edition.id, carried, config)
    for segment_id in carried:
        fs.copy_tree(target / segment_id, fs.safe_join(staged, segment_id))
    for email in emails:
        folder = fs.safe_join(staged, email.issue.segment.id)
        fs.make_folder(folder)
        files = email_files(email)
        for name, data in files.items():
            fs.write_new(folder / name, data)
        page = web_file(email)
        if page is not None:
            web[email.issue.web_page] = page
        shown = sorted(shown_in(email.html, assets))
        entries[email.issue.segment.id] = segment_entry(email, edition, files, shown, page)
    entries.update(carried)
    segments = {segment_id: entries[segment_id] for segment_id in sorted(entries, key=_position(order))}
    manifest = make_manifest(edition, segments, empty, with_history)
    fs.write_new(staged / MANIFEST, manifest_bytes(manifest))
    _stage_web(commit, places, edition.id, web)
    return Written(edition.id, target, manifest)


def _carried_web(places: Addresses, edition: str, carried: dict[str, dict[str, Any]],
                 config: Config) -> dict[str, bytes]:
    """The web versions of the segments this build keeps as they were, by page under public/,
    while their segment still publishes them as it did (a segment now `none` loses its page)."""
    modes = {segment.id: segment.archive for segment in config.segments}
    pages: dict[str, bytes] = {}
    for segment_id, entry in carried.items():
        web = entry.get("web")
        mode = modes.get(segment_id)
        if isinstance(web, dict) and entry.get("archive") == mode and isinstance(web.get("path"), str):
            page, source = web["path"], places.public / web["path"]
        elif "archive" not in entry and mode == "public":  # built before the public folder: web.html beside the email
            page, source = web_page(edition, segment_id, mode), places.email(edition, segment_id) / WEB
        else:
            continue
        if page.startswith(f"{edition}/") and source.is_file() and not source.is_symlink():
            pages[page] = source.read_bytes()
    return pages


def _stage_web(commit: Commit, places: Addresses, edition: str, pages: dict[str, bytes]) -> None:
    """The edition's folder under public/, holding exactly these web versions (an edition that
    publishes none leaves no folder there, or an empty one where it had published some)."""
    target = fs.safe_join(places.out, str(places.public_edition(edition).relative_to(places.out)))
    if not pages and not target.exists():
        return
    staged = commit.stage_folder(target)
    for page, data in sorted(pages.items()):
        path = fs.safe_join(staged, *page.removeprefix(f"{edition}/").split("/"))
        fs.make_folder(path.parent)
        fs.write_new(path, data)


def _position(order: list[str]) -> Any:
    return lambda segment_id: (order.index(segment_id) if segment_id in order else len(order), segment_id)


def _previous_segments(folder: Path, warnings: Warnings) -> dict[str, dict[str, Any]]:
    """The segments already built in an edition folder, with their manifest entries. A manifest
    that cannot be read does not lose them: each segment folder is described from its files."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        segments = manifest["segments"]
        if not isinstance(segments, dict) or not all(isinstance(v, dict) for v in segments.values()):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        segments = {}
        if (folder / MANIFEST).exists():
            warnings.warn(str(folder / MANIFEST), "cannot be read; the segments already built are kept and described "
                                                  "from their files")
    found = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() and not path.is_symlink() and (path / HTML).is_file():
            found[path.name] = segments.get(path.name) or _describe(path)
    return found


def _describe(folder: Path) -> dict[str, Any]:
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    subject = ""
    if MESSAGE in files:
        from email import message_from_bytes, policy

        with contextlib.suppress(Exception):
            subject = str(message_from_bytes(files[MESSAGE], policy=policy.default)["Subject"] or "")
    return {"subject": subject, "files": files_entry(files)}
