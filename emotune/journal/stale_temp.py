"""Temporary files an export left behind, removed by the next export to the same folder.

An export writes ``.emotune-XXXXXXXX.tmp`` beside its target and renames it over the target at
the end (``safe_file.write_export``); a failure removes it, but a process killed outright
(SIGKILL, a power cut) cannot: ``journal --csv`` killed halfway left 17 MB behind. Only names of
exactly that pattern are touched, only regular files, only the user's own, and only those not
changed for a minute: an export still being written by another window keeps its file.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from emotune.files import TEMPORARY_PREFIX, TEMPORARY_SUFFIX

STALE_AFTER_S = 60.0
# atomic_write's tempfile.mkstemp names: eight characters from its alphabet between the two.
_TEMPORARY = re.compile(re.escape(TEMPORARY_PREFIX) + "[a-z0-9_]{8}" + re.escape(TEMPORARY_SUFFIX))


def remove_stale_temporaries(target: Path, now: float | None = None) -> int:
    """Delete the stale export temporaries in the folder an export to ``target`` writes into
    (links followed, as the export does); returns how many. Never raises: this is tidying."""
    try:
        folder = target.expanduser().resolve().parent
        entries = list(os.scandir(folder))
    except (OSError, RuntimeError):
        return 0
    now = time.time() if now is None else now
    removed = 0
    for entry in entries:
        if not _TEMPORARY.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER_S:
                continue
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue  # another user's (a shared folder): not ours to delete
            os.unlink(entry.path)
            removed += 1
        except OSError:
            continue  # gone meanwhile, or not ours to delete: the export goes on either way
    return removed
