"""Spotify against the stand-in server: tokens, paging, every failure, fallback, playlists, sign-in."""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.recommender import Recommender
from emotune.music.spotify import (
    USER_SCOPE,
    SpotifyAuthError,
    SpotifyBadResponseError,
    SpotifyClient,
    SpotifyError,
    SpotifyRateLimitedError,
    SpotifyTimeoutError,
    SpotifyUnavailableError,
    TokenFileCache,
    is_signed_in,
    user_token_path,
)
from emotune.music.spotify.client import retry_after_seconds as _retry_after_seconds
from emotune.music.tracks import is_track_id
from tests.support.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, FakeTrack, default_tracks, fake_id


def app_client(
    server: FakeSpotify, token_dir: Path, timeout_s: float = 5.0, secret: str = CLIENT_SECRET
) -> SpotifyClient:
    return SpotifyClient.as_app(server.credentials(CLIENT_ID, secret, timeout_s=timeout_s), token_dir)


def recommender(client: SpotifyClient) -> Recommender:
    return Recommender(CatalogSession(load_catalog(), seed=1), spotify=client)


# --- tokens and search ------------------------------------------------------------------------


def test_token_request_uses_client_credentials_and_is_cached_with_mode_600(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(fake, tmp_path)
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
    tracks = app_client(fake, tmp_path).search_tracks("calm piano", 25)
    assert len(tracks) == 25 and len({t.id for t in tracks}) == 25
    pages = [(r.query["limit"], r.query["offset"], r.query["type"]) for r in fake.requests_to("/v1/search")]
    assert pages == [("10", "0", "track"), ("10", "10", "track"), ("5", "20", "track")]
    expected = [t.id for t in fake.search_order("calm piano")[:25]]
    assert [t.id for t in tracks] == expected
    assert all(t.source == "spotify" and is_track_id(t.id) for t in tracks)


def test_search_stops_at_the_last_page(fake: FakeSpotify, tmp_path: Path) -> None:
    tracks = app_client(fake, tmp_path).search_tracks("x", 100)
    assert len(tracks) == len(fake.tracks) == 45
    assert len(fake.requests_to("/v1/search")) == 5


def test_the_stand_in_enforces_the_2026_search_limit(fake: FakeSpotify, tmp_path: Path) -> None:
    app_client(fake, tmp_path).search_tracks("warm up", 1)  # gets a token
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
    client = app_client(fake, tmp_path, secret="wrong-secret-value")
    with pytest.raises(SpotifyAuthError) as caught:
        client.search_tracks("happy", 5)
    assert "invalid_client" in str(caught.value)
    assert "wrong-secret-value" not in str(caught.value) + repr(caught.value) + repr(client)


# --- failures -----------------------------------------------------------------------------------


def test_401_is_an_auth_error_and_the_recommender_falls_back(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail("/v1/search", 401, body={"error": {"status": 401, "message": "The access token expired"}})
    with pytest.raises(SpotifyAuthError, match="HTTP 401: The access token expired"):
        app_client(fake, tmp_path).search_tracks("happy", 5)
    fake.fail("/v1/search", 401, body={"error": {"status": 401, "message": "The access token expired"}})
    result = recommender(app_client(fake, tmp_path)).recommend("happy", 10)
    assert result.source == "catalog" and len(result.tracks) == 10
    assert all(t.source == "catalog" for t in result.tracks)
    assert "HTTP 401" in result.status and "bundled catalog" in result.status


def test_429_reports_retry_after_returns_fast_and_stops_asking(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(fake, tmp_path)
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
    client = SpotifyClient.as_app(fake.credentials(CLIENT_ID, CLIENT_SECRET), tmp_path, clock=lambda: now[0])
    fake.fail("/v1/search", 429, headers={"Retry-After": "120"}, body={"error": {"status": 429, "message": "x"}})
    with pytest.raises(SpotifyRateLimitedError):
        client.search_tracks("happy", 5)
    now[0] += 121
    assert client.retry_after == 0
    assert len(client.search_tracks("happy", 5)) == 5


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_reported_once_without_retries_and_falls_back(fake: FakeSpotify, tmp_path: Path, status: int) -> None:
    client = app_client(fake, tmp_path)
    fake.fail("/v1/search", status, body={"error": {"status": status, "message": "Server error"}})
    with pytest.raises(SpotifyUnavailableError, match=f"HTTP {status}"):
        client.search_tracks("happy", 5)
    assert len(fake.requests_to("/v1/search")) == 1  # no hidden retry loop
    fake.fail("/v1/search", status, body={"error": {"status": status, "message": "Server error"}})
    result = recommender(client).recommend("happy", 10)
    assert result.source == "catalog" and len(result.tracks) == 10
    assert f"HTTP {status}" in result.status


def test_a_slow_answer_times_out_quickly_and_falls_back(fake: FakeSpotify, tmp_path: Path) -> None:
    client = app_client(fake, tmp_path, timeout_s=0.3)
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
        app_client(fake, tmp_path, timeout_s=0.3).search_tracks("happy", 5)
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
    client = app_client(fake, tmp_path)
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
        app_client(fake, tmp_path).search_tracks("happy", 5)
    fake.fail("/api/token", 200, body={"token_type": "Bearer"})
    with pytest.raises(SpotifyBadResponseError):
        app_client(fake, tmp_path).search_tracks("happy", 5)


def test_an_unreachable_server_is_unavailable(tmp_path: Path) -> None:
    with FakeSpotify() as gone:
        pass  # started and stopped: nothing listens at its address any more
    with pytest.raises(SpotifyUnavailableError, match="cannot reach Spotify"):
        app_client(gone, tmp_path).search_tracks("happy", 5)


def test_secrets_never_reach_the_logs(fake: FakeSpotify, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client = app_client(fake, tmp_path)
        client.search_tracks("happy", 12)
        fake.fail("/v1/search", 500, body={"error": {"status": 500, "message": "boom"}})
        with pytest.raises(SpotifyError):
            client.search_tracks("sad", 5)
    token = json.loads((tmp_path / "spotify-app-token.json").read_text())["access_token"]
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert "Sending GET" in caplog.text  # spotipy did log the requests, headers included
    for secret in (CLIENT_SECRET, token, basic):
        assert secret not in caplog.text
    assert CLIENT_SECRET not in repr(fake.credentials(CLIENT_ID, CLIENT_SECRET))


# --- recommender with live results --------------------------------------------------------------


def test_recommender_gives_spotify_tracks_deduplicated_and_more_gives_new_ones(
    fake: FakeSpotify, tmp_path: Path
) -> None:
    rec = recommender(app_client(fake, tmp_path))
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
        result = recommender(app_client(server, tmp_path)).recommend("happy", 10)
    ids = [t.id for t in result.tracks]
    assert not {t.id for t in gloomy} & set(ids)  # Spotify found them for "happy"; the catalog knows better
    assert [t.source for t in result.tracks].count("spotify") == 3
    assert [t.source for t in result.tracks].count("catalog") == 7
    assert result.source == "spotify" and "topped up" in result.status


# --- signed-in user: playlists and PKCE ----------------------------------------------------------


def test_save_as_playlist_creates_a_private_playlist_with_the_list(fake: FakeSpotify, tmp_path: Path) -> None:
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(fake.issue_user_token())
    assert is_signed_in(tmp_path)
    tracks = load_catalog().tracks[:130]  # more than one request's worth (100)
    user = SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path)
    playlist = user.save_playlist("Emotune: happy", tracks, "Made by Emotune")
    stored = fake.playlists[playlist.id]
    assert stored["public"] is False and stored["name"] == "Emotune: happy"
    assert stored["uris"] == [t.uri for t in tracks]
    assert playlist.url == f"https://open.spotify.com/playlist/{playlist.id}"
    assert playlist.tracks_added == 130
    assert [len(json.loads(r.body)) for r in fake.requests_to(f"/v1/playlists/{playlist.id}/items")] == [100, 30]


def test_save_as_playlist_needs_sign_in_and_scope(fake: FakeSpotify, tmp_path: Path) -> None:
    with pytest.raises(SpotifyAuthError, match="not signed in"):
        SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path)
    # The cache claims the playlist scope but the server granted less: a clear 403, no new sign-in.
    info = fake.issue_user_token(scope="user-read-email")
    info["scope"] = USER_SCOPE
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(info)
    user = SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path)
    with pytest.raises(SpotifyAuthError, match="HTTP 403"):
        user.save_playlist("x", load_catalog().tracks[:3])


# --- a total deadline on every exchange ---------------------------------------------------------


def _http_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "emotune-spotify-http" and t.is_alive()]


