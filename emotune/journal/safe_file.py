"""The one way exports reach the disk: ``write_export(path, write, what)``.

- Refused (``ExportError``, one line): any file in Emotune's own folders (the data folder with
  the journal, the config folder with settings, profiles and tokens, the cache folder), the
  journal itself under another name (a hard link), and anything that is not a regular file or a
  new one (a folder, a device such as ``/dev/full``, a FIFO).
- A symbolic link is followed: the export replaces the file it points to (the same refusals
  apply to that file), and the link stays. A dangling link creates its target.
- The bytes go to a temporary file with a short name (``.emotune-XXXXXXXX.tmp``) in the target's
  own folder, are flushed to the disk, and then renamed over the target in one step: a full disk
  or any other failure leaves an earlier export as it was and removes the temporary file.
- A new file is private (mode 600: the journal says how someone felt); a replaced file keeps
  its mode.

Nothing here imports tkinter; nothing is sent anywhere.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from emotune import environment
from emotune.errors import EmotuneError

NEW_FILE_MODE = 0o600


class ExportError(EmotuneError):
    """An export file cannot be written, or must not be; the message names it."""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def export_target(path: Path, what: str) -> Path:
    """The real file an export to ``path`` writes (links followed), or ExportError saying why not."""
    if not str(path):
        raise ExportError(f"{what}: no file name given")
    try:
        real = path.expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ExportError(f"{path}: cannot follow the path ({exc})") from None
    folders = environment.current()
    for folder in (folders.data_dir, folders.config_dir, folders.cache_dir):
        if _inside(real, folder):
            raise ExportError(f"{path}: is in Emotune's own folder {folder}; export somewhere else")
    try:
        info = real.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the {what} file ({exc.strerror or exc})") from None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ExportError(f"{path}: is {kind}; give a file name to write the {what} to")
        journal = folders.data_dir / "journal.sqlite3"
        try:
            same = journal.exists() and os.path.samefile(journal, real)
        except OSError:
            same = False
        if same:
            raise ExportError(f"{path}: is the mood journal itself; export somewhere else")
    if not real.parent.is_dir():
        raise ExportError(f"{path}: cannot write the {what} file (no folder {real.parent})")
    return real


def write_export(path: Path, write: Callable[[BinaryIO], None], what: str) -> Path:
    """Write an export through ``write(stream)`` safely (module docstring); returns the real path."""
    real = export_target(path, what)
    try:
        mode = stat.S_IMODE(real.stat().st_mode)
    except OSError:
        mode = NEW_FILE_MODE
    try:
        handle, temporary = tempfile.mkstemp(prefix=".emotune-", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the {what} file ({exc.strerror or exc})") from None
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, real)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write the {what} file ({exc.strerror or exc})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return real
