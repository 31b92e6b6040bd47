"""The journal's coarse face series and the song lists begun: what "did the music help?" reads.

Kept per window of about ``WINDOW_S`` (30 s) while the face sets the music mood: the window's
time (midpoint of its first and last reading), its span, how many readings it holds, the mean of
the seven emotion readings (rounded to 3 decimals), a derived ``brightness``, the list in play
and the song played, if any. Never images, never one value per frame: a 30-s mean is far too
coarse to follow a single expression, yet keeps any later measure possible.

``brightness`` = happy - (sad + angry + fear + disgust), in [-1, 1]. Lift aims to move a low
face towards happy and away from those four; neutral and surprise carry no clear sign, so they
count as zero. A difference of two shares of one probability vector is bounded and needs no
calibration per person, which a valence model would.

Kept per song list shown: when, the mood it was for, Match or Lift, the genres the person kept
it to, whether Match or Lift was drawn at random ("Find out what helps me"), and the first song
played from it on Spotify.

``SERIES_STEP`` is the journal's schema step that adds both tables (``store.MIGRATIONS``);
``forget_series`` erases them with the rest of a range. The functions here take an open
``SqliteFile`` (the ``Journal``) so that the store does not grow. No tkinter, cv2 or onnxruntime.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from emotune.choices import STRATEGIES, Strategy
from emotune.labels import EMOTIONS
from emotune.sqlite_file import SqliteFile, StoreError

WINDOW_S = 30.0
LOW_MOODS: tuple[str, ...] = ("sad", "angry", "fear", "disgust")

SERIES_STEP: tuple[str, ...] = (
    """CREATE TABLE lists (
        id INTEGER PRIMARY KEY,
        time REAL NOT NULL,
        mood TEXT NOT NULL,
        strategy TEXT NOT NULL CHECK (strategy IN ('match', 'lift')),
        genres TEXT NOT NULL DEFAULT '[]',
        randomised INTEGER NOT NULL DEFAULT 0,
        played TEXT
    )""",
    "CREATE INDEX lists_by_time ON lists (time)",
    """CREATE TABLE face_series (
        id INTEGER PRIMARY KEY,
        time REAL NOT NULL,
        span_s REAL NOT NULL,
        readings INTEGER NOT NULL,
        means TEXT NOT NULL,
        brightness REAL NOT NULL,
        list_id INTEGER,
        played TEXT
    )""",
    "CREATE INDEX face_series_by_time ON face_series (time)",
)


def brightness(means: Mapping[str, float]) -> float:
    """happy - (sad + angry + fear + disgust), clipped to [-1, 1] (see the module docstring)."""
    value = means.get("happy", 0.0) - sum(means.get(label, 0.0) for label in LOW_MOODS)
    return max(-1.0, min(1.0, value))


@dataclass(frozen=True)
class FaceSample:
    """One window of the face series."""

    time: float
    span_s: float
    readings: int
    means: Mapping[str, float]
    list_id: int | None = None
    played: str | None = None  # the track ID playing on Spotify, when known

    @property
    def brightness(self) -> float:
        return brightness(self.means)


@dataclass(frozen=True)
class ListBegun:
    """A song list shown: the moment a strategy was put in play for a mood."""

    time: float
    mood: str
    strategy: Strategy
    genres: tuple[str, ...] = ()
    randomised: bool = False
    played: str | None = None
    id: int = 0

    @property
    def from_low(self) -> bool:
        return self.mood in LOW_MOODS


class SeriesWindow:
    """Running sums of one window of readings (the writer thread's; nothing is stored per frame)."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._first = 0.0
        self._last = 0.0
        self._sums = [0.0] * len(EMOTIONS)
        self._count = 0

    def add(self, t: float, scores: Iterable[tuple[str, float]]) -> FaceSample | None:
        """Add one reading; the finished window when this reading closes it (then a new one starts)."""
        finished = self.take() if self._count and t - self._first >= self.window_s else None
        if not self._count:
            self._first = t
        self._last = t
        for label, value in scores:
            if label in EMOTIONS:
                self._sums[EMOTIONS.index(label)] += value
        self._count += 1
        return finished

    def take(self) -> FaceSample | None:
        """The window so far (None if empty), and start afresh: the face left, or history was forgotten."""
        if not self._count:
            return None
        means = {label: total / self._count for label, total in zip(EMOTIONS, self._sums, strict=True)}
        sample = FaceSample((self._first + self._last) / 2, self._last - self._first, self._count, means)
        self._sums = [0.0] * len(EMOTIONS)
        self._count = 0
        return sample


# --- writing ----------------------------------------------------------------------------------


def begin_list(journal: SqliteFile, begun: ListBegun) -> int:
    """Record a list shown; its ID, for the samples taken while it plays."""
    if begun.strategy not in STRATEGIES:
        raise StoreError(f"list strategy {begun.strategy!r} is not one of {', '.join(STRATEGIES)}")
    with journal.guard("record a song list"), journal.transaction() as connection:
        cursor = connection.execute(
            "INSERT INTO lists (time, mood, strategy, genres, randomised, played) VALUES (?, ?, ?, ?, ?, ?)",
            (
                begun.time,
                begun.mood,
                begun.strategy,
                json.dumps(list(begun.genres), ensure_ascii=False),
                int(begun.randomised),
                begun.played,
            ),
        )
        return int(cursor.lastrowid or 0)


def mark_played(journal: SqliteFile, list_id: int, track_id: str) -> None:
    """The first song played from list ``list_id`` (later ones do not replace it)."""
    with journal.guard("record a song list"), journal.transaction() as connection:
        connection.execute("UPDATE lists SET played = ? WHERE id = ? AND played IS NULL", (track_id, list_id))


def add_samples(journal: SqliteFile, samples: Sequence[FaceSample]) -> None:
    """Record windows of the face series in one transaction."""
    rows = [
        (
            s.time,
            round(s.span_s, 1),
            s.readings,
            json.dumps({label: round(float(s.means.get(label, 0.0)), 3) for label in EMOTIONS}),
            round(s.brightness, 4),
            s.list_id,
            s.played,
        )
        for s in samples
    ]
    if not rows:
        return
    with journal.guard("record the face series"), journal.transaction() as connection:
        connection.executemany(
            "INSERT INTO face_series (time, span_s, readings, means, brightness, list_id, played)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def forget_series(connection: sqlite3.Connection, low: float, high: float) -> None:
    """Inside the store's forget transaction: erase the series and the lists in [low, high)."""
    connection.execute("DELETE FROM face_series WHERE time >= ? AND time < ?", (low, high))
    connection.execute("DELETE FROM lists WHERE time >= ? AND time < ?", (low, high))


# --- reading ----------------------------------------------------------------------------------


def lists(journal: SqliteFile) -> list[ListBegun]:
    """Every list recorded, oldest first (a damaged row reads as harmless values, never a crash)."""
    with journal.guard("read the song lists"):
        rows = journal._live().execute(
            "SELECT id, time, mood, strategy, genres, randomised, played FROM lists ORDER BY time, id"
        )
        return [
            ListBegun(
                float(t),
                str(mood),
                "lift" if strategy == "lift" else "match",
                _genres(genres),
                bool(randomised),
                None if played is None else str(played),
                int(i),
            )
            for i, t, mood, strategy, genres, randomised, played in rows.fetchall()
        ]


def brightness_series(journal: SqliteFile) -> list[tuple[float, float]]:
    """(time, brightness) of every window, oldest first."""
    with journal.guard("read the face series"):
        rows = journal._live().execute("SELECT time, brightness FROM face_series ORDER BY time").fetchall()
    return [(float(t), float(b)) for t, b in rows if isinstance(b, int | float) and -1.0 <= b <= 1.0]


def samples(journal: SqliteFile) -> list[FaceSample]:
    """Every window, oldest first, with its means (for export and tests)."""
    with journal.guard("read the face series"):
        rows = journal._live().execute(
            "SELECT time, span_s, readings, means, list_id, played FROM face_series ORDER BY time"
        )
        return [
            FaceSample(float(t), float(span), int(n), _means(means), None if lid is None else int(lid), played)
            for t, span, n, means, lid, played in rows.fetchall()
        ]


def _genres(text: object) -> tuple[str, ...]:
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):
        return ()
    return tuple(str(g) for g in data) if isinstance(data, list) else ()


def _means(text: object) -> dict[str, float]:
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}
