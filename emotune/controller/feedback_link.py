"""The song feedback of a running app, for the ``AppController``.

``FeedbackLink`` owns the live ``Preferences`` (the user's verdicts, which the music side reads)
and writes them to ``feedback.sqlite3`` (``emotune.music.feedback_store``) on a lane of their
own, one after another, so the UI thread never waits on the disk and the order the user gave
them in is the order stored. ``give`` records a verdict in ``Preferences`` (the next lists
honour it) and on disk, and the view marks the rows it concerns; the current list keeps them.

Start: ``load()`` runs on the music lane before the music side is built (it reads the stored
verdicts). A problem reading or writing them is one status-bar note; the verdicts of this run
still hold. The journal being off does not touch feedback. Everything except ``load`` runs on
the UI thread. No toolkit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from emotune.music.feedback import Feedback, FeedbackRules, Preferences, Verdict
from emotune.music.feedback_store import FeedbackStore, load_preferences
from emotune.music.tracks import Track
from emotune.tasks import OnError, T

Verdicts = Mapping[str, Verdict | None]  # track ID -> the mark its rows show (None: no verdict)


class FeedbackView(Protocol):
    """The view verbs feedback uses (``emotune.controller.view.View`` has them)."""

    def show_note(self, text: str) -> None: ...

    def show_verdicts(self, verdicts: Verdicts) -> None: ...


class Lane(Protocol):
    def submit(self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError) -> None: ...


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


class FeedbackLink:
    def __init__(self, view: FeedbackView, lane: Lane, path: Path, clock: Callable[[], float]) -> None:
        self.view = view
        self.path = path
        self.preferences = Preferences()
        self._lane = lane
        self._clock = clock
        self._lock = threading.Lock()  # ``load`` runs on the music lane, ``give`` on the UI thread
        self._loaded = False
        self._touched: set[str] = set()  # verdicts given before the stored ones were loaded win
        self._written: threading.Event | None = None  # set when the last verdict given is on disk
        self.problem: str | None = None  # the first problem with the file, shown once

    def load(self) -> Preferences:
        """Read the stored verdicts into ``preferences`` (music lane, once); problems come back as a note."""
        with self._lock:
            if self._loaded:
                return self.preferences
            self._loaded = True
        stored, problem = load_preferences(self.path)
        with self._lock:
            for record in stored.records():
                if record.track_id not in self._touched:
                    self.preferences.record(record)
        if problem is not None:
            # Through the lane's answer, so that the note is shown on the UI thread.
            self._lane.submit(lambda: problem, self._show_problem, self._show_error)
        return self.preferences

    def blocked(self, tracks: Sequence[Track]) -> set[str]:
        """The IDs of ``tracks`` the user said never to play, by the track or by its artist."""
        rules = self.preferences.snapshot()
        never = ("never_track", "never_artist")
        return {track_id for track_id, verdict in marks(tracks, rules).items() if verdict in never}

    def playable(self, tracks: Sequence[Track]) -> list[Track]:
        """``tracks`` less those never to play: their rows stay in view (greyed), but are never
        sent to Spotify."""
        blocked = self.blocked(tracks)
        return [track for track in tracks if track.id not in blocked]

    def shown(self, tracks: Sequence[Track]) -> None:
        """A list was shown or appended to: mark the rows that have a verdict."""
        shown = {track_id: v for track_id, v in marks(tracks, self.preferences.snapshot()).items() if v is not None}
        if shown:
            self.view.show_verdicts(shown)

    def give(self, track: Track, verdict: Verdict | None, mood: str | None, shown: Sequence[Track]) -> None:
        """Record ``verdict`` on ``track`` (None clears it; ``mood``: its list's) and mark the rows
        of ``shown`` it concerns."""
        with self._lock:
            self._touched.add(track.id)
        path, written = self.path, threading.Event()
        self._written = written
        if verdict is None:
            self.preferences.clear(track.id)
            self._lane.submit(
                lambda: _write(path, lambda store: store.clear(track.id), written), lambda _done: None, self._show_error
            )
        else:
            record = Feedback.for_track(track, verdict, mood, self._clock())
            self.preferences.record(record)
            self._lane.submit(
                lambda: _write(path, lambda store: store.set(record), written), lambda _done: None, self._show_error
            )
        rules = self.preferences.snapshot()
        concerned = [t for t in shown if t.id == track.id or t.artist_keys() & track.artist_keys()]
        self.view.show_verdicts(marks(concerned or [track], rules))
        self.view.show_note(verdict_note(track, verdict))

    def verdict(self, track_id: str) -> Verdict | None:
        return self.preferences.verdict(track_id)

    def flush(self, timeout: float) -> bool:
        """Wait until the verdicts given so far are written (at close: the lane drops what is still
        queued when it stops); False on timeout. The lane is serial: the last one done, all are."""
        return self._written is None or self._written.wait(timeout)

    def _show_error(self, error: Exception) -> None:
        self._show_problem(str(error))

    def _show_problem(self, text: str) -> None:
        if self.problem is None:
            self.problem = text
            self.view.show_note(f"Song feedback: {text}")


def _write(path: Path, change: Callable[[FeedbackStore], object], written: threading.Event) -> None:
    """Open the feedback store at ``path``, make ``change`` and say so through ``written``, whatever happens."""
    try:
        with FeedbackStore.open(path) as store:
            change(store)
    finally:
        written.set()
