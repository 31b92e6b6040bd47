"""Song feedback that a damaged or busy file cannot take away: odd rows in ``feedback.sqlite3`` are
skipped with one warning, and the verdicts an older Emotune kept in the journal move over even when
that journal is locked for a while, holds an odd row, or was written by a newer Emotune.

Rows are planted with sqlite3 directly; ``recommend`` runs as ``python -m emotune`` in a child.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from emotune.controller.options import AppOptions
from emotune.journal.store import DB_FILE, SCHEMA_VERSION, Journal
from emotune.music.feedback import Feedback
from emotune.music.feedback_store import FEEDBACK_FILE, OLD_JOURNAL_SCHEMA, FeedbackStore, load_preferences
from tests.support.files import run_emotune
from tests.support.gui import Running
from tests.support.paths import UserFolders

COLUMNS = "track_id, verdict, artist_keys, mood, valence, energy, time"
GOOD_TIME = 1.7e9


def recommend() -> tuple[list[str], list[str]]:
    """``recommend happy`` offline: the track IDs it lists and its stderr lines."""
    result = run_emotune("recommend", "happy", "--offline", "--json", "--limit", "10")
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()], result.stderr.splitlines()


def dislikes(ids: list[str]) -> list[tuple[object, ...]]:
    return [(track, "dislike", "[]", "happy", 0.5, 0.5, GOOD_TIME + i) for i, track in enumerate(ids)]


def plant(path: Path, rows: list[tuple[object, ...]]) -> None:
    """Insert feedback rows as another program could: no CHECK constraint stops them."""
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.executemany(f"INSERT INTO feedback ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    raw.close()


def count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as raw:
        value = int(raw.execute(sql).fetchone()[0])
    raw.close()
    return value


ODD_ROWS: list[tuple[object, ...]] = [
    ("InfiniteValence0000000", "like", "[]", "happy", float("inf"), 0.5, GOOD_TIME),
    ("TextTime00000000000000", "like", "[]", "happy", 0.5, 0.5, "yesterday"),
    ("UnknownVerdict00000000", "love", "[]", "happy", 0.5, 0.5, GOOD_TIME),
]


def test_odd_rows_in_the_feedback_file_are_skipped_with_one_warning(user_dirs: UserFolders) -> None:
    first, _ = recommend()
    path = user_dirs.data / FEEDBACK_FILE
    with FeedbackStore.open(path) as store:
        for i, track in enumerate(first):
            store.set(Feedback(track, "dislike", frozenset(), "happy", 0.5, 0.5, GOOD_TIME + i))
    plant(path, ODD_ROWS)

    again, errors = recommend()
    assert len(again) == 10 and not set(again) & set(first)  # the ten dislikes still hold
    assert len(errors) == 1 and "skipped 3 damaged rows" in errors[0] and len(errors[0]) < 300, errors
    preferences, problem = load_preferences(path)
    assert len(preferences.records()) == 10 and problem is not None and "\n" not in problem


@pytest.mark.gui
def test_the_window_plays_on_past_odd_feedback_rows(start: Callable[..., Running], user_dirs: UserFolders) -> None:
    first, _ = recommend()
    path = user_dirs.data / FEEDBACK_FILE
    with FeedbackStore.open(path) as store:
        for i, track in enumerate(first):
            store.set(Feedback(track, "dislike", frozenset(), "happy", 0.5, 0.5, GOOD_TIME + i))
    plant(path, ODD_ROWS[:2])  # an infinite valence stopped every list: "no songs" for any mood
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    assert not {track.id for track in run.app.playlist.tracks} & set(first)
    assert "no songs" not in run.app.status.music.cget("text")


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_a_locked_journal_keeps_its_likes_for_a_later_run(user_dirs: UserFolders, journal_mode: str) -> None:
    first, _ = recommend()
    journal = user_dirs.data / DB_FILE
    Journal.open(journal).close()
    with sqlite3.connect(journal) as raw:
        raw.execute(f"PRAGMA journal_mode = {journal_mode}")
    raw.close()
    plant(journal, dislikes(first))

    holder = sqlite3.connect(journal, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        during, errors = recommend()
        feedback = user_dirs.data / FEEDBACK_FILE
        assert count(feedback, "PRAGMA user_version") == 0  # not marked as moved: tried again
        assert len(errors) == 1 and "is locked by another program" in errors[0] and "later run" in errors[0]
        if journal_mode == "wal":  # readable while locked: this run honours the dislikes too
            assert not set(during) & set(first)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    after, errors = recommend()
    assert errors == [] and not set(after) & set(first)
    assert count(journal, "SELECT COUNT(*) FROM feedback") == 0
    assert count(feedback, "SELECT COUNT(*) FROM feedback") == 10


def test_an_odd_row_in_the_old_journal_stays_behind_and_the_rest_moves(user_dirs: UserFolders) -> None:
    first, _ = recommend()
    journal = user_dirs.data / DB_FILE
    Journal.open(journal).close()
    plant(journal, [*dislikes(first), *ODD_ROWS])

    moved, errors = recommend()
    assert not set(moved) & set(first)
    assert len(errors) == 1 and "skipped 3 damaged rows" in errors[0]
    again, errors = recommend()  # moved once; later runs neither fail nor warn
    assert errors == [] and not set(again) & set(first)
    assert count(journal, "SELECT COUNT(*) FROM feedback") == 3  # what could not move is not deleted


def test_a_journal_from_a_newer_emotune_keeps_its_likes(user_dirs: UserFolders) -> None:
    journal = user_dirs.data / DB_FILE
    Journal.open(journal).close()
    plant(journal, dislikes(["4uLU6hMCjMI75M1A2tKUQC"]))
    with sqlite3.connect(journal) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    recommend()
    assert count(journal, "SELECT COUNT(*) FROM feedback") == 1
    assert count(journal, "PRAGMA user_version") == SCHEMA_VERSION + 1


def test_the_move_knows_the_journal_schema_of_this_version() -> None:
    # A new journal step must say here whether its journals still hold verdicts to move.
    assert OLD_JOURNAL_SCHEMA == SCHEMA_VERSION
