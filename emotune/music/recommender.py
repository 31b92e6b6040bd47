"""Mood -> a list of tracks: Spotify search when connected, the bundled catalog otherwise.

``Recommender.recommend()`` never raises for network trouble: a Spotify failure (401/403, 429,
5xx, timeout, malformed answer) becomes the ``status`` line of the returned ``Recommendation``
and the catalog answers. It blocks on the network, so the GUI runs it on a worker thread;


Spotify results are merged with what the catalog knows: a result the catalog has features for is
dropped when it is far from the mood (a search for "happy" finds sad songs titled "Happy"), and
a short Spotify list is topped up from the catalog. Only track search is used: searching
playlists would find other users' playlists, whose items a development-mode app may not read
(403 since February 2026).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from emotune import moods
from emotune.choices import Strategy
from emotune.music.catalog import CatalogSession
from emotune.music.feedback import Preferences
from emotune.music.spotify import SEARCH_PAGE_LIMIT, SpotifyClient, SpotifyError, SpotifyRateLimitedError
from emotune.music.tracks import Track

log = logging.getLogger(__name__)

# A Spotify result the catalog knows is kept only if it lies this close to the mood's path
# (weighted feature distance; the nearest 200 catalog tracks of a mood lie within about 0.15).
MAX_KNOWN_DISTANCE = 0.35
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

    def recommend(
        self, emotion: str, limit: int, strategy: Strategy = "match", *, offline: bool = False
    ) -> Recommendation:
        """``limit`` tracks for ``emotion``; call again for more. Never raises for network trouble."""
        if offline or self._spotify is None:
            tracks = self._catalog.recommend(emotion, limit, strategy)
            why = "offline" if offline else "Spotify not connected"
            status = f"bundled catalog ({why})"  # lower case, as the status bar says it everywhere
            restarted = self._catalog.pool_restarted
            return Recommendation(emotion, strategy, tracks, "catalog", status, pool_restarted=restarted)
        # Liked catalog tracks due for this mood head the list (feedback rule 2); Spotify fills the rest.
        pinned = self._catalog.take_liked(emotion, limit, strategy)
        found: list[Track] = []
        problem: SpotifyError | None = None
        try:
            found = self._search(emotion, limit - len(pinned), strategy, pinned)
        except SpotifyError as exc:
            problem = exc
        retry_after = problem.retry_after if isinstance(problem, SpotifyRateLimitedError) else None
        if not found:
            rest = [t.id for t in pinned]
            tracks = pinned + self._catalog.recommend(emotion, limit - len(pinned), strategy, rest, pin_liked=False)
            reason = str(problem) if problem else "Spotify found nothing for this mood"
            return Recommendation(
                emotion, strategy, tracks, "catalog", f"{reason}; showing the bundled catalog", retry_after
            )
        top_up: tuple[Track, ...] = ()
        if len(pinned) + len(found) < limit:
            top_up = self._catalog.recommend(
                emotion,
                limit - len(pinned) - len(found),
                strategy,
                exclude=[t.id for t in (*pinned, *found)],
                pin_liked=False,
            )
        tracks = pinned + tuple(found) + top_up
        self._shown.update(t.id for t in found)
        status = "Spotify, topped up from the bundled catalog" if top_up else "Spotify"
        if problem is not None:
            status = f"{status} ({problem})"
        return Recommendation(emotion, strategy, tracks, "spotify", status, retry_after)

    def _search(self, emotion: str, limit: int, strategy: Strategy, taken: tuple[Track, ...] = ()) -> list[Track]:
        """Round-robin over the mood's queries, paging each on from where the session left it.

        ``taken``: tracks already at the top of the list (their IDs and artists are not repeated).
        """
        assert self._spotify is not None
        catalog = self._catalog.catalog
        samples = moods.points_along(self._catalog.path(emotion, strategy), 5)
        rules = None if self._feedback is None else self._feedback.snapshot()
        chosen: list[Track] = []
        artists: set[str] = {key for track in taken for key in track.artist_keys()}
        ids: set[str] = {track.id for track in taken}
        queries = list(moods.SEARCH_TERMS[strategy][emotion])
        for _ in range(PAGES_PER_QUERY):
            for query in queries:
                if len(chosen) >= limit:
                    return chosen
                offset = self._offsets.get(query, 0)
                page = self._spotify.search_tracks(query, SEARCH_PAGE_LIMIT, offset)
                self._offsets[query] = offset + len(page)
                for track in page:
                    if track.id in ids or track.id in self._shown or track.artist_keys() & artists:
                        continue
                    if rules is not None and not rules.allows(track):
                        continue  # disliked or never again (feedback rule 1)
                    known = catalog.get(track.id)
                    if known is not None:
                        if catalog.distance_to_path(track.id, samples) > MAX_KNOWN_DISTANCE:
                            continue  # the catalog knows it does not fit this mood
                        track = Track(track.id, track.name, track.artists, "spotify", known.features)
                    chosen.append(track)
                    ids.add(track.id)
                    artists |= track.artist_keys()
                    if len(chosen) >= limit:
                        return chosen
        return chosen
