"""One private SQLite file with a versioned schema: what the journal and the feedback store share.

``SqliteFile`` opens (creating with mode 600 in a mode-700 folder, upgrading by ``MIGRATIONS``,
append only: never edit a shipped step), runs in WAL mode with ``synchronous=FULL`` and
``secure_delete``, and turns every SQLite failure into one ``StoreError`` line naming the file:
a damaged file (``StoreDamagedError``) is first set aside as ``<name>.damaged-<time>`` (never
deleted), a locked one (``StoreLockedError``) is left alone, one that cannot be written opens
read-only (``StoreReadOnlyError`` on writing). Methods that touch SQLite carry ``@guarded``.

Rows the readers skip as damaged (``emotune.stored_rows``) are counted in ``skipped``;
``skipped_warning()`` says so in one line. A row that breaks a CHECK or NOT NULL constraint is such
a row, not a damaged file: the integrity check does not set the file aside for it.

The integrity check (``PRAGMA quick_check``) runs at the first open of a file in a process, and
again only when the file changed since this process last closed it; while this process holds the
file open (a writer thread) its other opens (the Journal view's refreshes) skip it, since the
only changes are this process's own writes. ``integrity_checks(path)`` counts the checks run.

No tkinter, cv2 or onnxruntime here; nothing is sent anywhere.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, Concatenate, ParamSpec, TypeVar

from emotune import files
from emotune.errors import EmotuneError, one_line, reason
from emotune.stored_rows import SkippedRows

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S", bound="SqliteFile")

# SQLite primary result codes (extended codes carry them in the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
_SQLITE_READONLY, _SQLITE_CANTOPEN = 8, 14

# Per file, its (device, inode, size, mtime) when this process last closed it after a good
# integrity check: the same file unchanged since then is not checked again.
_known_good: dict[Path, tuple[int, int, int, int] | None] = {}
_held_checked: Counter[Path] = Counter()  # files this process holds open after a good check
_checks_run: Counter[Path] = Counter()


class StoreError(EmotuneError):
    """The file cannot be used; the message names the file and the problem."""


class StoreDamagedError(StoreError):
    """The file is not a sound database. It has been set aside (``set_aside_as``), never deleted."""

    def __init__(self, message: str, set_aside_as: Path | None) -> None:
        super().__init__(message)
        self.set_aside_as = set_aside_as


class StoreLockedError(StoreError):
    """Another program holds the file locked for longer than we wait."""


class StoreReadOnlyError(StoreError):
    """The file (or its folder, or its disk) cannot be written; it can still be read."""


def integrity_checks(path: Path) -> int:
    """How many times this process ran ``PRAGMA quick_check`` on ``path``."""
    return _checks_run[path]


def set_aside(path: Path, now: float | None = None) -> Path:
    """Rename a damaged file (and its -wal/-shm) to ``<name>.damaged-<time>``; returns the new path."""
    # SQLite finds a database's WAL by name: keep them paired so the copy can still be read.
    return files.set_aside(path, now, companions=("-wal", "-shm"))


def guarded(doing: str) -> Callable[[Callable[Concatenate[S, P], T]], Callable[Concatenate[S, P], T]]:
    """A method whose SQLite failures become one ``StoreError`` line ("cannot <doing>")."""

    def wrap(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
        @functools.wraps(method)
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
            with self.guard(doing):
                return method(self, *args, **kwargs)

        return run

    return wrap


class SqliteFile:
    """An open database file. Use from one thread at a time. Open with ``open()``."""

    NOUN: ClassVar[str] = "database"  # how messages name the file: "journal /path is damaged"
    MIGRATIONS: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def __init__(self, connection: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.path = path
        self.read_only = read_only
        self._checked = False  # passed the integrity check at open, or was known good
        self.skipped = SkippedRows()  # rows the readers left out as damaged (``stored_rows``)

    @classmethod
    def schema(cls) -> int:
        return len(cls.MIGRATIONS)

    @classmethod
    def open(cls: type[S], path: Path, *, timeout_s: float = 5.0) -> S:
        """Open (creating and upgrading as needed) the file at ``path``.

        A file that exists but cannot be written (a read-only folder, file or disk) opens
        read-only: reading works, writing raises ``StoreReadOnlyError``.
        """
        try:
            return cls._open(path, timeout_s, read_only=False)
        except StoreReadOnlyError:
            return cls._open(path, timeout_s, read_only=True)

    @classmethod
    def _open(cls: type[S], path: Path, timeout_s: float, *, read_only: bool) -> S:
        unclean = path.with_name(path.name + "-wal").exists()
        check = _held_checked[path] == 0 and _known_good.get(path) != _file_state(path)
        try:
            if read_only:
                connection = _connect_read_only(path, timeout_s, immutable=not unclean)
            else:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                if not path.exists():
                    # Created empty with mode 600 before SQLite sees it; SQLite's -wal/-shm copy the mode.
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
                connection = sqlite3.connect(
                    str(path), timeout=timeout_s, isolation_level=None, check_same_thread=False
                )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{cls.NOUN} {path}: cannot open it ({reason(exc)})") from None
        store = cls(connection, path, read_only=read_only)
        try:
            with store.guard("open"):
                store._prepare(check)
        except StoreError:
            store.close()  # locked, read-only or from a newer version: let go of the file at once
            raise
        return store

    def _prepare(self, check: bool) -> None:
        connection = self._live()
        if not self.read_only:
            mode = str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if mode.lower() != "wal":
                raise StoreError(f"{self.NOUN} {self.path}: cannot switch to WAL mode (got {mode})")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA secure_delete = ON")
        if check:
            _known_good.pop(self.path, None)
            _checks_run[self.path] += 1
            rows = connection.execute("PRAGMA quick_check").fetchall()
            damage = [str(row[0]) for row in rows if not _sound(str(row[0]))]
            if damage:
                raise sqlite3.DatabaseError(f"database disk image is malformed ({damage[0]})")
        self._checked = True
        _held_checked[self.path] += 1
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > self.schema():
            raise StoreError(
                f"{self.NOUN} {self.path} was written by a newer Emotune (schema {version}, this one knows "
                f"{self.schema()}); it is left untouched"
            )
        if not self.read_only:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        for step in range(version, self.schema()):
            with self.transaction() as connection:
                # Another process may have upgraded it while we waited for the write lock.
                if int(connection.execute("PRAGMA user_version").fetchone()[0]) > step:
                    continue
                for statement in self.MIGRATIONS[step]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {step + 1}")
                self.migrated(connection, step)

    def migrated(self, connection: sqlite3.Connection, step: int) -> None:
        """Called inside the transaction that ran schema step ``step`` (for data moved by a step)."""

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError(f"{self.NOUN} {self.path} is closed")
        return self._connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._live()
        # IMMEDIATE: take the write lock up front, so a busy file fails here and not halfway.
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise
        connection.execute("COMMIT")

    @contextmanager
    def guard(self, doing: str) -> Iterator[None]:
        """Turn any SQLite failure inside into one ``StoreError`` line (damage: set aside)."""
        try:
            yield
        except sqlite3.Error as exc:
            kind = error_kind(exc)
            detail = one_line(str(exc), 160)
            if kind == "damaged":
                self.close()
                try:
                    target: Path | None = set_aside(self.path)
                    where = f"it was set aside as {target} and a new {self.NOUN} will be started"
                except OSError as move_error:
                    target = None
                    where = f"it could not be set aside ({reason(move_error)}); move it away to start a new one"
                raise StoreDamagedError(f"{self.NOUN} {self.path} is damaged ({detail}); {where}", target) from None
            if kind == "locked":
                raise StoreLockedError(f"{self.NOUN} {self.path} is locked by another program ({detail})") from None
            if kind == "read-only" and self.path.is_file():
                raise StoreReadOnlyError(f"{self.NOUN} {self.path} cannot be written ({detail})") from None
            raise StoreError(f"{self.NOUN} {self.path}: cannot {doing} ({detail})") from None

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._checked:
            _held_checked[self.path] -= 1
        # Closing a damaged file may complain; there is nothing left to save by then.
        try:
            connection.close()
        except sqlite3.Error:
            return
        if self._checked:
            _known_good[self.path] = _file_state(self.path)

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def skipped_warning(self) -> str | None:
        """One line on the damaged rows the reads so far skipped, or None if there were none."""
        return self.skipped.warning(f"{self.NOUN} {self.path}")

    @guarded("read")
    def schema_version(self) -> int:
        return int(self._live().execute("PRAGMA user_version").fetchone()[0])

    @guarded("read")
    def journal_mode(self) -> str:
        return str(self._live().execute("PRAGMA journal_mode").fetchone()[0])


def _sound(line: str) -> bool:
    """Whether a ``quick_check`` line leaves the file sound. A row that breaks a CHECK or NOT NULL
    constraint (another program wrote it) is one odd row, which the readers skip
    (``emotune.stored_rows``); setting the whole file aside for it would take every other row away."""
    return line == "ok" or line.startswith(("CHECK constraint failed in ", "NULL value in "))


def error_kind(exc: sqlite3.Error) -> str:
    """What an SQLite failure means here: "damaged", "locked", "read-only" or "other"."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int):
        primary = code & 0xFF
        if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return "damaged"
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return "locked"
        if primary in (_SQLITE_READONLY, _SQLITE_CANTOPEN):
            return "read-only"
        return "other"
    text = str(exc).lower()
    if "malformed" in text or "not a database" in text:
        return "damaged"
    if "locked" in text or "busy" in text:
        return "locked"
    return "other"


def _connect_read_only(path: Path, timeout_s: float, *, immutable: bool) -> sqlite3.Connection:
    """A read-only connection. Closed cleanly (no ``-wal``), the file is opened ``immutable``: SQLite
    then needs no ``-shm`` beside it, which a read-only folder could not hold, and nobody can be
    writing a file in a folder we cannot write either."""
    query = "mode=ro&immutable=1" if immutable else "mode=ro"
    uri = f"{path.resolve().as_uri()}?{query}"
    return sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None, check_same_thread=False)


def _file_state(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
