"""Spotify sign-in and commands under faults: a silent or resetting connection on the callback port,
a token file with an absurd sign-in time, an ``error=`` text with control characters, a 429
after the code exchange, and a trickling server behind an expired token. Every command runs as
``python -m emotune`` in a child process against the stand-in Spotify server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotune.music.spotify import TokenFileCache, user_token_path
from testbed.paths import REPO
from tests.support.fake_spotify import CLIENT_ID, USER_ID, USER_NAME, FakeSpotify
from tests.support.files import one_error_line, run_emotune
from tests.support.paths import UserFolders


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser(tmp_path: Path, body: str) -> str:
    """A BROWSER command: a Python script run with the sign-in URL as ``url`` (its query as ``q``)."""
    script = tmp_path / "browser.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import socket, sys, time, urllib.parse, urllib.request\n"
        "url = sys.argv[1]\n"
        "q = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(url).query).items()}\n"
        "port = urllib.parse.urlparse(q['redirect_uri']).port\n" + body,
        encoding="utf-8",
    )
    script.chmod(0o755)
    return f"{script} %s"


def login_env(fake: FakeSpotify, port: int, browser_command: str) -> dict[str, str]:
    return {
        **fake.env(),
        "SPOTIPY_CLIENT_ID": CLIENT_ID,
        "SPOTIPY_REDIRECT_URI": f"http://127.0.0.1:{port}/callback",
        "BROWSER": browser_command,
    }


def wait_listening(port: int, within_s: float = 30.0) -> socket.socket:
    """A connection to the callback port once it listens; it never sends a byte."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # polling a port another process opens: there is no clock to inject