def _wait_until(condition: Callable[[], bool], guard_s: float = 5.0) -> bool:
    deadline = time.monotonic() + guard_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.slow
@pytest.mark.parametrize("body_only", [False, True], ids=["whole-answer", "body-only"])
def test_a_trickling_api_answer_ends_at_the_deadline_and_falls_back(
    fake: FakeSpotify, tmp_path: Path, body_only: bool
) -> None:
    client = app_client(fake, tmp_path, timeout_s=1.0)
    client.search_tracks("warm up", 1)  # the token request is not what this test times
    # A byte every 0.25 s never lets a 1 s read timeout fire: only a deadline on the whole
    # exchange ends this (400+ bytes would take minutes).
    fake.trickle("/v1/search", 0.25, body_only=body_only)
    started = time.monotonic()
    with pytest.raises(SpotifyTimeoutError, match=r"within 1 s"):
        client.search_tracks("happy", 5)
    assert time.monotonic() - started < 1.0 + 1.0
    # The worker's socket was shut: no thread stays behind on the trickling server.
    assert _wait_until(lambda: not _http_workers(), guard_s=3.0), _http_workers()
    fake.trickle("/v1/search", 0.25, body_only=body_only)
    started = time.monotonic()
    result = recommender(client).recommend("fear", 10)
    assert time.monotonic() - started < 1.0 + 1.0
    assert result.source == "catalog" and len(result.tracks) == 10
    assert "did not answer" in result.status


