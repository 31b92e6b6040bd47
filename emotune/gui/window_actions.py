"""What only the main window can do for itself: its dialogs (camera, video file, Settings,
Journal, Help), the clipboard, and applying what Settings saved. ``EmotuneApp`` takes these
from ``WindowActions``; the parts they use are made by its ``_build_window``.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Sequence

from emotune.choices import Strategy
from emotune.config import Settings
from emotune.controller.app import AppController
from emotune.environment import Environment
from emotune.gui.controls import Controls
from emotune.gui.help_view import HelpView
from emotune.gui.journal_view import JournalWindow
from emotune.gui.mood_panel import MoodPanel
from emotune.gui.playlist_panel import How
from emotune.gui.settings_dialog import SettingsDialog
from emotune.gui.song_feedback import SongFeedback
from emotune.gui.source_dialogs import ask_camera, ask_video_file
from emotune.gui.status_bar import StatusBar
from emotune.gui.theme import Palette, apply_theme
from emotune.music.tracks import Track


class WindowActions:
    root: tk.Tk
    env: Environment
    controller: AppController
    controls: Controls
    status: StatusBar
    mood_panel: MoodPanel
    song_feedback: SongFeedback
    palette: Palette
    _settings_dialog: SettingsDialog | None
    _journal_window: JournalWindow | None
    _help_view: HelpView | None
    source_spec: str
    cameras_found: Sequence[int] | None

    def open_help(self) -> None:
        self._help_view = HelpView.open(self._help_view, self.root, self.env)

    def choose_camera(self) -> None:
        index = ask_camera(self.root, self.source_spec, self.cameras_found)
        if index is not None:
            self.controller.open_source(str(index))

    def choose_file(self) -> None:
        path = ask_video_file(self.root, self.controller.settings.last_source)
        if path:
            self.controller.open_source(path)

    def activate_track(self, track: Track, how: How) -> None:
        if how == "copy":
            self.root.clipboard_clear()
            self.root.clipboard_append(track.url)
            self.status.set_note(f"Copied {track.url}")
        else:
            self.controller.activate_track(track, how)

    def set_strategy(self, strategy: Strategy) -> None:
        self.controls.strategy.set(strategy)
        self.controller.set_strategy(strategy)

    def open_journal(self) -> None:
        self._journal_window = JournalWindow.open(
            self._journal_window, self.root, self.controller.journal, self.palette
        )

    def open_settings(self) -> None:
        if self._settings_dialog is not None and self._settings_dialog.winfo_exists():
            self._settings_dialog.lift()
            return
        control = self.controller
        overrides = {name: (variable, value) for variable, name, value in self.env.setting_overrides}
        self._settings_dialog = SettingsDialog(
            self.root,
            control.settings,
            control.spotify_state(),
            self.apply_settings,
            control.sign_in,
            control.sign_out,
            overrides,
        )

    def apply_settings(self, settings: Settings) -> None:
        old = self.controller.apply_settings(settings)
        if settings.theme != old.theme:
            self.palette = apply_theme(self.root, settings.theme)
            self.mood_panel.set_palette(self.palette)
            self.song_feedback.set_palette(self.palette)
