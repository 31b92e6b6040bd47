"""PKCE sign-in, refresh and sign-out against the stand-in, and ``spotify login|logout|status`` end to end
(a child process whose ``BROWSER`` is a script that follows Spotify's redirect to our loopback catcher)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from emotune.music.spotify import (
    USER_SCOPES,
    Credentials,
    SpotifyAuthError,
    SpotifyClient,
    SpotifySignInExpiredError,
    TokenFileCache,
    check_redirect_uri,
    is_signed_in,
    sign_in,
    sign_in_expires_at,
    sign_in_is_saved,
    sign_out,
    user_token_path,
)
from emotune.music.spotify_cli import main
from tests.support.fake_spotify import CLIENT_ID, USER_ID, USER_NAME, FakeSpotify

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def credentials(server: FakeSpotify, port: int | None = None) -> Credentials:
    return server.credentials(redirect_uri=f"http://127.0.0.1:{port or free_port()}/callback")


def following_browser(opened: list[str]) -> object:
    """The user's browser, in-process: it follows Spotify's consent redirect back to our catcher."""

    def browse(url: str) -> bool:
        opened.append(url)
        requests.get(url, timeout=5)
        return True

    return browse


# --- sign_in() ------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_playback_scopes_and_caches_the_token_with_mode_600(
    fake: FakeSpotify, tmp_path: Path
) -> None:
    opened: list[str] = []
    before = time.time()
    profile = sign_in(credentials(fake), tmp_path, open_url=following_browser(opened), timeout_s=10)  # type: ignore[arg-type]
    assert profile == {"id": USER_ID, "display_name": USER_NAME}
    assert opened and opened[0].startswith(fake.accounts_url + "/authorize?")
    (authorize,) = fake.requests_to("/authorize")
    assert authorize.query["code_challenge_method"] == "S256"
    assert authorize.query["scope"].split() == list(USER_SCOPES)
    assert set(USER_SCOPES) == {"user-read-playback-state", "user-modify-playback-state", "playlist-modify-private"}
    (exchange,) = fake.requests_to("/api/token")
    assert b"grant_type=authorization_code" in exchange.body and b"code_verifier=" in exchange.body
    token_file = user_token_path(tmp_path)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert is_signed_in(tmp_path) and sign_in_is_saved(tmp_path)
    cached = json.loads(token_file.read_text())
    assert set(cached["scope"].split()) == set(USER_SCOPES) and "client_secret" not in cached
    expires_at = sign_in_expires_at(tmp_path)
    assert expires_at is not None and before + 180 * 86400 < expires_at < time.time() + 184 * 86400


def test_the_sign_in_time_survives_refreshes(fake: FakeSpotify, tmp_path: Path) -> None:
    sign_in(credentials(fake), tmp_path, open_url=following_browser([]), timeout_s=10)  # type: ignore[arg-type]
    expires_at = sign_in_expires_at(tmp_path)
    cache = TokenFileCache(user_token_path(tmp_path))
    token = cache.get_cached_token()
    assert token is not None
    token["expires_at"] = int(time.time()) - 10
    cache.save_token_to_cache(token)
    SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path).current_user()
    assert len(fake.requests_to("/api/token")) == 2  # the code exchange, then a refresh
    assert sign_in_expires_at(tmp_path) == expires_at  # refreshing does not extend a sign-in


def test_a_refused_consent_is_one_clear_error(fake: FakeSpotify, tmp_path: Path) -> None:
    fake.deny_authorization = True
    with pytest.raises(SpotifyAuthError, match=r"sign-in was refused \(access_denied\)"):
        sign_in(credentials(fake), tmp_path, open_url=following_browser([]), timeout_s=10)  # type: ignore[arg-type]
    assert not user_token_path(tmp_path).exists()


def test_a_stray_request_to_the_catcher_is_turned_away(fake: FakeSpotify, tmp_path: Path) -> None:
    port = free_port()
    answers: list[int] = []

    def browse(url: str) -> bool:
        # Another page pokes the loopback port with a made-up code first.
        stray = f"http://127.0.0.1:{port}/callback?code=forged&state=guess"
        answers.append(requests.get(stray, timeout=5).status_code)
        answers.append(requests.get(url, timeout=5).status_code)
        return True

    profile = sign_in(credentials(fake, port), tmp_path, open_url=browse, timeout_s=10)
    assert profile["id"] == USER_ID and answers == [400, 200]
    assert b"code=forged" not in b"".join(r.body for r in fake.requests_to("/api/token"))


def test_sign_in_can_be_cancelled_and_rejects_localhost(fake: FakeSpotify, tmp_path: Path) -> None:
    cancel = threading.Event()
    started = time.monotonic()
    with pytest.raises(SpotifyAuthError, match="not completed"):
        sign_in(credentials(fake), tmp_path, open_url=lambda url: cancel.set(), cancel=cancel)
    assert time.monotonic() - started < 2
    with pytest.raises(SpotifyAuthError, match=r"127\.0\.0\.1"):
        sign_in(fake.credentials(CLIENT_ID, redirect_uri="http://localhost:8765/callback"), tmp_path, open_url=print)
    assert check_redirect_uri("http://[::1]:8765/callback") == ("::1", 8765, "/callback")
    with pytest.raises(SpotifyAuthError):
        check_redirect_uri("https://127.0.0.1:8765/callback")


def test_a_browser_that_fails_to_open_is_a_warning_with_the_address(
    fake: FakeSpotify, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(url: str) -> bool:
        raise RuntimeError("no display")

    with pytest.raises(SpotifyAuthError, match="not completed"):
        sign_in(credentials(fake), tmp_path, open_url=broken, timeout_s=0.5)
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "emotune.music.spotify"]
    assert "no display" in warning and fake.accounts_url + "/authorize?" in warning


def test_sign_in_with_an_unwritable_config_dir_lasts_for_the_run(fake: FakeSpotify, tmp_path: Path) -> None:
    token_dir = tmp_path / "config"
    token_dir.write_text("a file where the config dir should be", encoding="utf-8")
    profile = sign_in(credentials(fake), token_dir, open_url=following_browser([]), timeout_s=10)  # type: ignore[arg-type]
    assert profile["id"] == USER_ID
    assert is_signed_in(token_dir) and not sign_in_is_saved(token_dir)
    assert SpotifyClient.as_user(fake.credentials(CLIENT_ID), token_dir).current_user()["id"] == USER_ID
    sign_out(token_dir)
    assert not is_signed_in(token_dir)


def test_an_unusable_user_token_never_starts_a_console_sign_in(fake: FakeSpotify, tmp_path: Path) -> None:
    cache = TokenFileCache(user_token_path(tmp_path))
    cache.save_token_to_cache(fake.issue_user_token(scope="user-read-email"))
    assert not is_signed_in(tmp_path)  # an old sign-in without the scopes Emotune needs
    with pytest.raises(SpotifyAuthError, match="not signed in"):
        SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path)
    expired = fake.issue_user_token()
    expired.update(expires_at=int(time.time()) - 10, refresh_token="revoked-refresh-token")
    cache.save_token_to_cache(expired)
    user = SpotifyClient.as_user(fake.credentials(CLIENT_ID), tmp_path)
    started = time.monotonic()
    with pytest.raises(SpotifySignInExpiredError, match="sign-in has expired; sign in again"):
        user.current_user()
    assert time.monotonic() - started < 2
    (refresh,) = fake.requests_to("/api/token")
    assert b"grant_type=refresh_token" in refresh.body
    assert not is_signed_in(tmp_path)


def test_the_stand_in_verifies_pkce_and_uses_codes_once(fake: FakeSpotify) -> None:
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect = "http://127.0.0.1:9/callback"
    query = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": redirect,
        "code_challenge_method": "S256",
        "code_challenge": challenge,
        "scope": " ".join(USER_SCOPES),
        "state": "s1",
    }
    answer = requests.get(fake.accounts_url + "/authorize", params=query, allow_redirects=False, timeout=5)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(redirect + "?code=")
    assert "state=s1" in answer.headers["Location"]
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": CLIENT_ID}

    def exchange(code_verifier: str) -> requests.Response:
        return requests.post(fake.accounts_url + "/api/token", data={**form, "code_verifier": code_verifier}, timeout=5)

    assert exchange("w" * 64).json()["error"] == "invalid_grant"  # a wrong verifier spends the code
    answer = requests.get(fake.accounts_url + "/authorize", params=query, allow_redirects=False, timeout=5)
    form["code"] = answer.headers["Location"].split("code=")[1].split("&")[0]
    assert exchange(verifier).status_code == 200
    assert exchange(verifier).json()["error"] == "invalid_grant"  # used once
    localhost = {**query, "redirect_uri": "http://localhost:9/callback"}
    assert requests.get(fake.accounts_url + "/authorize", params=localhost, timeout=5).status_code == 400


# --- spotify login | logout | status, end to end ---------------------------------------------------


def browser_script(tmp_path: Path) -> tuple[str, Path]:
    """A BROWSER command that records the URL and follows the redirects, as a browser would."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys, urllib.request\n"
        f"pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n"
        "with urllib.request.urlopen(sys.argv[1], timeout=10) as answer:\n"
        "    answer.read()\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return f"{script} %s", opened


