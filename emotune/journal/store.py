"""The journal database: mood segments and the songs shown, opened and played, in SQLite.

Where: ``journal_path(env)``, ``env.data_dir / "journal.sqlite3"``: the per-user data folder of
the ``Environment`` handed in (``platformdirs.user_data_dir("emotune")``; ``EMOTUNE_DATA_DIR``
overrides it). The folder is created with mode 700 and the file with mode 600: it says how
someone felt and when.

What is kept (and nothing else): mood *segments* (start, end, mood, whether the face or the user
set it, the mean reading score per label over the segment), song events (time, track ID, name,
artists, the mood of the list, and whether the song was shown, opened or played), the 30-s face
series and the lists begun (``emotune.journal.series``). Never images, never per-frame readings.
Song feedback is not here: ``emotune.music.feedback_store`` keeps it in a file of its own.

How: ``emotune.sqlite_file`` (WAL, ``synchronous=FULL``, small transactions, the schema upgraded
by ``MIGRATIONS``, append only), so a crash or a power cut loses at most what was not yet
written (the writer thread commits every few seconds). ``secure_delete`` is on and the WAL is
truncated after forgetting, so forgotten history does not linger in free pages.

Reading: every row is checked (``emotune.journal.records``); one that cannot be right (a time no
date holds, a segment of decades, a score that is not a number) is skipped and counted, and
``skipped_warning()`` gives the one line that says so.

Failure: every SQLite problem becomes a ``JournalError`` with one line naming the file. A damaged
file (``JournalDamagedError``) is first set aside as ``journal.sqlite3.damaged-<time>`` (never
deleted), so the next open starts a fresh journal; a locked one (``JournalLockedError``) is left
alone. Callers go on without a journal. Times are Unix seconds (floats) throughout.

This module must not import tkinter, cv2 or onnxruntime, and never sends anything anywhere.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from emotune.environment import Environment
from emotune.journal.records import (
    SEGMENT_SOURCES,
    SONG_KINDS,
    Segment,
    SegmentSource,
    SongCount,
    SongEvent,
    SongKind,
    segment_row,
    song_count_row,
    song_row,
)
from emotune.journal.series import SERIES_STEP, forget_series
from emotune.labels import EMOTIONS
from emotune.sqlite_file import (
    SqliteFile,
    StoreDamagedError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    guarded,
)
from emotune.stored_rows import EARLIEST_TIME, LATEST_TIME, BadRowError, stored_names

__all__ = [
    "SEGMENT_SOURCES",
    "SONG_KINDS",
    "Segment",
    "SegmentSource",
    "SongCount",
    "SongEvent",
    "SongKind",
]

DB_FILE = "journal.sqlite3"


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
        # The feedback table is no longer the journal's (``emotune.music.feedback_store`` moves its
        # rows into feedback.sqlite3 and empties it); the step stays, as shipped steps do.
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
    SERIES_STEP,  # the coarse face series and the lists begun (``emotune.journal.series``)
)
SCHEMA_VERSION = len(MIGRATIONS)

_BATCH = 1000  # rows per fetch when streaming

# The journal's errors are the shared file errors under the journal's names.
JournalError = StoreError
JournalDamagedError = StoreDamagedError
JournalLockedError = StoreLockedError
JournalReadOnlyError = StoreReadOnlyError


def journal_path(env: Environment) -> Path:
    """Where the journal lives: the per-user data folder (``env.data_dir``) / "journal.sqlite3"."""
    return env.data_dir / DB_FILE


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` removed: whole segments, segments cut at the range's edges, song events."""

    segments: int
    trimmed: int
    songs: int


def _bounds(since: float | None, until: float | None) -> tuple[float, float]:
    low = -math.inf if since is None else since
    high = math.inf if until is None else until
    return low, high


def _sql_bound(value: float) -> float:
    # SQLite has no infinity literal for parameters; these stand for "no bound".
    return max(-1e18, min(1e18, value))


