"""The face series' cost ("did the music help?"): journal bytes per hour of use, and the writer's
CPU per reading and per 30-s row.

    python -m benchmarks.series_bench [--fps 15] [--hours 1]

Bytes: a real ``JournalWriter`` (its own thread, a fake clock) is fed an hour of face readings at
``--fps`` (the rate frames are shown), a mood change every 2 minutes and a new list every 4;
the file is then vacuumed and measured, and measured again with the series and lists emptied
(vacuumed): the difference is what the series costs per hour. CPU: ``time.process_time`` around
``SeriesWindow.add`` (every reading) and around ``series.add_samples`` (one row, one transaction
with ``synchronous=FULL``, every 30 s). Figures print; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.machine import describe_cpu
from emotune.journal import series
from emotune.journal.store import Journal
from emotune.journal.writer import JournalWriter
from emotune.labels import EMOTIONS

MOODS = ("sad", "neutral", "happy", "angry")


def scores_at(i: int) -> tuple[float, ...]:
    happy = 0.3 + 0.2 * ((i // 97) % 3)  # a reading that moves, as a face does
    rest = (1.0 - happy) / 6
    return tuple(happy if label == "happy" else rest for label in EMOTIONS)


def fill(path: Path, fps: float, hours: float) -> int:
    """An hour (or ``hours``) of use through the real writer; the readings fed."""
    now = [1_780_000_000.0]
    writer = JournalWriter(path, clock=lambda: now[0]).start()
    readings = int(hours * 3600 * fps)
    for i in range(readings):
        t = i / fps
        mood = MOODS[int(t // 120) % len(MOODS)]
        if i % int(240 * fps) == 0:
            writer.list_begun(mood, "lift" if (i // int(240 * fps)) % 2 else "match", ("pop",), True)
        writer.observe(mood, scores_at(i))
        now[0] += 1 / fps
        if i % 2000 == 0:
            writer.flush(30.0)  # the queue holds 10,000: let the writer keep up, as it does at 15 fps
    writer.stop(30.0)
    return readings


def size_after_vacuum(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("VACUUM")
    raw.close()
    return path.stat().st_size


def cpu_per_call(path: Path, count: int) -> tuple[float, float]:
    """CPU seconds per ``SeriesWindow.add`` and per one-row ``add_samples``."""
    window = series.SeriesWindow()
    pairs = tuple(zip(EMOTIONS, scores_at(0), strict=True))
    start = time.process_time()
    for i in range(count):
        window.add(i * 0.01, pairs)  # a 30-s window closes every 3,000 readings
    per_add = (time.process_time() - start) / count
    sample = series.FaceSample(0.0, 29.9, 450, dict(pairs), 1, None)
    with Journal.open(path) as journal:
        rows = 200
        start = time.process_time()
        for _ in range(rows):
            series.add_samples(journal, [sample])
        per_row = (time.process_time() - start) / rows
    return per_add, per_row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=15.0, help="face readings per second (frames shown)")
    parser.add_argument("--hours", type=float, default=1.0)
    args = parser.parse_args()
    print(describe_cpu())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.sqlite3"
        readings = fill(path, args.fps, args.hours)
        with Journal.open(path) as journal:
            rows, lists = len(series.samples(journal)), len(series.lists(journal))
        total = size_after_vacuum(path)
        with sqlite3.connect(path) as raw:
            raw.execute("DELETE FROM face_series")
            raw.execute("DELETE FROM lists")
        raw.close()
        without = size_after_vacuum(path)
        per_hour = (total - without) / args.hours
        print(f"{readings} readings -> {rows} series rows and {lists} lists in {args.hours:g} h")
        print(f"journal {total} bytes, {without} without the series: the series costs {per_hour:.0f} bytes per hour")
        per_add, per_row = cpu_per_call(Path(folder) / "cpu.sqlite3", 300_000)
        per_hour_cpu = per_add * args.fps * 3600 + per_row * 120
        print(
            f"CPU: {per_add * 1e6:.2f} us per reading, {per_row * 1e3:.3f} ms per 30-s row;"
            f" {per_hour_cpu:.3f} s per hour at {args.fps:g} fps = {per_hour_cpu / 3600:.5%} of one core"
        )


if __name__ == "__main__":
    main()
