"""A journal with damaged rows (times no date can hold, a segment of decades, scores that are not
numbers, text where a time belongs) still reads: every reader skips those rows, says so in one
line, and shows the rest; ``--json`` stays valid JSON. The rows are planted with sqlite3 directly.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from emotune.controller.journal_report import day_rows, read_report
from emotune.controller.options import AppOptions
from emotune.gui.journal_view import JournalWindow
from emotune.journal.store import DB_FILE, Journal
from tests.support.files import run_emotune
from tests.support.gui import Running
from tests.support.paths import UserFolders

BASE = time.time() - 600.0
GOOD = [(BASE, BASE + 60.0, "happy"), (BASE + 60.0, BASE + 120.0, "sad"), (BASE + 120.0, BASE + 180.0, "angry")]
BAD_SEGMENTS: list[tuple[object, object, str]] = [
    (-1e12, BASE, "{}"),
    (BASE, 3e11, "{}"),  # the year 11476
    (1e18, 1e18, "{}"),
    (float("-inf"), BASE, "{}"),
    (BASE, float("inf"), "{}"),
    ("yesterday", BASE, "{}"),
    (BASE, BASE + 10.0, '{"happy": NaN}'),
    (BASE, BASE + 10.0, '{"happy": 1e400}'),
    (BASE + 10.0, BASE, "{}"),  # ends before it starts
    (1e9, 1.9e9, "{}"),  # thirty years
]
SKIPPED = f"skipped {len(BAD_SEGMENTS)} damaged rows"


def damaged_journal(path: Path) -> None:
    Journal.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.executemany(
            "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, ?, 'face', '{\"happy\": 0.5}')",
            GOOD,
        )
        raw.executemany(
            "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, 'fear', 'face', ?)",
            BAD_SEGMENTS,
        )
        song = (
            "INSERT INTO songs (time, track_id, name, artists, mood, kind)"
            " VALUES (?, ?, 'Song', '[\"Ann\"]', 'happy', 'opened')"
        )
        raw.executemany(song, [(BASE + 5.0, "4uLU6hMCjMI75M1A2tKUQC"), ("soon", "7GhIk7Il098yCjg4BQjzvb")])
        raw.execute(song, (float("inf"), "7GhIk7Il098yCjg4BQjzvb"))
    raw.close()


def test_the_journal_command_lists_the_sound_rows_and_warns_once(user_dirs: UserFolders) -> None:
    damaged_journal(user_dirs.data / DB_FILE)
    result = run_emotune("journal")
    assert result.returncode == 0, result.stderr
    assert [line.split()[-1] for line in result.stdout.splitlines()[:3]] == ["(face)"] * 3
    assert "Time per mood: angry 1 min, happy 1 min, sad 1 min" in result.stdout
    assert "Song - Ann (1x)" in result.stdout and "fear" not in result.stdout
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("emotune: journal ") and SKIPPED in warning and len(warning) < 300


def test_journal_json_is_always_valid_json(user_dirs: UserFolders) -> None:
    damaged_journal(user_dirs.data / DB_FILE)
    result = run_emotune("journal", "--json")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    for obj in objects:
        json.dumps(obj, allow_nan=False)  # NaN or Infinity would raise here
    assert [obj["mood"] for obj in objects] == ["happy", "sad", "angry"]
    assert len(result.stderr.splitlines()) == 1 and SKIPPED in result.stderr


def test_journal_exports_leave_the_damaged_rows_out(user_dirs: UserFolders, tmp_path: Path) -> None:
    damaged_journal(user_dirs.data / DB_FILE)
    table, picture = tmp_path / "j.csv", tmp_path / "j.png"
    result = run_emotune("journal", "--csv", str(table), "--png", str(picture))
    assert result.returncode == 0, result.stderr
    with table.open(encoding="utf-8", newline="") as handle:
        assert [row[3] for row in csv.reader(handle)][1:] == ["happy", "sad", "angry"]
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.width == 1200
    warnings = [line for line in result.stderr.splitlines() if "damaged" in line]
    assert len(warnings) == 1 and SKIPPED in warnings[0]  # read twice, counted once


def test_the_journal_view_reads_a_damaged_journal_into_a_few_day_rows(user_dirs: UserFolders) -> None:
    damaged_journal(user_dirs.data / DB_FILE)
    with sqlite3.connect(user_dirs.data / DB_FILE) as raw:  # a clock reset: one real segment in 1970
        raw.execute("INSERT INTO segments (start_t, end_t, mood, source) VALUES (100000, 100060, 'sad', 'user')")
    raw.close()
    report = read_report(user_dirs.data / DB_FILE, None, None)
    assert [s.mood for s in report.segments] == ["sad", "happy", "sad", "angry"]
    assert report.skipped is not None and SKIPPED in report.skipped
    started = time.monotonic()
    rows = day_rows(report.segments, None, None, time.time())
    assert time.monotonic() - started < 2.0  # not a row for each of the 20,000 days between
    assert [len(row.bands) for row in rows] in ([1, 3], [1, 1, 2], [1, 2, 1])  # today may start at midnight


def test_forgetting_everything_takes_the_damaged_rows_too(user_dirs: UserFolders) -> None:
    damaged_journal(user_dirs.data / DB_FILE)
    assert run_emotune("journal", "--clear").returncode == 0
    result = run_emotune("journal", "--json")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    with sqlite3.connect(user_dirs.data / DB_FILE) as raw:
        assert raw.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 0
        assert raw.execute("SELECT COUNT(*) FROM songs").fetchone()[0] == 0
    raw.close()


def test_a_score_that_is_not_a_number_is_not_written(tmp_path: Path) -> None:
    with Journal.open(tmp_path / DB_FILE) as book:
        segment = book.begin_segment("happy", "face", BASE, {"happy": float("nan"), "sad": 0.25})
        book.update_segment(segment, BASE + 30.0, {"happy": float("inf"), "sad": 0.5})
        (read,) = book.segments()
        assert read.scores == {"sad": 0.5} and book.skipped_warning() is None


@pytest.mark.gui
def test_the_journal_window_opens_on_a_damaged_journal(
    start: Callable[..., Running], user_dirs: UserFolders, tmp_path: Path
) -> None:
    damaged_journal(user_dirs.data / DB_FILE)
    run = start(AppOptions(source="99", offline=True))
    run.press(run.app.video.screen, "<Control-j>")
    window = run.app._journal_window
    assert isinstance(window, JournalWindow)
    run.until(lambda: window.report is not None, "the journal to be read")
    assert len(window.timeline.find_withtag("band")) == 3
    status = window.status.cget("text")
    assert status.startswith("3 mood segments, 3 min in all. Journal ") and SKIPPED in status
