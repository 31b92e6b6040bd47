"""The bundled catalog: a few thousand real Spotify tracks with audio features, no network needed.

``load_catalog()`` reads ``assets/catalog.csv`` (built by ``tools/build_catalog.py``) lazily and
once. ``CatalogSession`` picks tracks for a mood: the nearest tracks to the mood's target (see
``moods.py``), with variety rules a listener expects: no artist twice in one list, no track
repeated within a session until the mood's pool is used up, and "more" (calling again) gives new
tracks. Randomness comes from one seeded generator, so a fixed seed gives the same lists.

Genres: every call takes ``genres`` (a tuple of ``moods.GENRES``; empty: any genre). With genres
chosen, a mood's pool holds only tracks of those genres that fit the mood (``moods.FIT_DISTANCE``),
nearest first, and a list never leaves the chosen genres. ``more_like`` gives the tracks nearest
one track in valence, energy, tempo and genre among those that fit the mood.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from emotune import moods
from emotune.choices import Strategy
from emotune.errors import EmotuneError
from emotune.music.feedback import LIKED_EVERY, Preferences, max_pinned
from emotune.music.tracks import Features, Track, is_track_id
from emotune.resources import resource_path

CATALOG_FILE = "catalog.csv"
COLUMNS = ("id", "name", "artists", "valence", "energy", "danceability", "acousticness", "tempo")
# Optional last columns (a catalog without them has no genres: every track is "any genre").
GENRE_COLUMNS = ("genre", "subgenre")
# Samples along a lift path when ranking the pool by distance to the whole path.
PATH_SAMPLES = 11
# "More like this": weights of the seed-distance features, and what a different genre costs.
LIKE_WEIGHTS = {"valence": 1.0, "energy": 1.0, "tempo": 0.5}
OTHER_GENRE_COST = 0.2
OTHER_SUBGENRE_COST = 0.05

Genres = tuple[str, ...]
_Key = tuple[str, Strategy, Genres]


def feature_row(features: Features) -> list[float]:
    """A track's row of the catalog matrix (columns ``moods.FEATURE_NAMES``, normalised)."""
    return [moods.normalise(n, getattr(features, n)) for n in moods.FEATURE_NAMES]


def weighted_distances(matrix: NDArray[np.float64], target: Mapping[str, float]) -> NDArray[np.float64]:
    """Weighted Euclidean distance of every matrix row to ``target`` (the features it names only)."""
    vector = np.zeros(len(moods.FEATURE_NAMES))
    weights = np.zeros(len(moods.FEATURE_NAMES))
    for column, name in enumerate(moods.FEATURE_NAMES):
        if name in target:
            vector[column] = moods.normalise(name, target[name])
            weights[column] = moods.FEATURE_WEIGHTS[name]
    distances: NDArray[np.float64] = np.sqrt(((matrix - vector) ** 2 * weights).sum(axis=1))
    return distances


def path_distances(matrix: NDArray[np.float64], path: moods.Path) -> NDArray[np.float64]:
    """Distance of every row to the nearest point of a mood's path; ``<= moods.FIT_DISTANCE`` fits.

    The one fit rule: the session's pools, the recommender's Spotify check and
    ``tools/build_catalog.py`` all use it.
    """
    samples = moods.points_along(path, PATH_SAMPLES)
    nearest: NDArray[np.float64] = np.min([weighted_distances(matrix, point) for point in samples], axis=0)
    return nearest


class CatalogError(EmotuneError):
    """The catalog file is missing or malformed."""


@dataclass(frozen=True)
class Catalog:
    """Tracks plus their features as a matrix (rows in the same order, columns FEATURE_NAMES)."""

    tracks: tuple[Track, ...]
    matrix: NDArray[np.float64] = field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.tracks)

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {track.id: i for i, track in enumerate(self.tracks)}

    def get(self, track_id: str) -> Track | None:
        """The catalog track with this ID, if the catalog has it."""
        position = self._index.get(track_id)
        return None if position is None else self.tracks[position]

    def distances(self, target: Mapping[str, float]) -> NDArray[np.float64]:
        """Weighted Euclidean distance of every track to ``target`` (features it names only)."""
        return weighted_distances(self.matrix, target)

    @functools.cached_property
    def genres(self) -> NDArray[np.str_]:
        """Every track's genre ("" where unknown), in track order."""
        return np.asarray([track.genre for track in self.tracks], dtype=np.str_)

    def genre_mask(self, genres: Genres) -> NDArray[np.bool_]:
        """True for tracks of one of ``genres`` (every track when ``genres`` is empty)."""
        if not genres:
            return np.ones(len(self.tracks), dtype=np.bool_)
        return np.isin(self.genres, list(genres))

    def known_genres(self) -> Genres:
        """The genres some track has, in ``moods.GENRES`` order."""
        present = set(self.genres.tolist())
        return tuple(genre for genre in moods.GENRES if genre in present)

    def distance_to_path(self, track_id: str, targets: Sequence[Mapping[str, float]]) -> float:
        """Distance of a catalog track to the nearest of ``targets`` (inf if the catalog lacks it)."""
        position = self._index.get(track_id)
        if position is None:
            return float("inf")
        return min(float(self.distances(target)[position]) for target in targets)


