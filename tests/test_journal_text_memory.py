"""``journal`` (the text summary) streams the songs opened as ``--json`` streams segments: a
long history of songs is summed up mood by mood, never held as one table."""

from __future__ import annotations

import sqlite3
import sys

import pytest

from emotune.journal.store import DB_FILE, Journal
from testbed.memory import run_measuring_memory
from testbed.paths import REPO
from tests.support.paths import UserFolders

SONGS = 300_000


@pytest.mark.slow
def test_the_text_summary_of_many_songs_opened_runs_in_flat_memory(user_dirs: UserFolders) -> None:
    """300,000 different songs opened: held as a table per mood, the summary took about 200 MB
    (374 MB for the benchmark's million); streamed, about as little as ``--json`` (~80 MB)."""
    path = user_dirs.data / DB_FILE
    Journal.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO segments (start_t, end_t, mood, source) VALUES (1e9, 1e9 + ?, 'happy', 'face')", (SONGS,)
        )
        raw.executemany(
            "INSERT INTO songs (time, track_id, name, artists, mood, kind) VALUES (?, ?, ?, '[\"Ann\"]', ?, 'opened')",
            ((1e9 + i, f"{i:022d}", f"Song {i}", ("happy", "sad")[i % 2]) for i in range(SONGS)),
        )
    raw.close()
    result, peak_mb = run_measuring_memory([sys.executable, "-m", "emotune", "journal"], cwd=REPO)
    assert result.returncode == 0, result.stderr
    opened = [line for line in result.stdout.splitlines() if line.startswith("Opened while ")]
    # The newest of equal counts first; every song counted in the mood's genre tally.
    assert opened == [
        f"Opened while {mood} (other {SONGS // 2}): "
        + "; ".join(f"Song {n} - Ann (1x)" for n in range(SONGS - 2 + offset, SONGS - 12 + offset, -2))
        for mood, offset in (("happy", 0), ("sad", 1))
    ]
    assert peak_mb < 130, peak_mb