@pytest.mark.slow
def test_a_trickling_token_endpoint_ends_at_the_deadline(fake: FakeSpotify, tmp_path: Path) -> None:
    # A probe's server: one byte every two seconds; the 3 s read timeout alone never fires.
    fake.trickle("/api/token", 2.0)
    started = time.monotonic()
    with pytest.raises(SpotifyTimeoutError):
        app_client(fake, tmp_path, timeout_s=3.0).search_tracks("happy", 5)
    assert time.monotonic() - started < 3.0 + 1.0
    assert not (tmp_path / "spotify-app-token.json").exists()
    assert len(app_client(fake, tmp_path).search_tracks("happy", 5)) == 5  # the next call works


@pytest.mark.slow
def test_a_trickling_refresh_ends_at_the_deadline(fake: FakeSpotify, tmp_path: Path) -> None:
    expired = fake.issue_user_token()
    expired["expires_at"] = int(time.time()) - 10
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(expired)
    user = SpotifyClient.as_user(fake.credentials(CLIENT_ID, timeout_s=1.0), tmp_path)
    fake.trickle("/api/token", 0.25)
    started = time.monotonic()
    with pytest.raises(SpotifyTimeoutError):
        user.current_user()
    assert time.monotonic() - started < 1.0 + 1.0
    assert is_signed_in(tmp_path)  # a slow server is no reason to forget the sign-in
    assert user.current_user()["id"] == "emotune-tester"


# --- token caches that cannot be written or read ------------------------------------------------


def _file_in_the_way(tmp_path: Path) -> Path:
    (tmp_path / "config").write_text("a file where the config dir should be", encoding="utf-8")
    return tmp_path / "config"


def _folder_in_the_way(tmp_path: Path) -> Path:
    (tmp_path / "spotify-app-token.json" / "inside").mkdir(parents=True)
    return tmp_path


@pytest.mark.parametrize(
    "token_dir_for", [_file_in_the_way, _folder_in_the_way], ids=["config-dir-is-a-file", "token-file-is-a-folder"]
)
def test_a_token_cache_that_cannot_be_written_never_costs_the_music(
    fake: FakeSpotify, tmp_path: Path, caplog: pytest.LogCaptureFixture, token_dir_for: Callable[[Path], Path]
) -> None:
    token_dir = token_dir_for(tmp_path)
    with caplog.at_level(logging.WARNING, logger="emotune.music.spotify"):
        client = app_client(fake, token_dir)
        assert len(client.search_tracks("happy", 5)) == 5
        assert len(app_client(fake, token_dir).search_tracks("sad", 5)) == 5  # another client, same run
    assert len(fake.requests_to("/api/token")) == 1  # the token was kept in memory
    saves = [r for r in caplog.records if "cannot save the Spotify token" in r.getMessage()]
    assert len(saves) == 1 and "kept in memory" in saves[0].getMessage()
    token = next(iter(fake.app_tokens))
    assert token not in caplog.text


NESTED = b"[" * 1500 + b"]" * 1500  # 3 KB that raises RecursionError in json.loads


