"""The journal and song feedback wired into the app, without a window: what the controller records
(mood segments from the face and from the user, songs shown, opened and played, feedback), that
feedback changes the next lists, that a broken journal is one note and nothing more, and that the
journal switched off records nothing. A recording view, a fake worker and tasks finished by hand
stand in for Tk and the threads; the journal (SQLite, its writer thread) and the music are real."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from emotune.config import Settings
from emotune.controller.app import AppController
from emotune.controller.journal_report import day_rows, parse_range, read_report, time_axis
from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.journal.store import DB_FILE, Journal, Segment, SongEvent
from emotune.labels import EMOTIONS
from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.feedback import Feedback
from emotune.music.feedback_store import FeedbackStore, feedback_path
from emotune.music.tracks import Track
from emotune.vision.messages import FrameResult, MessageQueue, MoodState
from testbed.paths import REPO
from tests.support.controller_fakes import FakeWorker, ManualTasks, NamedSource, RecordingView


class App:
    """A controller on a fake worker and hand-run tasks, with the real journal and catalog."""

    def __init__(self, folder: Path, options: AppOptions, settings: dict[str, object] | None = None) -> None:
        self.view = RecordingView()
        self.tasks = ManualTasks()
        self.worker = FakeWorker()
        self.opened: list[str] = []
        self.env = Environment(folder / "config", folder / "cache", folder / "data")
        if settings:
            self.env.config_dir.mkdir(parents=True, exist_ok=True)
            (self.env.config_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")

        def make_worker(_settings: Settings, _messages: MessageQueue) -> FakeWorker:
            return self.worker

        def opener(target: str) -> bool:
            self.opened.append(target)
            return True

        self.controller = AppController(
            self.view,
            options,
            tasks=self.tasks,
            env=self.env,
            worker_factory=make_worker,
            source_factory=lambda spec: NamedSource(f"camera {spec}"),
            app_opener=opener,
            browser_opener=opener,
            clock=lambda: self.now,
            wall_clock=lambda: self.wall,
        )
        self.view.watch(self.controller.playlist)  # as the window is given it
        self.now = 0.0
        self.wall = 1_700_000_000.0  # Unix seconds, as the journal records them; moved by ``frame``
        self.controller.start()

    @property
    def path(self) -> Path:
        return self.env.data_dir / DB_FILE

    def frame(self, mood: str | None, face: bool = True, scores: tuple[float, ...] | None = None) -> None:
        smoothed = scores or tuple(1.0 / len(EMOTIONS) for _ in EMOTIONS)
        state = MoodState(mood, face, smoothed, mood if face else None, False, self.now)
        self.controller.messages.post(FrameResult(0, self.now, (), state, source="camera 0"))
        self.now += 0.2
        self.wall += 0.2
        self.controller.poll()

    def tracks_shown(self) -> list[tuple[Track, ...]]:
        return [tuple(args[1]) for name, args in self.view.calls if name == "playlist_changed"]

    def notes(self) -> list[str]:
        return [args[0] for name, args in self.view.calls if name == "show_note"]

    def close(self) -> None:
        self.tasks.finish_all()  # e.g. an old writer being stopped off the UI thread
        assert self.controller.close()

    def feedback(self) -> list[Feedback]:
        with FeedbackStore.open(feedback_path(self.env)) as store:
            return store.all()

    def segments(self) -> list[Segment]:
        with Journal.open(self.path) as journal:
            return journal.segments()

    def songs(self) -> list[SongEvent]:
        with Journal.open(self.path) as journal:
            return journal.songs()


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[Callable[..., App]]:
    made: list[App] = []

    def make(settings: dict[str, object] | None = None, **options: object) -> App:
        made.append(App(tmp_path, AppOptions(**options), settings))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for running in made:
        if not running.controller.closed:
            running.close()


def poll_until(running: App, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        running.controller.poll()
        time.sleep(0.01)


def test_face_and_user_moods_are_recorded_as_segments_and_close_ends_the_last(app: Callable[..., App]) -> None:
    running = app(source="0", offline=True)
    running.tasks.finish_all()  # the music side is built; the journal starts with it
    started = running.wall
    happy_scores = tuple(0.7 if label == "happy" else 0.05 for label in EMOTIONS)
    for _ in range(3):
        running.frame("happy", scores=happy_scores)
    for _ in range(3):
        running.frame("sad")
    running.frame("sad", face=False)  # nobody in view: the face's segment ends
    running.frame("sad", face=False)
    running.controller.choose_mood("fear")  # the user's mood holds without frames
    running.frame("sad")
    running.controller.toggle_pause()
    running.frame("happy")  # a frame still queued at the pause opens nothing
    running.controller.toggle_pause()  # the user's mood goes on when the video does
    closing = running.wall
    running.close()

    segments = running.segments()
    assert [(s.mood, s.source) for s in segments] == [
        ("happy", "face"),
        ("sad", "face"),
        ("fear", "user"),
        ("fear", "user"),
    ]
    assert segments[0].scores["happy"] == pytest.approx(0.7)
    assert segments[1].scores["sad"] == pytest.approx(1 / 7, abs=1e-3)
    assert segments[2].scores == {} and segments[3].scores == {}
    assert all(started <= s.start <= s.end <= closing for s in segments)
    assert all(a.end <= b.start for a, b in itertools.pairwise(segments))
    assert segments[-1].end == closing  # closing ended the open segment, at the close


def test_songs_shown_opened_and_played_are_recorded_with_their_lists_mood(app: Callable[..., App]) -> None:
    running = app(source="0", mood="happy", offline=True)
    running.tasks.finish_all()
    (first_list,) = running.tracks_shown()
    running.controller.activate_track(first_list[2])
    running.tasks.finish_all()
    assert running.opened == [first_list[2].uri]
    running.controller.songs_played(first_list[:2])
    running.close()

    events = running.songs()
    shown = [e for e in events if e.kind == "shown"]
    assert [e.track_id for e in shown] == [t.id for t in first_list] and {e.mood for e in shown} == {"happy"}
    opened = [(e.track_id, e.name, e.mood) for e in events if e.kind == "opened"]
    assert opened == [(first_list[2].id, first_list[2].name, "happy")]
    assert [(e.track_id, e.mood) for e in events if e.kind == "played"] == [(t.id, "happy") for t in first_list[:2]]


def test_feedback_is_recorded_marked_and_honoured_by_the_next_lists(app: Callable[..., App], tmp_path: Path) -> None:
    running = app(source="0", mood="happy", offline=True)
    running.tasks.finish_all()
    (first_list,) = running.tracks_shown()
    disliked = first_list[0]
    # A track that fits happy but is among the last of its pool, so a list rarely shows it unasked.
    liked = CatalogSession(load_catalog()).pool("happy")[-1]
    assert liked not in first_list

    running.controller.give_feedback(disliked, "dislike")
    assert running.view.last("show_verdicts") == ({disliked.id: "dislike"},)
    assert running.notes()[-1].startswith(f"Disliked “{disliked.name}”")
    assert running.controller.tracks[0] == disliked  # the row stays, marked
    running.controller.give_feedback(liked, "like")
    assert running.controller.feedback.verdict(liked.id) == "like"

    running.controller.more_songs()
    running.tasks.finish_all()
    assert liked in running.tracks_shown()[-1]  # a liked track that fits comes back in the next list
    for _ in range(24):  # more than the whole pool: the lists start over, the disliked track never returns
        running.controller.more_songs()
        running.tasks.finish_all()
    later = [track for shown in running.tracks_shown()[1:] for track in shown]
    assert disliked not in later
    assert set(first_list[1:]) & set(later), "the lists went round the pool, so the others came back"
    running.close()
    stored = {f.track_id: (f.verdict, f.mood) for f in running.feedback()}
    assert stored == {disliked.id: ("dislike", "happy"), liked.id: ("like", "happy")}

    # The next session reads the verdicts back: its first list honours them too, and marks rows.
    again = app(source="0", mood="happy", offline=True)
    again.tasks.finish_all()
    (next_list,) = again.tracks_shown()
    assert liked in next_list and disliked not in next_list
    assert again.view.last("show_verdicts") == ({liked.id: "like"},)
    again.controller.give_feedback(liked, None)  # cleared: forgotten by the preferences and on disk
    again.close()
    assert [f.track_id for f in again.feedback()] == [disliked.id]


def test_never_again_for_an_artist_marks_every_row_by_them(app: Callable[..., App]) -> None:
    running = app(source="0", mood="sad", offline=True)
    running.tasks.finish_all()
    track = running.controller.tracks[1]
    running.controller.give_feedback(track, "never_artist")
    assert running.view.last("show_verdicts") == ({track.id: "never_artist"},)
    assert running.notes()[-1] == f"No more songs by {', '.join(track.artists)}"
    for _ in range(3):
        running.controller.more_songs()
        running.tasks.finish_all()
    later = [t for shown in running.tracks_shown()[1:] for t in shown]
    assert later and not any(t.artist_keys() & track.artist_keys() for t in later)


@pytest.mark.parametrize("damage", ["garbage", "folder"])
def test_a_broken_journal_is_one_note_and_the_app_goes_on(app: Callable[..., App], tmp_path: Path, damage: str) -> None:
    path = tmp_path / "data" / DB_FILE
    path.parent.mkdir(parents=True)
    if damage == "garbage":
        path.write_bytes(b"this is not a database, just bytes " * 200)
    else:
        path.mkdir()  # cannot be opened at all: the app goes on without a journal
    running = app(source="0", mood="happy", offline=True)
    running.tasks.finish_all()

    def journal_notes() -> list[str]:
        return [note for note in running.notes() if note.startswith("Mood journal: ")]

    poll_until(running, lambda: bool(journal_notes()), "the journal's problem note")
    running.frame("happy")
    running.controller.give_feedback(running.controller.tracks[0], "like")
    for _ in range(20):
        running.frame("happy")
    assert len(journal_notes()) == 1
    assert str(path) in journal_notes()[0]
    assert len(running.tracks_shown()) == 1  # the songs did not wait for the journal
    running.close()
    if damage == "garbage":
        kept = list(path.parent.glob(f"{DB_FILE}.damaged-*"))
        assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not a database")
    else:
        assert path.is_dir() and not list(path.parent.glob(f"{DB_FILE}.damaged-*"))


def test_the_journal_switched_off_records_no_moods_or_songs_and_deletes_nothing(app: Callable[..., App]) -> None:
    running = app(source="0", offline=True)
    running.tasks.finish_all()
    for _ in range(3):
        running.frame("happy")
    running.tasks.finish_all()  # the list for happy, recorded
    running.controller.apply_settings(running.controller.settings.replace(journal_enabled=False))
    assert running.notes()[-1] == "Mood journal off: nothing more is recorded"
    for _ in range(3):
        running.frame("sad")
    running.tasks.finish_all()  # the list for sad is shown while the journal is off
    running.controller.give_feedback(running.controller.tracks[0], "dislike")  # feedback is still kept
    running.close()
    assert [(s.mood, s.source) for s in running.segments()] == [("happy", "face")]
    assert {e.mood for e in running.songs()} == {"happy"}
    assert len(running.feedback()) == 1

    assert json.loads((running.env.config_dir / "settings.json").read_text())["journal_enabled"] is False

    quiet = app(source="0", mood="fear", offline=True)  # the next start keeps it off
    quiet.tasks.finish_all()
    for _ in range(3):
        quiet.frame("fear")
    quiet.close()
    assert [(s.mood, s.source) for s in quiet.segments()] == [("happy", "face")]
    assert {e.mood for e in quiet.songs()} == {"happy"}


def test_the_journal_view_reads_and_forgets_through_the_link(app: Callable[..., App]) -> None:
    running = app(source="0", mood="happy", offline=True)
    running.tasks.finish_all()
    for _ in range(3):
        running.frame("happy")
    link = running.controller.journal
    reports = []
    link.read(None, None, reports.append, pytest.fail)
    running.tasks.finish_all()
    (report,) = reports
    assert [s.mood for s in report.segments] == ["happy"] and set(report.time_per_mood) == {"happy"}
    assert report.segments[0].end > report.segments[0].start  # read after a flush: up to now

    notes: list[str] = []
    link.forget(None, None, notes.append)
    poll_until(running, lambda: bool(notes), "the forget answer")
    assert notes[0].startswith("Forgot 1 mood segments and 10 song events")
    running.close()
    # Forgetting cut the open segment: only what followed it is left, and no song before it.
    assert all(s.start >= report.segments[0].end for s in running.segments())
    assert running.songs() == []
    assert read_report(running.path, None, None).opened == {}


def test_day_rows_cut_segments_at_midnight_and_the_axis_follows_the_moods() -> None:
    day = datetime(2026, 3, 2, 23, 0).timestamp()
    segments = [Segment(day, day + 2 * 3600, "happy", "face"), Segment(day + 3 * 3600, day + 4 * 3600, "sad", "user")]
    rows = day_rows(segments, None, None, now=day + 5 * 3600)
    assert [row.day.isoformat() for row in rows] == ["2026-03-02", "2026-03-03"]
    assert [(b.mood, b.end - b.start) for b in rows[0].bands] == [("happy", 3600.0)]
    assert [(b.mood, b.end - b.start) for b in rows[1].bands] == [("happy", 3600.0), ("sad", 3600.0)]
    assert time_axis(rows) == (0.0, 24 * 3600.0, 3 * 3600.0)  # the whole day, in 3-hour steps
    short = day_rows([Segment(day - 1800, day - 1690, "fear", "face")], None, None, now=day)
    assert time_axis(short) == (22.5 * 3600, 22.5 * 3600 + 120, 60.0)  # 22:30 to 22:32, in minutes
    evening = day_rows([Segment(day - 3 * 3600, day - 1800, "sad", "face")], None, None, now=day)
    assert time_axis(evening) == (20 * 3600.0, 22.5 * 3600, 1800.0)
    assert time_axis(day_rows([], None, None, now=day)) == (0.0, 24 * 3600.0, 3 * 3600.0)


def test_parse_range_reads_two_days_and_says_what_is_wrong() -> None:
    since, until = parse_range("2026-03-01", "2026-03-02")
    assert since is not None and until is not None and 47 * 3600 <= until - since <= 49 * 3600
    assert parse_range("", "") == (None, None)
    with pytest.raises(ValueError, match="From: 1 March is not a date like 2026-03-01"):
        parse_range("1 March", "")
    with pytest.raises(ValueError, match="From must not be after To"):
        parse_range("2026-03-05", "2026-03-01")


def test_two_windows_on_one_journal_one_records_and_the_other_says_why(app: Callable[..., App]) -> None:
    first = app(source="0", offline=True)
    first.tasks.finish_all()
    first.frame("happy")
    assert first.controller.journal.writer.flush(5.0)  # its writer has taken the journal's lock
    second = app(source="0", offline=True)  # the same folders: a second window
    second.tasks.finish_all()

    def note_of_second() -> list[str]:
        return [note for note in second.notes() if note.startswith("Mood journal: ")]

    poll_until(second, lambda: bool(note_of_second()), "the second window's journal note")
    assert note_of_second() == [
        "Mood journal: another Emotune window is recording into this journal; this one records nothing"
    ]
    for _ in range(10):  # both see a happy face for 2 s
        first.frame("happy")
        second.frame("happy")
    first.close()
    second.close()
    (segment,) = first.segments()
    assert segment.mood == "happy" and segment.end - segment.start == pytest.approx(2.0, abs=0.01)
    assert not any(note.startswith("Mood journal: ") for note in first.notes())


def test_a_window_records_once_the_other_process_holding_the_journal_has_ended(
    app: Callable[..., App], tmp_path: Path
) -> None:
    lock = tmp_path / "data" / f"{DB_FILE}.lock"
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        blocked = app(source="0", offline=True)
        blocked.tasks.finish_all()
        poll_until(blocked, lambda: any("another Emotune window" in n for n in blocked.notes()), "the note")
        blocked.close()
    finally:
        holder.kill()  # SIGKILL: the OS drops the lock with the process, no stale lock file counts
        holder.wait(10)
    later = app(source="0", offline=True)
    later.tasks.finish_all()
    for _ in range(5):
        later.frame("sad")
    later.close()
    assert [s.mood for s in later.segments()] == ["sad"]
    assert not any("another Emotune window" in n for n in later.notes())


# Another process's window, as far as the lock goes: hold it, say so, wait to be killed.
HOLD_LOCK = (
    "import sys, time; from pathlib import Path; from emotune.journal.recording_lock import RecordingLock; "
    "from emotune.platforms import platform_of\n"
    "lock = RecordingLock(Path(sys.argv[1][: -len('.lock')]), platform_of())\n"
    "assert lock.acquire(); print('held', flush=True); time.sleep(600)\n"
)
