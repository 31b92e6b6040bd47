"""The Spotify sign-in of a running app, for the ``AppController``.

``SpotifySignIn`` says whether the user is signed in and signs in (the browser flow, off the UI
thread, cancelled at close) or out; the controller rebuilds the music side afterwards.

Everything here runs on the UI thread. No toolkit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from emotune.config import Settings
from emotune.environment import Environment
from emotune.tasks import Runner


class Notes(Protocol):
    """The view verbs used here (``emotune.controller.view.View`` has them)."""

    def show_note(self, text: str) -> None: ...

    def show_spotify_state(self, text: str) -> None: ...


class SpotifySignIn:
    def __init__(self, view: Notes, tasks: Runner, env: Environment, on_change: Callable[[], None]) -> None:
        self.view = view
        self.tasks = tasks
        self.env = env
        self.config_dir = env.config_dir
        self._on_change = on_change  # signed in or out: the music side is built again
        self._cancel = threading.Event()

    def state(self) -> str:
        from emotune.music.spotify import is_signed_in, sign_in_expires_at

        if not is_signed_in(self.config_dir):
            return "Not signed in (the bundled catalog is used)"
        # Spotify's refresh tokens end six months after sign-in (mid-2026 rule): say when.
        expires = sign_in_expires_at(self.config_dir)
        until = f" until about {time.strftime('%d %b %Y', time.localtime(expires))}" if expires else ""
        return f"Signed in to Spotify{until}"

    def sign_in(self, settings: Settings) -> None:
        """Sign in with the credentials of ``settings`` (effective ones) in the browser, off the UI thread."""
        from emotune.music.spotify import Credentials, sign_in

        credentials = Credentials.from_settings(settings, self.env)
        self._cancel.clear()
        cancel, token_dir = self._cancel, self.config_dir

        def run() -> dict[str, str]:
            return sign_in(credentials, token_dir, cancel=cancel)

        self.tasks.run_in_thread(run, self._signed_in, self._failed, name="emotune-sign-in")

    def _signed_in(self, user: dict[str, str]) -> None:
        text = f"Signed in as {user.get('display_name') or user.get('id')}"
        self.view.show_spotify_state(text)
        self.view.show_note(text)
        self._on_change()

    def _failed(self, error: Exception) -> None:
        self.view.show_spotify_state(str(error))
        self.view.show_note(str(error))

    def sign_out(self) -> None:
        from emotune.music.spotify import SpotifyError, sign_out

        try:
            sign_out(self.config_dir)
        except SpotifyError as exc:
            self.view.show_note(str(exc))
        self.view.show_spotify_state(self.state())
        self._on_change()

    def cancel(self) -> None:
        """Give up a sign-in in progress (at close)."""
        self._cancel.set()
