"""Shared fixtures. Helpers live in ``tests/support/`` (imported from there, never from here).

Markers (setup.cfg): ``gui``, ``slow``, ``data`` and ``training``. Without ../shared, a run that
selects a test marked ``data`` stops at collection with one line saying so, instead of a cascade of
errors. Without the ``train`` extra (a venv made with ``.[test]`` only, for the fast loop), the tests
marked ``training`` are deselected and the header says how many and why; CI installs the extra, so
there every one of them runs.

GUI fixtures: ``display`` (the X display: the one set, else a fresh Xvfb) and ``start`` (launch
the real window with recording openers; closed and checked for Tk callback errors afterwards;
``prepare_root`` sets up the Tk root before the window is built on it).

Every test runs with the user's folders pointed at temporary ones and every Emotune/Spotify
variable cleared (``user_dirs``), so no test reads or writes the developer's own
settings, tokens, caches or journal, and a variable set in the shell cannot change a result.
"""

from __future__ import annotations

import gc
import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.controller.options import AppOptions
from emotune.environment import VARIABLES, Environment
from testbed.display import x_display
from testbed.paths import FER_ZIP, SHARED
from tests.support.fake_spotify import FakeSpotify
from tests.support.gui import CallbackErrors, Recorder, Running
from tests.support.paths import UserFolders
from tests.support.vision_media import load_val_faces

NO_SHARED = (
    f"the tests marked data need ../shared beside the checkout ({SHARED} is missing; see README, "
    "\"Run the tests\"); run pytest -m 'not data' without it"
)


HAS_TRAINING = importlib.util.find_spec("keras") is not None
NO_TRAINING = "without the train extra (TensorFlow, Keras): pip install -e '.[train]' to run them"


@pytest.hookimpl(trylast=True)  # after -m/-k have deselected what will not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SHARED.is_dir() and any(item.get_closest_marker("data") for item in items):
        raise pytest.UsageError(NO_SHARED)
    if not HAS_TRAINING:
        needs_training = [item for item in items if item.get_closest_marker("training")]
        if needs_training:
            config.hook.pytest_deselected(items=needs_training)
            items[:] = [item for item in items if not item.get_closest_marker("training")]
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"{len(needs_training)} tests deselected {NO_TRAINING}")


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> UserFolders:
    """Config, cache and data folders in a fresh temporary folder; no EMOTUNE_*/SPOTIPY_* set."""
    for name in list(os.environ):
        if name.startswith(("EMOTUNE_", "SPOTIPY_")) or name in VARIABLES:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("user")
    folders = UserFolders(home / "config", home / "cache", home / "data")
    monkeypatch.setenv("EMOTUNE_CONFIG_DIR", str(folders.config))
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(folders.cache))
    monkeypatch.setenv("EMOTUNE_DATA_DIR", str(folders.data))
    return folders


@pytest.fixture
def env(user_dirs: UserFolders) -> Environment:
    """The environment as the entry point reads it: this test's folders, none of the user's
    variables (a test that sets a variable reads its own with ``Environment.from_os()``)."""
    return Environment.from_os()


@pytest.fixture(scope="session")
def fer_zip() -> Path:
    assert FER_ZIP.is_file(), f"{FER_ZIP} is missing: the tests need ../shared beside the checkout"
    return FER_ZIP


@pytest.fixture(scope="session")
def val_faces(fer_zip: Path) -> dict[str, list[NDArray[np.uint8]]]:
    """Five real 48x48 val faces per emotion, decoded from the zip."""
    return load_val_faces(5, fer_zip)


@pytest.fixture(autouse=True)
def tk_objects_collected_on_this_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a window test, collect what it left (Tk variables, images, widgets) here, on the
    thread that made them. Left to the collector, a later test may run it on another thread (a
    stand-in server's): Tk then waits for the main thread, which waits for that server, and the
    later test times out."""
    yield
    if request.node.get_closest_marker("gui") is not None:
        gc.collect()


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    try:
        with x_display() as name:
            yield name
    except RuntimeError as exc:  # never a skip: CI must have a display for these tests
        pytest.fail(str(exc))


@pytest.fixture()
def start(display: str) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def launch(options: AppOptions, *, prepare_root: Callable[[Any], None] | None = None, **services: Any) -> Running:
        import tkinter as tk  # here, not at the top: only GUI tests load tkinter

        from emotune.gui.start import build_app

        root = tk.Tk()
        if prepare_root is not None:  # what the OS sets before the window is built (dpi, its window manager)
            prepare_root(root)
        errors = CallbackErrors()
        errors.install(root)
        app_opener, browser = Recorder(), Recorder()
        # As the entry point builds it; the environment read afresh when the test hands in none.
        env = services.pop("env", None) or Environment.from_os()
        app = build_app(root, options, env, app_opener=app_opener, browser_opener=browser, **services)
        errors.install(root)  # after the app installed its own handler: here errors fail the test
        running = Running(app, errors, app_opener, browser)
        started.append(running)
        return running

    yield launch
    for running in started:
        if not running.app.closed:
            running.app.close()
        assert not running.errors.errors, running.errors.errors[0]
    # A closed window's Tk objects are collected here, on the thread that made them: left to the
    # collector, a later test's worker thread may run it and Tk refuses calls from other threads.
    gc.collect()


@pytest.fixture
def happy_list(start: Callable[..., Running], user_dirs: UserFolders) -> Callable[[str], Running]:
    """``happy_list(theme)``: the window in that theme, offline on the mood happy with no camera,
    once its first ten songs show: where most screen tests begin."""
    from emotune.config import Settings, SettingsStore

    def launch(theme: str) -> Running:
        SettingsStore(user_dirs.config).save(Settings().replace(theme=theme))
        run = start(AppOptions(source="99", offline=True, mood="happy"))
        run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
        return run

    return launch


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSpotify]:
    """The stand-in Spotify server on 127.0.0.1, with EMOTUNE_SPOTIFY_API_URL and
    EMOTUNE_SPOTIFY_ACCOUNTS_URL pointing at it for this test."""
    with FakeSpotify() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server
