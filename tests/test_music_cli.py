"""``python -m emotune recommend`` end to end, in a child process, as scripts use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emotune.labels import EMOTIONS
from emotune.music.spotify import TokenFileCache, user_token_path
from emotune.music.tracks import JSON_KEYS, is_track_id
from tests.support.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, FakeTrack, default_tracks
from tests.support.files import one_error_line


def run_recommend(
    tmp_path: Path, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIPY_", "EMOTUNE_"))}
    env.update(EMOTUNE_CONFIG_DIR=str(tmp_path / "config"), EMOTUNE_CACHE_DIR=str(tmp_path / "cache"))
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "emotune", "recommend", *args],
        env=env,
        cwd=tmp_path,  # the app must not depend on the current directory
        capture_output=True,
        text=True,
        timeout=60,
    )


def json_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def check_contract(record: dict[str, object]) -> None:
    assert list(record) == list(JSON_KEYS)
    track_id = record["id"]
    assert isinstance(track_id, str) and is_track_id(track_id)
    assert record["uri"] == f"spotify:track:{track_id}"
    assert record["url"] == f"https://open.spotify.com/track/{track_id}"
    assert isinstance(record["name"], str) and record["name"]
    artists = record["artists"]
    assert isinstance(artists, list) and artists and all(isinstance(a, str) for a in artists)


def spotify_env(server: FakeSpotify) -> dict[str, str]:
    return {**server.env(), "SPOTIPY_CLIENT_ID": CLIENT_ID, "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET}


@pytest.mark.slow
def test_offline_json_lines_follow_the_contract(tmp_path: Path) -> None:
    result = run_recommend(tmp_path, "sad", "--limit", "7", "--offline", "--json")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert len(records) == 7
    for record in records:
        check_contract(record)
        assert record["source"] == "catalog"


@pytest.mark.slow
def test_without_credentials_the_catalog_answers(tmp_path: Path) -> None:
    result = run_recommend(tmp_path, "HAPPY", "--json")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert len(records) == 10 and {r["source"] for r in records} == {"catalog"}
    assert not (tmp_path / ".cache").exists()


def test_plain_output_is_one_readable_line_per_track(tmp_path: Path) -> None:
    result = run_recommend(tmp_path, "neutral", "--limit", "3", "--offline")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("https://open.spotify.com/track/" in line for line in lines)


def test_unknown_emotion_lists_the_valid_ones_and_exits_2(tmp_path: Path) -> None:
    result = run_recommend(tmp_path, "bored", "--json")
    line = one_error_line(result, "emotune: ")
    assert result.stdout == ""
    assert "bored" in line and all(emotion in line for emotion in EMOTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("limit", ["0", "-3", "500"])
def test_bad_limit_exits_2_with_one_line(tmp_path: Path, limit: str) -> None:
    result = run_recommend(tmp_path, "sad", "--limit", limit, "--offline")
    one_error_line(result, "emotune: --limit")


@pytest.mark.slow
def test_with_credentials_spotify_answers(tmp_path: Path, fake: FakeSpotify) -> None:
    result = run_recommend(tmp_path, "surprise", "--limit", "5", "--json", extra_env=spotify_env(fake))
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert len(records) == 5
    for record in records:
        check_contract(record)
        assert record["source"] == "spotify"
    assert fake.requests_to("/api/token") and all(int(r.query["limit"]) <= 10 for r in fake.requests_to("/v1/search"))
    token_file = tmp_path / "config" / "spotify-app-token.json"
    assert token_file.is_file() and (token_file.stat().st_mode & 0o777) == 0o600
    assert CLIENT_SECRET not in result.stderr + result.stdout


@pytest.mark.slow
def test_a_signed_in_user_without_a_secret_gets_spotify(tmp_path: Path, fake: FakeSpotify) -> None:
    # A packaged app has a client ID but no secret: search runs on the user's PKCE token.
    TokenFileCache(user_token_path(tmp_path / "config")).save_token_to_cache(fake.issue_user_token())
    env = {**fake.env(), "SPOTIPY_CLIENT_ID": CLIENT_ID}
    result = run_recommend(tmp_path, "happy", "--limit", "3", "--json", extra_env=env)
    assert result.returncode == 0, result.stderr
    assert {r["source"] for r in json_lines(result.stdout)} == {"spotify"}
    assert fake.requests_to("/v1/search") and not fake.requests_to("/api/token")


@pytest.mark.slow
def test_offline_flag_never_touches_the_network(tmp_path: Path, fake: FakeSpotify) -> None:
    result = run_recommend(tmp_path, "fear", "--offline", "--json", extra_env=spotify_env(fake))
    assert result.returncode == 0, result.stderr
    assert {r["source"] for r in json_lines(result.stdout)} == {"catalog"}
    assert fake.requests == []


@pytest.mark.slow
def test_spotify_failure_falls_back_to_the_catalog_with_a_status_line(tmp_path: Path, fake: FakeSpotify) -> None:
    fake.fail("/v1/search", 503, body={"error": {"status": 503, "message": "Service unavailable"}})
    result = run_recommend(tmp_path, "angry", "--limit", "4", "--json", extra_env=spotify_env(fake))
    assert result.returncode == 0, result.stderr
    assert {r["source"] for r in json_lines(result.stdout)} == {"catalog"}
    assert "HTTP 503" in result.stderr and "bundled catalog" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # our status line only, no library noise


@pytest.mark.slow
def test_rate_limit_is_reported_with_its_wait(tmp_path: Path, fake: FakeSpotify) -> None:
    fake.fail("/v1/search", 429, headers={"Retry-After": "7200"}, body={"error": {"status": 429, "message": "x"}})
    result = run_recommend(tmp_path, "disgust", "--json", extra_env=spotify_env(fake))
    assert result.returncode == 0, result.stderr
    assert len(json_lines(result.stdout)) == 10
    assert "retry in 2.0 h" in result.stderr


@pytest.mark.slow
def test_corrupt_settings_warn_and_still_answer(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text("{oops", encoding="utf-8")
    result = run_recommend(tmp_path, "sad", "--limit", "2", "--offline", "--json")
    assert result.returncode == 0
    assert len(json_lines(result.stdout)) == 2
    assert "settings.json" in result.stderr and "using defaults" in result.stderr
    assert (tmp_path / "config" / "settings.json").read_text(encoding="utf-8") == "{oops"


def write_settings(tmp_path: Path, content: bytes) -> Path:
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "settings.json"
    path.write_bytes(content)
    return path


@pytest.mark.slow
def test_deeply_nested_settings_warn_and_still_answer(tmp_path: Path) -> None:
    # 4 KB of [[[[...]]]]: a RecursionError traceback, and no command worked until the file went.
    path = write_settings(tmp_path, b"[" * 2000 + b"]" * 2000)
    result = run_recommend(tmp_path, "happy", "--limit", "2", "--offline", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json_lines(result.stdout)) == 2
    assert f"settings file {path} is not valid settings JSON (nested too deeply); using defaults" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.slow
def test_settings_with_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    # Windows Notepad saved UTF-8 with a BOM until 2019; it counted as a corrupt file.
    path = write_settings(tmp_path, b"\xef\xbb\xbf" + json.dumps({"music_strategy": "lift"}).encode())
    result = run_recommend(tmp_path, "sad", "--limit", "2", "--offline", "--json")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert len(json_lines(result.stdout)) == 2
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"music_strategy": "sideways"}).encode())
    result = run_recommend(tmp_path, "sad", "--limit", "2", "--offline", "--json")
    assert "setting 'music_strategy': 'sideways' is not one of match, lift" in result.stderr  # its values were read


@pytest.mark.slow
def test_a_setting_of_the_wrong_type_is_named_in_the_warning(tmp_path: Path) -> None:
    write_settings(tmp_path, json.dumps({"music_strategy": 1, "theme": "dark"}).encode())
    result = run_recommend(tmp_path, "sad", "--limit", "1", "--offline")
    assert result.returncode == 0, result.stderr
    assert "setting 'music_strategy': expected str, got 1; using the default until it is changed" in result.stderr


@pytest.mark.slow
def test_plain_output_shows_no_control_characters_from_track_names_and_json_keeps_them(tmp_path: Path) -> None:
    # A name that clears the screen, turns the terminal red, rings and overwrites its own line.
    evil = "\x1b[2J\x1b[31mRed\x07\rfake\u202eevil\nline"
    tracks = [FakeTrack(t.id, f"{evil} {t.name}", (f"\x1b]0;title\x07{t.artists[0]}",)) for t in default_tracks()]
    with FakeSpotify(tracks) as fake:
        env = spotify_env(fake)
        plain = run_recommend(tmp_path, "happy", "--limit", "3", extra_env=env)
        records = json_lines(run_recommend(tmp_path, "happy", "--limit", "3", "--json", extra_env=env).stdout)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert len(lines) == 3
    assert not any(ch in plain.stdout for ch in "\x1b\x07\r\u202e")
    assert lines[0].startswith("\ufffd[2J\ufffd[31mRed\ufffd fake\ufffdevil line Fake Song ")
    assert all(" — \ufffd]0;title\ufffdFake Artist " in line for line in lines)
    assert [r["source"] for r in records] == ["spotify"] * 3
    assert all(str(r["name"]).startswith(evil) for r in records)  # JSON stays exact
