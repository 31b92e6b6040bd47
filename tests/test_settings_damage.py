"""A damaged settings file never stops a command or the window: each field of the wrong type or
out of bounds gets its default and one short warning naming it, however large the bad value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emotune.config import SettingsStore, settings_from_json
from emotune.controller.options import AppOptions
from tests.support.files import run_emotune
from tests.support.gui import Running
from tests.support.paths import UserFolders


def write_settings(folder: Path, data: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(data), encoding="utf-8")


DAMAGED: list[tuple[str, Any]] = [
    ("recent_sources", [1]),
    ("recent_sources", "clip.mp4"),
    ("recent_sources", [f"/videos/{i}.mp4" for i in range(5000)]),
    ("window_geometry", "huge"),
    ("window_geometry", "40000x300+0+0"),
    ("window_geometry", "800x600+99999+0"),
    ("window_geometry", "800x600+0+-32768"),
    ("window_geometry", 800),
    ("genres", [1] * 200_000),
    ("genres", ["rock"] * 99 + ["x" * 200_000]),
    ("genres", "rock"),
    ("mood_targets", {"lift": {"sad": [{"valence": "x" * 200_000}]}}),
    ("spotify_market", ["x" * 200_000]),
    ("playlist_length", "10"),
    ("mirror", "yes"),
    ("music_pace", "y" * 200_000),
]


@pytest.mark.slow
@pytest.mark.parametrize(("field", "value"), DAMAGED, ids=[f"{f}-{i}" for i, (f, _) in enumerate(DAMAGED)])
def test_recommend_works_with_one_short_warning_per_damaged_setting(
    user_dirs: UserFolders, field: str, value: Any
) -> None:
    write_settings(user_dirs.config, {field: value})
    result = run_emotune("recommend", "happy", "--offline", "--limit", "3")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.stdout.splitlines()) == 3
    (warning,) = result.stderr.splitlines()
    assert f"setting {field!r}" in warning and len(warning) < 400, warning[:2000]


@pytest.mark.parametrize(
    ("geometry", "usable"),
    [
        ("800x600+40+30", True),
        ("800x600+-5+-7", True),
        ("32767x32767-32767-32767", True),
        ("", True),
        ("800x600", False),
        ("0x600+0+0", False),
        ("800x32768+0+0", False),
        ("800x600+32768+0", False),
        ("800x600+40+30\n", False),
        ("=800x600+40+30", False),
    ],
)
def test_window_geometry_is_checked_at_load(geometry: str, usable: bool) -> None:
    settings, problems = settings_from_json({"window_geometry": geometry})
    assert (settings.window_geometry == geometry) is usable
    assert len(problems) == (0 if usable else 1)


def test_a_damaged_value_is_kept_in_the_file_and_the_warning_stays_short(tmp_path: Path) -> None:
    value = ["x" * 200_000, 1]
    write_settings(tmp_path, {"genres": value, "recent_sources": [None]})
    store = SettingsStore(tmp_path)
    settings = store.load()
    assert settings.genres == [] and settings.recent_sources == []
    assert len(store.warnings) == 2 and all(len(w) < 400 for w in store.warnings)
    assert "…" in store.warnings[0]
    store.save(settings)
    assert json.loads((tmp_path / "settings.json").read_text())["genres"] == value  # never lost


@pytest.mark.gui
def test_the_window_starts_with_recent_sources_that_are_not_text(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    write_settings(user_dirs.config, {"recent_sources": [1, None], "window_geometry": "99999x99999+0+0"})
    run = start(AppOptions(source="99", offline=True))
    run.root.update()
    menu = run.app.controls.source_menu
    labels = [menu.entrycget(i, "label") for i in range(int(menu.index("end")) + 1) if menu.type(i) != "separator"]
    assert labels[-2:] == ["Choose camera…", "Open video file…"]  # no recent files: none was usable
    assert run.root.winfo_width() < 32768
