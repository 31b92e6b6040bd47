"""Which Emotune window records into a journal: the one holding an OS lock on a file beside it.

Two windows on one journal both recorded: each wrote its own segments over the same minutes, so
24 s of wall time became 38 s of "happy". The window whose writer takes the lock records; another
finds it taken and records nothing (its note says why). The lock is the operating system's
(``flock`` on POSIX, ``msvcrt.locking`` on Windows), so it goes with the process that held it,
even one killed with SIGKILL: no stale lock file ever blocks the next start. Reading, exporting
and forgetting need no lock: SQLite keeps those safe among processes.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from emotune.platforms import Platform, is_windows

LOCK_SUFFIX = ".lock"


class RecordingLock:
    """The lock on ``<journal>.lock``; ``acquire()`` once, ``release()`` when recording ends."""

    def __init__(self, journal: Path, platform: Platform) -> None:
        self.path = journal.with_name(journal.name + LOCK_SUFFIX)
        self._platform = platform
        self._handle: int | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> bool:
        """Take the lock without waiting: True when this process now holds it, False when another
        window does. ``OSError`` when the lock file cannot be made (the folder is unwritable)."""
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            try:
                taken = _lock_windows(handle) if is_windows(self._platform) else _lock_posix(handle)
            except ModuleNotFoundError:
                # The platform handed in is not this machine's (a test drives another system's
                # branches): lock with what this machine has.
                taken = _lock_posix(handle) if is_windows(self._platform) else _lock_windows(handle)
        except BaseException:
            os.close(handle)
            raise
        if not taken:
            os.close(handle)
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            if is_windows(self._platform):
                # Windows frees a region left locked at close only "eventually": unlock first.
                msvcrt = importlib.import_module("msvcrt")
                msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
        except (OSError, ModuleNotFoundError):
            pass  # closing below (or the process ending) releases it anyway
        finally:
            os.close(handle)  # on POSIX this alone releases the flock


def _lock_posix(handle: int) -> bool:
    fcntl = importlib.import_module("fcntl")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_windows(handle: int) -> bool:
    msvcrt = importlib.import_module("msvcrt")  # imported by name: mypy on Linux has no stubs for it
    try:
        msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)  # the first byte; the file may stay empty
    except OSError:  # EACCES or EDEADLOCK: another process holds that byte
        return False
    return True