@pytest.mark.slow
def test_a_silent_connection_cannot_hold_login_past_its_timeout(
    fake: FakeSpotify, tmp_path: Path, user_dirs: UserFolders
) -> None:
    port = free_port()
    env = login_env(fake, port, browser(tmp_path, "pass  # the user never answers\n"))
    started = time.monotonic()
    login = subprocess.Popen(
        [sys.executable, "-m", "emotune", "spotify", "login", "--timeout", "5"],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    silent = wait_listening(port)  # what a browser's preconnect does: connect, send nothing
    try:
        stdout, stderr = login.communicate(timeout=60)
    finally:
        silent.close()
    elapsed = time.monotonic() - started
    assert (login.returncode, stdout, stderr) == (2, "", "emotune: Spotify sign-in was not completed\n")
    assert elapsed < 12, elapsed
    assert not user_token_path(user_dirs.config).exists()


@pytest.mark.slow
def test_an_error_text_from_the_redirect_is_shown_with_control_characters_made_harmless(
    fake: FakeSpotify, tmp_path: Path, user_dirs: UserFolders
) -> None:
    port = free_port()
    answer = (
        "query = urllib.parse.urlencode({'state': q['state'], 'error': 'denied\\x1b[2J\\x07\\u202etxt'})\n"
        "urllib.request.urlopen(f\"{q['redirect_uri']}?{query}\", timeout=10).read()\n"
    )
    login = run_emotune("spotify", "login", "--timeout", "20", env=login_env(fake, port, browser(tmp_path, answer)))
    line = one_error_line(login, "emotune: ")
    assert line == "emotune: Spotify sign-in was refused (denied\ufffd[2J\ufffd\ufffdtxt)"


@pytest.mark.slow
def test_a_login_answered_429_exits_2_and_keeps_no_token(
    fake: FakeSpotify, tmp_path: Path, user_dirs: UserFolders
) -> None:
    """The README's promise: a sign-in that ends with one error line leaves nobody signed in."""
    port = free_port()
    fake.fail("/v1/me", 429, headers={"Retry-After": "30"})
    follow = "urllib.request.urlopen(url, timeout=10).read()\n"
    login = run_emotune("spotify", "login", "--timeout", "20", env=login_env(fake, port, browser(tmp_path, follow)))
    assert "rate limiting" in one_error_line(login, "emotune: ")
    assert not user_token_path(user_dirs.config).exists()
    status = run_emotune("spotify", "status", env={**fake.env(), "SPOTIPY_CLIENT_ID": CLIENT_ID})
    assert status.returncode == 1 and status.stdout.startswith("Not signed in")


@pytest.mark.slow
def test_status_with_an_absurd_sign_in_time_is_not_a_traceback(fake: FakeSpotify, user_dirs: UserFolders) -> None:
    token = fake.issue_user_token()
    token["signed_in_at"] = 1e300
    TokenFileCache(user_token_path(user_dirs.config)).save_token_to_cache(token)
    status = run_emotune("spotify", "status", env={**fake.env(), "SPOTIPY_CLIENT_ID": CLIENT_ID})
    assert (status.returncode, status.stderr) == (0, "")
    assert status.stdout == f"Signed in to Spotify as {USER_NAME} ({USER_ID})\n"


@pytest.mark.slow
def test_play_with_an_expired_token_on_a_trickling_server_has_one_deadline(
    fake: FakeSpotify, user_dirs: UserFolders
) -> None:
    token = fake.issue_user_token()
    token["expires_at"] = int(time.time()) - 10  # the access token must be refreshed first
    TokenFileCache(user_token_path(user_dirs.config)).save_token_to_cache(token)
    fresh = json.dumps(fake.issue_user_token()).encode()
    # The refresh answer arrives, slowly (about 4 s); then the play request trickles for minutes.
    fake.trickle("/api/token", 4.0 / len(fresh), body=fresh, body_only=True)
    fake.trickle("/v1/me/player/play", 0.25)
    started = time.monotonic()
    played = run_emotune("play", "happy", env={**fake.env(), "SPOTIPY_CLIENT_ID": CLIENT_ID})
    elapsed = time.monotonic() - started
    assert "did not answer within" in one_error_line(played, "emotune: ")
    # One 5 s deadline for the command (plus the start of Python), not 4 s + 5 s.
    assert elapsed < 7.5, elapsed
    assert fake.played == []


SILENT_PRECONNECT = (
    "silent = socket.create_connection(('127.0.0.1', port))  # a preconnect that never speaks\n"
    "with urllib.request.urlopen(url, timeout=20) as answer:\n"
    "    answer.read()\n"
    "silent.close()\n"
)
RESETS_FIRST = (
    "import struct\n"
    "for request in (b'', b'GET /callback HTTP/1.1\\r\\nHost: x\\r\\n'):\n"
    "    reset = socket.create_connection(('127.0.0.1', port))\n"
    "    reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\n"
    "    reset.sendall(request)\n"
    "    time.sleep(0.3)\n"
    "    reset.close()  # with a zero linger: a reset, not a goodbye\n"
    "time.sleep(0.3)\n"
    "with urllib.request.urlopen(url, timeout=20) as answer:\n"
    "    answer.read()\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("browser_body", [SILENT_PRECONNECT, RESETS_FIRST], ids=["silent-preconnect", "resets-first"])
def test_the_real_redirect_signs_in_after_a_misbehaving_connection(
    fake: FakeSpotify, tmp_path: Path, user_dirs: UserFolders, browser_body: str
) -> None:
    """A browser's silent preconnect, or connections reset halfway: no traceback, and the real
    redirect that follows still signs in."""
    port = free_port()
    env = login_env(fake, port, browser(tmp_path, browser_body))
    login = run_emotune("spotify", "login", "--timeout", "30", env=env)
    assert (login.returncode, login.stderr) == (0, "")
    assert login.stdout == f"Signed in to Spotify as {USER_NAME} ({USER_ID})\n"
    assert user_token_path(user_dirs.config).exists()


def play_signed_in(fake: FakeSpotify, user_dirs: UserFolders) -> subprocess.CompletedProcess[str]:
    TokenFileCache(user_token_path(user_dirs.config)).save_token_to_cache(fake.issue_user_token())
    return run_emotune("play", "happy", "--limit", "3", env={**fake.env(), "SPOTIPY_CLIENT_ID": CLIENT_ID})


def test_a_fault_seen_by_the_search_and_then_the_play_request_is_one_line(
    fake: FakeSpotify, user_dirs: UserFolders
) -> None:
    fake.fail("/v1/search", 500, body=b"oops")
    fake.fail("/v1/me/player/play", 500, body=b"oops")
    assert one_error_line(play_signed_in(fake, user_dirs)) == "emotune: Spotify is having trouble (HTTP 500)"
    assert fake.played == []


def test_a_search_fallback_that_plays_says_so_once(fake: FakeSpotify, user_dirs: UserFolders) -> None:
    fake.fail("/v1/search", 500, body=b"oops")
    played = play_signed_in(fake, user_dirs)
    assert played.returncode == 0
    assert played.stderr == "emotune: Spotify is having trouble (HTTP 500); showing the bundled catalog\n"
    assert len(played.stdout.splitlines()) == 3 and len(fake.played) == 1


@pytest.mark.slow
def test_a_slow_search_leaves_the_play_request_its_own_share_of_the_deadline(
    fake: FakeSpotify, user_dirs: UserFolders
) -> None:
    fake.fail("/v1/search", 200, delay_s=30, then_normal=True)  # answers, but far too late
    started = time.monotonic()
    played = play_signed_in(fake, user_dirs)
    elapsed = time.monotonic() - started
    assert played.returncode == 0, played.stderr
    # The search's share (60% of 5 s) is what it waited, and what its one line says.
    assert played.stderr == "emotune: Spotify did not answer within 3 s; showing the bundled catalog\n"
    assert len(fake.played) == 1 and len(played.stdout.splitlines()) == 3
    assert elapsed < 7.5, elapsed  # still one 5 s budget for the command (plus Python's start)
