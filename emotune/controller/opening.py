"""Opening a track in Spotify (the app or the browser, as the setting says) off the UI thread.

``TrackOpening.open`` runs the opener on a thread (it may block while the system starts an app),
tells the journal what was asked and what opened, and says so in the status bar: what opened, or
that nothing did and why, and then the view offers to copy the link. No toolkit.
"""

from __future__ import annotations

from typing import Protocol

from emotune.choices import OpenWith
from emotune.music.opener import Opened, Opener, OpenerError, open_track
from emotune.music.tracks import Track
from emotune.tasks import Runner

OpenHow = str  # "default" (the setting decides) or "browser"


class NoteView(Protocol):
    def show_note(self, text: str) -> None: ...

    def show_open_failed(self, track: Track, reason: str) -> None: ...


class OpenedLog(Protocol):
    """What the journal is told (``JournalLink`` has it)."""

    def opening(self, track: Track) -> None: ...

    def opened(self, target: str) -> None: ...


class TrackOpening:
    def __init__(self, view: NoteView, tasks: Runner, journal: OpenedLog, app: Opener, browser: Opener) -> None:
        self.view = view
        self.tasks = tasks
        self.journal = journal
        self._app, self._browser = app, browser
        self.opened: list[Opened] = []

    def open(self, track: Track, how: OpenHow, open_with: OpenWith) -> None:
        """Open ``track`` in Spotify (``open_with``: the setting) or, asked so, the browser."""
        app_opener, browser_opener = self._app, self._browser

        def do_open() -> Opened:
            if how == "browser":
                if browser_opener(track.url):
                    return Opened("browser", track.url)
                raise OpenerError(f"cannot open {track.url}: no web browser answered")
            return open_track(track, open_with, app_opener=app_opener, browser_opener=browser_opener)

        self.view.show_note(f"Opening “{track.name}”…")
        self.journal.opening(track)
        self.tasks.run_in_thread(do_open, self._done, lambda error: self._failed(track, error), "emotune-open")

    def _failed(self, track: Track, error: Exception) -> None:
        # Never "Opened": the person must know nothing came up, and the link still gets them there.
        self.view.show_open_failed(track, f"Could not open “{track.name}”: {error}")

    def _done(self, opened: Opened) -> None:
        self.opened.append(opened)
        self.journal.opened(opened.target)
        self.view.show_note("Opened in Spotify" if opened.how == "app" else "Opened in the browser")
