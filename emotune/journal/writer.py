"""The journal's background writer: the window records moods and songs without waiting.

Every public method except ``flush`` and ``stop`` only puts a small message on a bounded queue
and returns (never blocks, never raises), so the Tk thread never waits on SQLite. One thread
owns the database connection and writes in small transactions.

Mood segments: call ``observe(mood, scores, source)`` for every mood update (each processed frame
is fine: only aggregates are stored, never the per-frame stream). A new mood or source closes the
open segment and opens the next one at once; ``observe(None)`` or ``end_segment()`` closes it
(no face, camera stopped, paused). While a segment is open its end (and mean scores) are written
every ``checkpoint_s`` seconds, extended to "now": a mood holds until told otherwise. So a crash or
kill loses at most the last ``checkpoint_s`` seconds of the open segment. If the process was
suspended (a laptop asleep: the writer wakes far later than it should), the segment is closed at
the last checkpoint before the gap, and a new one starts on waking.

The face series (``emotune.journal.series``): the face's readings are also summed into windows of
about 30 s, each written as one row of means when it closes (or when the face goes), with the
list in play (``list_begun``) and the song last played from it. Only sums live in memory.

Failure: if the journal cannot be opened or written (damaged: set aside by the store; locked;
disk full) the writer says so once (``problem``, and ``on_problem`` called on the writer thread:
hand it to the Tk thread through a queue) and drops everything after, so the app goes on without
a journal. ``stop()`` closes the open segment, closes the database and joins the thread.

This module must not import tkinter, cv2 or onnxruntime.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from emotune.choices import Strategy
from emotune.errors import reason
from emotune.journal import series
from emotune.journal.recording_lock import RecordingLock
from emotune.journal.store import (
    Forgotten,
    Journal,
    JournalError,
    JournalLockedError,
    SegmentSource,
    SongEvent,
    SongKind,
)
from emotune.labels import EMOTIONS

log = logging.getLogger(__name__)


class Song(Protocol):
    """What the journal keeps of a song (music's ``Track`` has it; the journal does not import music)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def artists(self) -> Sequence[str]: ...


# Why a second window on the same journal records nothing (its status bar shows it).
ANOTHER_WINDOW = "another Emotune window is recording into this journal; this one records nothing"
# A wake-up this many checkpoints late means the process was suspended, not busy.
SUSPEND_FACTOR = 5.0


@dataclass(frozen=True)
class _Observe:
    t: float
    mood: str | None
    source: SegmentSource
    scores: tuple[tuple[str, float], ...] | None


@dataclass(frozen=True)
class _Songs:
    events: tuple[SongEvent, ...]


@dataclass(frozen=True)
class _Forget:
    t: float
    since: float | None
    until: float | None
    on_done: Callable[[Forgotten | JournalError], None] | None


@dataclass(frozen=True)
class _Flush:
    done: threading.Event


@dataclass(frozen=True)
class _Stop:
    t: float


@dataclass(frozen=True)
class _List:
    begun: series.ListBegun


_Message = _Observe | _Songs | _List | _Forget | _Flush | _Stop


class _OpenSegment:
    """The segment being recorded, with running sums for its mean scores (writer thread only)."""

    def __init__(self, segment_id: int, clears: int, mood: str, source: SegmentSource, start: float) -> None:
        self.id = segment_id
        self.clears = clears  # the journal's clear count when it began (``Journal.extend_segment``)
        self.mood = mood
        self.source = source
        self.start = start
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, scores: tuple[tuple[str, float], ...] | None) -> None:
        if not scores:
            return
        for label, value in scores:
            self.sums[label] = self.sums.get(label, 0.0) + value
        self.count += 1

    def means(self) -> dict[str, float] | None:
        return {label: total / self.count for label, total in self.sums.items()} if self.count else None


