"""What the journal holds, as values (segments, song events, song counts), and how a stored row
becomes one: each row is checked (``emotune.stored_rows``) before it is used.

A segment needs two times that can be shown as dates, its end not before its start and at most
``LONGEST_SEGMENT_S`` after it (the app ends a segment when the mood changes or the app closes;
a "segment" of decades is a clock gone wrong, and would draw as thousands of day rows), text for
its mood, a known source and finite scores. A song event needs a time, text and a known kind.
Anything else raises ``BadRowError``; the reader skips the row and counts it.

No SQLite connection here, no tkinter; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from emotune.journal.words import iso
from emotune.stored_rows import (
    BadRowError,
    stored_choice,
    stored_names,
    stored_scores,
    stored_text,
    stored_time,
)

SegmentSource = Literal["face", "user"]
SEGMENT_SOURCES: tuple[SegmentSource, ...] = ("face", "user")
SongKind = Literal["shown", "opened", "played"]
SONG_KINDS: tuple[SongKind, ...] = ("shown", "opened", "played")
DAY_S = 24 * 3600.0
LONGEST_SEGMENT_S = 366 * DAY_S


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


def segment_row(row: Sequence[object]) -> Segment:
    """A ``segments`` row (id, start_t, end_t, mood, source, scores) as a Segment."""
    segment_id, start_value, end_value, mood, source, scores = row
    start, end = stored_time("start", start_value), stored_time("end", end_value)
    if end < start:
        raise BadRowError(f"end {end:g} is before start {start:g}")
    if end - start > LONGEST_SEGMENT_S:
        raise BadRowError(f"from {start:g} to {end:g} is longer than a year")
    return Segment(
        start,
        end,
        stored_text("mood", mood),
        _source(stored_choice("source", source, SEGMENT_SOURCES)),
        stored_scores("score", scores),
        segment_id if isinstance(segment_id, int) else 0,
    )


def song_row(row: Sequence[object]) -> SongEvent:
    """A ``songs`` row (time, track_id, name, artists, mood, kind) as a SongEvent."""
    t, track, name, artists, mood, kind = row
    return SongEvent(
        stored_time("time", t),
        stored_text("track ID", track),
        stored_text("name", name),
        stored_names(artists),
        None if mood is None else stored_text("mood", mood),
        _kind(stored_choice("kind", kind, SONG_KINDS)),
    )


def song_count_row(track: object, name: object, artists: object, count: object, last: object) -> SongCount:
    return SongCount(
        stored_text("track ID", track),
        stored_text("name", name),
        stored_names(artists),
        count if isinstance(count, int) else 0,
        stored_time("time", last),
    )


def _source(value: str) -> SegmentSource:
    return "user" if value == "user" else "face"


def _kind(value: str) -> SongKind:
    for kind in SONG_KINDS:
        if value == kind:
            return kind
    raise BadRowError(f"kind {value!r} is unknown")
