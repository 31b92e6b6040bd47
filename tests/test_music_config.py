"""Settings: defaults, round trip, corrupt files kept as backups, env overrides, secrets."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from emotune import files
from emotune.config import Settings, SettingsError, SettingsStore, effective_settings
from emotune.environment import Environment


def test_missing_file_gives_defaults_and_save_round_trips_with_mode_600(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "cfg")
    assert store.load() == Settings()
    assert store.warnings == []
    wanted = Settings().replace(music_strategy="lift", open_with="browser", network_timeout_s=2)
    store.save(wanted)
    assert store.path.parent == tmp_path / "cfg"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert SettingsStore(tmp_path / "cfg").load() == wanted
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]  # no temporary left


def test_config_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTUNE_CONFIG_DIR", str(tmp_path / "here"))
    assert SettingsStore(Environment.from_os().config_dir).path == tmp_path / "here" / "settings.json"
    monkeypatch.delenv("EMOTUNE_CONFIG_DIR")
    assert "emotune" in str(Environment.from_os().config_dir).lower()


def test_corrupt_file_warns_gives_defaults_and_is_kept_as_a_backup(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"music_strategy": "lift",', encoding="utf-8")
    store = SettingsStore(tmp_path)
    with caplog.at_level(logging.WARNING, logger="emotune.config"):
        settings = store.load()
    assert settings == Settings()
    assert "not valid settings JSON" in caplog.text and str(path) in caplog.text
    assert store.warnings and "using defaults" in store.warnings[0]
    assert path.read_text(encoding="utf-8") == '{"music_strategy": "lift",'  # loading changes nothing

    store.save(settings.replace(open_with="browser"))
    backups = list(tmp_path.glob("settings.json.damaged-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == '{"music_strategy": "lift",'
    assert "moved to" in store.warnings[-1]
    assert json.loads(path.read_text(encoding="utf-8"))["open_with"] == "browser"


def test_a_file_corrupted_after_loading_is_still_backed_up(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.load()
    store.path.write_text("\x00garbage", encoding="utf-8")
    store.save(Settings())
    assert len(list(tmp_path.glob("settings.json.damaged-*"))) == 1


def test_bad_values_fall_back_one_by_one_and_unknown_keys_survive_a_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "music_strategy": "lift",
                "open_with": "carrier pigeon",
                "network_timeout_s": 60,
                "mood_targets": {"match": {"sad": [{"loudness": 1}]}},
                "window_size": [800, 600],
            }
        ),
        encoding="utf-8",
    )
    store = SettingsStore(tmp_path)
    settings = store.load()
    assert settings.music_strategy == "lift"
    assert settings.open_with == "app"
    assert settings.network_timeout_s == 5.0
    assert settings.mood_targets == {}
    assert len(store.warnings) == 3
    assert any("open_with" in w and "carrier pigeon" in w for w in store.warnings)
    store.save(settings)
    assert json.loads(path.read_text(encoding="utf-8"))["window_size"] == [800, 600]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 2000 + b"]" * 2000, "nested too deeply"),  # 4 KB that made json raise RecursionError
        (b'{"theme": "dark", "x": "\xff\xfe"}', "not UTF-8 text"),
        (b"{" + b" " * files.MAX_JSON_FILE_BYTES + b"}", "larger than 4096 KB"),
        (b"[1, 2, 3]", "the top level is not an object"),
    ],
)
def test_any_file_that_does_not_parse_is_set_aside_never_fatal(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    store = SettingsStore(tmp_path)
    assert store.load() == Settings()
    assert len(store.warnings) == 1 and reason in store.warnings[0] and "using defaults" in store.warnings[0]
    store.save(Settings().replace(theme="dark"))
    (backup,) = tmp_path.glob("settings.json.damaged-*")
    assert backup.read_bytes() == content
    assert SettingsStore(tmp_path).load().theme == "dark"


def test_a_file_with_a_utf8_byte_order_mark_loads(tmp_path: Path) -> None:
    # Windows Notepad saved UTF-8 with a BOM until 2019.
    (tmp_path / "settings.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"theme": "dark"}).encode())
    store = SettingsStore(tmp_path)
    assert store.load().theme == "dark" and store.warnings == []
    store.save(store.load().replace(open_with="browser"))
    assert not list(tmp_path.glob("settings.json.damaged-*"))
    assert SettingsStore(tmp_path).load() == Settings(theme="dark", open_with="browser")


def test_a_value_of_the_wrong_type_is_kept_in_the_file_and_named(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"playlist_length": 10.0, "mirror": 0, "theme": "dark"}), encoding="utf-8")
    store = SettingsStore(tmp_path)
    settings = store.load()
    assert (settings.playlist_length, settings.mirror, settings.theme) == (10, True, "dark")  # defaults meanwhile
    assert len(store.warnings) == 2
    assert "'playlist_length': expected int, got 10.0" in store.warnings[0] and "kept" in store.warnings[0]
    assert "'mirror': expected bool, got 0" in store.warnings[1]
    store.save(settings.replace(theme="light"))
    saved = json.loads(path.read_text(encoding="utf-8"))
    # Never silently lost: the values are back in the file as they were, type and all.
    assert saved["playlist_length"] == 10.0 and isinstance(saved["playlist_length"], float)
    assert saved["mirror"] == 0 and saved["mirror"] is not False and saved["theme"] == "light"
    # Until the user sets that setting: then the new value replaces the old one.
    store.save(store.load().replace(playlist_length=20))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["playlist_length"] == 20 and saved["mirror"] == 0


def test_replace_checks_values() -> None:
    with pytest.raises(SettingsError, match="open_with"):
        Settings().replace(open_with="fax")
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings().replace(colour="red")
    with pytest.raises(SettingsError, match="outside"):
        Settings().replace(network_timeout_s=30.0)


def test_environment_overrides_apply_but_are_not_saved(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SettingsStore(tmp_path)
    env = {
        "SPOTIPY_CLIENT_ID": "id-from-env",
        "SPOTIPY_CLIENT_SECRET": "secret-from-env",
        "EMOTUNE_OPEN_WITH": "browser",
        "EMOTUNE_MUSIC_STRATEGY": "sideways",
    }
    with caplog.at_level(logging.WARNING, logger="emotune.config"):
        effective = effective_settings(store.load(), Environment.from_os(env))
    assert effective.spotify_client_id == "id-from-env"
    assert effective.open_with == "browser"
    assert effective.music_strategy == "match"  # bad value: warned and ignored
    assert "EMOTUNE_MUSIC_STRATEGY" in caplog.text
    store.save(store.load())
    assert "id-from-env" not in store.path.read_text(encoding="utf-8")


def test_a_secret_never_shows_in_repr_or_warnings(tmp_path: Path) -> None:
    settings = Settings().replace(spotify_client_secret="hunter2-super-secret")
    assert "hunter2" not in repr(settings)
    (tmp_path / "settings.json").write_text(json.dumps({"spotify_client_secret": 424242}), encoding="utf-8")
    store = SettingsStore(tmp_path)
    store.load()
    assert store.warnings and "424242" not in " ".join(store.warnings)
