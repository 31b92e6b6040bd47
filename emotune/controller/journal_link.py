"""The mood journal of a running app, for the ``AppController``.

``JournalLink`` owns the ``JournalWriter`` (which records on its own thread). The controller
tells it what happens and it decides what is recorded:

- Music mood segments. Each frame shown: the music mood with the face reading behind it
  (source "face"), or the mood the user locked (source "user", without scores). A face segment
  ends when no face is in view, the source ends or fails, or the video is paused; a user's mood
  holds while the app is not paused, with or without a picture.
- Songs: each list shown or appended ("shown", with the list's mood), a track opened in Spotify
  ("opened", once the opener said yes), songs played (``songs_played``, for playback).

Song feedback is not the journal's: ``emotune.controller.feedback_link``.

Start: ``start()`` starts the writer (on the music lane, as the music side is built). Problems (a
damaged or locked journal, another window already recording into it) come from the writer's
thread; they are queued and shown as one status-bar note by ``poll()`` on the UI thread, and the
app goes on without a journal. The "journal off" setting
stops recording moods and songs; it never deletes anything.

Everything here except ``start`` runs on the UI thread. No toolkit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol

from emotune.config import Settings
from emotune.controller.journal_report import JournalReport, read_report
from emotune.controller.mood_choice import MoodChoice
from emotune.environment import Environment
from emotune.journal.recording_lock import RecordingLock
from emotune.journal.store import DB_FILE, Forgotten, Journal, JournalError, SegmentSource
from emotune.journal.writer import JournalWriter
from emotune.music.tracks import Track
from emotune.tasks import OnError, Runner
from emotune.vision.messages import MoodState

log = logging.getLogger(__name__)

ExportKind = Literal["csv", "png"]
# (path, record history, on_problem, clock, the lock that decides which window records) -> the writer
WriterFactory = Callable[[Path, bool, Callable[[str], None], Callable[[], float], RecordingLock], JournalWriter]


def journal_writer(
    path: Path,
    record_history: bool,
    on_problem: Callable[[str], None],
    clock: Callable[[], float],
    lock: RecordingLock,
) -> JournalWriter:
    return JournalWriter(path, record_history=record_history, on_problem=on_problem, clock=clock, lock=lock)


class LinkView(Protocol):
    """The view verb the link uses (``emotune.controller.view.View`` has it)."""

    def show_note(self, text: str) -> None: ...


class JournalLink:
    def __init__(
        self,
        view: LinkView,
        tasks: Runner,
        env: Environment,
        *,
        enabled: bool = True,
        writer_factory: WriterFactory = journal_writer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.view = view
        self.tasks = tasks
        self.path = env.data_dir / DB_FILE
        self._platform = env.platform
        self._env = env  # whose folders an export must not write into
        self.enabled = enabled
        self._clock = clock
        self._writer_factory = writer_factory
        self._inbox: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()  # run by poll()
        self._lock = threading.Lock()  # the writer is started on the music lane, replaced on the UI thread
        self._loaded = False
        self._closed = False
        self.writer = self._new_writer()
        self.problem: str | None = None  # the first journal problem, shown once
        self._recording: tuple[str, SegmentSource] | None = None  # the segment the writer was told is open
        self._list_moods: dict[str, str] = {}  # track ID -> the mood of the list it was shown in
        self._opening: dict[str, Track] = {}  # what the opener was asked to open -> the track

    def _new_writer(self) -> JournalWriter:
        lock = RecordingLock(self.path, self._platform)
        return self._writer_factory(self.path, self.enabled, self._problem_from_thread, self._clock, lock)

    # -- start, the UI thread's inbox, close ---------------------------------------------------

    def start(self) -> None:
        """Start the writer (once; not after ``stop``)."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            if not self._closed:
                self.writer.start()

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
        """A list was shown or appended to: record it."""
        for track in tracks:
            self._list_moods[track.id] = mood
        if self.enabled:
            self.writer.songs(tracks, "shown", mood)

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

    def list_mood(self, track: Track, otherwise: str | None) -> str | None:
        """The mood of the list ``track`` was shown in (``otherwise`` if it was in none)."""
        return self._list_moods.get(track.id, otherwise)

    def _mood_of(self, tracks: Sequence[Track]) -> str | None:
        return next((self._list_moods[t.id] for t in tracks if t.id in self._list_moods), None)

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
        writer, path, env = self.writer, self.path, self._env

        def run() -> str:
            from emotune.journal import export  # Pillow only when a picture is asked for

            writer.flush(1.0)
            report = read_report(path, since, until)
            if kind == "csv":
                count = export.write_csv(report.segments, target, env)
                return f"Wrote {count} mood segments to {target}"
            export.write_png(report.segments, target, env, since, until)
            return f"Drew the mood timeline in {target}"

        self.tasks.run_in_thread(run, on_ok, on_error, name="emotune-journal-export")

    def forget(self, since: float | None, until: float | None, on_done: Callable[[str], None]) -> None:
        """Erase the mood and song history in the range; ``on_done`` gets a note."""

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
