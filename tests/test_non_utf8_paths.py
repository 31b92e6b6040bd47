"""A data folder whose path is not UTF-8 (Linux allows any bytes in a name: here ``\\xff``) stores
the user's likes like any other: SQLite is never handed the path as text it cannot encode."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from emotune.journal.store import DB_FILE, Journal, SongEvent
from emotune.music.feedback_store import FeedbackStore
from tests.support.files import run_emotune

TRACK = "4uLU6hMCjMI75M1A2tKUQC"


def not_utf8_folder(tmp_path: Path) -> Path:
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/data\xffhere"))  # "\udcff" in the str
    folder.mkdir()
    return folder


def test_a_like_is_stored_in_a_data_folder_whose_path_is_not_utf8(tmp_path: Path) -> None:
    folder = not_utf8_folder(tmp_path)
    liked = run_emotune("feedback", TRACK, "like", env={"EMOTUNE_DATA_DIR": str(folder)})
    assert (liked.returncode, liked.stderr) == (0, ""), liked.stderr
    with FeedbackStore.open(folder / "feedback.sqlite3") as store:
        assert [(f.track_id, f.verdict) for f in store.all()] == [(TRACK, "like")]


def test_verdicts_move_from_an_older_journal_in_a_folder_whose_path_is_not_utf8(tmp_path: Path) -> None:
    folder = not_utf8_folder(tmp_path)
    with Journal.open(folder / DB_FILE) as journal:  # schema 3 still has the old feedback table
        journal.add_songs([SongEvent(5.0, TRACK, "Song", ("Ann",), "happy", "opened")])
    with sqlite3.connect(folder / DB_FILE) as raw:
        raw.execute(
            "INSERT INTO feedback (track_id, verdict, artist_keys, mood, valence, energy, time)"
            " VALUES (?, 'like', '[\"ann\"]', 'happy', 0.5, 0.6, 7.0)",
            (TRACK,),
        )
    raw.close()
    with FeedbackStore.open(folder / "feedback.sqlite3") as store:
        assert [(f.track_id, f.verdict, f.time) for f in store.all()] == [(TRACK, "like", 7.0)]
