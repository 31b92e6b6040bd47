"""The journal, its exports and the ``journal``/``feedback`` commands under faults and bad input:
a clear made by another process while the app records, exports aimed at the app's own
files or at devices, a full disk, extreme dates and time zones, control characters in names, a
read-only data folder, long histories. Every command runs as ``python -m emotune`` in a child
process with the temporary user folders of the autouse fixture."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from emotune.journal import export
from emotune.journal.store import DB_FILE, Journal, SongEvent
from emotune.journal.writer import JournalWriter
from emotune.music.feedback import Feedback
from emotune.music.feedback_store import FEEDBACK_FILE, FeedbackStore
from testbed.memory import run_measuring_memory
from tests.support.files import one_error_line, run_emotune
from tests.support.paths import UserFolders

REPO = Path(__file__).resolve().parent.parent
TRACK = "4uLU6hMCjMI75M1A2tKUQC"


class FakeClock:
    """The writer's clock, moved by hand (the writer thread reads it too)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def local_iso(t: float) -> str:
    """A --since value for Unix time ``t`` (local time, to the second; the CLI reads it back)."""
    return datetime.fromtimestamp(t).isoformat(timespec="seconds")


def spans(path: Path) -> list[tuple[float, float]]:
    with Journal.open(path) as journal:
        return [(s.start, s.end) for s in journal.segments()]


def fill(path: Path, segments: list[tuple[float, float, str]], songs: tuple[SongEvent, ...] = ()) -> None:
    with Journal.open(path) as journal:
        for start, end, mood in segments:
            journal.update_segment(journal.begin_segment(mood, "face", start), end, {mood: 0.5})
        journal.add_songs(songs)


# --- 1. a clear made elsewhere while the app records ----------------------------------------------


@pytest.fixture
def recording(user_dirs: UserFolders) -> Iterator[tuple[JournalWriter, FakeClock, Path]]:
    """The app's journal writer, recording "happy" from now (whole seconds) on an injected clock."""
    path = user_dirs.data / DB_FILE
    clock = FakeClock(float(int(datetime.now().timestamp())))
    writer = JournalWriter(path, clock=clock, checkpoint_s=10.0).start()
    writer.observe("happy", {"happy": 0.9})
    assert writer.flush()
    yield writer, clock, path
    writer.stop()


def still_happy_at(recording: tuple[JournalWriter, FakeClock, Path], t: float) -> list[tuple[float, float]]:
    """The face still reads "happy" at ``t``: written to the journal; what the journal then holds."""
    writer, clock, path = recording
    clock.now = t
    writer.observe("happy", {"happy": 0.9})
    assert writer.flush()
    return spans(path)


def test_clearing_today_while_the_app_records_stays_cleared_and_recording_goes_on(
    recording: tuple[JournalWriter, FakeClock, Path],
) -> None:
    start = recording[1].now
    assert still_happy_at(recording, start + 15) == [(start, start + 15)]
    cleared = run_emotune("journal", "--clear", "--since", local_iso(start - 1))
    assert cleared.returncode == 0, cleared.stderr
    assert spans(recording[2]) == []
    still_happy_at(recording, start + 25)
    # Nothing of the forgotten 15 s came back, and the 15 s after the clear are recorded.
    assert still_happy_at(recording, start + 40) == [(start + 25, start + 40)]


def test_clearing_the_last_seconds_is_not_undone_by_the_next_checkpoint(
    recording: tuple[JournalWriter, FakeClock, Path],
) -> None:
    start = recording[1].now
    still_happy_at(recording, start + 15)
    cleared = run_emotune("journal", "--clear", "--since", local_iso(start + 9))
    assert cleared.returncode == 0, cleared.stderr
    assert spans(recording[2]) == [(start, start + 9)]
    recorded = still_happy_at(recording, start + 20)
    assert recorded == [(start, start + 9), (start + 20, start + 20)]
    assert not [s for s in recorded if s[0] < start + 15 and s[1] > start + 9]


