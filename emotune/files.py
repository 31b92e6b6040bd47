"""Files the app keeps for the user: how a damaged one is set aside (one way, one name for all).

A settings file, a token cache or a journal that cannot be read is never deleted and never
silently overwritten: it is renamed beside itself to ``<name>.damaged-<local time>`` (with
``-2``, ``-3``, ... when that name is taken), so the user can look at it or send it in, and the
app starts afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

DAMAGED_MARK = ".damaged-"


def set_aside(path: Path, now: float | None = None, companions: Sequence[str] = ()) -> Path:
    """Rename the damaged ``path`` to ``<name>.damaged-<time>`` beside it; returns the new path.

    ``now`` (epoch seconds) stamps the name, the current time by default. ``companions`` are
    suffixes of files that belong to ``path`` (SQLite's ``-wal`` and ``-shm``): those that exist
    move with it, to the new name plus the same suffix. ``OSError`` when ``path`` cannot be moved.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    target = path.with_name(f"{path.name}{DAMAGED_MARK}{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}{DAMAGED_MARK}{stamp}-{number}")
    os.replace(path, target)
    for suffix in companions:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target
