"""The status bar: the video source and the measured drawn fps, where the music comes from
(catalog, Spotify signed in, or the fallback and why), the "Your face" and "Genres" menus, whose
face profile reads faces ("calibrated for <name>"), and short notes about the last action, which
take the music line's place and fade after ``NOTE_SECONDS`` so that no note outlives what it was
about. The menus and the profile keep their size; the message between them is cut with "…"."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from emotune.gui.elide import ElidingLabel

NOTE_SECONDS = 8.0
OFFER_SECONDS = 30.0  # a note with something to do stays long enough to do it


class StatusBar(ttk.Frame):
    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master, padding=(10, 4))
        self.video = ttk.Label(self, text="")
        self.video.grid(row=0, column=0, sticky="w")
        ttk.Separator(self, orient="vertical").grid(row=0, column=1, sticky="ns", padx=10)
        # One message at a time in the room the controls leave, cut with "…": where the music comes
        # from, or for a few seconds the note about the last action in its place. Side by side, a
        # long note ran into "calibrated for …" and off the window's edge.
        self.music = ElidingLabel(self, text="")
        self.music.grid(row=0, column=2, sticky="ew")
        self.note = ElidingLabel(self, text="", style="Muted.TLabel")
        self.note.grid(row=0, column=2, sticky="ew")
        self.note.grid_remove()
        self.columnconfigure(2, weight=1)
        # Beside a note that leaves the person something to do ("Copy link" when nothing opened).
        self.action = ttk.Button(self, text="")
        self.action.grid(row=0, column=3, padx=(8, 0))
        self.action.grid_remove()
        self._menus = 0
        self.profile = ttk.Label(self, text="")  # "calibrated for <name>" while a face profile is in use
        self.profile.grid(row=0, column=9, padx=(8, 0))
        self._note_after: str | None = None
        self.bind("<Destroy>", self._forget_note, add="+")

    def set_video(self, text: str) -> None:
        self.video.configure(text=text)

    def set_music(self, text: str) -> None:
        self.music.set_text(f"Music: {text}")

    def add_menu(self, button: ttk.Menubutton) -> None:
        """The "Your face" and "Genres" menus, made by the app, go after the message, before the profile."""
        self._menus += 1
        button.grid(row=0, column=3 + self._menus, padx=(16, 0))

    def set_profile(self, name: str | None) -> None:
        self.profile.configure(text=f"calibrated for {name}" if name else "")

    def offer(self, text: str, label: str, action: Callable[[], None], seconds: float = OFFER_SECONDS) -> None:
        """A note with a button beside it that does ``action``; both go when the note fades."""
        self.set_note(text, seconds)
        self.action.configure(text=label, command=action)
        self.action.grid()

    def set_note(self, text: str, seconds: float = NOTE_SECONDS) -> None:
        self.action.grid_remove()
        if self._note_after is not None:
            self.after_cancel(self._note_after)
        self.note.set_text(text)
        self._show_note(bool(text))
        self._note_after = self.after(int(seconds * 1000), self._clear_note) if text else None

    def _forget_note(self, event: tk.Event[tk.Misc]) -> None:
        # A note still fading when the window closes must not call into a destroyed window.
        if event.widget is self and self._note_after is not None:
            self.after_cancel(self._note_after)
            self._note_after = None

    def _clear_note(self) -> None:
        self._note_after = None
        self.note.set_text("")
        self.action.grid_remove()
        self._show_note(False)

    def _show_note(self, shown: bool) -> None:
        if shown:
            self.music.grid_remove()
            self.note.grid()
        else:
            self.note.grid_remove()
            self.music.grid()
