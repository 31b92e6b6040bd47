"""Song feedback rules: what the user's likes and dislikes do to the next lists. All rules live here.

The rules (the catalog session and the recommender apply them; nothing else decides):

1. Blocked, in every mood. A track with the verdict ``dislike`` or ``never_track`` never returns,
   from the catalog or from Spotify. ``never_artist`` blocks every track by any artist of the track
   it was given on (artists compared by ``Track.artist_keys()``, case-folded). ``dislike`` also
   counts against the track's feature region in the mood it was given in (rule 4);
   ``never_track`` and ``never_artist`` do not (they say "not this", not "not this sound").
2. Liked tracks come back early. A liked catalog track *fits* a mood when it is in the catalog
   session's pool for that mood (the ``pool_size`` tracks nearest the mood's path), whatever mood
   it was liked in. A fitting liked track is *due*, and is put at the top of the next list for
   that mood, when this session has not pinned it yet since it was liked (so it is in the very
   next list after a like, or the first list of a new session) or when ``LIKED_EVERY`` lists of
   that mood have passed since it was last pinned. Other tracks return only once the mood's whole
   pool has been served. At most ``max_pinned(limit)`` liked tracks are pinned per list (newest
   likes first, then the longest unseen), one per artist, so a long list of likes still leaves
   room for new music.
3. Liked artists get a gentle boost: a track sharing an artist with a track liked in this mood
   (or liked without a mood, e.g. from the command line) ranks ``ARTIST_BOOST`` closer to the
   mood than it is.
4. Feature regions learn per mood, with exploration kept: valence x energy is cut into
   ``REGION_BINS`` x ``REGION_BINS`` cells. Per mood and cell, likes are successes and dislikes
   failures of a Beta(1 + likes, 1 + dislikes) belief. For every list, one value theta is drawn
   per cell that has evidence (Thompson sampling) and tracks in that cell rank
   ``REGION_WEIGHT * (2 * theta - 1)`` closer (a negative value: farther). Cells without
   evidence are left alone. Because theta is drawn, a cell with one dislike still comes out ahead
   now and then, and because the boost is small next to the distances within a mood, feedback
   reorders tracks that fit the mood; it never brings in tracks that do not. Feedback without
   features (Spotify-only tracks) or without a mood teaches no region.
5. Liked genres pull: among the tracks liked in a mood (or liked without a mood) whose genre the
   catalog knows, each genre's share s (0..1) ranks the tracks of that genre ``GENRE_PULL * s``
   closer in that mood. Someone who liked three rock songs and one pop song for "happy" sees rock
   first among the happy songs, pop next, and the rest after; no draw is made, so the pull is
   the same every list. Like rules 3 and 4 it reorders tracks that fit the mood, and a genre the
   user chose (``--genre``, the Genres menu) still limits the list first.

Units: boosts are in the catalog's weighted feature distance (``Catalog.distances``); the nearest
200 tracks of a mood lie within about 0.15 of it and the session's variety jitter is up to 0.08.

``Preferences`` is the live, thread-safe set of verdicts (the GUI records into it on the Tk
thread; the recommender reads a ``snapshot()`` on its worker). This module is pure: it stores
nothing on disk (``emotune.music.feedback_store`` does) and never talks to the network or imports tkinter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from emotune.music.tracks import Track

Verdict = Literal["like", "dislike", "never_track", "never_artist"]
VERDICTS: tuple[Verdict, ...] = ("like", "dislike", "never_track", "never_artist")
BLOCKING: frozenset[str] = frozenset({"dislike", "never_track", "never_artist"})

LIKED_EVERY = 3
ARTIST_BOOST = 0.05
REGION_BINS = 5
REGION_WEIGHT = 0.04
GENRE_PULL = 0.05

Region = tuple[int, int]


def check_verdict(value: str) -> Verdict:
    for verdict in VERDICTS:
        if value == verdict:
            return verdict
    raise ValueError(f"verdict {value!r} is not one of {', '.join(VERDICTS)}")


def max_pinned(limit: int) -> int:
    """How many liked tracks a list of ``limit`` may pin: about a quarter, and never all of it."""
    return max(0, (limit + 2) // 4)


def region_of(valence: float, energy: float) -> Region:
    """The valence x energy cell of a track (features 0..1; values outside are clamped)."""

    def cell(value: float) -> int:
        return min(REGION_BINS - 1, max(0, int(value * REGION_BINS)))

    return cell(valence), cell(energy)


@dataclass(frozen=True)
class Feedback:
    """One verdict on one track, as the user gave it.

    ``mood`` is the mood the list was for (None from the command line); ``valence``/``energy`` are
    the track's features when known (catalog tracks), for the region rule. ``time``: Unix seconds.
    """

    track_id: str
    verdict: Verdict
    artist_keys: frozenset[str] = frozenset()
    mood: str | None = None
    valence: float | None = None
    energy: float | None = None
    time: float = 0.0

    @classmethod
    def for_track(cls, track: Track, verdict: Verdict, mood: str | None, time: float) -> Feedback:
        features = track.features
        return cls(
            track.id,
            verdict,
            track.artist_keys(),
            mood,
            None if features is None else features.valence,
            None if features is None else features.energy,
            time,
        )

    @property
    def region(self) -> Region | None:
        if self.valence is None or self.energy is None:
            return None
        return region_of(self.valence, self.energy)


@dataclass(frozen=True)
class FeedbackRules:
    """An immutable view of the verdicts, with the lookups the rules need. Build with ``from_records``."""

    verdicts: Mapping[str, Feedback]
    blocked_ids: frozenset[str]
    blocked_artists: frozenset[str]
    # track ID -> time of the like
    liked: Mapping[str, float]
    # mood (None: every mood) -> artist keys of tracks liked in it
    liked_artists: Mapping[str | None, frozenset[str]]
    # mood -> region -> (likes, dislikes)
    evidence: Mapping[str, Mapping[Region, tuple[int, int]]]
    _masks: dict[int, tuple[Sequence[Track], NDArray[np.bool_], NDArray[np.float64]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _genres: dict[int, tuple[Sequence[Track], NDArray[np.str_], dict[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_records(cls, records: Iterable[Feedback]) -> FeedbackRules:
        latest: dict[str, Feedback] = {}
        for record in sorted(records, key=lambda r: r.time):
            latest[record.track_id] = record  # one verdict per track: the newest wins
        blocked_artists: set[str] = set()
        liked_artists: dict[str | None, set[str]] = {}
        evidence: dict[str, dict[Region, tuple[int, int]]] = {}
        for record in latest.values():
            if record.verdict == "never_artist":
                blocked_artists |= record.artist_keys
            if record.verdict == "like":
                liked_artists.setdefault(record.mood, set()).update(record.artist_keys)
            region = record.region
            if record.mood is not None and region is not None and record.verdict in ("like", "dislike"):
                likes, dislikes = evidence.setdefault(record.mood, {}).get(region, (0, 0))
                if record.verdict == "like":
                    likes += 1
                else:
                    dislikes += 1
                evidence[record.mood][region] = (likes, dislikes)
        return cls(
            verdicts=latest,
            blocked_ids=frozenset(r.track_id for r in latest.values() if r.verdict in BLOCKING),
            blocked_artists=frozenset(blocked_artists),
            liked={r.track_id: r.time for r in latest.values() if r.verdict == "like"},
            liked_artists={mood: frozenset(keys) for mood, keys in liked_artists.items()},
            evidence=evidence,
        )

    def verdict(self, track_id: str) -> Verdict | None:
        record = self.verdicts.get(track_id)
        return None if record is None else record.verdict

    def allows(self, track: Track) -> bool:
        """False for a track rule 1 blocks."""
        return track.id not in self.blocked_ids and not track.artist_keys() & self.blocked_artists

    def filter(self, tracks: Iterable[Track]) -> tuple[Track, ...]:
        return tuple(track for track in tracks if self.allows(track))

    def _per_track(self, tracks: Sequence[Track]) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        """Allowed mask and region codes (-1: no features) of a track sequence, computed once."""
        cached = self._masks.get(id(tracks))
        if cached is not None and cached[0] is tracks:
            return cached[1], cached[2]
        allowed = np.fromiter((self.allows(t) for t in tracks), dtype=np.bool_, count=len(tracks))
        codes = np.full(len(tracks), -1.0)
        for i, track in enumerate(tracks):
            if track.features is not None:
                v, e = region_of(track.features.valence, track.features.energy)
                codes[i] = v * REGION_BINS + e
        self._masks[id(tracks)] = (tracks, allowed, codes)
        return allowed, codes

    def allowed_mask(self, tracks: Sequence[Track]) -> NDArray[np.bool_]:
        """``allows`` for every track of a (catalog) sequence, as a boolean array."""
        return self._per_track(tracks)[0]

    def sample_region_boosts(self, mood: str, rng: np.random.Generator) -> dict[Region, float]:
        """Rule 4: one Thompson draw per region with evidence in ``mood``."""
        boosts: dict[Region, float] = {}
        for region in sorted(self.evidence.get(mood, {})):
            likes, dislikes = self.evidence[mood][region]
            theta = float(rng.beta(1.0 + likes, 1.0 + dislikes))
            boosts[region] = REGION_WEIGHT * (2.0 * theta - 1.0)
        return boosts

    def _genre_lookup(self, tracks: Sequence[Track]) -> tuple[NDArray[np.str_], dict[str, str]]:
        """Every track's genre as an array, and track ID -> genre (known genres only), computed once."""
        cached = self._genres.get(id(tracks))
        if cached is not None and cached[0] is tracks:
            return cached[1], cached[2]
        genres = np.asarray([t.genre for t in tracks], dtype=np.str_)
        by_id = {t.id: t.genre for t in tracks if t.genre}
        self._genres[id(tracks)] = (tracks, genres, by_id)
        return genres, by_id

    def genre_pull(self, tracks: Sequence[Track], mood: str) -> dict[str, float]:
        """Rule 5: genre -> how much closer its tracks rank in ``mood`` (genres of ``tracks``)."""
        _, by_id = self._genre_lookup(tracks)
        counts: dict[str, int] = {}
        for record in self.verdicts.values():
            genre = by_id.get(record.track_id)
            if record.verdict == "like" and record.mood in (mood, None) and genre:
                counts[genre] = counts.get(genre, 0) + 1
        total = sum(counts.values())
        return {genre: GENRE_PULL * count / total for genre, count in sorted(counts.items())}

    def score_offsets(self, tracks: Sequence[Track], mood: str, rng: np.random.Generator) -> NDArray[np.float64]:
        """What to add to each track's distance to ``mood`` (negative: ranks earlier). Rules 3, 4 and 5.

        Draws from ``rng`` only when ``mood`` has region evidence, so feedback without any leaves
        a seeded session's lists exactly as they were.
        """
        offsets = np.zeros(len(tracks))
        artists = self.liked_artists.get(mood, frozenset()) | self.liked_artists.get(None, frozenset())
        if artists:
            for i, track in enumerate(tracks):
                if track.artist_keys() & artists:
                    offsets[i] -= ARTIST_BOOST
        boosts = self.sample_region_boosts(mood, rng)
        if boosts:
            _, codes = self._per_track(tracks)
            for (v, e), boost in boosts.items():
                offsets[codes == v * REGION_BINS + e] -= boost
        pull = self.genre_pull(tracks, mood) if self.liked else {}
        if pull:
            genres, _ = self._genre_lookup(tracks)
            for genre, boost in pull.items():
                offsets[genres == genre] -= boost
        return offsets


