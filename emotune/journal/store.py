"""The journal database: mood segments, songs shown/opened/played and song feedback, in SQLite.

Where: ``data_dir() / "journal.sqlite3"``, ``data_dir()`` being the per-user data folder
(``platformdirs.user_data_dir("emotune")``; ``EMOTUNE_DATA_DIR`` overrides it). The folder is
created with mode 700 and the file with mode 600: it says how someone felt and when.

What is kept (and nothing else): mood *segments* (start, end, mood, whether the face or the user
set it, the mean reading score per label over the segment), song events (time, track ID, name,
artists, the mood of the list, and whether the song was shown, opened or played) and one
feedback verdict per track. Never images, never per-frame readings.

How: WAL mode, ``synchronous=FULL`` and small transactions, so a crash or a power cut loses at
most what was not yet written (the writer thread commits every few seconds). The schema is
versioned with ``PRAGMA user_version`` and upgraded by ``MIGRATIONS`` (append only: never edit a
shipped step). ``secure_delete`` is on and the WAL is truncated after forgetting, so forgotten
history does not linger in free pages.

Failure: every SQLite problem becomes a ``JournalError`` with one line naming the file. A damaged
file (``JournalDamagedError``) is first set aside as ``journal.sqlite3.damaged-<time>`` (never
deleted), so the next open starts a fresh journal; a locked one (``JournalLockedError``) is left
alone. Callers go on without a journal. Times are Unix seconds (floats) throughout.

This module must not import tkinter, cv2 or onnxruntime, and never sends anything anywhere.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, TypeVar

from emotune import environment
from emotune.errors import EmotuneError, one_line, reason
from emotune.files import set_aside as set_aside_file
from emotune.labels import EMOTIONS
from emotune.music.feedback import Feedback, Preferences, check_verdict

DB_FILE = "journal.sqlite3"

SegmentSource = Literal["face", "user"]
SEGMENT_SOURCES: tuple[SegmentSource, ...] = ("face", "user")
SongKind = Literal["shown", "opened", "played"]
SONG_KINDS: tuple[SongKind, ...] = ("shown", "opened", "played")

# Schema steps; step N brings a database from user_version N to N + 1. Append only.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            start_t REAL NOT NULL,
            end_t REAL NOT NULL,
            mood TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('face', 'user')),
            scores TEXT NOT NULL DEFAULT '{}',
            CHECK (end_t >= start_t)
        )""",
        "CREATE INDEX segments_by_start ON segments (start_t)",
        """CREATE TABLE songs (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            track_id TEXT NOT NULL,
            name TEXT NOT NULL,
            artists TEXT NOT NULL DEFAULT '[]',
            mood TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('shown', 'opened', 'played'))
        )""",
        "CREATE INDEX songs_by_time ON songs (time)",
    ),
    (
        """CREATE TABLE feedback (
            track_id TEXT PRIMARY KEY,
            verdict TEXT NOT NULL CHECK (verdict IN ('like', 'dislike', 'never_track', 'never_artist')),
            artist_keys TEXT NOT NULL DEFAULT '[]',
            mood TEXT,
            valence REAL,
            energy REAL,
            time REAL NOT NULL
        )""",
        "CREATE INDEX songs_by_track ON songs (track_id)",
    ),
    (
        # ``clears`` counts every forget (from any process): a writer whose open segment was
        # begun under another count knows history was cleared meanwhile and starts a new one.
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO meta (key, value) VALUES ('clears', 0)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# SQLite primary result codes (extended codes carry them in the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
_SQLITE_READONLY, _SQLITE_CANTOPEN = 8, 14
_BATCH = 1000  # rows per fetch when streaming

# Per journal file, its (device, inode, size, mtime) when this process last closed it after a
# good integrity check: the same file unchanged since then is not checked again (``Journal.open``).
_known_good: dict[Path, tuple[int, int, int, int] | None] = {}

T = TypeVar("T")


class JournalError(EmotuneError):
    """The journal cannot be used; the message names the file and the problem."""


class JournalDamagedError(JournalError):
    """The file is not a sound journal. It has been set aside (``set_aside_as``), never deleted."""

    def __init__(self, message: str, set_aside_as: Path | None) -> None:
        super().__init__(message)
        self.set_aside_as = set_aside_as


class JournalLockedError(JournalError):
    """Another program holds the journal locked for longer than we wait."""


class JournalReadOnlyError(JournalError):
    """The journal (or its folder, or its disk) cannot be written; it can still be read."""


def data_dir() -> Path:
    """The per-user data folder (``EMOTUNE_DATA_DIR`` overrides it: ``emotune.environment``)."""
    return environment.current().data_dir


def journal_path() -> Path:
    """Where the journal lives: ``data_dir() / "journal.sqlite3"``."""
    return data_dir() / DB_FILE


def iso(t: float) -> str:
    """Unix seconds as local ISO-8601 with the UTC offset, to the millisecond."""
    return datetime.fromtimestamp(t).astimezone().isoformat(timespec="milliseconds")


Period = Literal["today", "week", "all"]


def period_bounds(period: Period, now: float | None = None) -> tuple[float | None, float | None]:
    """(since, until) of the Journal view's ranges: today, this week (from Monday), everything."""
    if period == "all":
        return None, None
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    first = today if period == "today" else today - timedelta(days=today.weekday())
    return datetime.combine(first, datetime.min.time()).astimezone().timestamp(), None


def duration_words(seconds: float) -> str:
    """A duration as people say it: "40 s", "1 min 35 s", "12 min", "1 h 05 min"."""
    if seconds < 0.5:
        return "<1 s"
    if seconds < 59.5:  # under a minute, the seconds (35 s is not "1 min")
        return f"{round(seconds)} s"
    if seconds < 600:  # a few minutes: to the second, as a short session deserves
        whole = round(seconds)
        return f"{whole // 60} min" if whole % 60 == 0 else f"{whole // 60} min {whole % 60:02d} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@dataclass(frozen=True)
class Segment:
    """A stretch of time with one music mood. ``scores``: mean reading per label (empty for "user")."""

    start: float
    end: float
    mood: str
    source: SegmentSource
    scores: Mapping[str, float] = field(default_factory=dict)
    id: int = 0

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_json(self) -> dict[str, object]:
        """The object ``journal --json`` prints (start, end, mood, source first: the contract)."""
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "mood": self.mood,
            "source": self.source,
            "duration_s": round(self.duration, 3),
            "scores": {label: round(value, 4) for label, value in self.scores.items()},
        }


