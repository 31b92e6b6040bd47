"""The music side of a running app: built, and asked for songs, on a lane of its own.

``MusicSide`` builds the catalog and recommender (and Spotify, when signed in) off the UI thread,
with the user's verdicts (``emotune.music.service.build_music``), says which account answers,
and runs each song request after it on the same lane, so a request made while the catalog loads
waits behind it. Answers come back on the UI thread through the task runner. No toolkit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from emotune.config import Settings
from emotune.controller.factories import MusicFactory
from emotune.controller.song_requests import SongRequest
from emotune.environment import Environment
from emotune.errors import EmotuneError
from emotune.music.feedback import Preferences
from emotune.tasks import Lane, OnError

if TYPE_CHECKING:  # spotipy & co. load on the music lane, off the start-up path
    from emotune.music.recommender import Recommendation
    from emotune.music.service import Music, MusicAccount
    from emotune.music.spotify import Credentials


class StatusView(Protocol):
    def show_music_status(self, text: str) -> None: ...


class MusicSide:
    def __init__(
        self, view: StatusView, lane: Lane, factory: MusicFactory, env: Environment, after_built: Callable[[], None]
    ) -> None:
        self.view = view
        self._lane = lane
        self._factory = factory
        self._env = env
        self._after_built = after_built
        self._music: Music | None = None  # touched only on the lane after it is built
        self.account: MusicAccount | None = None  # None while the music side is being built

    def build(
        self, settings: Settings, offline: bool, verdicts: Callable[[], Preferences], on_ready: Callable[[], None]
    ) -> None:
        """Build it anew (at start, after sign-in or new Spotify settings); ``verdicts`` runs on the lane."""
        self.account = None
        env, factory = self._env, self._factory

        def build() -> Music:
            self._music = factory(settings, env, offline, verdicts())
            return self._music

        def ready(music: Music) -> None:
            self.account = music.account
            self.view.show_music_status(music.account.describe())
            self._after_built()  # the start-up path's process-wide tweak (``gui.start.run_app``)
            on_ready()

        self._lane.submit(build, ready, lambda error: self.view.show_music_status(f"unavailable ({error})"))

    @property
    def signed_in(self) -> bool:
        return self.account is not None and self.account.signed_in

    def credentials(self, settings: Settings) -> Credentials | None:
        """What the player signs in with, while the account is signed in."""
        from emotune.music.spotify import Credentials  # spotipy & co. load once the music side is built

        return Credentials.from_settings(settings, self._env) if self.signed_in else None

    def ask(
        self,
        request: SongRequest,
        settings: Settings,
        offline: bool,
        shown: tuple[str, ...],
        on_ok: Callable[[Recommendation], None],
        on_error: OnError,
    ) -> None:
        """Find the songs of ``request`` (``shown``: track IDs in the list, kept out of "more like")."""
        limit, genres = settings.playlist_length, tuple(settings.genres)

        def recommend() -> Recommendation:
            if self._music is None:
                raise EmotuneError("the music catalog is not loaded")
            music, mood, strategy = self._music.recommender, request.mood, request.strategy
            if request.like is not None:
                return music.more_like(request.like, mood, limit, strategy, exclude=shown, genres=genres)
            return music.recommend(mood, limit, strategy, offline=offline, genres=genres)

        self._lane.submit(recommend, on_ok, on_error)
