"""The journal and the song feedback of a running app, for the ``AppController``.

``JournalLink`` owns the live ``Preferences`` (the user's verdicts, which the music side reads)
and the ``JournalWriter`` (which records on its own thread). The controller tells it what
happens and it decides what is recorded:

- Music mood segments. Each frame shown: the music mood with the face reading behind it
  (source "face"), or the mood the user locked (source "user", without scores). A face segment
  ends when no face is in view, the source ends or fails, or the video is paused; a user's mood
  holds while the app is not paused, with or without a picture.
- Songs: each list shown or appended ("shown", with the list's mood), a track opened in Spotify
  ("opened", once the opener said yes), songs played (``songs_played``, for playback).
- Feedback: ``give_feedback`` records the verdict in ``Preferences`` (the next lists honour it)
  and in the journal, and the view marks the rows it concerns; the current list keeps them.

Start: ``load()`` runs on the music lane before the music side is built (it reads the stored
verdicts, which takes SQLite time), then starts the writer. Problems (a damaged or locked
journal) come from the writer's thread; they are queued and shown as one status-bar note by
``poll()`` on the UI thread, and the app goes on without a journal. The "journal off" setting
stops recording moods and songs (feedback is still kept); it never deletes anything.

Everything here except ``load`` runs on the UI thread. No toolkit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol

from emotune.config import Settings
from emotune.controller.journal_report import JournalReport, read_report
from emotune.controller.mood_choice import MoodChoice
from emotune.journal.store import DB_FILE, Forgotten, Journal, JournalError, SegmentSource, load_preferences
from emotune.journal.writer import JournalWriter
from emotune.music.feedback import Feedback, FeedbackRules, Preferences, Verdict
from emotune.music.tracks import Track
from emotune.tasks import OnError, Runner
from emotune.vision.messages import MoodState

log = logging.getLogger(__name__)

Verdicts = Mapping[str, Verdict | None]  # track ID -> the mark its rows show (None: no verdict)
ExportKind = Literal["csv", "png"]
WriterFactory = Callable[[Path, bool, Callable[[str], None]], JournalWriter]


def journal_writer(path: Path, record_history: bool, on_problem: Callable[[str], None]) -> JournalWriter:
    return JournalWriter(path, record_history=record_history, on_problem=on_problem)


class LinkView(Protocol):
    """The view verbs the link uses (``emotune.controller.view.View`` has them)."""

    def show_note(self, text: str) -> None: ...

    def show_verdicts(self, verdicts: Verdicts) -> None: ...


def verdict_note(track: Track, verdict: Verdict | None) -> str:
    title = f"“{track.name}”"
    if verdict == "like":
        return f"Liked {title}: it will come back in lists for this mood"
    if verdict == "dislike":
        return f"Disliked {title}: it will not be suggested again"
    if verdict == "never_track":
        return f"{title} will never be suggested again"
    if verdict == "never_artist":
        return f"No more songs by {', '.join(track.artists)}"
    return f"Your verdict on {title} is cleared"


def marks(tracks: Iterable[Track], rules: FeedbackRules) -> dict[str, Verdict | None]:
    """What each track's row shows: its own verdict, else "never_artist" when its artist is blocked."""
    shown: dict[str, Verdict | None] = {}
    for track in tracks:
        verdict = rules.verdict(track.id)
        if verdict is None and track.artist_keys() & rules.blocked_artists:
            verdict = "never_artist"
        shown[track.id] = verdict
    return shown


