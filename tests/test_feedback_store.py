"""Song feedback on disk (``feedback.sqlite3``, a file of its own beside the journal): one verdict
per track, the ``feedback`` command, reading the verdicts for ``recommend``/``play``, and the
verdicts an older Emotune kept in the journal moved over once.

Every test works in its own temporary folder (``EMOTUNE_DATA_DIR`` or an explicit path).
"""

from __future__ import annotations

import argparse
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from emotune.environment import Environment
from emotune.journal.store import DB_FILE, Journal, JournalDamagedError, SongEvent, journal_path, known_song
from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.feedback import Feedback
from emotune.music.feedback_cli import FeedbackInputError, feedback
from emotune.music.feedback_store import FEEDBACK_FILE, FeedbackStore, feedback_path, load_preferences

TRACK_A = "4uLU6hMCjMI75M1A2tKUQC"
TRACK_B = "7GhIk7Il098yCjg4BQjzvb"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("EMOTUNE_DATA_DIR", str(folder))
    return folder


def env() -> Environment:
    return Environment.from_os()


def run_feedback(track: str, verdict: str) -> int:
    """The ``feedback`` command as the entry point runs it."""
    where = env()
    return feedback(
        argparse.Namespace(track=track, verdict=verdict),
        where,
        time.time,
        lambda track_id: known_song(journal_path(where), track_id),
    )


def stored() -> list[Feedback]:
    return list(load_preferences(feedback_path(env()))[0].records())


def test_one_verdict_per_track_in_a_private_file_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "data" / FEEDBACK_FILE
    with FeedbackStore.open(path) as book:
        book.set(Feedback(TRACK_A, "like", frozenset({"ann"}), "happy", 0.9, 0.8, 10.0))
        book.set(Feedback(TRACK_B, "never_artist", frozenset({"bo", "cy"}), None, None, None, 11.0))
        book.set(Feedback(TRACK_A, "dislike", frozenset({"ann"}), "sad", 0.9, 0.8, 12.0))
        assert [(f.track_id, f.verdict) for f in book.all()] == [(TRACK_B, "never_artist"), (TRACK_A, "dislike")]
        assert book.for_track(TRACK_B) == Feedback(
            TRACK_B, "never_artist", frozenset({"bo", "cy"}), None, None, None, 11.0
        )
        assert book.clear(TRACK_A) and not book.clear(TRACK_A)
        assert book.for_track(TRACK_A) is None
        assert book.journal_mode() == "wal"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not (tmp_path / "data" / DB_FILE).exists()  # the journal is another file, not made here


def test_verdicts_an_older_emotune_kept_in_the_journal_move_to_their_own_file_once(data: Path) -> None:
    journal_file = data / DB_FILE
    with Journal.open(journal_file) as journal:  # schema 3 still has the old feedback table
        journal.add_songs([SongEvent(5.0, TRACK_A, "Song", ("Ann",), "happy", "opened")])
    with sqlite3.connect(journal_file) as raw:
        raw.execute(
            "INSERT INTO feedback (track_id, verdict, artist_keys, mood, valence, energy, time)"
            " VALUES (?, 'like', '[\"ann\"]', 'happy', 0.5, 0.6, 7.0)",
            (TRACK_A,),
        )
    raw.close()
    assert [(f.track_id, f.verdict, f.artist_keys, f.time) for f in stored()] == [
        (TRACK_A, "like", frozenset({"ann"}), 7.0)
    ]
    with sqlite3.connect(journal_file) as raw:  # moved, not copied: the journal keeps no verdicts
        assert raw.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0
    raw.close()
    with Journal.open(journal_file) as journal:
        assert len(journal.songs()) == 1  # the history stays where it was
    with FeedbackStore.open(feedback_path(env())) as book:
        book.clear(TRACK_A)
    assert stored() == []  # moved once: a cleared verdict does not come back from the journal


def test_forgetting_or_losing_the_journal_keeps_the_likes(data: Path) -> None:
    assert run_feedback(TRACK_A, "like") == 0
    with Journal.open(data / DB_FILE) as journal:
        journal.add_songs([SongEvent(5.0, TRACK_B, "Song", ("Bo",), "sad", "shown")])
        journal.forget()
    (data / DB_FILE).write_bytes(b"not a database " * 100)  # damaged: set aside at the next open
    with pytest.raises(JournalDamagedError):
        Journal.open(data / DB_FILE)
    assert [f.track_id for f in stored()] == [TRACK_A]


@pytest.mark.parametrize(
    "bad", ["abc", "spotify:track:short", TRACK_A + "X", "https://example.com/track/" + TRACK_A[:-1]]
)
def test_feedback_refuses_what_is_no_track_id_in_one_line(data: Path, bad: str) -> None:
    with pytest.raises(FeedbackInputError) as caught:
        run_feedback(bad, "like")
    assert str(caught.value).startswith("track ID") and "\n" not in str(caught.value)
    assert not data.exists()


def test_feedback_refuses_an_unknown_verdict(data: Path) -> None:
    with pytest.raises(FeedbackInputError, match="expected like, dislike or clear"):
        run_feedback(TRACK_A, "love")


def test_feedback_names_a_track_the_catalog_lacks_from_the_journal(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Journal.open(data / DB_FILE) as journal:
        journal.add_songs([SongEvent(5.0, TRACK_A, "Song", ("Ann",), "happy", "opened")])
    assert run_feedback(TRACK_A, "like") == 0
    assert capsys.readouterr().out == "Liked: Song - Ann\n"
    assert [f.artist_keys for f in stored()] == [frozenset({"ann"})]


def test_feedback_dislike_keeps_a_track_out_and_like_brings_one_back(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = load_catalog()
    shown = CatalogSession(catalog, seed=5).recommend("happy", 10)
    disliked = shown[0]
    favourite = CatalogSession(catalog, seed=5).pool("happy")[-1]
    assert run_feedback(disliked.id, "dislike") == 0
    assert run_feedback(f"https://open.spotify.com/track/{favourite.id}?si=abc", "LIKE") == 0
    out = capsys.readouterr().out
    assert f"Disliked: {disliked.name}" in out and f"Liked: {favourite.name}" in out
    prefs, problem = load_preferences(feedback_path(env()))
    assert problem is None
    records = {r.track_id: r for r in prefs.records()}
    assert records[favourite.id].artist_keys == favourite.artist_keys()
    assert favourite.features is not None and records[favourite.id].valence == favourite.features.valence
    session = CatalogSession(catalog, seed=5, feedback=prefs)
    first = session.recommend("happy", 10)
    assert favourite in first and len(first) == 10
    for _ in range(25):
        assert disliked not in session.recommend("happy", 10)
    assert run_feedback(f"spotify:track:{disliked.id}", "clear") == 0
    assert "Cleared" in capsys.readouterr().out
    assert run_feedback(disliked.id, "clear") == 0
    assert "no feedback" in capsys.readouterr().out
    assert {r.track_id for r in stored()} == {favourite.id}


def test_reading_verdicts_without_files_creates_nothing_and_reports_damage(data: Path) -> None:
    path = feedback_path(env())
    prefs, problem = load_preferences(path)
    assert prefs.records() == () and problem is None and not data.exists()
    data.mkdir()
    path.write_bytes(b"this is no SQLite file " * 64)
    prefs, problem = load_preferences(path)
    assert prefs.records() == () and problem is not None and "damaged" in problem and "\n" not in problem
    assert len(list(data.glob(f"{FEEDBACK_FILE}.damaged-*"))) == 1
