"""Spotify Connect for the signed-in user: which devices there are, what plays, play a list, queue a song.

Needs a PKCE sign-in with ``USER_SCOPES`` (``emotune.music.spotify.sign_in``) and, for the player
commands, a Premium account. Every method blocks on the network (each exchange ends within the
client's deadline, <= 5 s), so the GUI calls them from a worker thread; nothing here touches Tk.

Failures are ``SpotifyError`` subclasses with one-line messages, ready for a status bar:
``SpotifyNoActiveDeviceError`` (Spotify is open nowhere), ``SpotifyPremiumRequiredError``,
``SpotifyAuthError`` / ``SpotifySignInExpiredError`` (401, refused or expired sign-in),
``SpotifyRateLimitedError`` (429, with ``retry_after``), ``SpotifyUnavailableError`` /
``SpotifyTimeoutError`` (5xx, network, no complete answer in time), ``SpotifyBadResponseError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emotune.music.spotify import (
    SpotifyBadResponseError,
    SpotifyClient,
    SpotifyNoActiveDeviceError,
    SpotifyPremiumRequiredError,
    SpotifyRequestError,
    track_from_object,
)
from emotune.music.tracks import Track, is_track_id

__all__ = [
    "Device",
    "PlayerState",
    "SpotifyNoActiveDeviceError",
    "SpotifyPlayer",
    "SpotifyPremiumRequiredError",
    "track_uris",
]


@dataclass(frozen=True)
class Device:
    """A Spotify Connect device (``GET /me/player/devices``). ``id`` can be missing for some."""

    id: str | None
    name: str
    type: str
    is_active: bool
    is_restricted: bool  # restricted devices take no Web API commands
    volume_percent: int | None


@dataclass(frozen=True)
class PlayerState:
    """What the user's Spotify is doing (``GET /me/player``)."""

    device: Device | None
    is_playing: bool
    track: Track | None  # None for a podcast episode or an ad
    item_name: str | None  # the track's or episode's name
    progress_ms: int | None

    def describe(self) -> str:
        """One line for a status bar: 'Playing “Song” by Artist on Kitchen'."""
        if self.track is not None:
            what = f"“{self.track.name}” by {', '.join(self.track.artists)}"
        else:
            what = f"“{self.item_name}”" if self.item_name else "something"
        where = f" on {self.device.name}" if self.device is not None else ""
        return f"{'Playing' if self.is_playing else 'Paused'} {what}{where}"


def track_uris(tracks: Sequence[Track]) -> list[str]:
    return [track.uri for track in tracks]


def _check_track_uri(uri: str) -> None:
    prefix = "spotify:track:"
    if not (isinstance(uri, str) and uri.startswith(prefix) and is_track_id(uri[len(prefix) :])):
        raise SpotifyRequestError(f"not a Spotify track URI: {uri!r}")


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _device_from(item: Any) -> Device:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise SpotifyBadResponseError("Spotify sent a device without a name")
    device_id = item.get("id")
    return Device(
        device_id if isinstance(device_id, str) and device_id else None,
        item["name"],
        item["type"] if isinstance(item.get("type"), str) else "Unknown",
        item.get("is_active") is True,
        item.get("is_restricted") is True,
        _int_or_none(item.get("volume_percent")),
    )


class SpotifyPlayer(SpotifyClient):
    """The signed-in user's Spotify: make one with ``SpotifyPlayer.as_user(credentials, token_dir)``.

    Also saves playlists (``save_playlist``) and searches, as every ``SpotifyClient`` does.
    """

    def devices(self) -> list[Device]:
        """The user's Spotify Connect devices, the active one flagged (``GET /me/player/devices``)."""
        answer = self._call(self._sp.devices)
        items = answer.get("devices") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise SpotifyBadResponseError("Spotify sent a device list without devices")
        return [_device_from(item) for item in items]

    def state(self) -> PlayerState | None:
        """What plays and where (``GET /me/player``); None when nothing plays anywhere (204)."""
        answer = self._call_allowing_empty(self._sp.current_playback)
        if answer is None:
            return None
        if not isinstance(answer, dict):
            raise SpotifyBadResponseError("Spotify sent a player state that is not an object")
        device = _device_from(answer["device"]) if answer.get("device") is not None else None
        item = answer.get("item")
        track = track_from_object(item) if isinstance(item, dict) and item.get("type", "track") == "track" else None
        name = item.get("name") if isinstance(item, dict) else None
        return PlayerState(
            device,
            answer.get("is_playing") is True,
            track,
            name if isinstance(name, str) else None,
            _int_or_none(answer.get("progress_ms")),
        )

    def play(self, uris: Sequence[str], device_id: str | None = None) -> Device | None:
        """Start ``uris`` (track URIs, in order) on ``device_id``, else on the active device.

        Spotify calls a device that has sat idle for a while inactive, though the app is still
        open; so when no device is active and none was named, the first device that takes
        commands is woken with the play command itself. Returns that device (None when the
        active or named device played). ``SpotifyNoActiveDeviceError`` when there is none.
        """
        if not uris:
            raise SpotifyRequestError("nothing to play: the list is empty")
        for uri in uris:
            _check_track_uri(uri)
        try:
            self._call_allowing_empty(self._sp.start_playback, device_id=device_id, uris=list(uris))
            return None
        except SpotifyNoActiveDeviceError:
            if device_id is not None:
                raise
            idle = next((d for d in self.devices() if d.id is not None and not d.is_restricted), None)
            if idle is None:
                raise
        self._call_allowing_empty(self._sp.start_playback, device_id=idle.id, uris=list(uris))
        return idle

    def queue(self, uri: str, device_id: str | None = None) -> None:
        """Add one track after the current one (``POST /me/player/queue``): the music turns at a song boundary."""
        _check_track_uri(uri)
        self._call_allowing_empty(self._sp.add_to_queue, uri, device_id=device_id)
