"""What the Journal view shows, read from the journal and laid out without a toolkit.

``read_report(path, since, until)`` reads the mood segments, the time per mood and the songs
opened per mood of a range (it blocks on SQLite: call it off the UI thread; a missing journal
is an empty report and is not created). ``day_rows`` cuts the segments into one row per local
day (midnight to midnight, as the PNG export draws them) and ``time_axis`` says which part of
the day the rows need to show, so a short session is not a sliver on a 24-hour axis.
``parse_range`` reads the view's two date fields.

No tkinter here (the window draws what these return); nothing is written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from emotune.journal.axis import round_axis
from emotune.journal.store import Journal, Segment, SongCount
from emotune.music.catalog import genre_tally

MAX_EVERY_DAY = 31  # longer ranges show only the days that have moods


@dataclass(frozen=True)
class JournalReport:
    """One range of the journal, as read: segments overlapping it (uncut), seconds per mood within
    it, and per mood the songs opened, most often first."""

    since: float | None
    until: float | None
    segments: tuple[Segment, ...] = ()
    time_per_mood: Mapping[str, float] = field(default_factory=dict)
    opened: Mapping[str, tuple[SongCount, ...]] = field(default_factory=dict)
    # per mood: genre -> songs opened (genres from the bundled catalog, looked up when read)
    opened_genres: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    skipped: str | None = None  # one line on the damaged rows left out, if there were any

    @property
    def total_s(self) -> float:
        return sum(self.time_per_mood.values())


def read_report(path: Path, since: float | None, until: float | None) -> JournalReport:
    """The journal at ``path`` over [since, until) (None: unbounded). ``JournalError`` if unreadable."""
    if not path.exists():
        return JournalReport(since, until)
    with Journal.open(path) as journal:
        opened = {mood: tuple(songs) for mood, songs in journal.songs_per_mood(since, until).items()}
        genres = {mood: genre_tally((s.track_id, s.count) for s in songs) for mood, songs in opened.items()}
        segments, totals = tuple(journal.segments(since, until)), journal.time_per_mood(since, until)
        return JournalReport(since, until, segments, totals, opened, genres, journal.skipped_warning())


@dataclass(frozen=True)
class Band:
    """A piece of a segment within one day row (Unix seconds)."""

    start: float
    end: float
    mood: str


@dataclass(frozen=True)
class DayRow:
    day: date
    start: float  # local midnight
    end: float  # the next local midnight (23 to 25 hours later where DST changes)
    bands: tuple[Band, ...]


def midnight(day: date) -> float:
    return datetime.combine(day, datetime.min.time()).astimezone().timestamp()


def day_rows(segments: Sequence[Segment], since: float | None, until: float | None, now: float) -> tuple[DayRow, ...]:
    """One row per day from ``since`` (else the first segment) to ``until`` (else ``now``), each with
    the segments cut to the range and to the day. Over ``MAX_EVERY_DAY`` days, empty days are left out."""
    low = -math.inf if since is None else since
    high = math.inf if until is None else until
    pieces = [(max(s.start, low), min(s.end, high), s.mood) for s in segments]
    pieces = [(start, end, mood) for start, end, mood in pieces if end > start]
    first = since if since is not None else min((p[0] for p in pieces), default=now)
    last = until if until is not None else max([now, *(p[1] for p in pieces)])
    first_day = datetime.fromtimestamp(first).date()
    last_day = datetime.fromtimestamp(max(first, last - 1e-3)).date()  # an "until" at midnight ends the day before
    # Day by day along each piece, not along the whole range: a range from a segment dated 1970
    # to today is twenty thousand days, nearly all empty.
    bounds: dict[date, tuple[float, float]] = {}
    bands: dict[date, list[Band]] = {}
    for p_start, p_end, mood in pieces:
        day = datetime.fromtimestamp(p_start).date()
        while day <= datetime.fromtimestamp(max(p_start, p_end - 1e-3)).date():
            start, end = bounds.setdefault(day, (midnight(day), midnight(day + timedelta(days=1))))
            bands.setdefault(day, []).append(Band(max(p_start, start), min(p_end, end), mood))
            day += timedelta(days=1)
    span = (last_day - first_day).days + 1
    days = [first_day + timedelta(days=n) for n in range(span)] if span <= MAX_EVERY_DAY else sorted(bands)
    rows = []
    for day in days or [last_day]:
        start, end = bounds.get(day) or (midnight(day), midnight(day + timedelta(days=1)))
        rows.append(DayRow(day, start, end, tuple(bands.get(day, ()))))
    return tuple(rows)


def time_axis(rows: Sequence[DayRow]) -> tuple[float, float, float]:
    """(first, last, step) in seconds after midnight: the part of the day the rows' bands fall in,
    in round steps (``emotune.journal.axis``, which the PNG export uses too)."""
    offsets = [(band.start - row.start, band.end - row.start) for row in rows for band in row.bands]
    if not offsets:
        return round_axis(None, None)
    return round_axis(min(a for a, _ in offsets), max(b for _, b in offsets))


def parse_day(text: str, what: str) -> date:
    """A YYYY-MM-DD date; ValueError naming the field otherwise."""
    value = text.strip()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what}: {value or 'nothing'} is not a date like 2026-03-01") from None


def parse_range(since_text: str, until_text: str) -> tuple[float | None, float | None]:
    """(since, until) of two YYYY-MM-DD fields, both days included; an empty field is unbounded."""
    since = midnight(parse_day(since_text, "From")) if since_text.strip() else None
    until = midnight(parse_day(until_text, "To") + timedelta(days=1)) if until_text.strip() else None
    if since is not None and until is not None and since >= until:
        raise ValueError("From must not be after To")
    return since, until
