"""The mood journal: schema and migrations, WAL, crash safety, damaged and locked files, queries,
forgetting, the background writer, CSV/PNG export and the ``journal`` command. (Song feedback:
tests/test_feedback_store.py.)

Every test works in its own temporary folder (``EMOTUNE_DATA_DIR`` or an explicit path).
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

import pytest
from PIL import Image

from emotune.colours import MOOD_COLOURS, mood_rgb
from emotune.environment import Environment
from emotune.errors import EmotuneError
from emotune.journal import cli, export
from emotune.journal.store import (
    DB_FILE,
    SCHEMA_VERSION,
    Forgotten,
    Journal,
    JournalDamagedError,
    JournalError,
    JournalLockedError,
    Segment,
    SongEvent,
    journal_path,
)
from emotune.journal.words import duration_words, period_bounds
from emotune.journal.writer import JournalWriter
from emotune.labels import EMOTIONS
from emotune.music.catalog import genre_tally, tally_words
from emotune.music.tracks import Track
from emotune.sqlite_file import integrity_checks

REPO = Path(__file__).resolve().parent.parent
TRACK_A = "4uLU6hMCjMI75M1A2tKUQC"
TRACK_B = "7GhIk7Il098yCjg4BQjzvb"

# Version 1 of the schema exactly as it shipped; a later version must upgrade such a file.
SCHEMA_V1 = (
    """CREATE TABLE segments (
        id INTEGER PRIMARY KEY, start_t REAL NOT NULL, end_t REAL NOT NULL, mood TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('face', 'user')), scores TEXT NOT NULL DEFAULT '{}',
        CHECK (end_t >= start_t))""",
    "CREATE INDEX segments_by_start ON segments (start_t)",
    """CREATE TABLE songs (
        id INTEGER PRIMARY KEY, time REAL NOT NULL, track_id TEXT NOT NULL, name TEXT NOT NULL,
        artists TEXT NOT NULL DEFAULT '[]', mood TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('shown', 'opened', 'played')))""",
    "CREATE INDEX songs_by_time ON songs (time)",
    "PRAGMA user_version = 1",
)


class FakeClock:
    """A clock the test moves by hand (read from the writer thread too)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("EMOTUNE_DATA_DIR", str(folder))
    return folder


def here() -> Path:
    """The journal the commands use: in ``EMOTUNE_DATA_DIR`` (the ``data`` fixture sets it)."""
    return journal_path(Environment.from_os())


def run_journal(args: argparse.Namespace) -> int:
    """The ``journal`` command as the entry point runs it."""
    return cli.journal(args, Environment.from_os(), lambda counts: tally_words(genre_tally(counts)))


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / DB_FILE) as journal:
        yield journal


def segment(journal: Journal, mood: str, start: float, end: float, source: str = "face") -> int:
    segment_id = journal.begin_segment(mood, "user" if source == "user" else "face", start)
    journal.update_segment(segment_id, end, {mood: 0.75} if source == "face" else None)
    return segment_id


def local(day: date, hour: float) -> float:
    return datetime.combine(day, day_time()).astimezone().timestamp() + hour * 3600


def no_writer_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name == "emotune-journal"]


# --- schema, migrations, files ------------------------------------------------------------------


