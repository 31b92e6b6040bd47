"""Opening a track: the OS handler, the browser fallback, and the EMOTUNE_OPEN_WITH choice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from emotune.config import Settings, effective_settings
from emotune.environment import Environment
from emotune.music.catalog import load_catalog
from emotune.music.opener import Opened, OpenerError, open_track, os_handler, windows_has_url_handler

TRACK_ID = "4uLU6hMCjMI75M1A2tKUQC"
REPO = Path(__file__).resolve().parent.parent


class Recorder:
    def __init__(self, works: bool) -> None:
        self.works = works
        self.calls: list[str] = []

    def __call__(self, target: str) -> bool:
        self.calls.append(target)
        return self.works


def test_the_app_gets_the_spotify_uri() -> None:
    app, web = Recorder(True), Recorder(True)
    assert open_track(TRACK_ID, app_opener=app, browser_opener=web) == Opened("app", f"spotify:track:{TRACK_ID}")
    assert app.calls == [f"spotify:track:{TRACK_ID}"] and web.calls == []


def test_the_browser_gets_the_web_url_when_the_app_fails() -> None:
    app, web = Recorder(False), Recorder(True)
    track = load_catalog().tracks[0]
    opened = open_track(track, app_opener=app, browser_opener=web)
    assert opened == Opened("browser", f"https://open.spotify.com/track/{track.id}")
    assert app.calls == [track.uri] and web.calls == [track.url]


def test_the_setting_and_the_environment_choose_the_browser() -> None:
    app, web = Recorder(True), Recorder(True)
    assert open_track(TRACK_ID, "browser", app_opener=app, browser_opener=web).how == "browser"
    # The environment wins over the stored setting, through the effective settings.
    chosen = effective_settings(Settings(open_with="app"), Environment.from_os({"EMOTUNE_OPEN_WITH": "browser"}))
    assert open_track(TRACK_ID, chosen.open_with, app_opener=app, browser_opener=web).how == "browser"
    chosen = effective_settings(Settings(open_with="browser"), Environment.from_os({"EMOTUNE_OPEN_WITH": "app"}))
    assert open_track(TRACK_ID, chosen.open_with, app_opener=app, browser_opener=web).how == "app"
    assert app.calls == [f"spotify:track:{TRACK_ID}"]
    assert web.calls == [f"https://open.spotify.com/track/{TRACK_ID}"] * 2


def test_nothing_to_open_with_is_a_clear_error() -> None:
    with pytest.raises(OpenerError, match="no Spotify app or web browser"):
        open_track(TRACK_ID, app_opener=Recorder(False), browser_opener=Recorder(False))
    with pytest.raises(OpenerError, match="not a Spotify track ID"):
        open_track("spotify:track:nope", app_opener=Recorder(True), browser_opener=Recorder(True))


def recording_script(path: Path, log: Path, exit_code: int) -> Path:
    path.write_text(f'#!/bin/sh\necho "{path.name} $1" >> "{log}"\nexit {exit_code}\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def run_real_opener(tmp_path: Path, handler_exit: int, open_with: str | None) -> tuple[str, list[str]]:
    """open_track with the real default openers in a child process (POSIX); what it opened, and the log.

    ``xdg-open`` (Linux) and ``open`` (macOS) on PATH are recording scripts exiting with
    ``handler_exit``; BROWSER names a recording script, which webbrowser then calls.
    """
    bin_dir, log = tmp_path / "bin", tmp_path / "opened.log"
    bin_dir.mkdir()
    for name in ("xdg-open", "open"):
        recording_script(bin_dir / name, log, handler_exit)
    browser = recording_script(tmp_path / "browser", log, 0)
    env = {k: v for k, v in os.environ.items() if k not in ("EMOTUNE_OPEN_WITH", "BROWSER")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", BROWSER=f"{browser} %s")
    if open_with:
        env["EMOTUNE_OPEN_WITH"] = open_with
    code = (
        "from emotune.config import Settings, effective_settings; from emotune.environment import Environment; "
        "from emotune.music.opener import open_track; "
        f"o = open_track({TRACK_ID!r}, effective_settings(Settings(), Environment.from_os()).open_with); "
        "print(o.how, o.target)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return result.stdout.strip(), lines


def test_real_os_handler_opens_the_app(tmp_path: Path) -> None:
    printed, opened = run_real_opener(tmp_path, handler_exit=0, open_with=None)
    handler = "open" if sys.platform == "darwin" else "xdg-open"
    assert printed == f"app spotify:track:{TRACK_ID}"
    assert opened == [f"{handler} spotify:track:{TRACK_ID}"]


def test_real_fallback_to_the_browser_when_the_handler_fails(tmp_path: Path) -> None:
    printed, opened = run_real_opener(tmp_path, handler_exit=4, open_with=None)
    handler = "open" if sys.platform == "darwin" else "xdg-open"
    assert printed == f"browser https://open.spotify.com/track/{TRACK_ID}"
    assert opened == [f"{handler} spotify:track:{TRACK_ID}", f"browser https://open.spotify.com/track/{TRACK_ID}"]


def test_real_browser_choice_skips_the_app(tmp_path: Path) -> None:
    printed, opened = run_real_opener(tmp_path, handler_exit=0, open_with="browser")
    assert printed == f"browser https://open.spotify.com/track/{TRACK_ID}"
    assert opened == [f"browser https://open.spotify.com/track/{TRACK_ID}"]


class Starter:
    """Stands where ``os.startfile`` is on Windows: records what it was given."""

    def __init__(self, error: OSError | None = None) -> None:
        self.error = error
        self.calls: list[str] = []

    def __call__(self, target: str) -> None:
        self.calls.append(target)
        if self.error is not None:
            raise self.error


def test_a_registered_spotify_handler_gets_the_uri_through_startfile_windows() -> None:
    asked: list[str] = []
    starter, web = Starter(), Recorder(True)

    def registered(scheme: str) -> bool:
        asked.append(scheme)
        return True

    def app(uri: str) -> bool:
        return os_handler(uri, "windows", has_handler=registered, starter=starter)

    assert open_track(TRACK_ID, app_opener=app, browser_opener=web) == Opened("app", f"spotify:track:{TRACK_ID}")
    assert asked == ["spotify"] and starter.calls == [f"spotify:track:{TRACK_ID}"] and web.calls == []


def test_without_a_spotify_handler_the_browser_opens_and_startfile_is_never_called_windows() -> None:
    starter, web = Starter(), Recorder(True)

    def app(uri: str) -> bool:
        return os_handler(uri, "windows", has_handler=lambda scheme: False, starter=starter)

    opened = open_track(TRACK_ID, app_opener=app, browser_opener=web)
    assert opened == Opened("browser", f"https://open.spotify.com/track/{TRACK_ID}")
    assert starter.calls == [] and web.calls == [f"https://open.spotify.com/track/{TRACK_ID}"]


def test_a_handler_that_fails_to_start_falls_back_to_the_browser_windows() -> None:
    starter = Starter(OSError(1155, "No application is associated with the specified file"))
    web = Recorder(True)

    def app(uri: str) -> bool:
        return os_handler(uri, "windows", has_handler=lambda scheme: True, starter=starter)

    assert open_track(TRACK_ID, app_opener=app, browser_opener=web).how == "browser"
    assert starter.calls == [f"spotify:track:{TRACK_ID}"]


def test_the_registry_lookup_answers_no_where_there_is_no_windows_registry_windows() -> None:
    # The real lookup, on Linux: no winreg, so no handler, and no exception either.
    assert windows_has_url_handler("spotify") is False


def test_the_uri_goes_to_open_macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "opened.log"
    bin_dir.mkdir()
    for name in ("open", "xdg-open"):
        recording_script(bin_dir / name, log, 0)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    assert os_handler(f"spotify:track:{TRACK_ID}", "macos") is True
    assert log.read_text(encoding="utf-8").splitlines() == [f"open spotify:track:{TRACK_ID}"]


def run_without_browser_variable(tmp_path: Path, xdg_exit: int) -> subprocess.CompletedProcess[str]:
    """open_track in a child process with no BROWSER set and a display, so that webbrowser picks
    xdg-open (a script on PATH exiting with ``xdg_exit``, as xdg-open does when gio fails)."""
    bin_dir, log = tmp_path / "bin", tmp_path / "opened.log"
    bin_dir.mkdir(parents=True)
    recording_script(bin_dir / "xdg-open", log, xdg_exit)
    env = {k: v for k, v in os.environ.items() if k not in ("EMOTUNE_OPEN_WITH", "BROWSER")}
    env.update(PATH=f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", DISPLAY=env.get("DISPLAY", ":0"))
    code = (
        "from emotune.music.opener import OpenerError, open_track\n"
        f"try:\n    o = open_track({TRACK_ID!r}, 'browser'); print(o.how, o.target)\n"
        "except OpenerError as e:\n    print('failed:', e)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)


def test_a_browser_opened_through_a_failing_xdg_open_is_reported_as_failed(tmp_path: Path) -> None:
    # webbrowser counts xdg-open as a success once started; its exit status says otherwise.
    result = run_without_browser_variable(tmp_path, xdg_exit=4)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("failed:"), result.stdout
    worked = run_without_browser_variable(tmp_path / "again", xdg_exit=0)
    assert worked.stdout.strip() == f"browser https://open.spotify.com/track/{TRACK_ID}", worked.stderr
