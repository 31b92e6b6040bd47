"""Files the app keeps for the user: the one way any file is written in one step
(``atomic_write``, ``atomic_write_text``), the one way a JSON file is read (``read_json_file``:
settings, model cards, face profiles, tokens), and how a damaged one is set aside (one way, one
name for all).

``atomic_write(path, write, mode)`` sends the bytes to a temporary file with a short name
(``.emotune-XXXXXXXX.tmp``) in the target's own folder, flushes them to the disk, and renames it
over the target in one step: a crash, a full disk or a refused rename leaves the earlier file as
it was, and the temporary file is removed in every case (made writable first: Windows refuses to
delete a read-only file, and the temporary file takes the mode of the file it replaces).

A settings file, a token cache or a journal that cannot be read is never deleted and never
silently overwritten: it is renamed beside itself to ``<name>.damaged-<local time>`` (with
``-2``, ``-3``, ... when that name is taken), so the user can look at it or send it in, and the
app starts afresh. And a file the app reads for the user is read only when it is a regular file
(``open_regular``): a named pipe in its place must not hang a command.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

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


class NotRegularFileError(OSError):
    """A path that should hold a file holds a named pipe, a device or a socket; its message is
    the kind ("a named pipe (FIFO), not a regular file"), so it fits any caller's one line."""

    def __str__(self) -> str:
        return str(self.strerror)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary, only if it is a regular file.

    Reading a named pipe blocks until some other program writes to it (forever, if none does),
    and a device such as /dev/zero never ends; so a settings file, a token cache or a profile
    that is one is refused with ``NotRegularFileError`` (an ``OSError``) instead of hanging.
    The kind is checked on the opened descriptor, not the name, so a file swapped in between
    cannot slip through; O_NONBLOCK makes opening a pipe with no writer return at once (the
    flag is cleared again before a regular file is read). ``IsADirectoryError`` for a folder;
    other ``OSError`` s (FileNotFoundError, PermissionError) pass through.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    handle = os.open(path, flags)
    try:
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, f"{_kind(mode)}, not a regular file", str(path))
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


# Largest JSON file any loader reads (settings, model cards): theirs are a few KB to tens of KB;
# anything far larger is damaged, and reading it whole could exhaust memory.
MAX_JSON_FILE_BYTES = 4 * 2**20


class DamagedFileError(ValueError):
    """A file exists but its content cannot be used; the message says why (no path: callers add it)."""


def read_json_file(path: Path, max_bytes: int = MAX_JSON_FILE_BYTES) -> Any:
    """The JSON value in ``path``, UTF-8 with or without a byte order mark.

    ``OSError`` (FileNotFoundError; NotRegularFileError for a named pipe or a device) passes
    through; every problem with the content is one ``DamagedFileError``: larger than
    ``max_bytes``, not UTF-8, not JSON, nested too deeply for the parser (``[[[[...]]]]`` raises
    RecursionError), or too large to decode."""
    with open_regular(path) as stream:  # a named pipe there would block the read forever
        raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DamagedFileError(f"larger than {max_bytes // 1024} KB")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DamagedFileError("not UTF-8 text") from None
    except RecursionError:
        raise DamagedFileError("nested too deeply") from None
    except MemoryError:
        raise DamagedFileError("too large to decode") from None
    except ValueError as exc:
        raise DamagedFileError(f"not valid JSON: {exc}") from None


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Replace ``path`` with ``text`` in one step; the file is created with ``mode`` from the start."""
    # 700: the folder holds tokens and maybe a client secret.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write(path, lambda stream: stream.write(text.encode("utf-8")), mode)
