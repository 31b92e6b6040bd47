"""Spotify against the stand-in server: tokens, paging, every failure, fallback, playlists, sign-in."""

from __future__ import annotations

import base64
import json
import logging
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.recommender import RecommendationCache, Recommender
from emotune.music.spotify import (
    Credentials,
    SpotifyAuthError,
    SpotifyBadResponseError,
    SpotifyClient,
    SpotifyError,
    SpotifyRateLimitedError,
    SpotifyTimeoutError,
    SpotifyUnavailableError,
    TokenFileCache,
    is_signed_in,
    sign_in,
    user_token_path,
)
from emotune.music.tracks import is_track_id
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, FakeTrack, default_tracks, fake_id


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSpotify]:
    with FakeSpotify() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def app_client(token_dir: Path, timeout_s: float = 5.0, secret: str = CLIENT_SECRET) -> SpotifyClient:
    return SpotifyClient.as_app(Credentials(CLIENT_ID, secret, timeout_s=timeout_s), token_dir)


def recommender(client: SpotifyClient, tmp_path: Path | None = None) -> Recommender:
    cache = RecommendationCache(tmp_path) if tmp_path else None
    return Recommender(CatalogSession(load_catalog(), seed=1), spotify=client, cache=cache)


# --- tokens and search ------------------------------------------------------------------------