class Journal(SqliteFile):
    """An open journal database. Use from one thread at a time (the writer thread, or a command).

    Open with ``Journal.open(path)``; every method raises ``JournalError`` (or a subclass) only.
    """

    NOUN: ClassVar[str] = "journal"
    MIGRATIONS: ClassVar[tuple[tuple[str, ...], ...]] = MIGRATIONS

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
        return self._insert_segment(mood, source, start, scores)

    @guarded("record a mood")
    def _insert_segment(
        self, mood: str, source: SegmentSource, start: float, scores: Mapping[str, float] | None
    ) -> tuple[int, int]:
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, ?, ?, ?)",
                (start, start, mood, source, _scores_json(scores)),
            )
            return int(cursor.lastrowid or 0), _clears(connection)

    def update_segment(self, segment_id: int, end: float, scores: Mapping[str, float] | None = None) -> None:
        """Move a segment's end (and mean scores) on; never before its start."""
        self._set_end(segment_id, end, scores, None)

    def extend_segment(self, segment_id: int, end: float, scores: Mapping[str, float] | None, clears: int) -> bool:
        """``update_segment`` unless history was forgotten since the segment began (the clear count
        is not ``clears`` any more, or the segment is gone): then nothing is written and False comes
        back, so a writer starts a new segment instead of stretching this one over forgotten time."""
        return self._set_end(segment_id, end, scores, clears)

    @guarded("record a mood")
    def _set_end(self, segment_id: int, end: float, scores: Mapping[str, float] | None, clears: int | None) -> bool:
        with self.transaction() as connection:
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
        if rows:
            self._insert_songs(rows)

    @guarded("record songs")
    def _insert_songs(self, rows: Sequence[tuple[object, ...]]) -> None:
        with self.transaction() as connection:
            connection.executemany(
                "INSERT INTO songs (time, track_id, name, artists, mood, kind) VALUES (?, ?, ?, ?, ?, ?)", rows
            )

    @guarded("forget history")
    def forget(self, since: float | None = None, until: float | None = None) -> Forgotten:
        """Erase the mood and song history in [since, until) (None: unbounded).

        Segments reaching over an edge are cut there, so what lies outside the range is kept.
        """
        low, high = (_sql_bound(b) for b in _bounds(since, until))
        with self.transaction() as connection:
            if since is None and until is None:
                # Everything: rows whose times are damaged (text, infinite) too, which no range matches.
                forgotten = Forgotten(
                    connection.execute("DELETE FROM segments").rowcount,
                    0,
                    connection.execute("DELETE FROM songs").rowcount,
                )
            else:
                forgotten = _forget_range(connection, low, high)
            forget_series(connection, low, high)
            connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'clears'")
        # Forgotten rows must not linger in the WAL either (secure_delete covers the main file).
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return forgotten

    # --- reading --------------------------------------------------------------------------------

    def segments(self, since: float | None = None, until: float | None = None) -> list[Segment]:
        """Segments overlapping [since, until), oldest first, as recorded (not cut to the range)."""
        return list(self.iter_segments(since, until))

    def iter_segments(self, since: float | None = None, until: float | None = None) -> Iterator[Segment]:
        """``segments`` one at a time, read in batches: memory stays flat however long the history."""
        conditions, values = [], []
        # Without a bound, no condition: a row whose time is text would not match one, and would
        # then be left out without being counted as skipped.
        if since is not None:
            conditions.append("(end_t > ? OR start_t >= ?)")
            values += [_sql_bound(since)] * 2
        if until is not None:
            conditions.append("start_t < ?")
            values.append(_sql_bound(until))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self.guard("read the journal"):
            cursor = self._live().execute(
                f"SELECT id, start_t, end_t, mood, source, scores FROM segments{where} ORDER BY start_t, id", values
            )
        while True:
            with self.guard("read the journal"):
                rows = cursor.fetchmany(_BATCH)
            if not rows:
                return
            for row in rows:
                try:
                    yield segment_row(row)
                except BadRowError as error:
                    self.skipped.add(error, ("segments", row[0]))

    def time_per_mood(self, since: float | None = None, until: float | None = None) -> dict[str, float]:
        """Seconds per mood within [since, until) (segments cut to the range), labels in EMOTIONS order.

        Summed here, not by SQLite, so that the rows ``iter_segments`` skips count nowhere."""
        low, high = _bounds(since, until)
        totals: dict[str, float] = {}
        for segment in self.iter_segments(since, until):
            seconds = min(segment.end, high) - max(segment.start, low)
            if seconds > 0:
                totals[segment.mood] = totals.get(segment.mood, 0.0) + seconds
        order = {label: i for i, label in enumerate(EMOTIONS)}
        return dict(sorted(totals.items(), key=lambda item: order.get(item[0], len(order))))

    @guarded("read the journal")
    def songs(
        self, since: float | None = None, until: float | None = None, kinds: Sequence[SongKind] = SONG_KINDS
    ) -> list[SongEvent]:
        """Song events in [since, until) of the given kinds, oldest first."""
        low, high = (_sql_bound(b) for b in _bounds(since, until))
        wanted = [k for k in kinds if k in SONG_KINDS]
        if not wanted:
            return []
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
        events: list[SongEvent] = []
        for row in rows:
            try:
                events.append(song_row(row))
            except BadRowError as error:
                self.skipped.add(error)
        return events

    def songs_per_mood(
        self, since: float | None = None, until: float | None = None, kinds: Sequence[SongKind] = ("opened",)
    ) -> dict[str, list[SongCount]]:
        """Per mood, the songs opened (or other ``kinds``) in the range, most often first (counted by SQLite)."""
        grouped: dict[str, list[SongCount]] = {}
        for mood, song in self.iter_song_counts(since, until, kinds):
            grouped.setdefault(mood, []).append(song)
        return grouped

    def iter_song_counts(
        self, since: float | None = None, until: float | None = None, kinds: Sequence[SongKind] = ("opened",)
    ) -> Iterator[tuple[str, SongCount]]:
        """``songs_per_mood`` as (mood, song) pairs in the same order, one at a time: memory stays flat
        with a million songs (the text summary shows a mood's first few and tallies the rest).

        Only times that can be right are counted (``stored_rows``): one text or infinite time
        would otherwise be the MAX of its song."""
        low, high = _bounds(since, until)
        low, high = max(low, EARLIEST_TIME), min(high, LATEST_TIME)
        wanted = [k for k in kinds if k in SONG_KINDS]
        marks = ", ".join("?" for _ in wanted)
        with self.guard("read the journal"):
            # SQLite takes the bare columns (name, artists) from the row that gave MAX(time): the
            # names the song had when last seen.
            for mood, track, name, artists, count, last in self._live().execute(
                "SELECT COALESCE(mood, ''), track_id, name, artists, COUNT(*), MAX(time) FROM songs"
                f" WHERE time >= ? AND time < ? AND kind IN ({marks})"
                " GROUP BY COALESCE(mood, ''), track_id ORDER BY 1, 5 DESC, 6 DESC",
                (low, high, *wanted),
            ):
                try:
                    song = song_count_row(track, name, artists, count, last)
                except BadRowError as error:
                    self.skipped.add(error)
                    continue
                yield str(mood), song

    @guarded("read the journal")
    def known_song(self, track_id: str) -> tuple[str, tuple[str, ...]] | None:
        """The name and artists the journal last saw for a track, if it saw it."""
        row = (
            self._live()
            .execute("SELECT name, artists FROM songs WHERE track_id = ? ORDER BY time DESC LIMIT 1", (track_id,))
            .fetchone()
        )
        return None if row is None else (str(row[0]), stored_names(row[1]))


def _clears(connection: sqlite3.Connection) -> int:
    """How many times history was forgotten in this journal (any process)."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'clears'").fetchone()
    return row[0] if row is not None and isinstance(row[0], int) else 0  # a damaged count reads as none


def _forget_range(connection: sqlite3.Connection, low: float, high: float) -> Forgotten:
    inside = connection.execute("DELETE FROM segments WHERE start_t >= ? AND end_t <= ?", (low, high)).rowcount
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
    return Forgotten(inside, trimmed, songs)


def _scores_json(scores: Mapping[str, float] | None) -> str:
    # A score that is not finite (NaN from a broken model) would be a row no reader can show.
    kept = {label: float(value) for label, value in (scores or {}).items() if math.isfinite(float(value))}
    return json.dumps({label: round(value, 4) for label, value in kept.items()})


def known_song(path: Path, track_id: str) -> tuple[str, tuple[str, ...]] | None:
    """The name and artists the journal at ``path`` last saw for a track; None if it never did,
    if there is no journal (none is created) or if it cannot be read."""
    if not path.exists():
        return None
    try:
        with Journal.open(path) as journal:
            return journal.known_song(track_id)
    except JournalError:
        return None