@dataclass(frozen=True)
class SongEvent:
    """A song shown in a list, opened in Spotify, or played."""

    time: float
    track_id: str
    name: str
    artists: tuple[str, ...]
    mood: str | None
    kind: SongKind


@dataclass(frozen=True)
class SongCount:
    """One song opened (or played) in a mood: how often, and when last."""

    track_id: str
    name: str
    artists: tuple[str, ...]
    count: int
    last: float


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` removed: whole segments, segments cut at the range's edges, song events."""

    segments: int
    trimmed: int
    songs: int


def _error_kind(exc: sqlite3.Error) -> str:
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


def set_aside(path: Path, now: float | None = None) -> Path:
    """Rename a damaged journal (and its -wal/-shm) to ``<name>.damaged-<time>``; returns the new path."""
    # SQLite finds a database's WAL by name: keep them paired so the copy can still be read.
    return set_aside_file(path, now, companions=("-wal", "-shm"))


def _bounds(since: float | None, until: float | None) -> tuple[float, float]:
    low = -math.inf if since is None else since
    high = math.inf if until is None else until
    return low, high


def _sql_bound(value: float) -> float:
    # SQLite has no infinity literal for parameters; these stand for "no bound".
    return max(-1e18, min(1e18, value))


class Journal:
    """An open journal database. Use from one thread at a time (the writer thread, or a command).

    Open with ``Journal.open()``; every method raises ``JournalError`` (or a subclass) only.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.path = path
        self.read_only = read_only
        self._checked = False  # passed the integrity check at open, or was known good

    @classmethod
    def open(cls, path: Path | None = None, *, timeout_s: float = 5.0) -> Journal:
        """Open (creating and upgrading as needed) the journal at ``path`` (default ``journal_path()``).

        A journal that exists but cannot be written (a read-only folder, file or disk) opens
        read-only: reading works, writing raises ``JournalReadOnlyError``. ``PRAGMA quick_check``
        runs only when the file was not closed cleanly (its ``-wal`` is there: a crash, or another
        process has it open) and this process has not checked that file yet: opening a clean file
        scans nothing, and damage a query meets later is still set aside.
        """
        path = journal_path() if path is None else path
        try:
            return cls._open(path, timeout_s, read_only=False)
        except JournalReadOnlyError:
            return cls._open(path, timeout_s, read_only=True)

    @classmethod
    def _open(cls, path: Path, timeout_s: float, *, read_only: bool) -> Journal:
        unclean = path.with_name(path.name + "-wal").exists()
        check = _known_good.get(path) != _file_state(path)
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
            raise JournalError(f"journal {path}: cannot open it ({reason(exc)})") from None
        journal = cls(connection, path, read_only=read_only)
        try:
            journal._guarded("open", journal._prepare, check)
        except JournalError:
            journal.close()  # locked, read-only or from a newer version: let go of the file at once
            raise
        return journal

    def _prepare(self, check: bool) -> None:
        connection = self._live()
        if not self.read_only:
            mode = str(connection.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if mode.lower() != "wal":
                raise JournalError(f"journal {self.path}: cannot switch to WAL mode (got {mode})")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA secure_delete = ON")
        if check:
            _known_good.pop(self.path, None)
            rows = connection.execute("PRAGMA quick_check").fetchall()
            if [tuple(row) for row in rows] != [("ok",)]:
                raise sqlite3.DatabaseError(f"database disk image is malformed ({rows[0][0]})")
        self._checked = True
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"journal {self.path} was written by a newer Emotune (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); it is left untouched"
            )
        if not self.read_only:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        for step in range(version, SCHEMA_VERSION):
            with self._transaction() as connection:
                # Another process may have upgraded it while we waited for the write lock.
                if int(connection.execute("PRAGMA user_version").fetchone()[0]) > step:
                    continue
                for statement in MIGRATIONS[step]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {step + 1}")

    # --- plumbing -------------------------------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise JournalError(f"journal {self.path} is closed")
        return self._connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self._live()
        # IMMEDIATE: take the write lock up front, so a busy journal fails here and not halfway.
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            if connection.in_transaction:
                connection.rollback()
            raise
        connection.execute("COMMIT")

    def _guarded(self, doing: str, action: Callable[..., T], *args: object) -> T:
        """Run ``action`` and turn any SQLite failure into one JournalError line (damage: set aside)."""
        try:
            return action(*args)
        except sqlite3.Error as exc:
            kind = _error_kind(exc)
            detail = one_line(exc, 160)
            if kind == "damaged":
                self.close()
                try:
                    target: Path | None = set_aside(self.path)
                    where = f"it was set aside as {target} and a new journal will be started"
                except OSError as move_error:
                    target = None
                    where = f"it could not be set aside ({reason(move_error)}); move it away to start a new one"
                raise JournalDamagedError(f"journal {self.path} is damaged ({detail}); {where}", target) from None
            if kind == "locked":
                raise JournalLockedError(f"journal {self.path} is locked by another program ({detail})") from None
            if kind == "read-only" and self.path.is_file():
                raise JournalReadOnlyError(f"journal {self.path} cannot be written ({detail})") from None
            raise JournalError(f"journal {self.path}: cannot {doing} ({detail})") from None

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Closing a damaged file may complain; there is nothing left to save by then.
            try:
                connection.close()
            except sqlite3.Error:
                return
            if self._checked:
                _known_good[self.path] = _file_state(self.path)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return self._guarded("read", lambda: int(self._live().execute("PRAGMA user_version").fetchone()[0]))

    def journal_mode(self) -> str:
        return self._guarded("read", lambda: str(self._live().execute("PRAGMA journal_mode").fetchone()[0]))

    # --- writing --------------------------------------------------------------------------------

    def begin_segment(
        self, mood: str, source: SegmentSource, start: float, scores: Mapping[str, float] | None = None
    ) -> int:
        """Record a new segment (start = end for now); returns its ID for ``update_segment``."""
        return self.open_segment(mood, source, start, scores)[0]

    def open_segment(
        self, mood: str, source: SegmentSource, start: float, scores: Mapping[str, float] | None = None
    ) -> tuple[int, int]:
        """Record a new segment; returns its ID and the clear count it began under (``extend_segment``)."""
        if source not in SEGMENT_SOURCES:
            raise JournalError(f"segment source {source!r} is not one of {', '.join(SEGMENT_SOURCES)}")

        def insert() -> tuple[int, int]:
            with self._transaction() as connection:
                cursor = connection.execute(
                    "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, ?, ?, ?)",
                    (start, start, mood, source, _scores_json(scores)),
                )
                return int(cursor.lastrowid or 0), _clears(connection)

        return self._guarded("record a mood", insert)

    def update_segment(self, segment_id: int, end: float, scores: Mapping[str, float] | None = None) -> None:
        """Move a segment's end (and mean scores) on; never before its start."""
        self._guarded("record a mood", self._set_end, segment_id, end, scores, None)

    def extend_segment(self, segment_id: int, end: float, scores: Mapping[str, float] | None, clears: int) -> bool:
        """``update_segment`` unless history was forgotten since the segment began (the clear count
        is not ``clears`` any more, or the segment is gone): then nothing is written and False comes
        back, so a writer starts a new segment instead of stretching this one over forgotten time."""
        return self._guarded("record a mood", self._set_end, segment_id, end, scores, clears)

    def _set_end(self, segment_id: int, end: float, scores: Mapping[str, float] | None, clears: int | None) -> bool:
        with self._transaction() as connection:
            if clears is not None and _clears(connection) != clears:
                return False
            if scores is None:
                cursor = connection.execute(
                    "UPDATE segments SET end_t = MAX(start_t, ?) WHERE id = ?", (end, segment_id)
                )
            else:
                cursor = connection.execute(
                    "UPDATE segments SET end_t = MAX(start_t, ?), scores = ? WHERE id = ?",
                    (end, _scores_json(scores), segment_id),
                )
            return cursor.rowcount > 0

    def add_songs(self, events: Iterable[SongEvent]) -> None:
        """Record song events in one transaction."""
        rows = [
            (e.time, e.track_id, e.name, json.dumps(list(e.artists), ensure_ascii=False), e.mood, e.kind)
            for e in events
        ]
        for row in rows:
            if row[5] not in SONG_KINDS:
                raise JournalError(f"song event kind {row[5]!r} is not one of {', '.join(SONG_KINDS)}")

        def insert() -> None:
            with self._transaction() as connection:
                connection.executemany(
                    "INSERT INTO songs (time, track_id, name, artists, mood, kind) VALUES (?, ?, ?, ?, ?, ?)", rows
                )

        if rows:
            self._guarded("record songs", insert)

    def set_feedback(self, feedback: Feedback) -> None:
        """Store the verdict on a track (replacing the one before)."""

        def upsert() -> None:
            with self._transaction() as connection:
                connection.execute(
                    "INSERT OR REPLACE INTO feedback (track_id, verdict, artist_keys, mood, valence, energy, time)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        feedback.track_id,
                        feedback.verdict,
                        json.dumps(sorted(feedback.artist_keys), ensure_ascii=False),
                        feedback.mood,
                        feedback.valence,
                        feedback.energy,
                        feedback.time,
                    ),
                )

        self._guarded("record feedback", upsert)

    def clear_feedback(self, track_id: str) -> bool:
        """Remove the verdict on a track; False if there was none."""

        def delete() -> bool:
            with self._transaction() as connection:
                return connection.execute("DELETE FROM feedback WHERE track_id = ?", (track_id,)).rowcount > 0

        return self._guarded("clear feedback", delete)

    def forget(self, since: float | None = None, until: float | None = None) -> Forgotten:
        """Erase the mood and song history in [since, until) (None: unbounded). Feedback stays.

        Segments reaching over an edge are cut there, so what lies outside the range is kept.
        """
        low, high = (_sql_bound(b) for b in _bounds(since, until))

        def erase() -> Forgotten:
            with self._transaction() as connection:
                inside = connection.execute(
                    "DELETE FROM segments WHERE start_t >= ? AND end_t <= ?", (low, high)
                ).rowcount
                trimmed = 0
                spanning = connection.execute(
                    "SELECT id, end_t, mood, source, scores FROM segments WHERE start_t < ? AND end_t > ?", (low, high)
                ).fetchall()
                for segment_id, end, mood, source, scores in spanning:
                    # A segment covering the whole range becomes two: before it and after it.
                    connection.execute("UPDATE segments SET end_t = ? WHERE id = ?", (low, segment_id))
                    connection.execute(
                        "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, ?, ?, ?)",
                        (high, end, mood, source, scores),
                    )
                    trimmed += 1
                trimmed += connection.execute(
                    "UPDATE segments SET end_t = ? WHERE start_t < ? AND end_t > ? AND end_t <= ?",
                    (low, low, low, high),
                ).rowcount
                trimmed += connection.execute(
                    "UPDATE segments SET start_t = ? WHERE start_t >= ? AND start_t < ? AND end_t > ?",
                    (high, low, high, high),
                ).rowcount
                songs = connection.execute("DELETE FROM songs WHERE time >= ? AND time < ?", (low, high)).rowcount
                connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'clears'")
            # Forgotten rows must not linger in the WAL either (secure_delete covers the main file).
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return Forgotten(inside, trimmed, songs)

        return self._guarded("forget history", erase)

    # --- reading --------------------------------------------------------------------------------

    def segments(self, since: float | None = None, until: float | None = None) -> list[Segment]:
        """Segments overlapping [since, until), oldest first, as recorded (not cut to the range)."""
        return list(self.iter_segments(since, until))

    def iter_segments(self, since: float | None = None, until: float | None = None) -> Iterator[Segment]:
        """``segments`` one at a time, read in batches: memory stays flat however long the history."""
        low, high = (_sql_bound(b) for b in _bounds(since, until))
        cursor = self._guarded(
            "read the journal",
            self._live().execute,
            "SELECT id, start_t, end_t, mood, source, scores FROM segments"
            " WHERE (end_t > ? OR start_t >= ?) AND start_t < ? ORDER BY start_t, id",
            (low, low, high),
        )
        while True:
            rows = self._guarded("read the journal", cursor.fetchmany, _BATCH)
            if not rows:
                return
            for i, start, end, mood, source, text in rows:
                yield Segment(
                    float(start), float(end), str(mood), "user" if source == "user" else "face", _scores(text), int(i)
                )

    def time_per_mood(self, since: float | None = None, until: float | None = None) -> dict[str, float]:
        """Seconds per mood within [since, until) (segments cut to the range), labels in EMOTIONS order."""
        low, high = (_sql_bound(b) for b in _bounds(since, until))

        def select() -> list[tuple[str, float]]:
            return list(
                self._live().execute(
                    "SELECT mood, SUM(MIN(end_t, ?) - MAX(start_t, ?)) FROM segments"
                    " WHERE end_t > ? AND start_t < ? GROUP BY mood",
                    (high, low, low, high),
                )
            )

        totals = {str(mood): float(seconds) for mood, seconds in self._guarded("read the journal", select) if seconds}
        order = {label: i for i, label in enumerate(EMOTIONS)}
        return dict(sorted(totals.items(), key=lambda item: order.get(item[0], len(order))))

    def songs(
        self, since: float | None = None, until: float | None = None, kinds: Sequence[SongKind] = SONG_KINDS
    ) -> list[SongEvent]:
        """Song events in [since, until) of the given kinds, oldest first."""
        low, high = (_sql_bound(b) for b in _bounds(since, until))
        wanted = [k for k in kinds if k in SONG_KINDS]

        def select() -> list[SongEvent]:
            marks = ", ".join("?" for _ in wanted)
            rows = (
                self._live()
                .execute(
                    "SELECT time, track_id, name, artists, mood, kind FROM songs"
                    f" WHERE time >= ? AND time < ? AND kind IN ({marks}) ORDER BY time, id",
                    (low, high, *wanted),
                )
                .fetchall()
            )
            return [
                SongEvent(float(t), str(track), str(name), _artists(artists), mood, _song_kind(kind))
                for t, track, name, artists, mood, kind in rows
            ]

        return self._guarded("read the journal", select) if wanted else []

    def songs_per_mood(
        self, since: float | None = None, until: float | None = None, kinds: Sequence[SongKind] = ("opened",)
    ) -> dict[str, list[SongCount]]:
        """Per mood, the songs opened (or other ``kinds``) in the range, most often first (counted by SQLite)."""
        low, high = (_sql_bound(b) for b in _bounds(since, until))
        wanted = [k for k in kinds if k in SONG_KINDS]
        if not wanted:
            return {}

        def select() -> list[tuple[str, str, str, str, int, float]]:
            marks = ", ".join("?" for _ in wanted)
            # SQLite takes the bare columns (name, artists) from the row that gave MAX(time): the
            # names the song had when last seen.
            return list(
                self._live().execute(
                    "SELECT COALESCE(mood, ''), track_id, name, artists, COUNT(*), MAX(time) FROM songs"
                    f" WHERE time >= ? AND time < ? AND kind IN ({marks})"
                    " GROUP BY COALESCE(mood, ''), track_id ORDER BY 1, 5 DESC, 6 DESC",
                    (low, high, *wanted),
                )
            )

        grouped: dict[str, list[SongCount]] = {}
        for mood, track, name, artists, count, last in self._guarded("read the journal", select):
            grouped.setdefault(str(mood), []).append(
                SongCount(str(track), str(name), _artists(artists), int(count), float(last))
            )
        return grouped

    def known_song(self, track_id: str) -> tuple[str, tuple[str, ...]] | None:
        """The name and artists the journal last saw for a track, if it saw it."""

        def select() -> tuple[str, tuple[str, ...]] | None:
            row = (
                self._live()
                .execute("SELECT name, artists FROM songs WHERE track_id = ? ORDER BY time DESC LIMIT 1", (track_id,))
                .fetchone()
            )
            return None if row is None else (str(row[0]), _artists(row[1]))

        return self._guarded("read the journal", select)

    def feedback(self) -> list[Feedback]:
        """Every stored verdict, oldest first."""

        def select() -> list[Feedback]:
            rows = (
                self._live()
                .execute(
                    "SELECT track_id, verdict, artist_keys, mood, valence, energy, time FROM feedback ORDER BY time"
                )
                .fetchall()
            )
            return [
                Feedback(
                    str(track),
                    check_verdict(str(verdict)),
                    frozenset(_artists(keys)),
                    mood,
                    None if valence is None else float(valence),
                    None if energy is None else float(energy),
                    float(t),
                )
                for track, verdict, keys, mood, valence, energy, t in rows
            ]

        return self._guarded("read feedback", select)

    def feedback_for(self, track_id: str) -> Feedback | None:
        return next((f for f in self.feedback() if f.track_id == track_id), None)


def load_preferences(path: Path | None = None) -> tuple[Preferences, str | None]:
    """The stored feedback as live ``Preferences``, and a problem line if the journal could not be read.

    For commands and the window at start: with no journal file yet this creates nothing and
    returns empty preferences; with a damaged or locked one, empty preferences and the message.
    """
    path = journal_path() if path is None else path
    if not path.exists():
        return Preferences(), None
    try:
        with Journal.open(path) as journal:
            return Preferences(journal.feedback()), None
    except JournalError as exc:
        return Preferences(), str(exc)


def _clears(connection: sqlite3.Connection) -> int:
    """How many times history was forgotten in this journal (any process)."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'clears'").fetchone()
    return 0 if row is None else int(row[0])


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


def _scores_json(scores: Mapping[str, float] | None) -> str:
    return json.dumps({label: round(float(value), 4) for label, value in (scores or {}).items()})


def _scores(text: object) -> dict[str, float]:
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):  # a damaged row reads as empty, never as a crash
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


def _artists(text: object) -> tuple[str, ...]:
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):  # a damaged row reads as empty, never as a crash
        return ()
    return tuple(str(a) for a in data) if isinstance(data, list) else ()


def _song_kind(value: object) -> SongKind:
    for kind in SONG_KINDS:
        if value == kind:
            return kind
    return "shown"