# --- 3. one safe writer for exports ---------------------------------------------------------------


@pytest.mark.slow
def test_an_export_aimed_at_the_journal_is_refused_and_the_journal_reads_the_same(
    user_dirs: UserFolders, tmp_path: Path
) -> None:
    path = user_dirs.data / DB_FILE
    fill(path, [(1_700_000_000.0, 1_700_000_600.0, "happy")])
    before = run_emotune("journal", "--json")
    for flag in ("--png", "--csv"):
        line = one_error_line(run_emotune("journal", flag, str(path)), "emotune: ")
        assert str(path) in line and "Emotune's own folder" in line
    # Under another name too: a link to it elsewhere, and a hard link.
    elsewhere = tmp_path
    (elsewhere / "moods.png").symlink_to(path)
    os.link(path, elsewhere / "hard.csv")
    assert "own folder" in one_error_line(run_emotune("journal", "--png", str(elsewhere / "moods.png")))
    assert "the mood journal itself" in one_error_line(run_emotune("journal", "--csv", str(elsewhere / "hard.csv")))
    after = run_emotune("journal", "--json")
    assert after.returncode == 0 and after.stdout == before.stdout != "" and after.stderr == ""
    assert list(user_dirs.data.glob("*.damaged-*")) == []


@pytest.mark.slow
def test_exports_refuse_settings_profiles_tokens_devices_and_folders(user_dirs: UserFolders, tmp_path: Path) -> None:
    user_dirs.config.mkdir(parents=True)
    (user_dirs.config / "profiles").mkdir()
    for name in ("settings.json", "spotify-user-token.json", "profiles/ann.json"):
        target = user_dirs.config / name
        target.write_text("{}")
        assert "own folder" in one_error_line(run_emotune("journal", "--csv", str(target)))
        assert target.read_text() == "{}"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in (
        (Path("/dev/full"), "not a regular file"),
        (fifo, "not a regular file"),
        (tmp_path, "a folder"),
    ):
        line = one_error_line(run_emotune("journal", "--png", str(target)))
        assert kind in line and str(target) in line
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode) and stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_export_writes_through_a_symlink_and_keeps_it(tmp_path: Path) -> None:
    real = tmp_path / "real" / "moods.csv"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = run_emotune("journal", "--csv", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text().startswith("start,end,duration_s,mood")
    assert [p.name for p in real.parent.iterdir()] == ["moods.csv"]  # no temporary file left


def _file_size_limit(limit: int) -> None:
    # A stand-in for a full disk: writes past ``limit`` bytes fail (EFBIG) instead of killing us.
    # The limit leaves room for the journal's 32 KB shared-memory file; the CSV is ~150 KB.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_an_export_failing_on_a_full_disk_leaves_the_earlier_export_intact(
    user_dirs: UserFolders, tmp_path: Path
) -> None:
    fill(user_dirs.data / DB_FILE, [(1_700_000_000.0 + 10 * i, 1_700_000_005.0 + 10 * i, "sad") for i in range(1000)])
    target = tmp_path / "moods.csv"
    target.write_text("the earlier export\n")
    failed = run_emotune("journal", "--csv", str(target), preexec_fn=lambda: _file_size_limit(48 * 1024))
    line = one_error_line(failed, "emotune: ")
    assert str(target) in line and "cannot write the CSV file" in line
    assert target.read_text() == "the earlier export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["moods.csv"]


# --- 5 and 6. pictures bounded by pixels, extreme input is one line ----------------------------------