def test_a_new_journal_is_at_the_latest_schema_in_wal_mode_and_private(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / DB_FILE
    with Journal.open(path) as journal:
        assert journal.schema_version() == SCHEMA_VERSION == 4
        assert journal.journal_mode() == "wal"
        segment(journal, "happy", 10.0, 20.0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"segments", "songs", "feedback", "meta", "lists", "face_series"}
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent, not per connection


def test_the_journal_path_follows_the_environment(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert here() == data / DB_FILE
    monkeypatch.delenv("EMOTUNE_DATA_DIR")
    assert here().parent.name.lower() == "emotune" and here() != data / DB_FILE


def test_a_version_1_journal_is_upgraded_and_keeps_its_history(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    with sqlite3.connect(path) as raw:
        for statement in SCHEMA_V1:
            raw.execute(statement)
        raw.execute("INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (5, 65, 'sad', 'face', '{}')")
        raw.execute(
            "INSERT INTO songs (time, track_id, name, artists, mood, kind) VALUES (6, ?, 'Old', ?, 'sad', 'opened')",
            (TRACK_A, '["X"]'),
        )
    raw.close()
    with Journal.open(path) as journal:
        assert journal.schema_version() == SCHEMA_VERSION
        assert [(s.start, s.end, s.mood) for s in journal.segments()] == [(5.0, 65.0, "sad")]
        assert journal.known_song(TRACK_A) == ("Old", ("X",))
    with Journal.open(path) as again:  # opening an up-to-date journal changes nothing
        assert again.schema_version() == SCHEMA_VERSION and len(again.segments()) == 1


def test_a_journal_from_a_newer_emotune_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(JournalError, match="newer Emotune") as caught:
        Journal.open(path)
    assert not isinstance(caught.value, JournalDamagedError) and str(path) in str(caught.value)
    assert path.exists() and not list(tmp_path.glob("*.damaged-*"))
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 99
    raw.close()


def test_the_integrity_check_runs_at_the_first_open_and_again_only_when_the_file_changed(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    with sqlite3.connect(path) as raw:  # a journal this process has not opened yet (as after a restart)
        for statement in SCHEMA_V1:
            raw.execute(statement)
    raw.close()
    with Journal.open(path) as journal:
        segment(journal, "happy", 10.0, 20.0)
    assert integrity_checks(path) == 1
    for _ in range(3):  # this process closed it, nobody touched it since: not checked again
        with Journal.open(path) as journal:
            assert len(journal.segments()) == 1
    assert integrity_checks(path) == 1
    with sqlite3.connect(path) as other:  # another program writes to it
        other.execute("INSERT INTO segments (start_t, end_t, mood, source) VALUES (30, 40, 'sad', 'face')")
    other.close()
    with Journal.open(path):
        pass
    assert integrity_checks(path) == 2


def test_refreshing_the_journal_view_while_the_writer_records_does_not_check_it_again(tmp_path: Path) -> None:
    from emotune.controller.journal_report import read_report  # what the window's Journal view reads

    clock = FakeClock(1000.0)
    path = tmp_path / DB_FILE
    writer = JournalWriter(path, clock=clock, checkpoint_s=30.0).start()
    try:
        for step in range(5):  # the writer moves the open segment on between refreshes
            writer.observe("happy")
            clock.now += 10.0
            assert writer.flush(5.0)
            report = read_report(path, None, None)
            assert report.total_s == pytest.approx(10.0 * (step + 1))
        assert integrity_checks(path) == 0  # a new file: nothing to check; and each refresh skipped it
    finally:
        assert writer.stop(5.0)


# --- damaged and locked -------------------------------------------------------------------------


def damage(path: Path, how: str) -> bytes:
    if how == "not a database":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"this is no SQLite file, just text left where the journal was\n" * 64)
    else:  # a torn page in the middle of a real journal
        with Journal.open(path) as journal:
            for i in range(300):
                segment(journal, "happy", float(i), i + 0.5)
        raw = bytearray(path.read_bytes())
        raw[2 * 4096 : 3 * 4096] = bytes(range(256)) * 16
        path.write_bytes(bytes(raw))
    return path.read_bytes()


@pytest.mark.parametrize("how", ["not a database", "torn page"])
def test_a_damaged_journal_is_set_aside_with_one_clear_line_and_a_new_one_starts(tmp_path: Path, how: str) -> None:
    path = tmp_path / DB_FILE
    content = damage(path, how)
    with pytest.raises(JournalDamagedError) as caught:
        Journal.open(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "damaged" in message
    aside = caught.value.set_aside_as
    assert aside is not None and aside.name.startswith(f"{DB_FILE}.damaged-") and str(aside) in message
    assert aside.read_bytes() == content  # kept byte for byte, never deleted
    assert not path.exists()
    with Journal.open(path) as fresh:
        assert fresh.segments() == [] and fresh.schema_version() == SCHEMA_VERSION
    assert aside.exists()


def test_the_writer_goes_on_without_a_damaged_journal(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    damage(path, "not a database")
    problems: list[str] = []
    writer = JournalWriter(path, on_problem=problems.append, checkpoint_s=0.1).start()
    writer.observe("happy", [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    writer.songs([Track(TRACK_A, "Song", ("A",), "catalog")], "shown", "happy")
    assert writer.flush(5.0)
    assert writer.stop(5.0) and no_writer_threads()
    assert len(problems) == 1 and writer.problem == problems[0]
    assert "damaged" in problems[0] and "going on without a journal" in problems[0] and "\n" not in problems[0]
    assert len(list(tmp_path.glob(f"{DB_FILE}.damaged-*"))) == 1


def test_a_locked_journal_says_so_and_is_not_set_aside(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    with Journal.open(path) as journal:
        segment(journal, "sad", 1.0, 2.0)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another writer holds the write lock
        with Journal.open(path, timeout_s=0.2) as journal:  # WAL: reading still works
            assert len(journal.segments()) == 1
            with pytest.raises(JournalLockedError) as caught:
                journal.begin_segment("happy", "face", 3.0)
        assert str(path) in str(caught.value) and "locked" in str(caught.value)
        holder.execute("ROLLBACK")
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # now it keeps readers out too
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE segments SET mood = 'sad'")
        holder.execute("COMMIT")
        started = time.monotonic()
        with pytest.raises(JournalLockedError):
            Journal.open(path, timeout_s=0.2)
        assert time.monotonic() - started < 3.0
        problems: list[str] = []
        writer = JournalWriter(path, on_problem=problems.append, timeout_s=0.2).start()
        assert writer.flush(5.0) and writer.stop(5.0)
        assert len(problems) == 1 and "locked" in problems[0]
    finally:
        holder.close()
    assert path.exists() and not list(tmp_path.glob("*.damaged-*"))
    with Journal.open(path) as journal:
        assert [s.mood for s in journal.segments()] == ["sad"]


def test_a_journal_locked_for_a_moment_at_start_is_opened_on_a_later_try(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    with Journal.open(path) as journal:
        segment(journal, "sad", 1.0, 2.0)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # keeps every other connection out
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE segments SET mood = 'sad'")
    holder.execute("COMMIT")
    release = threading.Timer(0.6, holder.close)  # a reader that lets go within a second
    problems: list[str] = []
    writer = JournalWriter(path, on_problem=problems.append, timeout_s=0.2, open_tries=5, checkpoint_s=0.1)
    release.start()
    try:
        writer.start()
        writer.observe("happy", [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
        assert writer.flush(10.0) and writer.stop(5.0)
    finally:
        release.join()
    assert problems == [] and writer.problem is None
    with Journal.open(path) as journal:
        assert [s.mood for s in journal.segments()] == ["sad", "happy"]


# --- queries and forgetting ---------------------------------------------------------------------


def test_segments_in_a_range_time_per_mood_and_songs_per_mood(book: Journal) -> None:
    segment(book, "happy", 100.0, 160.0)
    segment(book, "sad", 160.0, 400.0)
    segment(book, "happy", 400.0, 430.0, source="user")
    assert [(s.mood, s.source) for s in book.segments()] == [("happy", "face"), ("sad", "face"), ("happy", "user")]
    assert book.segments()[0].scores == {"happy": 0.75} and book.segments()[2].scores == {}
    assert [s.mood for s in book.segments(since=150.0, until=300.0)] == ["happy", "sad"]
    assert [s.mood for s in book.segments(since=160.0, until=170.0)] == ["sad"]  # touching is not overlapping
    assert book.time_per_mood() == {"happy": 90.0, "sad": 240.0}
    assert book.time_per_mood(since=150.0, until=200.0) == {"happy": 10.0, "sad": 40.0}  # cut to the range
    events = [
        SongEvent(110.0, TRACK_A, "Sunny", ("Ann",), "happy", "opened"),
        SongEvent(120.0, TRACK_A, "Sunny", ("Ann",), "happy", "opened"),
        SongEvent(130.0, TRACK_B, "Bright", ("Bo", "Cy"), "happy", "opened"),
        SongEvent(200.0, TRACK_B, "Bright", ("Bo", "Cy"), "sad", "shown"),
        SongEvent(210.0, TRACK_B, "Bright", ("Bo", "Cy"), "sad", "played"),
    ]
    book.add_songs(events)
    assert book.songs() == events
    assert book.songs(since=150.0, kinds=("played",)) == [events[4]]
    opened = book.songs_per_mood()
    assert list(opened) == ["happy"]
    assert [(s.track_id, s.count) for s in opened["happy"]] == [(TRACK_A, 2), (TRACK_B, 1)]
    assert book.known_song(TRACK_B) == ("Bright", ("Bo", "Cy")) and book.known_song("0" * 22) is None
    with pytest.raises(JournalError, match="kind"):
        book.add_songs([SongEvent(1.0, TRACK_A, "x", (), None, "hummed")])  # type: ignore[arg-type]


def test_a_row_with_damaged_json_reads_as_empty_not_as_a_crash(book: Journal) -> None:
    segment(book, "happy", 100.0, 160.0)
    book.add_songs([SongEvent(110.0, TRACK_A, "Sunny", ("Ann",), "happy", "opened")])
    deep = "[" * 5000 + "]" * 5000  # json.loads raised RecursionError, not ValueError
    with sqlite3.connect(book.path) as other:
        other.execute("UPDATE segments SET scores = ?", (deep,))
        other.execute("UPDATE songs SET artists = ?", (deep,))
    other.close()
    assert [(s.mood, s.scores) for s in book.segments()] == [("happy", {})]
    assert [(e.track_id, e.artists) for e in book.songs()] == [(TRACK_A, ())]


def test_forget_a_range_cuts_segments_at_its_edges_and_keeps_the_rest(book: Journal) -> None:
    segment(book, "sad", 0.0, 100.0)  # reaches into the range
    segment(book, "happy", 120.0, 180.0)  # inside
    segment(book, "angry", 190.0, 300.0)  # reaches out of it
    segment(book, "fear", 400.0, 500.0)  # after it
    book.add_songs([SongEvent(t, TRACK_A, "S", ("A",), "happy", "shown") for t in (50.0, 150.0, 250.0, 450.0)])
    gone = book.forget(since=80.0, until=200.0)
    assert gone == Forgotten(segments=1, trimmed=2, songs=1)
    assert [(s.mood, s.start, s.end) for s in book.segments()] == [
        ("sad", 0.0, 80.0),
        ("angry", 200.0, 300.0),
        ("fear", 400.0, 500.0),
    ]
    assert [e.time for e in book.songs()] == [50.0, 250.0, 450.0]
    # A range inside one segment splits it in two.
    book.forget(since=420.0, until=430.0)
    assert [(s.start, s.end) for s in book.segments() if s.mood == "fear"] == [(400.0, 420.0), (430.0, 500.0)]
    everything = book.forget()
    assert everything.segments == 4 and book.segments() == [] and book.songs() == []


def test_forgotten_history_does_not_linger_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    secret = "Zyzzyva Unforgettable Song"
    with Journal.open(path) as journal:
        for i in range(50):
            journal.add_songs([SongEvent(float(i), TRACK_A, secret, ("Artist",), "sad", "opened")])
        journal.forget()
        files = [p for p in tmp_path.iterdir() if p.is_file()]
        assert all(secret.encode() not in p.read_bytes() for p in files), [p.name for p in files]
    assert secret.encode() not in path.read_bytes()


# --- the writer ---------------------------------------------------------------------------------


def test_the_writer_records_segments_with_mean_scores_and_stops_cleanly(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    path = tmp_path / DB_FILE
    writer = JournalWriter(path, clock=clock, checkpoint_s=30.0).start()
    writer.observe("happy", [0.0, 0.0, 0.0, 0.6, 0.4, 0.0, 0.0])
    clock.now = 1001.0
    writer.observe("happy", {"happy": 0.8, "neutral": 0.2})
    clock.now = 1002.0
    writer.observe("sad", None)
    clock.now = 1003.5
    assert writer.flush(5.0)  # the open segment is written up to now
    clock.now = 1005.0
    writer.end_segment()
    clock.now = 1010.0
    writer.observe("neutral", source="user")
    song = Track(TRACK_A, "Song", ("Ann",), "catalog")
    writer.songs([song], "opened", "neutral")
    clock.now = 1012.0
    assert writer.stop(5.0) and not writer.running and no_writer_threads()
    writer.observe("happy")  # after stop: ignored, never raises
    with Journal.open(path) as journal:
        got = [(s.mood, s.source, s.start, s.end) for s in journal.segments()]
        assert got == [
            ("happy", "face", 1000.0, 1002.0),
            ("sad", "face", 1002.0, 1005.0),
            ("neutral", "user", 1010.0, 1012.0),
        ]
        assert journal.segments()[0].scores == pytest.approx(
            {"happy": 0.7, "neutral": 0.3, "angry": 0.0, "disgust": 0.0, "fear": 0.0, "sad": 0.0, "surprise": 0.0}
        )
        assert journal.segments()[1].scores == {}
        assert [(e.track_id, e.kind, e.mood) for e in journal.songs()] == [(TRACK_A, "opened", "neutral")]
    assert writer.problem is None


@pytest.mark.slow
def test_the_open_segment_reaches_the_disk_every_checkpoint(tmp_path: Path) -> None:
    clock = FakeClock(100.0)
    path = tmp_path / DB_FILE
    writer = JournalWriter(path, clock=clock, checkpoint_s=0.1).start()

    def end_on_disk() -> float | None:
        with Journal.open(path) as reader:  # a second connection, as after a crash
            found = reader.segments()
        assert [(s.mood, s.start) for s in found] in ([], [("surprise", 100.0)])
        return found[0].end if found else None

    def until_written(end: float) -> None:
        """The writer thread checkpoints on its own (no flush, no stop); wait for it to get there."""
        deadline = time.monotonic() + 10.0
        while end_on_disk() != end:
            assert time.monotonic() < deadline, f"the open segment never reached {end} ({writer.problem})"
            time.sleep(0.01)

    try:
        writer.observe("surprise")
        # The writer makes the file first: a reader opening it while it runs the schema steps
        # could make the writer find it locked and go on without a journal.
        assert writer.flush(5.0)
        until_written(100.0)  # begun (the writer thread reads the clock as it begins the segment)
        for now in (100.2, 100.4, 100.6):  # the clock moves on: each checkpoint writes the end up to it
            clock.now = now
            until_written(now)
    finally:
        assert writer.stop(5.0)


def test_a_suspended_process_does_not_count_the_time_asleep(tmp_path: Path) -> None:
    clock = FakeClock(500.0)
    path = tmp_path / DB_FILE
    writer = JournalWriter(path, clock=clock, checkpoint_s=1.0).start()
    writer.observe("fear")
    clock.now = 500.5
    assert writer.flush(5.0)
    clock.now = 4100.0  # an hour later: the laptop slept
    assert writer.flush(5.0)
    clock.now = 4102.0
    assert writer.stop(5.0)
    with Journal.open(path) as journal:
        assert [(s.mood, s.start, s.end) for s in journal.segments()] == [
            ("fear", 500.0, 500.5),
            ("fear", 4100.0, 4102.0),
        ]


def test_forget_through_the_writer_restarts_the_open_segment(tmp_path: Path) -> None:
    clock = FakeClock(100.0)
    path = tmp_path / DB_FILE
    results: list[Forgotten | JournalError] = []
    writer = JournalWriter(path, clock=clock, checkpoint_s=30.0).start()
    writer.observe("happy")
    writer.songs([Track(TRACK_A, "S", ("A",), "catalog")], "shown", "happy")
    clock.now = 105.0
    writer.forget(on_done=results.append)
    clock.now = 109.0
    assert writer.stop(5.0)
    assert results == [Forgotten(segments=1, trimmed=0, songs=1)]
    with Journal.open(path) as journal:
        assert [(s.mood, s.start, s.end) for s in journal.segments()] == [("happy", 105.0, 109.0)]
        assert journal.songs() == []


def test_with_history_off_nothing_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    writer = JournalWriter(path, record_history=False).start()
    song = Track(TRACK_B, "S", ("A",), "catalog")
    writer.observe("happy")
    writer.songs([song], "opened", "happy")
    assert writer.stop(5.0)
    with Journal.open(path) as journal:
        assert journal.segments() == [] and journal.songs() == []


CRASHING_CHILD = r"""
import sys, time
from pathlib import Path
from emotune.journal.writer import JournalWriter

writer = JournalWriter(Path(sys.argv[1]), checkpoint_s=float(sys.argv[2])).start()
for _ in range(10):  # a second of sad
    writer.observe("sad", [0.0, 0.0, 0.0, 0.0, 0.2, 0.8, 0.0])
    time.sleep(0.1)
writer.observe("happy", [0.0, 0.0, 0.0, 0.9, 0.1, 0.0, 0.0])
print("happy", time.time(), flush=True)
while True:  # until killed, mid-write
    writer.observe("happy", [0.0, 0.0, 0.0, 0.9, 0.1, 0.0, 0.0])
    time.sleep(0.02)
"""


def happy_for_a_second(path: Path) -> bool:
    with Journal.open(path) as journal:
        found = journal.segments()
    return bool(found) and found[-1].mood == "happy" and found[-1].duration >= 1.0


@pytest.mark.slow
def test_a_process_killed_mid_write_loses_at_most_the_open_segments_last_seconds(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    checkpoint_s = 0.5
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_CHILD, str(path), str(checkpoint_s)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        word, happy_since = child.stdout.readline().split()
        assert word == "happy"
        # A real process on the real clock: kill it once checkpoints have kept a second of happy.
        deadline = time.monotonic() + 30.0
        while not happy_for_a_second(path):
            assert time.monotonic() < deadline, "the child never checkpointed a second of happy"
            time.sleep(0.05)
        killed_at = time.time()
        child.kill()  # SIGKILL on POSIX: no clean-up of any kind runs
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode != 0
    with Journal.open(path) as journal:
        sad, happy = journal.segments()
    assert (sad.mood, happy.mood) == ("sad", "happy")
    assert sad.end == happy.start and abs(happy.start - float(happy_since)) < 0.2
    assert 0.9 <= sad.end - sad.start <= 2.0  # the closed segment is whole (ten 0.1 s sleeps)
    assert sad.scores["sad"] == pytest.approx(0.8)
    # The open one lost no more than a checkpoint (plus slack for a busy machine) before the kill.
    assert happy.end <= killed_at
    assert killed_at - happy.end <= checkpoint_s + 1.0
    assert happy.end - happy.start >= 1.0
    assert happy.scores["happy"] == pytest.approx(0.9)


# --- export -------------------------------------------------------------------------------------


def today_and_yesterday(journal: Journal) -> tuple[date, date]:
    today = date.today()
    yesterday = today - timedelta(days=1)
    segment(journal, "neutral", local(yesterday, 22.0), local(yesterday, 23.0), source="user")
    segment(journal, "happy", local(today, 0.5), local(today, 1.0))
    segment(journal, "sad", local(today, 1.0), local(today, 1.25))
    return today, yesterday


def test_csv_export_has_one_row_per_segment_with_iso_times(book: Journal, tmp_path: Path, env: Environment) -> None:
    today_and_yesterday(book)
    target = tmp_path / "moods.csv"
    assert export.write_csv(book.segments(), target, env) == 3
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert [r["mood"] for r in rows] == ["neutral", "happy", "sad"]
    assert [r["source"] for r in rows] == ["user", "face", "face"]
    assert float(rows[1]["duration_s"]) == pytest.approx(1800.0)
    assert rows[1]["score_happy"] == "0.7500" and rows[1]["score_sad"] == "" and rows[0]["score_neutral"] == ""
    assert datetime.fromisoformat(rows[2]["end"]).timestamp() == pytest.approx(book.segments()[2].end, abs=1e-3)
    with pytest.raises(export.ExportError, match="cannot write"):
        export.write_csv(book.segments(), tmp_path / "missing-folder" / "x.csv", env)


def test_png_timeline_has_a_row_per_day_in_the_mood_colours(book: Journal, tmp_path: Path, env: Environment) -> None:
    today, yesterday = today_and_yesterday(book)
    target = export.write_png(book.segments(), tmp_path / "moods.png", env)
    image = Image.open(target).convert("RGB")
    assert image.width == export.WIDTH
    assert image.height == export.TOP + 2 * (export.ROW_HEIGHT + export.ROW_GAP) + export.LEGEND_HEIGHT
    plot = export.WIDTH - export.LEFT - export.RIGHT

    def pixel(day: date, row: int, hour: float) -> tuple[int, int, int]:
        start, end = local(day, 0.0), local(day + timedelta(days=1), 0.0)
        x = export.LEFT + round(plot * (local(day, hour) - start) / (end - start))
        y = export.TOP + row * (export.ROW_HEIGHT + export.ROW_GAP) + export.ROW_HEIGHT // 2
        value = image.getpixel((x, y))
        assert isinstance(value, tuple)
        return (int(value[0]), int(value[1]), int(value[2]))

    assert pixel(yesterday, 0, 22.5) == mood_rgb("neutral")
    assert pixel(today, 1, 0.75) == mood_rgb("happy")
    assert pixel(today, 1, 1.1) == mood_rgb("sad")
    assert pixel(today, 1, 12.0) == export.EMPTY_ROW
    # A range cuts the picture to its days.
    one_day = export.draw_timeline(book.segments(), local(today, 0.0), local(today, 24.0))
    assert one_day.height == export.TOP + (export.ROW_HEIGHT + export.ROW_GAP) + export.LEGEND_HEIGHT


def test_png_of_a_short_session_zooms_to_its_minutes_as_the_window_does(tmp_path: Path, env: Environment) -> None:
    start = datetime(2026, 12, 1, 14, 3, 20).timestamp()
    session = [
        Segment(start, start + 35, "happy", "face"),
        Segment(start + 35, start + 155, "sad", "face"),
        Segment(start + 155, start + 400, "neutral", "user"),
    ]
    image = Image.open(export.write_png(session, tmp_path / "session.png", env)).convert("RGB")
    y = export.TOP + export.ROW_HEIGHT // 2
    row = [image.getpixel((x, y)) for x in range(export.LEFT, export.WIDTH - export.RIGHT)]
    coloured = [p for p in row if p != export.EMPTY_ROW]
    assert len(coloured) > 0.8 * len(row)  # 6 min 40 s fill the width (on a 24 h axis: 5 pixels)
    happy = sum(p == mood_rgb("happy") for p in row)
    assert happy == pytest.approx(len(row) * 35 / 420, rel=0.15)  # 14:03 to 14:10, by the minute


def test_journal_colours_are_the_mood_colours() -> None:
    assert set(MOOD_COLOURS) == set(EMOTIONS)
    assert mood_rgb("happy") == (0xE8, 0xA3, 0x17) and mood_rgb(None) == mood_rgb("bored")


# --- the commands -------------------------------------------------------------------------------


def journal_args(**given: object) -> argparse.Namespace:
    values: dict[str, object] = {"since": None, "until": None, "json": False, "csv": None, "png": None, "clear": False}
    values.update(given)
    return argparse.Namespace(**values)


def test_the_view_periods_start_at_local_midnight_and_monday() -> None:
    wednesday_noon = local(date(2026, 3, 4), 12.0)
    assert period_bounds("today", wednesday_noon) == (local(date(2026, 3, 4), 0.0), None)
    assert period_bounds("week", wednesday_noon) == (local(date(2026, 3, 2), 0.0), None)
    assert period_bounds("all", wednesday_noon) == (None, None)


def test_the_parsers_give_the_handlers_what_they_need(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="emotune")
    cli.add_journal_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["journal", "--since", "today", "--until", "2999-01-01", "--json", "--csv", "x.csv"])
    assert (args.command, args.since, args.until, args.json, args.csv, args.png, args.clear) == (
        "journal",
        "today",
        "2999-01-01",
        True,
        Path("x.csv"),
        None,
        False,
    )
    assert run_journal(parser.parse_args(["journal", "--json"])) == 0
    assert capsys.readouterr().out == "" and not here().exists()  # no journal: no segments, and none made


def test_journal_json_prints_one_object_per_segment(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Journal.open(here()) as journal:
        today, _ = today_and_yesterday(journal)
        stored = journal.segments()
    assert run_journal(journal_args(json=True)) == 0
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == 3
    for obj, seg in zip(objects, stored, strict=True):
        assert list(obj)[:4] == ["start", "end", "mood", "source"]
        assert datetime.fromisoformat(obj["start"]).timestamp() == pytest.approx(seg.start, abs=1e-3)
        assert datetime.fromisoformat(obj["end"]).timestamp() == pytest.approx(seg.end, abs=1e-3)
        assert obj["mood"] == seg.mood and obj["source"] == seg.source
        assert datetime.fromisoformat(obj["start"]).tzinfo is not None
    assert run_journal(journal_args(json=True, since="today")) == 0
    assert [json.loads(x)["mood"] for x in capsys.readouterr().out.splitlines()] == ["happy", "sad"]
    assert run_journal(journal_args(json=True, until="yesterday")) == 0
    assert [json.loads(x)["mood"] for x in capsys.readouterr().out.splitlines()] == ["neutral"]
    assert run_journal(journal_args(json=True, since=f"{today.isoformat()}T00:45")) == 0
    assert [json.loads(x)["mood"] for x in capsys.readouterr().out.splitlines()] == ["happy", "sad"]


def test_journal_without_json_summarises_and_never_creates_a_file(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_journal(journal_args()) == 0
    assert "No moods recorded" in capsys.readouterr().out
    assert not here().exists()
    with Journal.open(here()) as journal:
        today_and_yesterday(journal)
        journal.add_songs([SongEvent(time.time(), TRACK_A, "Sunny", ("Ann",), "happy", "opened")])
    assert run_journal(journal_args()) == 0
    out = capsys.readouterr().out
    assert "Time per mood: happy 30 min, neutral 1 h 00 min, sad 15 min" in out
    assert "Opened while happy (other 1): Sunny - Ann (1x)" in out  # a track the catalog lacks: "other"


@pytest.mark.parametrize(
    ("given", "flag"),
    [
        ({"since": "last tuesday"}, "--since"),
        ({"until": "2026-13-45"}, "--until"),
        ({"since": "today", "until": "yesterday"}, "--since"),
    ],
)
def test_journal_bad_dates_are_one_line_errors(data: Path, given: dict[str, str], flag: str) -> None:
    with pytest.raises(EmotuneError) as caught:
        run_journal(journal_args(**given))
    assert isinstance(caught.value, cli.JournalInputError)
    message = str(caught.value)
    assert message.startswith(flag) and "\n" not in message


def test_journal_exports_then_clears_the_range(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Journal.open(here()) as journal:
        today_and_yesterday(journal)
    csv_file, png_file = tmp_path / "out.csv", tmp_path / "out.png"
    assert run_journal(journal_args(since="today", csv=csv_file, png=png_file, clear=True)) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # exports and clearing report on stderr only
    assert "forgot 2 mood segments" in captured.err
    assert len(csv_file.read_text(encoding="utf-8").splitlines()) == 3  # header + today's two
    assert Image.open(png_file).size[0] == export.WIDTH
    with Journal.open(here()) as journal:
        assert [s.mood for s in journal.segments()] == ["neutral"]
    assert run_journal(journal_args(clear=True)) == 0
    with Journal.open(here()) as journal:
        assert journal.segments() == []


def test_journal_on_a_damaged_file_is_one_line_and_sets_it_aside(data: Path) -> None:
    damage(here(), "not a database")
    with pytest.raises(JournalDamagedError) as caught:
        run_journal(journal_args(json=True))
    assert "\n" not in str(caught.value) and str(here()) in str(caught.value)
    assert len(list(data.glob(f"{DB_FILE}.damaged-*"))) == 1 and not here().exists()


def test_durations_read_as_people_say_them_and_never_round_a_short_stretch_up() -> None:
    assert duration_words(0.2) == "<1 s"
    assert duration_words(35) == "35 s"  # was "1 min"
    assert duration_words(60) == "1 min"
    assert duration_words(95) == "1 min 35 s"
    assert duration_words(12 * 60 + 10) == "12 min"
    assert duration_words(3900) == "1 h 05 min"
