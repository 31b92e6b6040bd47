"""The status bar: the video source and the measured drawn fps, where the music comes from
(catalog, Spotify signed in, or the fallback and why), and short notes about the last action."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk


class StatusBar(ttk.Frame):
    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master, padding=(10, 4))
        self.video = ttk.Label(self, text="")
        self.video.pack(side="left")
        ttk.Separator(self, orient="vertical").pack(side="left", fill="y", padx=10)
        self.music = ttk.Label(self, text="")
        self.music.pack(side="left")
        self.note = ttk.Label(self, text="", style="Muted.TLabel")
        self.note.pack(side="right")

    def set_video(self, text: str) -> None:
        self.video.configure(text=text)

    def set_music(self, text: str) -> None:
        self.music.configure(text=f"Music: {text}")

    def set_note(self, text: str) -> None:
        self.note.configure(text=text)
