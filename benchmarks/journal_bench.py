"""Big journals: time and peak memory of each journal command on a journal of a
million mood segments and a million song events spread over 26 years (2000-01-01 to now):

    python -m benchmarks.journal_bench [--segments 1000000] [--songs 1000000] [--keep DIR]

Each command runs as ``python -m emotune ...`` in a child process; its peak resident memory is
the kernel's count for that process alone (``wait4``'s ``ru_maxrss``, read by a small wrapper
process so the bench's own memory does not count). Also: ``feedback`` calls in one process (the
integrity check runs once per process, not per open). Figures print; nothing is asserted.
Targets: ``--png`` over the 26 years under 390 MB; every command in flat memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from benchmarks.machine import describe_cpu
from testbed.memory import run_measuring_memory

ROOT = Path(__file__).resolve().parent.parent
TRACK = "4uLU6hMCjMI75M1A2tKUQC"
MOODS = ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")


def build(path: Path, segments: int, songs: int) -> None:
    """A journal at the current schema (made by Emotune itself) filled through raw SQLite."""
    from emotune.journal.store import Journal

    Journal.open(path).close()
    first = datetime(2000, 1, 1).timestamp()
    span = time.time() - first - 3600
    rng = random.Random(21)

    def segment_rows() -> Iterator[tuple[float, float, str, str, str]]:
        step = span / segments
        for i in range(segments):
            start = first + i * step
            mood = MOODS[rng.randrange(len(MOODS))]
            yield start, start + step * 0.8, mood, "face", json.dumps({mood: 0.7, "neutral": 0.2})

    def song_rows() -> Iterator[tuple[float, str, str, str, str, str]]:
        step = span / songs
        for i in range(songs):
            track = f"{i % 100_000:022d}"
            yield first + i * step, track, f"Song {i % 100_000}", '["Artist"]', MOODS[i % 7], "opened"

    with sqlite3.connect(path) as raw:
        raw.executemany(
            "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, ?, ?, ?)", segment_rows()
        )
        raw.executemany(
            "INSERT INTO songs (time, track_id, name, artists, mood, kind) VALUES (?, ?, ?, ?, ?, ?)", song_rows()
        )
    raw.close()


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak MB, exit status) of ``python -m emotune ARGS``."""
    started = time.perf_counter()
    done, peak = run_measuring_memory([sys.executable, "-m", "emotune", *args], ROOT, env, timeout=3600.0)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(f"  ({' '.join(args)}: exit {done.returncode}: {done.stderr.strip()})")
    return elapsed, peak, done.returncode


def feedback_in_one_process(path: Path, calls: int) -> float:
    """Milliseconds per open + verdict + close of the feedback file, ``calls`` times in this process."""
    from emotune.music.feedback import Feedback
    from emotune.music.feedback_store import FeedbackStore

    started = time.perf_counter()
    for i in range(calls):
        with FeedbackStore.open(path) as store:
            store.set(Feedback(TRACK, "like" if i % 2 else "dislike", frozenset(), None, None, None, i))
    return (time.perf_counter() - started) * 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--songs", type=int, default=1_000_000)
    parser.add_argument("--feedback-calls", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build the journal in this folder and leave it there")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="emotune-journal-bench-"))
    data = folder / "data"
    path = data / "journal.sqlite3"
    env = {**os.environ, "EMOTUNE_DATA_DIR": str(data), "EMOTUNE_CONFIG_DIR": str(folder / "config")}
    env["EMOTUNE_CACHE_DIR"] = str(folder / "cache")
    os.environ.update(EMOTUNE_DATA_DIR=env["EMOTUNE_DATA_DIR"], EMOTUNE_CONFIG_DIR=env["EMOTUNE_CONFIG_DIR"])
    print(describe_cpu())
    if not path.exists():
        started = time.perf_counter()
        build(path, options.segments, options.songs)
        print(
            f"built {options.segments:,} segments and {options.songs:,} songs in {time.perf_counter() - started:.1f} s"
        )
    print(f"journal: {path.stat().st_size / 1e6:.0f} MB")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    commands = [
        ["journal", "--since", "2026-01-01"],
        ["journal"],  # the text summary of everything: 1,000,000 lines and the songs of 26 years
        ["journal", "--json"],
        ["journal", "--csv", str(out / "all.csv")],
        ["journal", "--png", str(out / "all.png")],
        ["journal", "--png", str(out / "since2000.png"), "--since", "2000-01-01"],
        ["feedback", TRACK, "like"],
        ["journal", "--clear", "--since", "2000-01-01", "--until", "2000-12-31"],
        ["journal", "--clear"],
    ]
    print(f"{'command':<58} {'seconds':>8} {'peak MB':>8}")
    for args in commands:
        seconds, peak, _ = measure(args, env)
        shown = " ".join(a if not a.startswith(str(out)) else Path(a).name for a in args)
        print(f"{shown:<58} {seconds:>8.2f} {peak:>8.0f}")
    per_call = feedback_in_one_process(path.with_name("feedback.sqlite3"), options.feedback_calls)
    print(f"feedback in one process, {options.feedback_calls} opens + verdicts: {per_call:.2f} ms each")


if __name__ == "__main__":
    main()