def test_a_segment_from_1970_does_not_make_a_picture_of_every_day_since(user_dirs: UserFolders, tmp_path: Path) -> None:
    now = datetime.now().timestamp()
    fill(user_dirs.data / DB_FILE, [(86_400.0 * 2, 86_400.0 * 2 + 60, "sad"), (now - 600, now - 300, "happy")])
    result = run_emotune("journal", "--png", str(tmp_path / "t.png"))
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "t.png") as image:
        # Two days with moods, not 20,000 rows of 28 px.
        assert image.size == (
            export.WIDTH,
            export.TOP + 2 * (export.ROW_HEIGHT + export.ROW_GAP) + export.LEGEND_HEIGHT,
        )


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (["--since", "0001-01-01"], {}, "--since '0001-01-01': the journal reads dates from"),
        (["--until", "9999-12-31"], {}, "--until '9999-12-31': the journal reads dates from"),
        (["--since", "0001-01-01T00:00"], {}, "--since '0001-01-01T00:00': the journal reads dates from"),
        (["--png", ""], {}, "--png: no file name given"),
        (["--json"], {"TZ": "XXX-99"}, "TZ='XXX-99' cannot be used for dates"),
    ],
    ids=["since-year-1", "until-year-9999", "since-time-year-1", "png-empty", "tz-offset-99h"],
)
def test_extreme_input_to_journal_is_one_line(args: list[str], env: dict[str, str], words: str) -> None:
    assert words in one_error_line(run_emotune("journal", *args, env=env), "emotune: ")


