"""Playback on Spotify from the real window, against the stand-in Spotify server on 127.0.0.1:
a signed-in user plays the list from the selected row, saves it as a playlist, sees what plays;
with no active device the status bar says so within seconds and the list stays."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from emotune.controller.options import AppOptions
from emotune.music.spotify import TokenFileCache, user_token_path
from tests.support.fake_spotify import CLIENT_ID, FakeSpotify
from tests.support.gui import Running
from tests.support.paths import UserFolders

pytestmark = pytest.mark.gui


def signed_in(server: FakeSpotify, user_dirs: UserFolders, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", CLIENT_ID)  # no secret: a packaged app's sign-in (PKCE)
    TokenFileCache(user_token_path(user_dirs.config)).save_token_to_cache(server.issue_user_token())


def signed_in_with_a_list(
    start: Callable[..., Running], server: FakeSpotify, user_dirs: UserFolders, monkeypatch: pytest.MonkeyPatch
) -> Running:
    """The window, signed in to the stand-in Spotify, with a happy list that can be played."""
    signed_in(server, user_dirs, monkeypatch)
    run = start(AppOptions(source="99", mood="happy"))
    panel = run.app.playlist
    run.until(lambda: len(run.playlist_rows()) == 10 and panel.play_button.instate(["!disabled"]), "a list")
    return run


def test_play_save_and_what_plays_with_a_signed_in_account(
    start: Callable[..., Running], user_dirs: UserFolders, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSpotify() as server:
        signed_in(server, user_dirs, monkeypatch)
        run = start(AppOptions(source="99", mood="happy"))
        app, panel = run.app, run.app.playlist
        run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
        run.until(lambda: panel.play_button.instate(["!disabled"]), "playback to be offered")
        assert app.status.music.cget("text").startswith("Music: Spotify")
        panel.tree.selection_set("3")
        panel.play_button.invoke()
        run.until(lambda: len(server.played) == 1, "the list to start on Spotify", timeout=30)
        assert list(server.played[0].uris) == [t.uri for t in panel.tracks[3:]]
        run.until(lambda: app.status.note.cget("text") == "Playing 7 songs", "the note")
        run.until(lambda: panel.now_playing.cget("text").startswith("Playing “"), "what plays", timeout=30)
        assert panel.now_playing.cget("text").endswith(" on Test Laptop")

        panel.save_button.invoke()
        run.until(lambda: "Saved the playlist" in app.status.note.cget("text"), "the saved playlist", timeout=30)
        (playlist,) = server.playlists.values()
        assert playlist["name"].startswith("Emotune: happy") and playlist["public"] is False
        assert playlist["uris"] == [t.uri for t in panel.tracks]


def test_no_active_device_is_one_line_within_seconds_and_the_list_stays(
    start: Callable[..., Running], user_dirs: UserFolders, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSpotify() as server:
        signed_in(server, user_dirs, monkeypatch)
        server.no_active_device()
        run = start(AppOptions(source="99", mood="sad"))
        panel = run.app.playlist
        run.until(lambda: len(run.playlist_rows()) == 10 and panel.play_button.instate(["!disabled"]), "a list")
        shown = panel.tracks
        clicked = time.monotonic()
        panel.play_button.invoke()
        expected = "No active Spotify device: open Spotify on a phone or computer first"
        run.until(lambda: run.app.status.note.cget("text") == expected, "the no-device note", timeout=30)
        assert time.monotonic() - clicked < 6.0  # a guard for "within a few seconds", generous for CI
        assert panel.tracks == shown and server.played == []
        run.press(panel.tree, "<Return>")  # opening a track by hand keeps working
        run.until(lambda: len(run.app_opener.opened) == 1, "the track to open")


def test_a_mood_picked_by_hand_while_spotify_plays_plays_its_new_list(
    start: Callable[..., Running], user_dirs: UserFolders, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSpotify() as server:
        run = signed_in_with_a_list(start, server, user_dirs, monkeypatch)
        app, panel = run.app, run.app.playlist
        panel.play_button.invoke()
        run.until(lambda: len(server.played) == 1, "the list to start on Spotify", timeout=30)
        run.until(lambda: app.controller.playback.playing, "playing")
        app.controls.mood_choice.set("sad")
        app.controls.mood_box.event_generate("<<ComboboxSelected>>")
        run.until(lambda: panel.heading.cget("text") == "Songs to match sad", "the sad list")
        run.until(lambda: len(server.played) == 2, "the sad list to start on Spotify", timeout=30)
        assert list(server.played[1].uris) == [t.uri for t in panel.tracks]
        first = panel.tracks[0].name
        run.until(lambda: first in panel.now_playing.cget("text"), "what plays to follow", timeout=30)


def test_play_and_save_leave_out_the_songs_never_to_play_and_the_rows_stay(
    start: Callable[..., Running], user_dirs: UserFolders, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSpotify() as server:
        run = signed_in_with_a_list(start, server, user_dirs, monkeypatch)
        app, panel = run.app, run.app.playlist
        shown = panel.tracks
        for row, words in ((1, "Never play this track"), (4, "Never play this artist")):
            panel.tree.selection_set(str(row))
            panel.tree.focus(str(row))
            panel.menu.invoke(words)
        banned = set(shown[4].artist_keys())
        wanted = [t.uri for i, t in enumerate(shown) if i != 1 and not t.artist_keys() & banned]
        assert len(wanted) < 9

        panel.tree.selection_set("0")
        panel.play_button.invoke()
        run.until(lambda: len(server.played) == 1, "the list to start on Spotify", timeout=30)
        assert list(server.played[0].uris) == wanted
        panel.save_button.invoke()
        run.until(lambda: "Saved the playlist" in app.status.note.cget("text"), "the saved playlist", timeout=30)
        (playlist,) = server.playlists.values()
        assert playlist["uris"] == wanted
        # The rows stay where they were, marked (greyed): only what is sent to Spotify leaves them out.
        assert panel.tracks == shown and len(run.playlist_rows()) == 10
        assert app.song_feedback.mark_of("1") == "⊘" and app.song_feedback.mark_of("4") == "⊘"
