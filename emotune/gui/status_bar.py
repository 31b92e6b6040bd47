"""The status bar: the video source and the measured drawn fps, where the music comes from
(catalog, Spotify signed in, or the fallback and why), the "Your face" menu and whose face profile
reads faces ("calibrated for <name>"), and short notes about the last action, which fade after
``NOTE_SECONDS`` so that no note outlives what it was about."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

NOTE_SECONDS = 8.0


class StatusBar(ttk.Frame):
    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master, padding=(10, 4))
        self.video = ttk.Label(self, text="")
        self.video.pack(side="left")
        ttk.Separator(self, orient="vertical").pack(side="left", fill="y", padx=10)
        self.music = ttk.Label(self, text="")
        self.music.pack(side="left")
        self.profile = ttk.Label(self, text="")  # "calibrated for <name>" while a face profile is in use
        self.profile.pack(side="left", padx=(8, 0))
        self.note = ttk.Label(self, text="", style="Muted.TLabel")
        self.note.pack(side="right")
        self._note_after: str | None = None
        self.bind("<Destroy>", self._forget_note, add="+")

    def set_video(self, text: str) -> None:
        self.video.configure(text=text)

    def set_music(self, text: str) -> None:
        self.music.configure(text=f"Music: {text}")

    def add_menu(self, button: ttk.Menubutton) -> None:
        """The "Your face" menu, made by the app, goes just before the profile it sets."""
        button.pack(side="left", padx=(16, 0), before=self.profile)

    def set_profile(self, name: str | None) -> None:
        self.profile.configure(text=f"calibrated for {name}" if name else "")

    def set_note(self, text: str, seconds: float = NOTE_SECONDS) -> None:
        if self._note_after is not None:
            self.after_cancel(self._note_after)
        self.note.configure(text=text)
        self._note_after = self.after(int(seconds * 1000), self._clear_note) if text else None

    def _forget_note(self, event: tk.Event[tk.Misc]) -> None:
        # A note still fading when the window closes must not call into a destroyed window.
        if event.widget is self and self._note_after is not None:
            self.after_cancel(self._note_after)
            self._note_after = None

    def _clear_note(self) -> None:
        self._note_after = None
        self.note.configure(text="")