def test_a_png_with_a_251_character_name_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("m" * 247 + ".png")
    result = run_emotune("journal", "--png", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")


# --- 7. control characters never reach the terminal -----------------------------------------------


def test_song_names_print_control_characters_as_replacement_marks(user_dirs: UserFolders) -> None:
    now = datetime.now().timestamp()
    name, artist = "Evil\x1b[2J\x07Song\u202e", "Art\rist"
    fill(
        user_dirs.data / DB_FILE,
        [(now - 600, now - 300, "happy")],
        (SongEvent(now - 500, TRACK, name, (artist,), "happy", "opened"),),
    )
    shown = run_emotune("journal")
    assert shown.returncode == 0, shown.stderr
    assert "Opened while happy (other 1): Evil\ufffd[2J\ufffdSong\ufffd - Art ist (1x)" in shown.stdout
    liked = run_emotune("feedback", TRACK, "like")
    assert (liked.returncode, liked.stdout) == (0, "Liked: Evil\ufffd[2J\ufffdSong\ufffd - Art ist\n")
    for output in (shown.stdout, liked.stdout):
        assert not any(ch in output for ch in "\x1b\x07\r\u202e")


# --- 8. big journals stream ----------------------------------------------------------------------


@pytest.mark.slow
def test_json_csv_and_png_read_every_segment_in_order(user_dirs: UserFolders, tmp_path: Path) -> None:
    rows = [(1_700_000_000.0 + 60 * i, 1_700_000_030.0 + 60 * i, "happy" if i % 2 else "sad") for i in range(2500)]
    fill(user_dirs.data / DB_FILE, rows)
    listed = run_emotune("journal", "--json")
    moods = [json.loads(line)["mood"] for line in listed.stdout.splitlines()]
    assert moods == [mood for _, _, mood in rows]
    written = run_emotune("journal", "--csv", str(tmp_path / "a.csv"), "--png", str(tmp_path / "a.png"))
    assert written.returncode == 0, written.stderr
    assert len((tmp_path / "a.csv").read_text().splitlines()) == 1 + len(rows)
    assert written.stderr.startswith("emotune: wrote 2500 segments to ")


@pytest.mark.slow
def test_a_long_history_is_listed_and_exported_in_flat_memory(user_dirs: UserFolders, tmp_path: Path) -> None:
    """200,000 segments: read in batches, not as one list (that took 394 MB; streamed, ~80 MB,
    the interpreter with Pillow and NumPy loaded). Figures for a million: benchmarks/journal_bench.py."""
    path = user_dirs.data / DB_FILE
    Journal.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.executemany(
            "INSERT INTO segments (start_t, end_t, mood, source, scores) VALUES (?, ?, 'sad', 'face', ?)",
            ((1e9 + 60 * i, 1e9 + 60 * i + 30, '{"sad": 0.8, "neutral": 0.1}') for i in range(200_000)),
        )
    raw.close()
    for args in (["journal", "--json"], ["journal", "--csv", str(tmp_path / "all.csv")]):
        result, peak_mb = run_measuring_memory([sys.executable, "-m", "emotune", *args], cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert peak_mb < 200, (args, peak_mb)
    assert len((tmp_path / "all.csv").read_text().splitlines()) == 200_001


# --- 9. a read-only data folder can still be read -----------------------------------------------------


def read_only_bind(folder: Path) -> list[str]:
    """The start of a command line that runs the rest with ``folder`` read-only: as root, in a mount
    namespace of its own where ``folder`` is a read-only bind mount of itself (root writes through
    any file mode, not through a read-only mount); as another user, nothing (the test chmods)."""
    if os.geteuid() != 0:
        return []
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(folder)]


@pytest.mark.slow
def test_a_read_only_data_folder_still_shows_history_and_keeps_likes(user_dirs: UserFolders) -> None:
    """The data folder read-only (a read-only bind mount as root, modes 555/444 otherwise):
    ``journal`` shows the history and ``recommend`` keeps the verdicts; forgetting says why not."""
    data = user_dirs.data
    now = datetime.now().timestamp()
    fill(data / DB_FILE, [(now - 600, now - 300, "happy")])
    baseline = run_emotune("recommend", "happy", "--offline", "--json", "--limit", "3")
    first = json.loads(baseline.stdout.splitlines()[0])["id"]
    with FeedbackStore.open(data / FEEDBACK_FILE) as verdicts:
        verdicts.set(Feedback(first, "dislike", frozenset(), "happy", None, None, now))
    assert not (data / (DB_FILE + "-wal")).exists()  # closed cleanly
    prefix = read_only_bind(data)
    if not prefix:
        data.chmod(0o555)
        (data / DB_FILE).chmod(0o444)
        (data / FEEDBACK_FILE).chmod(0o444)

    def emotune_read_only(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "emotune", *args], capture_output=True, text=True, cwd=REPO, timeout=120
        )

    try:
        shown = emotune_read_only("journal")
        assert shown.returncode == 0, shown.stderr
        assert "happy" in shown.stdout and "No moods" not in shown.stdout
        listed = emotune_read_only("journal", "--json")
        assert [json.loads(line)["mood"] for line in listed.stdout.splitlines()] == ["happy"]
        # The verdict is read: the disliked track stays out of the list.
        chosen = emotune_read_only("recommend", "happy", "--offline", "--json", "--limit", "3")
        assert (chosen.returncode, chosen.stderr) == (0, "")
        assert first not in [json.loads(line)["id"] for line in chosen.stdout.splitlines()]
        line = one_error_line(emotune_read_only("journal", "--clear"), "emotune: journal ")
        assert "cannot be written" in line
    finally:
        data.chmod(0o700)
        (data / DB_FILE).chmod(0o600)
        (data / FEEDBACK_FILE).chmod(0o600)
    assert not list(data.glob("*.damaged-*"))


def test_feedback_with_the_journal_in_use_by_another_program(user_dirs: UserFolders) -> None:
    """Guards the once-per-process integrity check: a journal another connection holds open (a
    ``-wal`` beside it) is still read by a command (the song's name), which stores the verdict."""
    path = user_dirs.data / DB_FILE
    fill(path, [(1_700_000_000.0, 1_700_000_010.0, "sad")])
    with Journal.open(path) as holding:
        holding.add_songs([SongEvent(1_700_000_005.0, TRACK, "Song", ("A",), "sad", "opened")])
        assert (user_dirs.data / (DB_FILE + "-wal")).exists()
        liked = run_emotune("feedback", TRACK, "like")
        assert (liked.returncode, liked.stdout) == (0, "Liked: Song - A\n")
    with FeedbackStore.open(user_dirs.data / FEEDBACK_FILE) as verdicts:
        assert [f.track_id for f in verdicts.all()] == [TRACK]