def test_token_request_uses_client_credentials_and_is_cached_with_mode_600(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(tmp_path)
    client.search_tracks("happy", 5)
    client.search_tracks("sad", 5)
    (token_request,) = fake.requests_to("/api/token")  # one token, reused
    assert token_request.method == "POST"
    assert token_request.body == b"grant_type=client_credentials"
    basic = base64.b64decode(token_request.headers["Authorization"].removeprefix("Basic ")).decode()
    assert basic == f"{CLIENT_ID}:{CLIENT_SECRET}"
    cache = tmp_path / "spotify-app-token.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    token = json.loads(cache.read_text())["access_token"]
    assert all(r.headers["Authorization"] == f"Bearer {token}" for r in fake.requests_to("/v1/"))


def test_search_pages_ten_at_a_time_with_offset(fake: FakeSpotify, tmp_path: Path) -> None:
    tracks = app_client(tmp_path).search_tracks("calm piano", 25)
    assert len(tracks) == 25 and len({t.id for t in tracks}) == 25
    pages = [(r.query["limit"], r.query["offset"], r.query["type"]) for r in fake.requests_to("/v1/search")]
    assert pages == [("10", "0", "track"), ("10", "10", "track"), ("5", "20", "track")]
    expected = [t.id for t in fake.search_order("calm piano")[:25]]
    assert [t.id for t in tracks] == expected
    assert all(t.source == "spotify" and is_track_id(t.id) for t in tracks)


def test_search_stops_at_the_last_page(fake: FakeSpotify, tmp_path: Path) -> None:
    tracks = app_client(tmp_path).search_tracks("x", 100)
    assert len(tracks) == len(fake.tracks) == 45
    assert len(fake.requests_to("/v1/search")) == 5


def test_the_stand_in_enforces_the_2026_search_limit(fake: FakeSpotify, tmp_path: Path) -> None:
    app_client(tmp_path).search_tracks("warm up", 1)  # gets a token
    token = json.loads((tmp_path / "spotify-app-token.json").read_text())["access_token"]
    answer = requests.get(
        fake.api_url + "search",
        params={"q": "happy", "type": "track", "limit": 11},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Invalid limit"


def test_bad_client_secret_is_an_auth_error_without_the_secret(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(tmp_path, secret="wrong-secret-value")
    with pytest.raises(SpotifyAuthError) as caught:
        client.search_tracks("happy", 5)
    assert "invalid_client" in str(caught.value)
    assert "wrong-secret-value" not in str(caught.value) + repr(caught.value) + repr(client)


# --- failures -----------------------------------------------------------------------------------


def test_401_is_an_auth_error_and_the_recommender_falls_back(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail("/v1/search", 401, body={"error": {"status": 401, "message": "The access token expired"}})
    with pytest.raises(SpotifyAuthError, match="HTTP 401: The access token expired"):
        app_client(tmp_path).search_tracks("happy", 5)
    fake.fail("/v1/search", 401, body={"error": {"status": 401, "message": "The access token expired"}})
    result = recommender(app_client(tmp_path)).recommend("happy", 10)
    assert result.source == "catalog" and len(result.tracks) == 10
    assert all(t.source == "catalog" for t in result.tracks)
    assert "HTTP 401" in result.status and "bundled catalog" in result.status


def test_429_reports_retry_after_returns_fast_and_stops_asking(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(tmp_path)
    fake.fail(
        "/v1/search",
        429,
        body={"error": {"status": 429, "message": "API rate limit exceeded"}},
        headers={"Retry-After": "1800"},
    )
    started = time.monotonic()
    with pytest.raises(SpotifyRateLimitedError) as caught:
        client.search_tracks("happy", 5)
    assert time.monotonic() - started < 1.0  # no sleeping for half an hour inside the request
    assert caught.value.retry_after == 1800
    assert "30 min" in str(caught.value)
    asked = len(fake.requests_to("/v1/search"))
    # While the wait lasts, the client does not touch the network, and the recommender answers
    # from the catalog at once, passing the wait on.
    started = time.monotonic()
    result = recommender(client).recommend("sad", 10)
    assert time.monotonic() - started < 1.0
    assert len(fake.requests_to("/v1/search")) == asked
    assert result.source == "catalog" and len(result.tracks) == 10
    assert result.retry_after is not None and 1790 < result.retry_after <= 1800
    assert "rate limiting" in result.status


def test_429_wait_ends_with_the_clock(fake: FakeSpotify, tmp_path: Path) -> None:
    now = [1000.0]
    client = SpotifyClient.as_app(Credentials(CLIENT_ID, CLIENT_SECRET), tmp_path, clock=lambda: now[0])
    fake.fail("/v1/search", 429, headers={"Retry-After": "120"}, body={"error": {"status": 429, "message": "x"}})
    with pytest.raises(SpotifyRateLimitedError):
        client.search_tracks("happy", 5)
    now[0] += 121
    assert client.retry_after == 0
    assert len(client.search_tracks("happy", 5)) == 5


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_reported_once_without_retries_and_falls_back(fake: FakeSpotify, tmp_path: Path, status: int) -> None:
    client = app_client(tmp_path)
    fake.fail("/v1/search", status, body={"error": {"status": status, "message": "Server error"}})
    with pytest.raises(SpotifyUnavailableError, match=f"HTTP {status}"):
        client.search_tracks("happy", 5)
    assert len(fake.requests_to("/v1/search")) == 1  # no hidden retry loop
    fake.fail("/v1/search", status, body={"error": {"status": status, "message": "Server error"}})
    result = recommender(client).recommend("happy", 10)
    assert result.source == "catalog" and len(result.tracks) == 10
    assert f"HTTP {status}" in result.status


def test_a_slow_answer_times_out_quickly_and_falls_back(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(tmp_path, timeout_s=0.3)
    client.search_tracks("warm up", 1)  # the token request is not what this test times
    fake.fail("/v1/search", delay_s=3.0, then_normal=True)
    started = time.monotonic()
    with pytest.raises(SpotifyTimeoutError, match=r"within 0\.3 s"):
        client.search_tracks("happy", 5)
    assert time.monotonic() - started < 1.5
    fake.fail("/v1/search", delay_s=3.0, then_normal=True)
    started = time.monotonic()
    result = recommender(client).recommend("fear", 10)
    assert time.monotonic() - started < 1.5
    assert result.source == "catalog" and len(result.tracks) == 10
    assert "did not answer" in result.status


def test_a_slow_token_server_times_out_too(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail("/api/token", delay_s=3.0, then_normal=True)
    started = time.monotonic()
    with pytest.raises(SpotifyTimeoutError):
        app_client(tmp_path, timeout_s=0.3).search_tracks("happy", 5)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Bad gateway, but with a 200</body></html>",
        json.dumps({"tracks": {"items": "not a list"}}).encode(),
        json.dumps({"albums": {"items": []}}).encode(),
        json.dumps({"tracks": {"items": [{"id": "4uLU6hMCjMI75M1A2tKUQC", "artists": 7}]}}).encode(),
    ],
)
def test_a_malformed_body_is_a_bad_response_and_falls_back(fake: FakeSpotify, tmp_path: Path, body: bytes) -> None:
    client = app_client(tmp_path)
    fake.fail("/v1/search", 200, body=body, headers={"Content-Type": "application/json"})
    with pytest.raises(SpotifyBadResponseError):
        client.search_tracks("happy", 5)
    fake.fail("/v1/search", 200, body=body, headers={"Content-Type": "application/json"})
    result = recommender(client).recommend("neutral", 10)
    assert result.source == "catalog" and len(result.tracks) == 10
    assert "Spotify sent" in result.status


def test_a_malformed_token_answer_is_a_bad_response(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail("/api/token", 200, body=b"{not json", headers={"Content-Type": "application/json"})
    with pytest.raises(SpotifyBadResponseError):
        app_client(tmp_path).search_tracks("happy", 5)
    fake.fail("/api/token", 200, body={"token_type": "Bearer"})
    with pytest.raises(SpotifyBadResponseError):
        app_client(tmp_path).search_tracks("happy", 5)


def test_an_unreachable_server_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with FakeSpotify() as gone:
        url = gone.base_url
    monkeypatch.setenv("EMOTUNE_SPOTIFY_ACCOUNTS_URL", url)
    monkeypatch.setenv("EMOTUNE_SPOTIFY_API_URL", url + "/v1/")
    with pytest.raises(SpotifyUnavailableError, match="cannot reach Spotify"):
        app_client(tmp_path).search_tracks("happy", 5)


def test_secrets_never_reach_the_logs(fake: FakeSpotify, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client = app_client(tmp_path)
        client.search_tracks("happy", 12)
        fake.fail("/v1/search", 500, body={"error": {"status": 500, "message": "boom"}})
        with pytest.raises(SpotifyError):
            client.search_tracks("sad", 5)
    token = json.loads((tmp_path / "spotify-app-token.json").read_text())["access_token"]
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert "Sending GET" in caplog.text  # spotipy did log the requests, headers included
    for secret in (CLIENT_SECRET, token, basic):
        assert secret not in caplog.text
    assert CLIENT_SECRET not in repr(Credentials(CLIENT_ID, CLIENT_SECRET))


# --- recommender with live results --------------------------------------------------------------


def test_recommender_gives_spotify_tracks_deduplicated_and_more_gives_new_ones(
    fake: FakeSpotify, tmp_path: Path
) -> None:
    rec = recommender(app_client(tmp_path), tmp_path)
    first = rec.recommend("happy", 10)
    assert first.source == "spotify" and first.status == "Spotify"
    assert len(first.tracks) == 10 and all(t.source == "spotify" for t in first.tracks)
    artists = [a for t in first.tracks for a in t.artist_keys()]
    assert len(artists) == len(set(artists))
    assert all(int(r.query["limit"]) <= 10 for r in fake.requests_to("/v1/search"))
    second = rec.recommend("happy", 10)
    assert not {t.id for t in first.tracks} & {t.id for t in second.tracks}


def test_catalog_knowledge_drops_off_mood_results_and_tops_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    catalog = load_catalog()
    by_valence = sorted(
        (t for t in catalog.tracks if t.features is not None), key=lambda t: (t.features.valence, t.features.energy)
    )
    gloomy = [by_valence[i] for i in range(5)]  # the saddest catalog tracks
    library = [FakeTrack(t.id, t.name, t.artists) for t in gloomy] + default_tracks(3)
    with FakeSpotify(library) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        result = recommender(app_client(tmp_path)).recommend("happy", 10)
    ids = [t.id for t in result.tracks]
    assert not {t.id for t in gloomy} & set(ids)  # Spotify found them for "happy"; the catalog knows better
    assert [t.source for t in result.tracks].count("spotify") == 3
    assert [t.source for t in result.tracks].count("catalog") == 7
    assert result.source == "spotify" and "topped up" in result.status


def test_the_last_list_is_cached_on_disk_with_an_expiry(fake: FakeSpotify, tmp_path: Path) -> None:
    now = [1_000_000.0]
    client = app_client(tmp_path)
    rec = Recommender(
        CatalogSession(load_catalog(), seed=1),
        spotify=client,
        cache=RecommendationCache(tmp_path),
        cache_max_age_s=3600,
        clock=lambda: now[0],
    )
    assert rec.cached("sad") is None
    shown = rec.recommend("sad", 10)
    restarted = Recommender(
        CatalogSession(load_catalog()), cache=RecommendationCache(tmp_path), cache_max_age_s=3600, clock=lambda: now[0]
    )
    cached = restarted.cached("sad")
    assert cached is not None
    assert [(t.id, t.name, t.artists, t.source) for t in cached.tracks] == [
        (t.id, t.name, t.artists, t.source) for t in shown.tracks
    ]
    assert cached.source == "spotify"
    now[0] += 3601
    assert restarted.cached("sad") is None
    (tmp_path / "recommendations.json").write_text("{broken", encoding="utf-8")
    assert restarted.cached("sad") is None


# --- signed-in user: playlists and PKCE ----------------------------------------------------------


def test_save_as_playlist_creates_a_private_playlist_with_the_list(fake: FakeSpotify, tmp_path: Path) -> None:
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(fake.issue_user_token())
    assert is_signed_in(tmp_path)
    tracks = load_catalog().tracks[:130]  # more than one request's worth (100)
    user = SpotifyClient.as_user(Credentials(CLIENT_ID), tmp_path)
    playlist = user.save_playlist("Emotune: happy", tracks, "Made by Emotune")
    stored = fake.playlists[playlist.id]
    assert stored["public"] is False and stored["name"] == "Emotune: happy"
    assert stored["uris"] == [t.uri for t in tracks]
    assert playlist.url == f"https://open.spotify.com/playlist/{playlist.id}"
    assert playlist.tracks_added == 130
    assert [len(json.loads(r.body)) for r in fake.requests_to(f"/v1/playlists/{playlist.id}/items")] == [100, 30]


def test_save_as_playlist_needs_sign_in_and_scope(fake: FakeSpotify, tmp_path: Path) -> None:
    with pytest.raises(SpotifyAuthError, match="not signed in"):
        SpotifyClient.as_user(Credentials(CLIENT_ID), tmp_path)
    # The cache claims the playlist scope but the server granted less: a clear 403, no new sign-in.
    info = fake.issue_user_token(scope="user-read-email")
    info["scope"] = "playlist-modify-private"
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(info)
    user = SpotifyClient.as_user(Credentials(CLIENT_ID), tmp_path)
    with pytest.raises(SpotifyAuthError, match="HTTP 403"):
        user.save_playlist("x", load_catalog().tracks[:3])


def test_an_unusable_user_token_never_starts_a_console_sign_in(fake: FakeSpotify, tmp_path: Path) -> None:
    cache = TokenFileCache(user_token_path(tmp_path))
    cache.save_token_to_cache(fake.issue_user_token(scope="user-read-email"))
    assert not is_signed_in(tmp_path)  # an old sign-in without the playlist scope
    with pytest.raises(SpotifyAuthError, match="not signed in"):
        SpotifyClient.as_user(Credentials(CLIENT_ID), tmp_path)
    expired = fake.issue_user_token()
    expired.update(expires_at=int(time.time()) - 10, refresh_token="revoked-refresh-token")
    cache.save_token_to_cache(expired)
    user = SpotifyClient.as_user(Credentials(CLIENT_ID), tmp_path)
    started = time.monotonic()
    with pytest.raises(SpotifyAuthError, match="refused the credentials"):
        user.current_user()
    assert time.monotonic() - started < 2
    (refresh,) = fake.requests_to("/api/token")
    assert b"grant_type=refresh_token" in refresh.body


def test_pkce_sign_in_catches_the_redirect_and_caches_the_user_token(fake: FakeSpotify, tmp_path: Path) -> None:
    port = _free_port()
    opened: list[str] = []

    def browser(url: str) -> bool:
        # The user's browser: follow Spotify's consent redirect back to our catcher.
        opened.append(url)
        threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 5}, daemon=True).start()
        return True

    credentials = Credentials(CLIENT_ID, redirect_uri=f"http://127.0.0.1:{port}/callback")
    profile = sign_in(credentials, tmp_path, open_url=browser, timeout_s=10)
    assert profile == {"id": "emotune-tester", "display_name": "Emotune Tester"}
    assert opened and opened[0].startswith(fake.accounts_url + "/authorize?")
    (authorize,) = fake.requests_to("/authorize")
    assert authorize.query["code_challenge_method"] == "S256" and authorize.query["scope"] == "playlist-modify-private"
    token_file = user_token_path(tmp_path)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert is_signed_in(tmp_path)
    assert "client_secret" not in token_file.read_text()


def test_sign_in_can_be_cancelled_and_rejects_localhost(fake: FakeSpotify, tmp_path: Path) -> None:
    cancel = threading.Event()
    credentials = Credentials(CLIENT_ID, redirect_uri=f"http://127.0.0.1:{_free_port()}/callback")
    started = time.monotonic()
    with pytest.raises(SpotifyAuthError, match="not completed"):
        sign_in(credentials, tmp_path, open_url=lambda url: cancel.set(), cancel=cancel)
    assert time.monotonic() - started < 2
    with pytest.raises(SpotifyAuthError, match=r"127\.0\.0\.1"):
        sign_in(Credentials(CLIENT_ID, redirect_uri="http://localhost:8765/callback"), tmp_path, open_url=print)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fake_ids_are_valid_track_ids() -> None:
    assert is_track_id(fake_id("FakeTrack", 7))
