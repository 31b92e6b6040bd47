"""What the Spotify package is given instead of reading it itself: the Environment's URLs, and
the memory of tokens whose file could not be written (``TokenMemory``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotune.config import Settings
from emotune.environment import Environment
from emotune.music.spotify import Credentials, SpotifyClient, TokenFileCache, TokenMemory, is_signed_in
from tests.support.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify


def test_credentials_take_where_spotify_is_from_the_environment_passed_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSpotify() as server:
        # The process points elsewhere (a closed port): only the Environment passed in counts.
        monkeypatch.setenv("EMOTUNE_SPOTIFY_API_URL", "http://127.0.0.1:9/v1/")
        monkeypatch.setenv("EMOTUNE_SPOTIFY_ACCOUNTS_URL", "http://127.0.0.1:9")
        env = Environment.from_os({**server.env(), "EMOTUNE_CONFIG_DIR": str(tmp_path)})
        settings = Settings(spotify_client_id=CLIENT_ID, spotify_client_secret=CLIENT_SECRET)
        credentials = Credentials.from_settings(settings, env)
        assert (credentials.api_url, credentials.accounts_url) == (server.api_url, server.accounts_url)
        assert len(SpotifyClient.as_app(credentials, env.config_dir).search_tracks("happy", 3)) == 3
        assert len(server.requests_to("/api/token")) == 1


def test_a_token_kept_in_memory_stays_in_the_memory_it_was_given(fake: FakeSpotify, tmp_path: Path) -> None:
    token_dir = tmp_path / "config"
    token_dir.write_text("a file where the config dir should be", encoding="utf-8")
    mine = TokenMemory()
    cache = TokenFileCache(token_dir / "spotify-user-token.json", needs_refresh_token=True, memory=mine)
    cache.save_token_to_cache(fake.issue_user_token())  # cannot be written: kept in ``mine``
    assert is_signed_in(token_dir, mine)
    assert not is_signed_in(token_dir)  # the run's own memory never saw it
    assert not is_signed_in(token_dir, TokenMemory())
