"""Files the app keeps for the user: the one way any file is written in one step
(``atomic_write``), and how a damaged one is set aside (one way, one name for all).

``atomic_write(path, write, mode)`` sends the bytes to a temporary file with a short name
(``.emotune-XXXXXXXX.tmp``) in the target's own folder, flushes them to the disk, and renames it
over the target in one step: a crash, a full disk or a refused rename leaves the earlier file as
it was, and the temporary file is removed in every case (made writable first: Windows refuses to
delete a read-only file, and the temporary file takes the mode of the file it replaces).

A settings file, a token cache or a journal that cannot be read is never deleted and never
silently overwritten: it is renamed beside itself to ``<name>.damaged-<local time>`` (with
``-2``, ``-3``, ... when that name is taken), so the user can look at it or send it in, and the
app starts afresh.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

DAMAGED_MARK = ".damaged-"
TEMPORARY_PREFIX = ".emotune-"
TEMPORARY_SUFFIX = ".tmp"

Replace = Callable[[str, Path], None]


def atomic_write(path: Path, write: Callable[[BinaryIO], object], mode: int, replace: Replace = os.replace) -> None:
    """Replace ``path`` with what ``write(stream)`` writes, in one step (module docstring); the
    new file has ``mode`` from the start. Errors pass through once the temporary file is gone;
    ``replace`` is ``os.replace`` but for tests that make the rename fail as Windows does."""
    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        replace(temporary, path)
    except BaseException:
        _remove(Path(temporary))
        raise


def _remove(temporary: Path) -> None:
    """Delete a temporary file whatever its mode; a failure here must not hide the first error."""
    with contextlib.suppress(OSError):
        os.chmod(temporary, stat.S_IREAD | stat.S_IWRITE)
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


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
