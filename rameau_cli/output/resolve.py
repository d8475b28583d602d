"""`rameau history resolve`: the history's Git conflict markers resolved, keeping the editions of
both sides (project/history_files.py merges them), written as one commit under the output
folder's lock so that no build writes it meanwhile."""

from __future__ import annotations

from ..project.config import Config
from ..project.history import HISTORY_FILE, History
from ..project.history_files import load_history
from .write import output_folder, write_history


def resolve_history(config: Config) -> History | None:
    """The history with both sides of each conflict kept, written; None when it had no conflict."""
    with output_folder(config, config.output_dir):
        history = load_history(config.root / HISTORY_FILE)
        if not history.merged:
            return None
        write_history(config, history)
    return history