@pytest.mark.parametrize(
    "content",
    [
        NESTED,
        b'{"access_token": "abc"}',
        b"{broken",
        b"[]",
        b'{"access_token": "abc", "expires_at": "tomorrow"}',
        json.dumps({"access_token": "abc", "expires_at": 9e9, "token_type": "Bearer"}).encode("utf-16"),
        b"\xff\xfe\x00garbage",
    ],
    ids=["nested", "wrong-shape", "not-json", "list", "bad-expiry", "utf-16", "binary"],
)
def test_a_damaged_app_token_cache_is_set_aside_once_and_a_new_token_fetched(
    fake: FakeSpotify, tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    cache = tmp_path / "spotify-app-token.json"
    cache.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="emotune.music.spotify"):
        assert len(app_client(fake, tmp_path).search_tracks("happy", 5)) == 5
        assert len(app_client(fake, tmp_path).search_tracks("sad", 5)) == 5
    (aside,) = tmp_path.glob("spotify-app-token.json.damaged-*")
    assert aside.read_bytes() == content  # kept for a look, never deleted
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "damaged" in warnings[0] and aside.name in warnings[0]
    assert json.loads(cache.read_text())["access_token"] in fake.app_tokens
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [NESTED, b'{"access_token": "abc"}', b"\x80\x81 not utf-8", b'{"access_token": "a", "expires_at": 1}'],
    ids=["nested", "wrong-shape", "not-utf8", "no-refresh-token"],
)
def test_a_damaged_user_token_cache_means_signed_out_not_disabled(
    fake: FakeSpotify, tmp_path: Path, content: bytes
) -> None:
    user_token_path(tmp_path).write_bytes(content)
    assert not is_signed_in(tmp_path)
    with pytest.raises(SpotifyAuthError, match="not signed in"):
        SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path)
    assert not user_token_path(tmp_path).exists()
    assert len(list(tmp_path.glob("spotify-user-token.json.damaged-*"))) == 1
    # A new sign-in (here: its token) works at once: nothing stays disabled.
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(fake.issue_user_token())
    assert is_signed_in(tmp_path)
    assert SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path).current_user()["id"] == "emotune-tester"


# --- token endpoint trouble is not a refusal; Retry-After is sane --------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_token_endpoint_5xx_is_trouble_not_refused_credentials(fake: FakeSpotify, tmp_path: Path, status: int) -> None:
    fake.fail("/api/token", status, body=b"<html>Bad gateway</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(SpotifyUnavailableError) as caught:
        app_client(fake, tmp_path).search_tracks("happy", 5)
    assert f"HTTP {status}" in str(caught.value)
    assert "refused" not in str(caught.value) and "html" not in str(caught.value).lower()


def test_token_endpoint_429_is_rate_limiting_with_its_retry_after(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.fail("/api/token", 429, body={"error": "rate_limited"}, headers={"Retry-After": "120"})
    client = app_client(fake, tmp_path)
    with pytest.raises(SpotifyRateLimitedError) as caught:
        client.search_tracks("happy", 5)
    assert caught.value.retry_after == 120 and "2 min" in str(caught.value)
    assert "refused" not in str(caught.value)
    with pytest.raises(SpotifyRateLimitedError):
        client.search_tracks("happy", 5)
    assert len(fake.requests_to("/api/token")) == 1  # no asking again while the wait lasts


@pytest.mark.parametrize(
    ("header", "expected_s", "shown"),
    [
        ("1e400", 60.0, "60 s"),
        ("nan", 60.0, "60 s"),
        ("-5", 60.0, "60 s"),
        ("soon", 60.0, "60 s"),
        ("99999999", 24 * 3600.0, "24.0 h"),
        ("7", 7.0, "7 s"),
    ],
)
def test_odd_retry_after_values_give_a_sane_wait(
    fake: FakeSpotify, tmp_path: Path, header: str, expected_s: float, shown: str
) -> None:
    fake.fail("/v1/search", 429, body={"error": {"status": 429, "message": "x"}}, headers={"Retry-After": header})
    with pytest.raises(SpotifyRateLimitedError) as caught:
        app_client(fake, tmp_path).search_tracks("happy", 5)
    assert caught.value.retry_after == expected_s
    assert str(caught.value) == f"Spotify is rate limiting us: retry in {shown}"
    assert "inf" not in str(caught.value) and "nan" not in str(caught.value)


def test_retry_after_as_an_http_date() -> None:
    soon = email.utils.formatdate(time.time() + 300, usegmt=True)
    assert 290 <= _retry_after_seconds(soon) <= 300
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past
    assert _retry_after_seconds(None) == 60.0


def test_fake_ids_are_valid_track_ids() -> None:
    assert is_track_id(fake_id("FakeTrack", 7))
