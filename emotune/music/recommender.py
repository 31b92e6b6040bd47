"""Mood -> a list of tracks: Spotify search when connected, the bundled catalog otherwise.

``Recommender.recommend()`` never raises for network trouble: a Spotify failure (401/403, 429,
5xx, timeout, malformed answer) becomes the ``status`` line of the returned ``Recommendation``
and the catalog answers. It blocks on the network, so the GUI runs it on a worker thread;


Spotify results are merged with what the catalog knows: a result the catalog has features for is
dropped when it is far from the mood (a search for "happy" finds sad songs titled "Happy"), and
a short Spotify list is topped up from the catalog. Only track search is used: searching
playlists would find other users' playlists, whose items a development-mode app may not read
(403 since February 2026).

Genres (``genres``: a tuple of ``moods.GENRES``, empty for any genre): each mood query is sent with
Spotify's ``genre:`` field filter, one query per chosen genre; a result the catalog knows is kept
only if the catalog files it under a chosen genre. When Spotify refuses the filter (HTTP 400), the
session searches without it and keeps only results the catalog knows to be of a chosen genre; the
catalog tops the list up from the chosen genres either way. "More like this" (``more_like``)
needs features, so the catalog answers it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from emotune import moods
from emotune.choices import Strategy
from emotune.music.catalog import Catalog, CatalogSession, Genres
from emotune.music.feedback import Preferences
from emotune.music.spotify import (
    SEARCH_PAGE_LIMIT,
    SpotifyClient,
    SpotifyError,
    SpotifyRateLimitedError,
    SpotifyRequestError,
    with_genre,
)
from emotune.music.tracks import Track

log = logging.getLogger(__name__)

# A Spotify result the catalog knows is kept only if it fits the mood (moods.FIT_DISTANCE).
MAX_KNOWN_DISTANCE = moods.FIT_DISTANCE
# Pages fetched per query and call: 3 queries x 2 pages = 6 requests at most per list.
PAGES_PER_QUERY = 2


@dataclass(frozen=True)
class Recommendation:
    """One list for the playlist panel, with a status line saying where it came from."""

    emotion: str
    strategy: Strategy
    tracks: tuple[Track, ...]
    source: Literal["catalog", "spotify"]
    status: str
    retry_after: float | None = None
    saved_at: float | None = None
    pool_restarted: bool = False  # every song of the mood's pool had been shown: the list began again
    genres: Genres = ()  # the genres the list was limited to (empty: any genre)
    like: Track | None = None  # "more like this": the track the list is like


class Recommender:
    """One per session: remembers what it showed, so "more" gives new tracks."""

    def __init__(
        self,
        catalog: CatalogSession,
        *,
        spotify: SpotifyClient | None = None,
        clock: Callable[[], float] = time.time,
        feedback: Preferences | None = None,
    ) -> None:
        self._catalog = catalog
        # Song feedback (emotune.music.feedback): blocked tracks leave Spotify results and cached
        # lists too. Without one given, the catalog session's (if any) applies.
        self._feedback = feedback if feedback is not None else catalog.feedback
        self._spotify = spotify
        self._clock = clock
        self._shown: set[str] = set()
        self._offsets: dict[str, int] = {}
        # False once Spotify has refused a genre: filter; the catalog's genres decide from then on.
        self._genre_filter_works = True

    def recommend(
        self,
        emotion: str,
        limit: int,
        strategy: Strategy = "match",
        *,
        offline: bool = False,
        genres: Genres = (),
    ) -> Recommendation:
        """``limit`` tracks for ``emotion`` (of ``genres``, if any); call again for more. Never
        raises for network trouble."""
        if offline or self._spotify is None:
            tracks = self._catalog.recommend(emotion, limit, strategy, genres=genres)
            why = "offline" if offline else "Spotify not connected"
            status = f"bundled catalog ({why})"  # lower case, as the status bar says it everywhere
            restarted = self._catalog.pool_restarted
            return Recommendation(emotion, strategy, tracks, "catalog", status, pool_restarted=restarted, genres=genres)
        # Liked catalog tracks due for this mood head the list (feedback rule 2); Spotify fills the rest.
        pinned = self._catalog.take_liked(emotion, limit, strategy, genres=genres)
        found: list[Track] = []
        problem: SpotifyError | None = None
        try:
            found = self._search(emotion, limit - len(pinned), strategy, pinned, genres)
        except SpotifyError as exc:
            problem = exc
        retry_after = problem.retry_after if isinstance(problem, SpotifyRateLimitedError) else None
        if not found:
            rest = [t.id for t in pinned]
            tracks = pinned + self._catalog.recommend(
                emotion, limit - len(pinned), strategy, rest, pin_liked=False, genres=genres
            )
            reason = str(problem) if problem else "Spotify found nothing for this mood"
            status = f"{reason}; showing the bundled catalog"
            return Recommendation(emotion, strategy, tracks, "catalog", status, retry_after, genres=genres)
        top_up: tuple[Track, ...] = ()
        if len(pinned) + len(found) < limit:
            top_up = self._catalog.recommend(
                emotion,
                limit - len(pinned) - len(found),
                strategy,
                exclude=[t.id for t in (*pinned, *found)],
                pin_liked=False,
                genres=genres,
            )
        tracks = pinned + tuple(found) + top_up
        self._shown.update(t.id for t in found)
        status = "Spotify, topped up from the bundled catalog" if top_up else "Spotify"
        if problem is not None:
            status = f"{status} ({problem})"
        return Recommendation(emotion, strategy, tracks, "spotify", status, retry_after, genres=genres)

    @property
    def catalog(self) -> Catalog:
        """The catalog the session draws from (for lookups by track ID)."""
        return self._catalog.catalog

    def more_like(
        self,
        track: Track,
        emotion: str,
        limit: int,
        strategy: Strategy = "match",
        *,
        exclude: tuple[str, ...] = (),
        genres: Genres = (),
    ) -> Recommendation:
        """``limit`` catalog tracks near ``track`` that still fit ``emotion`` ("more like this")."""
        tracks = self._catalog.more_like(track, emotion, limit, strategy, exclude, genres)
        status = f"bundled catalog: songs like “{track.name}”"
        return Recommendation(emotion, strategy, tracks, "catalog", status, genres=genres, like=track)

    def _search(
        self,
        emotion: str,
        limit: int,
        strategy: Strategy,
        taken: tuple[Track, ...] = (),
        genres: Genres = (),
    ) -> list[Track]:
        """Round-robin over the mood's queries, paging each on from where the session left it.

        ``taken``: tracks already at the top of the list (their IDs and artists are not repeated).
        ``genres``: the queries carry a ``genre:`` filter each (while Spotify accepts it).
        """
        assert self._spotify is not None
        catalog = self._catalog.catalog
        samples = moods.points_along(self._catalog.path(emotion, strategy), 5)
        rules = None if self._feedback is None else self._feedback.snapshot()
        chosen: list[Track] = []
        artists: set[str] = {key for track in taken for key in track.artist_keys()}
        ids: set[str] = {track.id for track in taken}
        filtered = bool(genres) and self._genre_filter_works
        terms = moods.SEARCH_TERMS[strategy][emotion]
        queries = [with_genre(term, genre) for term in terms for genre in genres] if filtered else list(terms)
        for _ in range(PAGES_PER_QUERY):
            for query in queries:
                if len(chosen) >= limit:
                    return chosen
                offset = self._offsets.get(query, 0)
                try:
                    page = self._spotify.search_tracks(query, SEARCH_PAGE_LIMIT, offset)
                except SpotifyRequestError as exc:
                    if not filtered:
                        raise
                    # The filter was refused: search without it, the catalog's genres decide.
                    log.info("Spotify refused a genre filter (%s); filtering by the catalog's genres", exc)
                    self._genre_filter_works = False
                    return chosen + self._search(emotion, limit - len(chosen), strategy, (*taken, *chosen), genres)
                self._offsets[query] = offset + len(page)
                for track in page:
                    if track.id in ids or track.id in self._shown or track.artist_keys() & artists:
                        continue
                    if rules is not None and not rules.allows(track):
                        continue  # disliked or never again (feedback rule 1)
                    known = catalog.get(track.id)
                    if known is None and genres and not filtered:
                        continue  # no filter and no catalog entry: its genre is unknown
                    if known is not None:
                        if catalog.distance_to_path(track.id, samples) > MAX_KNOWN_DISTANCE:
                            continue  # the catalog knows it does not fit this mood
                        if genres and known.genre not in genres:
                            continue  # the catalog knows it is of another genre
                        track = Track(
                            track.id, track.name, track.artists, "spotify", known.features, known.genre, known.subgenre
                        )
                    chosen.append(track)
                    ids.add(track.id)
                    artists |= track.artist_keys()
                    if len(chosen) >= limit:
                        return chosen
        return chosen
