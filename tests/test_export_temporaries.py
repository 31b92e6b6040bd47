"""An export killed halfway (SIGKILL: nothing of ours runs) leaves its ``.emotune-*.tmp`` beside
the target; the next export to that folder removes it, and only such stale files of ours."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotune.journal.store import DB_FILE, Journal
from testbed.paths import REPO
from tests.support.files import run_emotune
from tests.support.paths import UserFolders


def long_journal(path: Path, segments: int) -> None:
    Journal.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.executemany(
            "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, 'sad', 'face', ?)",
            ((1e9 + 60 * i, 1e9 + 60 * i + 30, '{"sad": 0.8, "neutral": 0.1}') for i in range(segments)),
        )
    raw.close()


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".emotune-*.tmp"))


def begun(folder: Path) -> bool:
    """A temporary with bytes in it: killed earlier, the export may have made only an empty file."""
    for path in temporaries(folder):
        try:
            if path.stat().st_size > 0:
                return True
        except FileNotFoundError:  # renamed over the target meanwhile
            pass
    return False


@pytest.mark.slow
def test_the_next_export_removes_what_a_killed_export_left(user_dirs: UserFolders, tmp_path: Path) -> None:
    long_journal(user_dirs.data / DB_FILE, 300_000)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "moods.csv"
    export = subprocess.Popen([sys.executable, "-m", "emotune", "journal", "--csv", str(target)], cwd=REPO)
    deadline = time.monotonic() + 60
    while not begun(out):  # another process's file: there is no event to wait on
        assert export.poll() is None and time.monotonic() < deadline, "the export ended before it could be killed"
        time.sleep(0.01)
    os.kill(export.pid, signal.SIGKILL)
    export.wait(10)
    (left,) = temporaries(out)
    assert left.stat().st_size > 0 and not target.exists()
    hour_ago = time.time() - 3600
    os.utime(left, (hour_ago, hour_ago))
    # What must stay: a temporary being written now, names not of the pattern, a folder, a link.
    fresh = out / ".emotune-abcd1234.tmp"
    fresh.write_bytes(b"another window is exporting")
    keep = [fresh, out / ".emotune-abc.tmp", out / "emotune-abcd1234.tmp", out / ".emotune-abcd1234.tmp.bak"]
    for path in keep[1:]:
        path.write_bytes(b"not ours")
    (out / ".emotune-folder00.tmp").mkdir()
    (out / ".emotune-link0000.tmp").symlink_to(keep[2])
    for path in [*keep[1:], out / ".emotune-link0000.tmp"]:
        os.utime(path, (hour_ago, hour_ago), follow_symlinks=False)

    again = run_emotune("journal", "--csv", str(target))
    assert again.returncode == 0, again.stderr
    assert not left.exists()
    assert all(path.exists() for path in keep) and (out / ".emotune-folder00.tmp").is_dir()
    assert (out / ".emotune-link0000.tmp").is_symlink()
    assert len(target.read_text(encoding="utf-8").splitlines()) == 300_001