def run_cli(
    tmp_path: Path,
    fake: FakeSpotify,
    *args: str,
    browser: str = "",
    port: int = 0,
    config: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIPY_", "EMOTUNE_", "BROWSER"))}
    env.update(fake.env())
    env.update(
        SPOTIPY_CLIENT_ID=CLIENT_ID,
        SPOTIPY_REDIRECT_URI=f"http://127.0.0.1:{port or free_port()}/callback",
        EMOTUNE_CONFIG_DIR=str(config or tmp_path / "config"),
        EMOTUNE_CACHE_DIR=str(tmp_path / "cache"),
    )
    if browser:
        env["BROWSER"] = browser
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "emotune.music.spotify_cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_login_status_logout_through_the_browser(fake: FakeSpotify, tmp_path: Path) -> None:
    browser, opened = browser_script(tmp_path)
    port = free_port()
    login = run_cli(tmp_path, fake, "spotify", "login", "--timeout", "20", browser=browser, port=port)
    assert (login.returncode, login.stderr) == (0, "")
    assert login.stdout == f"Signed in to Spotify as {USER_NAME} ({USER_ID})\n"
    url = opened.read_text()
    assert url.startswith(fake.accounts_url + "/authorize?") and "code_challenge_method=S256" in url
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback" in url
    token_file = user_token_path(tmp_path / "config")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = json.loads(token_file.read_text())
    assert set(token["scope"].split()) == set(USER_SCOPES)
    for secret in (token["access_token"], token["refresh_token"]):
        assert secret not in login.stdout + login.stderr

    status = run_cli(tmp_path, fake, "spotify", "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith(f"Signed in to Spotify as {USER_NAME} ({USER_ID}); the sign-in lasts until about ")

    logout = run_cli(tmp_path, fake, "spotify", "logout")
    assert (logout.returncode, logout.stdout) == (0, "Signed out of Spotify\n")
    assert not token_file.exists()
    status = run_cli(tmp_path, fake, "spotify", "status")
    assert (status.returncode, status.stdout) == (1, "Not signed in to Spotify (sign in with: emotune spotify login)\n")


def test_login_with_an_unwritable_config_dir_says_it_was_not_saved(fake: FakeSpotify, tmp_path: Path) -> None:
    browser, _ = browser_script(tmp_path)
    config = tmp_path / "config"
    config.write_text("a file where the config dir should be", encoding="utf-8")
    login = run_cli(tmp_path, fake, "spotify", "login", "--timeout", "20", browser=browser, config=config)
    assert login.returncode == 1
    assert login.stdout == f"Signed in to Spotify as {USER_NAME} ({USER_ID})\n"
    lines = login.stderr.splitlines()
    assert all(line.startswith("emotune: ") for line in lines) and "Traceback" not in login.stderr
    spotify_lines = [line for line in lines if "Spotify" in line or "sign-in" in line]
    assert len(spotify_lines) == 2, login.stderr  # (settings.py may warn about its own file too)
    assert "cannot save the Spotify token" in spotify_lines[0] and "kept in memory" in spotify_lines[0]
    assert spotify_lines[1] == "emotune: the sign-in was not saved: sign in again next time"


@pytest.mark.parametrize(
    ("args", "extra_env", "message"),
    [
        (["--timeout", "0"], {}, "--timeout 0.0: must be between 0 and 3600 seconds"),
        ([], {"SPOTIPY_CLIENT_ID": ""}, "Spotify sign-in needs a client ID (settings or SPOTIPY_CLIENT_ID)"),
        (
            [],
            {"SPOTIPY_REDIRECT_URI": "http://localhost:8765/callback"},
            "redirect URI 'http://localhost:8765/callback' must look like http://127.0.0.1:PORT/callback "
            "(Spotify rejects 'localhost')",
        ),
    ],
    ids=["timeout", "no-client-id", "localhost"],
)
def test_login_refusals_are_one_line_and_exit_2(
    fake: FakeSpotify, tmp_path: Path, args: list[str], extra_env: dict[str, str], message: str
) -> None:
    login = run_cli(tmp_path, fake, "spotify", "login", *args, extra_env=extra_env)
    assert (login.returncode, login.stdout, login.stderr) == (2, "", f"emotune: {message}\n")
    assert fake.requests == []


def test_status_after_six_months_says_sign_in_again(
    fake: FakeSpotify, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("EMOTUNE_CONFIG_DIR", str(tmp_path))
    token = fake.issue_user_token()
    token["expires_at"] = int(time.time()) - 10
    TokenFileCache(user_token_path(tmp_path)).save_token_to_cache(token)
    fake.expire_sign_ins()
    assert main(["spotify", "status"]) == 1
    assert capsys.readouterr().out == "Spotify sign-in has expired; sign in again\n"
    assert main(["spotify", "status"]) == 1  # the dead token is gone: plainly signed out now
    assert capsys.readouterr().out.startswith("Not signed in to Spotify")
    assert main(["spotify", "logout"]) == 0
    assert capsys.readouterr().out == "Not signed in to Spotify\n"


def test_a_damaged_token_cache_gives_one_warning_and_signed_out(
    fake: FakeSpotify, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("EMOTUNE_CONFIG_DIR", str(tmp_path))
    user_token_path(tmp_path).write_bytes(b"[" * 1500 + b"]" * 1500)
    assert main(["spotify", "status"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("Not signed in to Spotify")
    (warning,) = captured.err.splitlines()
    assert warning.startswith("emotune: Spotify token cache ") and "damaged (nested too deeply)" in warning
    assert len(list(tmp_path.glob("spotify-user-token.json.damaged-*"))) == 1
