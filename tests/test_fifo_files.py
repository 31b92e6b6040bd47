"""A named pipe (or a device) where the app reads a file of the user's: every command returns at
once with one line naming the file, instead of waiting forever for a writer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotune.files import NotRegularFileError, open_regular
from testbed.paths import ASTRONAUT, REPO
from tests.support.files import one_error_line
from tests.support.paths import UserFolders

PROMPTLY_S = 60  # model loading included; a hang runs into this and fails the test


def emotune(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emotune", *args],
        capture_output=True,
        text=True,
        timeout=PROMPTLY_S,
        cwd=REPO,
        env={**os.environ, **extra_env},
    )


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def test_open_regular_refuses_a_named_pipe_and_a_device_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(NotRegularFileError, match=r"^a named pipe \(FIFO\), not a regular file$"):
        open_regular(fifo(tmp_path / "pipe"))
    with pytest.raises(NotRegularFileError, match=r"^a device, not a regular file$"):
        open_regular(Path(os.devnull))
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)
    assert time.monotonic() - started < 5
    (tmp_path / "plain").write_bytes(b"data")
    with open_regular(tmp_path / "plain") as stream:
        assert stream.read() == b"data"


def test_recommend_warns_about_a_settings_pipe_and_answers(user_dirs: UserFolders) -> None:
    settings = fifo(user_dirs.config / "settings.json")
    result = emotune("recommend", "happy", "--limit", "3", "--offline")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert f"settings file {settings} cannot be read (a named pipe (FIFO), not a regular file)" in result.stderr


def test_spotify_status_warns_about_a_token_pipe(user_dirs: UserFolders) -> None:
    token = fifo(user_dirs.config / "spotify-user-token.json")
    result = emotune("spotify", "status", SPOTIPY_CLIENT_ID="a-client-id")
    assert result.stdout.startswith("Not signed in to Spotify"), (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert lines == [f"emotune: cannot read the Spotify token cache {token} (a named pipe (FIFO), not a regular file)"]


def test_a_profile_pipe_is_one_error_line(tmp_path: Path) -> None:
    profile = fifo(tmp_path / "me.profile")
    expected = f"emotune: {profile}: cannot read the profile (a named pipe (FIFO), not a regular file)"
    assert one_error_line(emotune("classify", str(ASTRONAUT), "--profile", str(profile))) == expected
    assert one_error_line(emotune("profile", "show", str(profile))) == expected
