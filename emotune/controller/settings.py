"""The settings of a running app, for the ``AppController``.

``SettingsKeeper`` holds the settings as the user set them (``current``, saved by ``save``)
and gives the ones in use (``effective()``: with the environment's overrides, never saved).
The Spotify sign-in is ``emotune.controller.spotify_sign_in``.

Everything here runs on the UI thread. No toolkit.
"""

from __future__ import annotations

from typing import Protocol

from emotune import config
from emotune.config import Settings, SettingsStore
from emotune.environment import Environment


class Notes(Protocol):
    """The view verb used here (``emotune.controller.view.View`` has it)."""

    def show_note(self, text: str) -> None: ...


class SettingsKeeper:
    def __init__(self, view: Notes, env: Environment, store: SettingsStore | None = None) -> None:
        self.view = view
        self.env = env
        self.store = store or SettingsStore(env.config_dir)
        self.current = self.store.load()

    def effective(self) -> Settings:
        """The stored settings with the environment's overrides: what is used, never saved."""
        return config.effective_settings(self.current, self.env)

    def save(self) -> None:
        try:
            self.store.save(self.current)
        except OSError as exc:
            self.view.show_note(f"Settings not saved: {exc.strerror}")

    def remember_profile(self, name: str) -> None:
        self.current = self.current.replace(profile_name=name)
        self.save()

    def replace(self, settings: Settings) -> Settings:
        """Store and save ``settings`` (from the settings dialog); the old settings are returned."""
        # The face menu owns profile_name, the Genres menu genres: a dialog opened earlier holds older copies.
        settings = settings.replace(profile_name=self.current.profile_name, genres=self.current.genres)
        old, self.current = self.current, settings
        self.save()
        return old
