"""Playing the mood on the user's Spotify (signed in, Premium): start the list, let the music
turn at song boundaries, show what plays, save the list as a playlist.

``Playback`` is Tk-free; the ``AppController`` owns one and tells it what happens:

- ``play(tracks)``: ``PUT /me/player/play`` with the list from the selected row on, on the
  active device (or the first one that takes commands).
- ``mood_songs_added(tracks)``: while playing, the new music mood's first songs are queued
  (``POST /me/player/queue``), so the current song ends before the music turns.
- ``tick(now)``: every ``POLL_EVERY_S`` while signed in, ``GET /me/player`` off the UI thread;
  the view shows what plays and where.
- ``save(tracks, name)``: a private playlist (``POST /me/playlists``, ``/playlists/{id}/items``).

Every call runs on a background thread and ends within the Spotify client's deadline (5 s);
any failure (no active device, not Premium, 401/429/5xx, the network) becomes one line in the
status bar, and the list and click-to-open keep working.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from emotune.music.tracks import Track
from emotune.tasks import Runner

if TYPE_CHECKING:  # spotipy & co. load on the first Spotify action, not at start-up
    from emotune.music.playback import Device, PlayerState
    from emotune.music.spotify import Credentials

POLL_EVERY_S = 5.0  # gentle: one small request every few seconds, only while signed in
QUEUE_ON_MOOD_CHANGE = 3  # songs of the new mood queued behind the one playing


class Player(Protocol):
    """What playback needs of ``emotune.music.playback.SpotifyPlayer`` (a fake in tests)."""

    def state(self) -> PlayerState | None: ...

    def play(self, uris: Sequence[str], device_id: str | None = None) -> Device | None: ...

    def queue(self, uri: str, device_id: str | None = None) -> None: ...

    def save_playlist(self, name: str, tracks: Sequence[Track], description: str = "") -> object: ...


PlayerFactory = Callable[["Credentials", Path], Player]


class PlaybackView(Protocol):
    def show_player(self, can_play: bool, now_playing: str) -> None: ...

    def show_note(self, text: str) -> None: ...


def spotify_player(credentials: Credentials, token_dir: Path) -> Player:
    from emotune.music.playback import SpotifyPlayer

    return SpotifyPlayer.as_user(credentials, token_dir)


class Playback:
    def __init__(
        self,
        view: PlaybackView,
        tasks: Runner,
        token_dir: Path,
        player_factory: PlayerFactory = spotify_player,
        on_played: Callable[[Sequence[Track]], None] = lambda _tracks: None,
    ) -> None:
        self._view = view
        self._on_played = on_played  # the journal records what was started on Spotify
        self._tasks = tasks
        self._token_dir = token_dir
        self._factory = player_factory
        self._player: Player | None = None
        self._credentials: Credentials | None = None
        self.playing = False  # we started the music and it has not been seen stopping
        self.now_playing = ""
        self._polling = False
        self._next_poll = 0.0

    @property
    def available(self) -> bool:
        return self._credentials is not None

    def set_account(self, credentials: Credentials | None) -> None:
        """Signed in (``credentials``) or not (None): playback is offered only when signed in."""
        self._credentials, self._player = credentials, None
        self.playing, self.now_playing = False, ""
        self._next_poll = 0.0
        self._view.show_player(self.available, "" if self.available else "Sign in to Spotify to play here")

    def _get_player(self) -> Player:
        if self._player is None:
            assert self._credentials is not None
            self._player = self._factory(self._credentials, self._token_dir)
        return self._player

    def play(self, tracks: Sequence[Track]) -> None:
        if not self.available:
            self._view.show_note("Sign in to Spotify (Settings) to play the list there")
            return
        if not tracks:
            self._view.show_note("No songs to play yet")
            return
        chosen = list(tracks)
        uris = [track.uri for track in chosen]

        def start() -> Device | None:
            return self._get_player().play(uris)

        self._view.show_note("Starting Spotify…")
        self._tasks.run_in_thread(start, lambda woken: self._started(woken, chosen), self._failed, "emotune-play")

    def _started(self, woken: Device | None, tracks: list[Track]) -> None:
        self.playing = True
        where = f" on {woken.name}" if woken is not None else ""
        self._view.show_note(f"Playing {len(tracks)} songs{where}")
        self._on_played(tracks)
        self._next_poll = 0.0  # show what plays at once

    def mood_songs_added(self, tracks: Sequence[Track]) -> None:
        """The music mood changed and its songs joined the list: queue the first few."""
        if not (self.available and self.playing and tracks):
            return
        uris = [track.uri for track in tracks[:QUEUE_ON_MOOD_CHANGE]]

        def queue() -> int:
            player = self._get_player()
            for uri in uris:
                player.queue(uri)
            return len(uris)

        self._tasks.run_in_thread(
            queue, lambda n: self._view.show_note(f"Queued {n} songs for the new mood"), self._failed, "emotune-queue"
        )

    def save(self, tracks: Sequence[Track], name: str) -> None:
        if not self.available:
            self._view.show_note("Sign in to Spotify (Settings) to save the list as a playlist")
            return
        if not tracks:
            self._view.show_note("No songs to save yet")
            return
        chosen = list(tracks)

        def save() -> object:
            return self._get_player().save_playlist(name, chosen, "Made by Emotune from the mood of a moment")

        self._tasks.run_in_thread(
            save,
            lambda _playlist: self._view.show_note(f"Saved the playlist “{name}” ({len(chosen)} songs)"),
            self._failed,
            "emotune-save",
        )

    def tick(self, now: float) -> None:
        """Poll what plays, gently, while signed in (UI thread; the request runs off it)."""
        if not self.available or self._polling or now < self._next_poll:
            return
        self._polling = True
        self._next_poll = now + POLL_EVERY_S

        def poll() -> PlayerState | None:
            return self._get_player().state()

        self._tasks.run_in_thread(poll, self._polled, self._poll_failed, "emotune-player")

    def _polled(self, state: PlayerState | None) -> None:
        self._polling = False
        if not self.available:
            return
        self.now_playing = state.describe() if state is not None else "Nothing playing on Spotify"
        self.playing = state is not None and state.is_playing
        self._view.show_player(True, self.now_playing)

    def _poll_failed(self, error: Exception) -> None:
        from emotune.music.spotify import SpotifySignInExpiredError

        self._polling = False
        if isinstance(error, SpotifySignInExpiredError):
            self._failed(error)
            self.set_account(None)
        # Other failures of the background poll stay quiet: the next poll tries again, and an
        # action the user takes reports its own failure.

    def _failed(self, error: Exception) -> None:
        from emotune.music.spotify import SpotifyError

        text = str(error) if isinstance(error, SpotifyError) else f"Spotify: {error}"
        self._view.show_note(text.splitlines()[0] if text else "Spotify did not answer")


def playlist_name(mood: str | None, clock: Callable[[], float] = time.time) -> str:
    day = time.strftime("%d %b %Y", time.localtime(clock()))
    return f"Emotune: {mood} ({day})" if mood else f"Emotune ({day})"