class Preferences:
    """The live verdicts, shared by the GUI (records) and the recommender's worker (reads).

    Thread-safe; ``snapshot()`` returns an immutable ``FeedbackRules``, rebuilt only after a change.
    """

    def __init__(self, records: Iterable[Feedback] = ()) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, Feedback] = {}
        for record in sorted(records, key=lambda r: r.time):
            self._records[record.track_id] = record
        self._snapshot: FeedbackRules | None = None

    def record(self, feedback: Feedback) -> None:
        """Set the verdict on a track (replacing an earlier one)."""
        with self._lock:
            self._records[feedback.track_id] = feedback
            self._snapshot = None

    def clear(self, track_id: str) -> None:
        """Forget the verdict on a track (an artist block given on it goes too)."""
        with self._lock:
            if self._records.pop(track_id, None) is not None:
                self._snapshot = None

    def records(self) -> tuple[Feedback, ...]:
        with self._lock:
            return tuple(self._records.values())

    def verdict(self, track_id: str) -> Verdict | None:
        with self._lock:
            record = self._records.get(track_id)
        return None if record is None else record.verdict

    def snapshot(self) -> FeedbackRules:
        with self._lock:
            if self._snapshot is None:
                self._snapshot = FeedbackRules.from_records(self._records.values())
            return self._snapshot
