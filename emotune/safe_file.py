"""The one way a file the user names reaches the disk: ``write_export(path, write, what, folders)``
(the journal's CSV and PNG exports, ``profile build``).

- Refused (``ExportError``, one line): any file in Emotune's own folders, those of the
  ``Environment`` passed as ``folders`` (the data folder with the journal and the song feedback,
  the config folder with settings, profiles and tokens, the cache folder), the journal itself
  under another name (a hard link), and anything that is not a regular file or a new one (a
  folder, a device such as ``/dev/full``, a FIFO).
- A symbolic link is followed: the export replaces the file it points to (the same refusals
  apply to that file), and the link stays. A dangling link creates its target. With
  ``links="refuse"`` a link is refused instead (``profile build``: a profile is the app's own
  file, and a link where one is asked for is far likelier a slip than a wish).
- The bytes are written in one step through ``emotune.files.atomic_write``: any failure leaves
  an earlier file as it was and no temporary file behind. A file that another program holds
  open, or that is read-only (Windows error 32 or 5), is named with what to do about it.
- A new file is private (mode 600: the journal says how someone felt); a replaced file keeps
  its mode.

Nothing here imports tkinter; nothing is sent anywhere.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Literal

from emotune.environment import Environment
from emotune.errors import EmotuneError
from emotune.files import Replace, atomic_write

NEW_FILE_MODE = 0o600
Links = Literal["follow", "refuse"]
# ERROR_ACCESS_DENIED and ERROR_SHARING_VIOLATION: what Windows answers when another program
# (Excel, an image viewer) holds the file, or the file is read-only.
HELD_BY_ANOTHER_PROGRAM = frozenset({5, 32})


class ExportError(EmotuneError):
    """An export file cannot be written, or must not be; the message names it."""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def export_target(
    path: Path, what: str, folders: Environment, links: Links = "follow", make_folders: bool = False
) -> Path:
    """The real file an export to ``path`` writes (links followed), or ExportError saying why not:
    ``folders`` are Emotune's own, where no export goes. ``make_folders``: a missing folder is no
    reason to refuse (``write_export`` makes it)."""
    if not str(path):
        raise ExportError(f"{what}: no file name given")
    path = path.expanduser()
    if links == "refuse" and path.is_symlink():
        raise ExportError(f"{path}: is a symbolic link; give the {what} file itself")
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ExportError(f"{path}: cannot follow the path ({exc})") from None
    for folder in (folders.data_dir, folders.config_dir, folders.cache_dir):
        if _inside(real, folder):
            raise ExportError(f"{path}: is in Emotune's own folder {folder}; write the {what} somewhere else")
    try:
        info = real.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the {what} file ({exc.strerror or exc})") from None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ExportError(f"{path}: is {kind}; give the {what} file to write")
        journal = folders.data_dir / "journal.sqlite3"
        try:
            same = journal.exists() and os.path.samefile(journal, real)
        except OSError:
            same = False
        if same:
            raise ExportError(f"{path}: is the mood journal itself; write the {what} somewhere else")
    if not make_folders and not real.parent.is_dir():
        raise ExportError(f"{path}: cannot write the {what} file (no folder {real.parent})")
    return real


def write_failure(path: Path, what: str, exc: OSError) -> ExportError:
    """The one line for a write that failed: what to do when another program holds the file."""
    if getattr(exc, "winerror", None) in HELD_BY_ANOTHER_PROGRAM:
        return ExportError(
            f"{path}: cannot write the {what} file: another program has it open, or it is read-only; "
            "close it in the other program (or make it writable) and try again"
        )
    return ExportError(f"{path}: cannot write the {what} file ({exc.strerror or exc})")


def write_export(
    path: Path,
    write: Callable[[BinaryIO], object],
    what: str,
    folders: Environment,
    links: Links = "follow",
    make_folders: bool = False,
    replace: Replace = os.replace,
) -> Path:
    """Write an export through ``write(stream)`` safely (module docstring); returns the real path.
    ``make_folders``: create missing folders (private: mode 700) once the target passed the
    checks. ``replace`` renames the finished temporary file over the target (``os.replace``;
    tests pass one that fails as Windows does over a file another program holds)."""
    real = export_target(path, what, folders, links, make_folders)
    try:
        mode = stat.S_IMODE(real.stat().st_mode)
    except OSError:
        mode = NEW_FILE_MODE
    try:
        if make_folders:
            real.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(real, write, mode, replace)
    except OSError as exc:
        raise write_failure(path, what, exc) from None
    return real