def parse_catalog(path: Path) -> Catalog:
    """Read a catalog CSV; raise CatalogError naming the file and line of the first bad row."""
    tracks: list[Track] = []
    rows: list[list[float]] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(header) not in (COLUMNS, COLUMNS + GENRE_COLUMNS):
                raise CatalogError(f"{path}: expected the header {','.join(COLUMNS + GENRE_COLUMNS)}")
            width = len(header)
            for line, row in enumerate(reader, start=2):
                genre, subgenre = (row[-2].strip(), row[-1].strip()) if width > len(COLUMNS) else ("", "")
                try:
                    track_id, name, artists, *numbers = row[: len(COLUMNS)]
                    values = [float(v) for v in numbers]
                except ValueError:
                    raise CatalogError(f"{path}, line {line}: expected {width} fields, numbers after artists") from None
                if not is_track_id(track_id) or not name or not artists or len(values) != 5 or len(row) != width:
                    raise CatalogError(f"{path}, line {line}: bad track ID, name, artists or field count")
                if genre and genre not in moods.GENRES:
                    raise CatalogError(f"{path}, line {line}: genre {genre!r} is not one of {', '.join(moods.GENRES)}")
                valence, energy, danceability, acousticness, tempo = values
                features = Features(valence, energy, danceability, acousticness, tempo)
                artist_names = tuple(a.strip() for a in artists.split(";") if a.strip())
                tracks.append(Track(track_id, name, artist_names, "catalog", features, genre, subgenre))
                rows.append(feature_row(features))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the catalog ({exc.strerror or exc})") from None
    if not tracks:
        raise CatalogError(f"{path}: the catalog has no tracks")
    return Catalog(tuple(tracks), np.asarray(rows, dtype=np.float64))


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped catalog, read on first use (not at import) and kept."""
    return parse_catalog(resource_path("assets", CATALOG_FILE))


def genre_tally(songs: Iterable[tuple[str, int]], catalog: Catalog | None = None) -> dict[str, int]:
    """Genre -> times, for (track ID, times) pairs, most first; a track the catalog does not know,
    or files under no genre, counts as "other". (The journal's songs per mood, by genre.)"""
    catalog = catalog if catalog is not None else load_catalog()
    tally: dict[str, int] = {}
    for track_id, times in songs:
        known = catalog.get(track_id)
        genre = known.genre if known is not None and known.genre else "other"
        tally[genre] = tally.get(genre, 0) + times
    return dict(sorted(tally.items(), key=lambda item: (-item[1], item[0])))


def tally_words(tally: Mapping[str, int]) -> str:
    """``rock 3, pop 1`` for a ``genre_tally``."""
    return ", ".join(f"{genre} {times}" for genre, times in tally.items())


class CatalogSession:
    """Mood -> tracks from a catalog, remembering what this session has already shown.

    Not thread-safe: one session belongs to one worker (the recommender's).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        seed: int | None = None,
        overrides: Mapping[Strategy, Mapping[str, moods.Path]] | None = None,
        pool_size: int = 200,
        variety: float = 0.08,
        feedback: Preferences | None = None,
    ) -> None:
        self._catalog = catalog
        self._rng = np.random.default_rng(seed)
        self._overrides = overrides
        self._pool_size = max(1, pool_size)
        # Distance noise added per request: picks wander among near-equals instead of always
        # returning the same nearest tracks, while far tracks stay out.
        self._variety = variety
        # Keyed per (mood, strategy, genres chosen): each genre choice has its own pool and memory.
        self._pools: dict[_Key, NDArray[np.intp]] = {}
        self._served: dict[_Key, set[int]] = {}
        self._last: dict[_Key, list[int]] = {}
        # Song feedback (rules in emotune.music.feedback); None: lists as without feedback.
        self._feedback = feedback
        self.pool_restarted = False  # whether the last recommend() had used up its pool and began it again
        self._rounds: dict[_Key, int] = {}
        # Per mood: liked track ID -> (round it was last pinned in, time of the like it honoured).
        self._pins: dict[_Key, dict[str, tuple[int, float]]] = {}

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    @property
    def feedback(self) -> Preferences | None:
        return self._feedback

    def take_liked(
        self,
        emotion: str,
        limit: int,
        strategy: Strategy = "match",
        exclude: Collection[str] = (),
        genres: Genres = (),
    ) -> tuple[Track, ...]:
        """The liked tracks due at the top of the next list of ``limit`` (feedback rule 2).

        Counts as one list for the mood: call it once per list (``recommend`` does, unless told
        ``pin_liked=False`` because the caller already has).
        """
        if self._feedback is None:
            return ()
        rules = self._feedback.snapshot()
        key = (emotion, strategy, genres)
        round_ = self._rounds[key] = self._rounds.get(key, 0) + 1
        if not rules.liked:
            return ()
        pins = self._pins.setdefault(key, {})
        in_pool = {self._catalog.tracks[int(i)].id: int(i) for i in self._pool(emotion, strategy, genres)}
        due: list[tuple[bool, float, int, str]] = []
        for track_id, liked_at in rules.liked.items():
            if track_id not in in_pool or track_id in exclude:
                continue
            # Sorted: likes not yet honoured first (newest first), then the track pinned longest ago.
            last = pins.get(track_id)
            if last is None or last[1] != liked_at:
                due.append((False, -liked_at, 0, track_id))
            elif round_ - last[0] >= LIKED_EVERY:
                due.append((True, 0.0, last[0], track_id))
        taken: list[Track] = []
        artists: set[str] = set()
        for known in (self._catalog.get(track_id) for track_id in exclude):
            if known is not None:
                artists |= known.artist_keys()
        for *_, track_id in sorted(due):
            track = self._catalog.tracks[in_pool[track_id]]
            if len(taken) >= max_pinned(limit):
                break
            if not rules.allows(track) or track.artist_keys() & artists:
                continue
            taken.append(track)
            artists |= track.artist_keys()
            pins[track_id] = (round_, rules.liked[track_id])
            self._served.setdefault(key, set()).add(in_pool[track_id])
        return tuple(taken)

    def pool(self, emotion: str, strategy: Strategy = "match", genres: Genres = ()) -> tuple[Track, ...]:
        """The tracks this session draws from for a mood, nearest to its path first."""
        return tuple(self._catalog.tracks[i] for i in self._pool(emotion, strategy, genres))

    def path(self, emotion: str, strategy: Strategy) -> moods.Path:
        """The mood's waypoints for this session (the user's overrides applied)."""
        return moods.target_path(emotion, strategy, self._overrides)

    def _pool(self, emotion: str, strategy: Strategy, genres: Genres = ()) -> NDArray[np.intp]:
        key = (emotion, strategy, genres)
        if key not in self._pools:
            to_path = path_distances(self._catalog.matrix, self.path(emotion, strategy))
            order = np.argsort(to_path, kind="stable")
            if genres:
                order = order[self._catalog.genre_mask(genres)[order]]
                # Only tracks that fit the mood (too few for a list: ``recommend`` widens, in genre).
                order = order[to_path[order] <= moods.FIT_DISTANCE]
            self._pools[key] = order[: min(self._pool_size, len(order))]
        return self._pools[key]

    def recommend(
        self,
        emotion: str,
        limit: int,
        strategy: Strategy = "match",
        exclude: Collection[str] = (),
        *,
        pin_liked: bool = True,
        genres: Genres = (),
    ) -> tuple[Track, ...]:
        """Up to ``limit`` tracks for ``emotion``; call again for more (new tracks each time).

        ``exclude`` holds track IDs (and artists are taken from those tracks too) that are
        already in the list being built, e.g. by Spotify results this list tops up. With
        feedback, due liked tracks come first (``take_liked``) unless ``pin_liked`` is False.
        ``genres``: only tracks of these genres (empty: any genre).
        """
        pinned = self.take_liked(emotion, limit, strategy, exclude, genres) if pin_liked else ()
        if pinned:
            more_ids = [*exclude, *(t.id for t in pinned)]
            rest = self.recommend(emotion, limit - len(pinned), strategy, more_ids, pin_liked=False, genres=genres)
            return pinned + rest
        rules = None if self._feedback is None else self._feedback.snapshot()
        allowed = None if rules is None else rules.allowed_mask(self._catalog.tracks)
        key = (emotion, strategy, genres)
        pool = [int(i) for i in self._pool(emotion, strategy, genres)]
        served = self._served.setdefault(key, set())
        excluded_ids = set(exclude)
        banned_artists: set[str] = set()
        for track_id in excluded_ids:
            known = self._catalog.get(track_id)
            if known is not None:
                banned_artists |= known.artist_keys()

        def candidates(indices: list[int]) -> list[int]:
            return [
                i
                for i in indices
                if i not in served
                and self._catalog.tracks[i].id not in excluded_ids
                and (allowed is None or bool(allowed[i]))
            ]

        eligible = candidates(pool)
        self.pool_restarted = False
        if _distinct_artists(self._catalog, eligible, banned_artists) < limit:
            # The pool is used up: start it over, but never repeat the list just shown; say so
            # (``pool_restarted``) rather than wrap silently.
            self.pool_restarted = bool(served)
            served.clear()
            served.update(self._last.get(key, []))
            eligible = candidates(pool)
        if _distinct_artists(self._catalog, eligible, banned_artists) < limit:
            # A small pool (or a narrow override) cannot fill the list: widen to the catalog.
            in_genres = self._catalog.genre_mask(genres)
            nearest = np.argsort(self._catalog.distances(self.path(emotion, strategy)[0]), kind="stable")
            eligible = candidates([int(i) for i in nearest if in_genres[i]])

        slots = moods.points_along(self.path(emotion, strategy), limit)
        jitter = self._rng.uniform(0.0, self._variety, size=len(self._catalog))
        if rules is not None:
            jitter = jitter + rules.score_offsets(self._catalog.tracks, emotion, self._rng)
        eligible_array = np.asarray(eligible, dtype=np.intp)
        chosen: list[int] = []
        artists = set(banned_artists)
        for slot in slots:
            scores = self._catalog.distances(slot)[eligible_array] + jitter[eligible_array]
            for position in np.argsort(scores, kind="stable"):
                index = int(eligible_array[position])
                track = self._catalog.tracks[index]
                if index in chosen or track.artist_keys() & artists:
                    continue
                chosen.append(index)
                artists |= track.artist_keys()
                break
        if strategy == "match" or len(slots) == 1:
            # One target: nearest first. (A lift list keeps its path order: calm, then brighter.)
            target = self._catalog.distances(slots[0])
            chosen.sort(key=lambda i: float(target[i]))
        served.update(chosen)
        self._last[key] = chosen
        return tuple(self._catalog.tracks[i] for i in chosen)

    def more_like(
        self,
        seed: Track,
        emotion: str,
        limit: int,
        strategy: Strategy = "match",
        exclude: Collection[str] = (),
        genres: Genres = (),
    ) -> tuple[Track, ...]:
        """Up to ``limit`` tracks nearest ``seed`` in valence, energy, tempo and genre, nearest first.

        Only tracks that fit ``emotion`` (``moods.FIT_DISTANCE``) and, if ``genres`` are chosen,
        are of them; never ``seed`` itself or a track in ``exclude``; one per artist; feedback
        rules 1, 3 and 5 apply. A seed the catalog has no features for gives the mood's next list.
        """
        known = self._catalog.get(seed.id)
        features = seed.features or (known.features if known is not None else None)
        if features is None:
            return self.recommend(emotion, limit, strategy, exclude, pin_liked=False, genres=genres)
        genre = seed.genre or (known.genre if known is not None else "")
        subgenre = seed.subgenre or (known.subgenre if known is not None else "")
        catalog = self._catalog
        fits = path_distances(catalog.matrix, self.path(emotion, strategy)) <= moods.FIT_DISTANCE
        fits &= catalog.genre_mask(genres)
        rules = None if self._feedback is None else self._feedback.snapshot()
        if rules is not None:
            fits &= rules.allowed_mask(catalog.tracks)
        skip = {seed.id, *exclude}
        near = {name: getattr(features, name) for name in LIKE_WEIGHTS}
        columns = [moods.FEATURE_NAMES.index(name) for name in LIKE_WEIGHTS]
        weights = np.asarray(list(LIKE_WEIGHTS.values()))
        target = np.asarray([moods.normalise(name, value) for name, value in near.items()])
        scores = np.sqrt(((catalog.matrix[:, columns] - target) ** 2 * weights).sum(axis=1))
        if genre:
            scores += np.where(catalog.genres == genre, 0.0, OTHER_GENRE_COST)
            if subgenre:
                subgenres = np.asarray([t.subgenre for t in catalog.tracks], dtype=np.str_)
                scores += np.where(subgenres == subgenre, 0.0, OTHER_SUBGENRE_COST)
        if rules is not None:
            scores += rules.score_offsets(catalog.tracks, emotion, self._rng)
        chosen: list[int] = []
        artists: set[str] = set()
        for index in np.argsort(np.where(fits, scores, np.inf), kind="stable"):
            i = int(index)
            track = catalog.tracks[i]
            if len(chosen) >= limit or not fits[i]:
                break
            if track.id in skip or track.artist_keys() & artists:
                continue
            chosen.append(i)
            artists |= track.artist_keys()
        self._served.setdefault((emotion, strategy, genres), set()).update(chosen)
        return tuple(catalog.tracks[i] for i in chosen)


def _distinct_artists(catalog: Catalog, indices: list[int], banned: set[str]) -> int:
    """How many tracks could go into one list together (a lower bound on distinct artists)."""
    seen: set[str] = set(banned)
    count = 0
    for index in indices:
        keys = catalog.tracks[index].artist_keys()
        if not keys & seen:
            seen |= keys
            count += 1
    return count
