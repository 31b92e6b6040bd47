"""Setting a damaged file aside: one helper (emotune.files) and one name for all three users."""

from __future__ import annotations

import time
from pathlib import Path

from emotune.config import Settings, SettingsStore
from emotune.files import set_aside
from emotune.music.spotify import TokenFileCache


def test_a_damaged_file_is_renamed_beside_itself_with_its_companions_never_over_another(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = time.mktime((2026, 12, 2, 13, 4, 5, 0, 0, -1))
    first_copy = b"first damaged copy"
    path.write_bytes(first_copy)
    (tmp_path / "journal.sqlite3-wal").write_bytes(b"its wal")
    first = set_aside(path, now, companions=("-wal", "-shm"))
    assert first.name == "journal.sqlite3.damaged-20261202-130405"
    assert first.read_bytes() == first_copy and not path.exists()
    assert (tmp_path / "journal.sqlite3.damaged-20261202-130405-wal").read_bytes() == b"its wal"
    path.write_bytes(b"second damaged copy")  # damaged again within the same second
    second = set_aside(path, now)
    assert second.name == "journal.sqlite3.damaged-20261202-130405-2"
    assert first.read_bytes() == first_copy and second.read_bytes() == b"second damaged copy"


def test_settings_and_tokens_are_set_aside_under_the_same_name_scheme(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{broken", encoding="utf-8")
    store = SettingsStore(tmp_path)
    store.load()
    store.save(Settings())
    token = tmp_path / "spotify-app-token.json"
    token.write_text("{broken", encoding="utf-8")
    assert TokenFileCache(token).get_cached_token() is None
    names = sorted(p.name.rsplit("-", 2)[0] for p in tmp_path.glob("*.damaged-*"))
    assert names == ["settings.json.damaged", "spotify-app-token.json.damaged"]
