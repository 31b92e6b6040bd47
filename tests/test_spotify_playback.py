"""Spotify Connect playback against the stand-in: devices, state, play, queue, playlists, every fault,
and the ``play EMOTION`` command's handler."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from emotune.environment import Environment
from emotune.labels import EMOTIONS
from emotune.music.playback import Device, PlayerState, SpotifyPlayer, track_uris
from emotune.music.spotify import (
    SpotifyAuthError,
    SpotifyNoActiveDeviceError,
    SpotifyPremiumRequiredError,
    SpotifyRateLimitedError,
    SpotifyRequestError,
    SpotifySignInExpiredError,
    SpotifyTimeoutError,
    SpotifyUnavailableError,
    TokenFileCache,
    is_signed_in,
    user_token_path,
)
from emotune.music.spotify_cli import SpotifyCommandError, add_spotify_parsers, main, run
from emotune.music.tracks import JSON_KEYS, Track
from tests.support.fake_spotify import CLIENT_ID, FakeSpotify, Played, default_tracks

TRACKS = [Track(t.id, t.name, t.artists, "spotify") for t in default_tracks(5)]
URIS = track_uris(TRACKS)


def signed_in(fake: FakeSpotify, token_dir: Path, **token: object) -> None:
    info = fake.issue_user_token()
    info.update(token)
    TokenFileCache(user_token_path(token_dir)).save_token_to_cache(info)


def player(fake: FakeSpotify, token_dir: Path, timeout_s: float = 5.0) -> SpotifyPlayer:
    signed_in(fake, token_dir)
    return SpotifyPlayer.as_user(fake.credentials(CLIENT_ID, timeout_s=timeout_s), token_dir)


# --- devices and state ----------------------------------------------------------------------------


def test_devices_lists_the_users_devices_with_the_active_one(fake: FakeSpotify, tmp_path: Path) -> None:
    devices = player(fake, tmp_path).devices()
    assert [(d.name, d.type, d.is_active) for d in devices] == [
        ("Test Laptop", "Computer", True),
        ("Kitchen", "Speaker", False),
    ]
    assert all(isinstance(d, Device) and d.id and d.volume_percent == 60 for d in devices)


def test_state_is_none_when_nothing_plays_and_names_song_and_device_when_it_does(
    fake: FakeSpotify, tmp_path: Path
) -> None:
    user = player(fake, tmp_path)
    assert user.state() is None  # 204: nothing plays anywhere
    user.play(URIS)
    state = user.state()
    assert isinstance(state, PlayerState)
    assert state.is_playing and state.track == TRACKS[0] and state.device is not None
    assert state.device.name == "Test Laptop" and state.progress_ms == 42000
    assert state.describe() == "Playing “Fake Song 00” by Fake Artist 00 on Test Laptop"


# --- play and queue -----------------------------------------------------------------------------


def test_play_starts_the_uris_in_order_on_the_active_device(fake: FakeSpotify, tmp_path: Path) -> None:
    assert player(fake, tmp_path).play(URIS) is None
    (put,) = fake.requests_to("/v1/me/player/play", "PUT")
    assert json.loads(put.body) == {"uris": URIS}
    assert "device_id" not in put.query
    assert fake.played == [Played(fake.devices[0]["id"], tuple(URIS))]


def test_play_on_a_named_device(fake: FakeSpotify, tmp_path: Path) -> None:
    kitchen = fake.devices[1]["id"]
    player(fake, tmp_path).play(URIS[:2], device_id=kitchen)
    (put,) = fake.requests_to("/v1/me/player/play", "PUT")
    assert put.query["device_id"] == kitchen
    assert fake.played == [Played(kitchen, tuple(URIS[:2]))]


def test_play_wakes_an_idle_device_when_none_is_active(fake: FakeSpotify, tmp_path: Path) -> None:
    for device in fake.devices:
        device["is_active"] = False  # Spotify is open on the laptop but has sat idle
    woken = player(fake, tmp_path).play(URIS)
    assert woken is not None and woken.name == "Test Laptop"
    first, second = fake.requests_to("/v1/me/player/play", "PUT")
    assert "device_id" not in first.query and second.query["device_id"] == woken.id
    assert fake.played == [Played(str(woken.id), tuple(URIS))]


def test_no_device_at_all_is_one_clear_error(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.no_active_device()
    user = player(fake, tmp_path)
    with pytest.raises(SpotifyNoActiveDeviceError) as caught:
        user.play(URIS)
    assert str(caught.value) == "No active Spotify device: open Spotify on a phone or computer first"
    with pytest.raises(SpotifyNoActiveDeviceError):
        user.queue(URIS[0])
    assert fake.played == [] and fake.queued == []


def test_no_active_device_for_a_named_device_is_not_retried(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail_player(404, "No active device found", "NO_ACTIVE_DEVICE", path="/v1/me/player/play")
    with pytest.raises(SpotifyNoActiveDeviceError):
        player(fake, tmp_path).play(URIS, device_id=fake.devices[1]["id"])
    assert len(fake.requests_to("/v1/me/player/play")) == 1


def test_queue_adds_a_song_after_the_current_one(fake: FakeSpotify, tmp_path: Path) -> None:
    user = player(fake, tmp_path)
    user.play(URIS[:1])
    user.queue(URIS[3])
    user.queue(URIS[4])
    assert fake.queued == [URIS[3], URIS[4]]
    assert [r.query["uri"] for r in fake.requests_to("/v1/me/player/queue", "POST")] == URIS[3:5]
    assert fake.played == [Played(fake.devices[0]["id"], (URIS[0],))]  # queueing never restarts playback


def test_a_free_account_is_told_playback_needs_premium(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.premium = False
    user = player(fake, tmp_path)
    for action in (lambda: user.play(URIS), lambda: user.queue(URIS[0])):
        with pytest.raises(SpotifyPremiumRequiredError) as caught:
            action()
        assert str(caught.value) == "Playback needs Spotify Premium"
    assert fake.played == [] and fake.queued == []


def test_bad_uris_are_refused_before_any_request(fake: FakeSpotify, tmp_path: Path) -> None:
    user = player(fake, tmp_path)
    for bad in ([], ["spotify:album:" + "A" * 22], ["spotify:track:short"]):
        with pytest.raises(SpotifyRequestError):
            user.play(bad)
    with pytest.raises(SpotifyRequestError, match="not a Spotify track URI"):
        user.queue("https://open.spotify.com/track/x")
    assert fake.requests_to("/v1/me/player") == []


# --- faults -----------------------------------------------------------------------------------------


def test_401_on_play_is_an_auth_error(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail("/v1/me/player/play", 401, body={"error": {"status": 401, "message": "Invalid access token"}})
    with pytest.raises(SpotifyAuthError, match="HTTP 401"):
        player(fake, tmp_path).play(URIS)


def test_429_on_play_reports_the_wait_and_stops_asking(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail(
        "/v1/me/player/play",
        429,
        body={"error": {"status": 429, "message": "API rate limit exceeded"}},
        headers={"Retry-After": "90"},
    )
    user = player(fake, tmp_path)
    with pytest.raises(SpotifyRateLimitedError) as caught:
        user.play(URIS)
    assert caught.value.retry_after == 90 and "2 min" in str(caught.value)
    asked = len(fake.requests)
    for action in (user.state, user.devices, lambda: user.queue(URIS[0])):
        with pytest.raises(SpotifyRateLimitedError):
            action()
    assert len(fake.requests) == asked


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_on_player_commands_is_unavailable(fake: FakeSpotify, tmp_path: Path, status: int) -> None:
    user = player(fake, tmp_path)
    for method, path, action in (
        ("PUT", "/v1/me/player/play", lambda: user.play(URIS)),
        ("POST", "/v1/me/player/queue", lambda: user.queue(URIS[0])),
        ("GET", "/v1/me/player", user.state),
    ):
        fake.fail(path, status, body=b"oops", method=method, exact=True)
        with pytest.raises(SpotifyUnavailableError, match=f"HTTP {status}"):
            action()


def test_a_network_fault_is_unavailable(fake: FakeSpotify, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    signed_in(fake, tmp_path)  # a valid cached token: no token request is needed
    with FakeSpotify() as gone:
        api_url = gone.api_url
    user = SpotifyPlayer.as_user(replace(fake.credentials(), api_url=api_url), tmp_path)
    for action in (lambda: user.play(URIS), user.state, user.devices):
        with pytest.raises(SpotifyUnavailableError, match="cannot reach Spotify"):
            action()


@pytest.mark.slow
def test_a_trickling_player_ends_at_the_deadline(fake: FakeSpotify, tmp_path: Path) -> None:
    user = player(fake, tmp_path, timeout_s=1.0)
    fake.trickle("/v1/me/player", 0.25)
    started = time.monotonic()
    with pytest.raises(SpotifyTimeoutError):
        user.state()
    assert time.monotonic() - started < 1.0 + 1.0


def test_an_expired_access_token_is_refreshed_on_the_way(fake: FakeSpotify, tmp_path: Path) -> None:
    signed_in(fake, tmp_path, expires_at=int(time.time()) - 10)
    fake.expire_access_tokens()
    user = SpotifyPlayer.as_user(fake.credentials(CLIENT_ID), tmp_path)
    user.play(URIS)
    (refresh,) = fake.requests_to("/api/token")
    assert b"grant_type=refresh_token" in refresh.body and b"client_id=" + CLIENT_ID.encode() in refresh.body
    assert len(fake.played) == 1
    cached = TokenFileCache(user_token_path(tmp_path)).get_cached_token()
    assert cached is not None and cached["access_token"] in fake.user_tokens


def test_an_expired_sign_in_says_sign_in_again_and_forgets_the_token(fake: FakeSpotify, tmp_path: Path) -> None:
    signed_in(fake, tmp_path, expires_at=int(time.time()) - 10)
    fake.expire_sign_ins()  # six months after sign-in: invalid_grant on refresh
    user = SpotifyPlayer.as_user(fake.credentials(CLIENT_ID), tmp_path)
    started = time.monotonic()
    with pytest.raises(SpotifySignInExpiredError) as caught:
        user.play(URIS)
    assert time.monotonic() - started < 2
    assert str(caught.value) == "Spotify sign-in has expired; sign in again"
    assert not user_token_path(tmp_path).exists() and not is_signed_in(tmp_path)
    assert fake.played == []


def test_a_sign_in_without_the_playback_scopes_does_not_count(fake: FakeSpotify, tmp_path: Path) -> None:
    signed_in(fake, tmp_path, scope="playlist-modify-private")  # an Emotune sign-in from before playback
    assert not is_signed_in(tmp_path)
    with pytest.raises(SpotifyAuthError, match="not signed in"):
        SpotifyPlayer.as_user(fake.credentials(CLIENT_ID), tmp_path)


def test_save_playlist_uses_the_2026_endpoints(fake: FakeSpotify, tmp_path: Path) -> None:
    playlist = player(fake, tmp_path).save_playlist("Emotune: calm", TRACKS)
    assert [r.method for r in fake.requests_to("/v1/me/playlists")] == ["POST"]
    (add,) = fake.requests_to(f"/v1/playlists/{playlist.id}/items", "POST")
    assert json.loads(add.body) == URIS
    assert fake.playlists[playlist.id]["public"] is False and fake.playlists[playlist.id]["uris"] == URIS


# --- the play command's handler ---------------------------------------------------------------------


@pytest.fixture
def cli_env(fake: FakeSpotify, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and cache in tmp_path, the stand-in as Spotify, a client ID and no secret."""
    for name in ("SPOTIPY_CLIENT_SECRET", "SPOTIPY_REDIRECT_URI", "EMOTUNE_MUSIC_STRATEGY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("EMOTUNE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "config"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="emotune")
    add_spotify_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_play_command_plays_the_moods_songs_and_prints_them_like_recommend(
    fake: FakeSpotify, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in(fake, cli_env)
    assert run(parse("play", "happy", "--limit", "6", "--json"), Environment.from_os()) == 0
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 6 and all(list(r) == list(JSON_KEYS) for r in records)
    assert fake.played == [Played(fake.devices[0]["id"], tuple(r["uri"] for r in records))]
    assert {r["source"] for r in records} == {"spotify"}  # searched as the signed-in user


def test_play_command_text_output_and_a_named_device(
    fake: FakeSpotify, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in(fake, cli_env)
    assert run(parse("play", "Sad", "--limit", "3", "--device", "kitchen"), Environment.from_os()) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(" — " in line and "https://open.spotify.com/track/" in line for line in lines)
    assert fake.played[0].device_id == fake.devices[1]["id"]
    with pytest.raises(SpotifyCommandError, match="no Spotify device called 'Garage'; devices: Test Laptop, Kitchen"):
        run(parse("play", "sad", "--device", "Garage"), Environment.from_os())


def test_play_command_without_an_active_device_is_one_line_and_exit_2(
    fake: FakeSpotify, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in(fake, cli_env)
    fake.no_active_device()
    assert main(["play", "happy"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "emotune: No active Spotify device: open Spotify on a phone or computer first\n"
    with pytest.raises(SpotifyNoActiveDeviceError):
        run(parse("play", "happy"), Environment.from_os())


def test_play_command_needs_premium_and_a_sign_in(
    fake: FakeSpotify, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["play", "happy"]) == 2
    assert capsys.readouterr().err == "emotune: not signed in to Spotify: sign in first with: emotune spotify login\n"
    signed_in(fake, cli_env)
    fake.premium = False
    assert main(["play", "happy"]) == 2
    assert capsys.readouterr().err == "emotune: Playback needs Spotify Premium\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["play", "joyful"], f"unknown emotion 'joyful'; valid emotions: {', '.join(EMOTIONS)}"),
        (["play", "happy", "--limit", "0"], "--limit 0: must be between 1 and 50"),
        (["play", "happy", "--limit", "51"], "--limit 51: must be between 1 and 50"),
    ],
)
def test_play_command_refuses_bad_input_before_any_request(
    fake: FakeSpotify, cli_env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    signed_in(fake, cli_env)
    assert main(argv) == 2
    assert capsys.readouterr().err == f"emotune: {message}\n"
    assert fake.requests == []