class JournalLink:
    def __init__(
        self,
        view: LinkView,
        tasks: Runner,
        data_dir: Path,
        *,
        enabled: bool = True,
        writer_factory: WriterFactory = journal_writer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.view = view
        self.tasks = tasks
        self.path = data_dir / DB_FILE
        self.enabled = enabled
        self.preferences = Preferences()
        self._clock = clock
        self._writer_factory = writer_factory
        self._inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()  # run by poll()
        self._lock = threading.Lock()  # the writer is started on the music lane, replaced on the UI thread
        self._loaded = False
        self._closed = False
        self._touched: set[str] = set()  # verdicts given before the stored ones were loaded win
        self.writer = self._new_writer()
        self.problem: str | None = None  # the first journal problem, shown once
        self._recording: tuple[str, SegmentSource] | None = None  # the segment the writer was told is open
        self._list_moods: dict[str, str] = {}  # track ID -> the mood of the list it was shown in
        self._opening: dict[str, Track] = {}  # what the opener was asked to open -> the track

    def _new_writer(self) -> JournalWriter:
        return self._writer_factory(self.path, self.enabled, self._problem_from_thread)

    # -- start, the UI thread's inbox, close ---------------------------------------------------

    def load(self) -> Preferences:
        """Read the stored verdicts into ``preferences`` and start the writer (music lane, once)."""
        with self._lock:
            if self._loaded:
                return self.preferences
            self._loaded = True
        stored, problem = load_preferences(self.path)
        for record in stored.records():
            if record.track_id not in self._touched:
                self.preferences.record(record)
        if problem is not None:
            self._problem_from_thread(problem)
        with self._lock:
            if not self._closed:
                self.writer.start()
        return self.preferences

    def _problem_from_thread(self, text: str) -> None:
        self._inbox.put(lambda: self._show_problem(text))

    def _show_problem(self, text: str) -> None:
        if self.problem is None:  # a damaged file may be reported by the loader and the writer
            self.problem = text
            self.view.show_note(f"Mood journal: {text}")

    def poll(self) -> None:
        """Run what the journal's threads handed to the UI thread (notes, forget results)."""
        while True:
            try:
                action = self._inbox.get_nowait()
            except queue.Empty:
                return
            action()

    def stop(self, timeout: float) -> bool:
        """Close the open segment and the journal; True when the writer's thread has ended.

        ``stop(0)`` only asks, so the writer finishes while other threads stop; call again to wait.
        """
        with self._lock:
            self._closed = True
            writer = self.writer
        self._recording = None
        return writer.stop(timeout)

    def apply(self, settings: Settings) -> None:
        """The settings changed: turning the journal off stops recording (nothing is deleted)."""
        if settings.journal_enabled == self.enabled:
            return
        self._end()
        self.enabled = settings.journal_enabled
        with self._lock:
            old, self.writer = self.writer, self._new_writer()
            if self._loaded and not self._closed:
                self.writer.start()
        # The old writer closes its segment and the file off the UI thread.
        self.tasks.run_in_thread(lambda: old.stop(2.0), lambda _stopped: None, self._note_error, "emotune-journal-stop")
        self.view.show_note("Mood journal on" if self.enabled else "Mood journal off: nothing more is recorded")

    # -- moods ---------------------------------------------------------------------------------

    def _observe(self, mood: str, source: SegmentSource, scores: Sequence[float] | None = None) -> None:
        if not self.enabled:
            return
        if source == "user" and self._recording == (mood, source):
            return  # a user's mood holds by itself: no need to repeat it every frame
        self._recording = (mood, source)
        self.writer.observe(mood, scores, source)

    def _end(self) -> None:
        if self._recording is not None:
            self._recording = None
            self.writer.end_segment()

    def frame_shown(self, state: MoodState, choice: MoodChoice, paused: bool) -> None:
        """A frame was shown: record the music mood in force (or end the segment: no face)."""
        if paused:
            return  # a frame still in the queue when the user paused: the pause ended the segment
        if choice.locked and choice.in_force is not None:
            self._observe(choice.in_force, "user")
        elif state.mood is not None and state.face_present:
            self._observe(state.mood, "face", state.smoothed)
        elif self._recording is not None and self._recording[1] == "face":
            self._end()

    def mood_changed(self, choice: MoodChoice, paused: bool) -> None:
        """The mood in force changed (picked, locked or unlocked by the user, or read from the face)."""
        if choice.locked and choice.in_force is not None:
            if not paused:
                self._observe(choice.in_force, "user")
        elif self._recording is not None and self._recording[1] == "user":
            self._end()  # back to the face: its next frame opens the next segment

    def watching_stopped(self) -> None:
        """The source ended or failed: nobody is watched, so a face's mood ends here."""
        if self._recording is not None and self._recording[1] == "face":
            self._end()

    def paused_changed(self, paused: bool, choice: MoodChoice) -> None:
        if paused:
            self._end()
        elif choice.locked and choice.in_force is not None:
            self._observe(choice.in_force, "user")

    # -- songs ---------------------------------------------------------------------------------

    def songs_shown(self, tracks: Sequence[Track], mood: str) -> None:
        """A list was shown or appended to: record it, and mark the rows that have a verdict."""
        for track in tracks:
            self._list_moods[track.id] = mood
        if self.enabled:
            self.writer.songs(tracks, "shown", mood)
        shown = {track_id: v for track_id, v in marks(tracks, self.preferences.snapshot()).items() if v is not None}
        if shown:
            self.view.show_verdicts(shown)

    def opening(self, track: Track) -> None:
        self._opening[track.uri] = track
        self._opening[track.url] = track

    def opened(self, target: str) -> None:
        """The opener opened ``target`` (a track's URI or URL)."""
        track = self._opening.pop(target, None)
        if track is None:
            return
        self._opening.pop(track.uri, None)
        self._opening.pop(track.url, None)
        if self.enabled:
            self.writer.songs([track], "opened", self._list_moods.get(track.id))

    def songs_played(self, tracks: Sequence[Track], mood: str | None = None) -> None:
        if self.enabled:
            played = list(tracks)
            self.writer.songs(played, "played", mood if mood is not None else self._mood_of(played))

    def _mood_of(self, tracks: Sequence[Track]) -> str | None:
        return next((self._list_moods[t.id] for t in tracks if t.id in self._list_moods), None)

    # -- feedback ------------------------------------------------------------------------------

    def give_feedback(self, track: Track, verdict: Verdict | None, mood: str | None, shown: Sequence[Track]) -> None:
        """Record ``verdict`` on ``track`` (None clears it) and mark the rows of ``shown`` it concerns."""
        self._touched.add(track.id)
        if verdict is None:
            self.preferences.clear(track.id)
            self.writer.clear_feedback(track.id)
        else:
            record = Feedback.for_track(track, verdict, self._list_moods.get(track.id, mood), self._clock())
            self.preferences.record(record)
            self.writer.feedback(record)
        rules = self.preferences.snapshot()
        concerned = [t for t in shown if t.id == track.id or t.artist_keys() & track.artist_keys()]
        self.view.show_verdicts(marks(concerned or [track], rules))
        self.view.show_note(verdict_note(track, verdict))

    def verdict(self, track_id: str) -> Verdict | None:
        return self.preferences.verdict(track_id)

    # -- the Journal view's work (off the UI thread; answers come back through the runner) ------

    def read(
        self, since: float | None, until: float | None, on_ok: Callable[[JournalReport], None], on_error: OnError
    ) -> None:
        """Read a range for the Journal view (what is recorded so far, the open segment included)."""
        writer, path = self.writer, self.path

        def run() -> JournalReport:
            writer.flush(1.0)  # the open segment's end as of now, not of the last checkpoint
            return read_report(path, since, until)

        self.tasks.run_in_thread(run, on_ok, on_error, name="emotune-journal-read")

    def export(
        self,
        kind: ExportKind,
        target: Path,
        since: float | None,
        until: float | None,
        on_ok: Callable[[str], None],
        on_error: OnError,
    ) -> None:
        """Write the range as CSV or as a PNG timeline to ``target``; ``on_ok`` gets a note."""
        writer, path = self.writer, self.path

        def run() -> str:
            from emotune.journal import export  # Pillow only when a picture is asked for

            writer.flush(1.0)
            report = read_report(path, since, until)
            if kind == "csv":
                count = export.write_csv(report.segments, target)
                return f"Wrote {count} mood segments to {target}"
            export.write_png(report.segments, target, since, until)
            return f"Drew the mood timeline in {target}"

        self.tasks.run_in_thread(run, on_ok, on_error, name="emotune-journal-export")

    def forget(self, since: float | None, until: float | None, on_done: Callable[[str], None]) -> None:
        """Erase the mood and song history in the range (feedback stays); ``on_done`` gets a note."""

        def done(result: Forgotten | JournalError) -> None:
            if isinstance(result, JournalError):
                on_done(f"Nothing forgotten: {result}")
            else:
                on_done(f"Forgot {result.segments + result.trimmed} mood segments and {result.songs} song events")

        if self.writer.running and self.writer.problem is None:
            # Through the writer: it holds the open segment, which must not outlive the range.
            self.writer.forget(since, until, lambda result: self._inbox.put(lambda: done(result)))
            return
        path = self.path

        def run() -> Forgotten | JournalError:
            if not path.exists():
                return Forgotten(0, 0, 0)
            try:
                with Journal.open(path) as journal:
                    return journal.forget(since, until)
            except JournalError as exc:
                return exc

        self.tasks.run_in_thread(run, done, self._note_error, name="emotune-journal-forget")

    def _note_error(self, error: Exception) -> None:
        self.view.show_note(str(error))