class JournalWriter:
    """Records into the journal from a background thread. Create, ``start()``, feed, ``stop()``."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        checkpoint_s: float = 2.0,
        record_history: bool = True,
        on_problem: Callable[[str], None] | None = None,
        max_queue: int = 10_000,
        timeout_s: float = 5.0,
        lock: RecordingLock | None = None,
        open_tries: int = 3,
    ) -> None:
        """``path``: the journal file (``store.journal_path(env)``). ``clock``: Unix seconds now (tests
        pass a fake one). ``record_history=False`` (the "journal off" setting) records no moods or
        songs; forgetting still works. ``lock``: a window's writer records only while it holds
        this lock (another window holding it: a problem, ``ANOTHER_WINDOW``, and nothing recorded).
        ``open_tries``: how many times a locked journal is tried, ``timeout_s`` each, before the
        writer gives up for the session."""
        self._path = path
        self._clock = clock
        self._checkpoint_s = checkpoint_s
        self._record_history = record_history
        self._on_problem = on_problem
        self._timeout_s = timeout_s
        self._open_tries = max(1, open_tries)
        self._queue: queue.Queue[_Message] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._problem: str | None = None
        self._dropped = 0
        self._journal: Journal | None = None
        self._segment: _OpenSegment | None = None
        self._last_write = 0.0
        self._stopping = False
        self._lock = lock if record_history else None  # the journal off records nothing: no lock
        self._window = series.SeriesWindow()
        self._list_id: int | None = None  # the list in play, for the face series
        self._played: str | None = None  # the song last played from it

    # --- the window's side (never blocks) -------------------------------------------------------

    @property
    def problem(self) -> str | None:
        """The one-line reason the journal is off, once it is."""
        return self._problem

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def path(self) -> Path:
        return self._path

    def start(self) -> JournalWriter:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="emotune-journal", daemon=True)
            self._thread.start()
        return self

    def observe(
        self,
        mood: str | None,
        scores: Mapping[str, float] | Sequence[float] | None = None,
        source: SegmentSource = "face",
    ) -> None:
        """The current music mood (None: nobody watched), with the smoothed scores behind it if any.

        ``scores``: label -> score, or a sequence in ``EMOTIONS`` order (as ``MoodState.smoothed``).
        """
        if not self._record_history:
            return
        pairs: tuple[tuple[str, float], ...] | None = None
        if isinstance(scores, Mapping):
            pairs = tuple((str(label), float(value)) for label, value in scores.items())
        elif scores is not None:
            pairs = tuple(zip(EMOTIONS, (float(v) for v in scores), strict=False))
        self._put(_Observe(self._clock(), mood, source, pairs))

    def end_segment(self) -> None:
        """Close the open segment now (watching stopped)."""
        self.observe(None)

    def songs(self, tracks: Iterable[Song], kind: SongKind, mood: str | None) -> None:
        """Songs shown in a list, or one opened/played, for the list of ``mood``."""
        if not self._record_history:
            return
        now = self._clock()
        events = tuple(SongEvent(now, t.id, t.name, tuple(t.artists), mood, kind) for t in tracks)
        if events:
            self._put(_Songs(events))

    def list_begun(self, mood: str, strategy: Strategy, genres: Sequence[str], randomised: bool) -> None:
        """A song list was shown for ``mood`` (``randomised``: Match or Lift was drawn at random)."""
        if self._record_history:
            self._put(_List(series.ListBegun(self._clock(), mood, strategy, tuple(genres), randomised)))

    def forget(
        self,
        since: float | None = None,
        until: float | None = None,
        on_done: Callable[[Forgotten | JournalError], None] | None = None,
    ) -> None:
        """Erase the history in [since, until) (None: unbounded); ``on_done`` runs on the writer thread."""
        self._put(_Forget(self._clock(), since, until, on_done))

    def _put(self, message: _Message) -> None:
        if self._stopping:
            return
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            # The disk is stalled: dropping is better than freezing the window.
            self._dropped += 1
            if self._dropped == 1:
                log.warning("journal writer is behind; dropping records until it catches up")

    # --- waiting (not for the Tk thread) -------------------------------------------------------

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until everything queued so far is written (open segment included); False on timeout."""
        if not self.running:
            return False
        done = threading.Event()
        try:
            self._queue.put(_Flush(done), timeout=timeout_s)
        except queue.Full:
            return False
        return done.wait(timeout_s)

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Close the open segment, write what is queued, close the journal and end the thread.

        True when the thread has ended within ``timeout_s``.
        """
        thread = self._thread
        if thread is None:
            return True
        if not self._stopping:
            try:
                self._queue.put(_Stop(self._clock()), timeout=timeout_s)
            except queue.Full:
                log.warning("journal writer did not take the stop request within %.1f s", timeout_s)
            self._stopping = True
        thread.join(timeout_s)
        return not thread.is_alive()

    # --- the writer thread ----------------------------------------------------------------------

    def _run(self) -> None:
        if self._take_lock():
            self._open()
        while True:
            try:
                message: _Message | None = self._queue.get(timeout=self._checkpoint_s)
            except queue.Empty:
                message = None
            if isinstance(message, _Flush):
                self._safely(self._checkpoint, self._clock(), True)
                message.done.set()
                continue
            if isinstance(message, _Stop):
                self._safely(self._close_segment, message.t)
                self._safely(self._write_window, self._window.take())
                break
            if message is not None:
                self._safely(self._handle, message)
            self._safely(self._checkpoint, self._clock())
        journal, self._journal = self._journal, None
        if journal is not None:
            journal.close()
        if self._lock is not None:
            self._lock.release()

    def _open(self) -> None:
        # A reader (the Journal window, the CLI) can hold a brand-new journal while its schema
        # steps run, and SQLite may then answer "locked" at once instead of waiting; the journal
        # is tried again before the session goes on without one.
        for attempt in range(1, self._open_tries + 1):
            try:
                self._journal = Journal.open(self._path, timeout_s=self._timeout_s)
                return
            except JournalLockedError as exc:
                if attempt == self._open_tries:
                    self._fail(exc)
                else:
                    log.info("journal %s is locked; trying again (%d of %d)", self._path, attempt, self._open_tries)
                    time.sleep(min(1.0, self._timeout_s))
            except JournalError as exc:
                self._fail(exc)
                return

    def _take_lock(self) -> bool:
        if self._lock is None:
            return True
        try:
            if self._lock.acquire():
                return True
            problem = ANOTHER_WINDOW
        except OSError as exc:
            problem = f"cannot lock {self._lock.path} ({reason(exc)}); not recording"
        self._problem = problem
        log.warning("%s", problem)
        if self._on_problem is not None:
            self._on_problem(problem)
        return False

    def _safely(self, action: Callable[..., None], *args: object) -> None:
        if self._journal is None:
            return  # the journal is off: drop the record
        try:
            action(*args)
        except JournalError as exc:
            self._fail(exc)

    def _fail(self, exc: JournalError) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self._segment = None
        if self._problem is None:
            self._problem = f"{exc}; going on without a journal"
            log.warning("%s", self._problem)
            if self._on_problem is not None:
                self._on_problem(self._problem)

    def _live(self) -> Journal:
        if self._journal is None:
            raise JournalError("the journal is off")
        return self._journal

    def _handle(self, message: _Message) -> None:
        journal = self._live()
        if isinstance(message, _Observe):
            self._observe(message)
        elif isinstance(message, _Songs):
            journal.add_songs(message.events)
            played = [e.track_id for e in message.events if e.kind == "played"]
            if played and self._list_id is not None:
                self._played = played[0]
                series.mark_played(journal, self._list_id, played[0])
        elif isinstance(message, _List):
            self._list_id, self._played = series.begin_list(journal, message.begun), None
        elif isinstance(message, _Forget):
            self._forget(message)

    def _observe(self, message: _Observe) -> None:
        segment = self._segment
        if segment is not None and (message.mood != segment.mood or message.source != segment.source):
            self._close_segment(message.t)
            segment = None
        if message.mood is None:
            self._write_window(self._window.take())  # the face went: its window ends here
            return
        if segment is None:
            segment = self._begin(message.mood, message.source, message.t)
        segment.add(message.scores)
        if message.source == "face" and message.scores:
            self._write_window(self._window.add(message.t, message.scores))

    def _write_window(self, sample: series.FaceSample | None) -> None:
        if sample is not None:
            sample = dataclasses.replace(sample, list_id=self._list_id, played=self._played)
            series.add_samples(self._live(), [sample])

    def _begin(self, mood: str, source: SegmentSource, start: float) -> _OpenSegment:
        segment_id, clears = self._live().open_segment(mood, source, start)
        self._segment = _OpenSegment(segment_id, clears, mood, source, start)
        self._last_write = self._clock()
        return self._segment

    def _extend(self, segment: _OpenSegment, end: float) -> bool:
        """Write the segment's end; False when history was forgotten meanwhile (another process ran
        ``journal --clear``): the segment may have been cut or deleted and must not grow back."""
        return self._live().extend_segment(segment.id, end, segment.means(), segment.clears)

    def _checkpoint(self, now: float, force: bool = False) -> None:
        segment = self._segment
        if segment is None:
            return
        late = now - self._last_write
        if late > SUSPEND_FACTOR * self._checkpoint_s:
            # Suspended: the time asleep was not spent in this mood. End it where we left off.
            self._extend(segment, self._last_write)
            self._segment = None
            self._begin(segment.mood, segment.source, now)
            return
        if force or late >= self._checkpoint_s:
            if self._extend(segment, now):
                self._last_write = now
            else:
                # The forgotten range may reach up to now: the mood goes on, recorded from here.
                self._begin(segment.mood, segment.source, now)

    def _close_segment(self, end: float) -> None:
        segment, self._segment = self._segment, None
        if segment is not None:
            self._extend(segment, end)

    def _forget(self, message: _Forget) -> None:
        segment = self._segment
        now = message.t
        if segment is not None:
            self._close_segment(now)
        self._window.take()  # readings from before the forget are not written after it
        self._list_id = self._played = None
        try:
            result: Forgotten | JournalError = self._live().forget(message.since, message.until)
        except JournalError as exc:
            result = exc
        if message.on_done is not None:
            message.on_done(result)
        if isinstance(result, JournalError):
            raise result
        if segment is not None:
            # The forgotten range may have cut the open segment: go on with a fresh one from now.
            self._begin(segment.mood, segment.source, now)
            self._last_write = now
