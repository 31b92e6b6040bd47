"""The Help window (F1): the keyboard shortcuts, where Emotune keeps what it keeps, privacy, and
the version. Read-only text in a themed window; Escape closes it."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from emotune import __version__
from emotune.environment import Environment

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "pause or resume the video"),
    ("R", "more songs for the mood"),
    ("Up / Down", "move in the list (it has the keyboard when the window opens)"),
    ("Enter or double click", "open the selected song in Spotify"),
    ("Menu key or right click", "open in the browser, copy the link, like or dislike"),
    ("L / D", "like / dislike the selected song"),
    ("Tab / Shift+Tab", "move between the controls; Enter presses the focused button"),
    ("Ctrl+O", "open a video file"),
    ("Ctrl+J", "the mood journal"),
    ("F1", "this help"),
    ("Ctrl+Q", "quit"),
)


def help_sections(env: Environment) -> list[tuple[str, str]]:
    """(title, text) of each part of the help, with this machine's folders."""
    keys = "\n".join(f"{key:<26}{what}" for key, what in SHORTCUTS)
    where = (
        f"Settings, Spotify sign-in and face profiles: {env.config_dir}\n"
        f"Mood journal and song feedback: {env.data_dir}\n"
        f"Caches: {env.cache_dir}\n"
        "Delete a folder to forget what it holds (the journal also has 'Forget history')."
    )
    privacy = (
        "The camera picture never leaves this computer and is never written to disk. Face\n"
        "profiles hold numbers, never pictures. The journal and your likes stay on this\n"
        "computer. Only song searches and playback commands go to Spotify, and only when you\n"
        "connect an account. Nothing is sent anywhere else: no telemetry."
    )
    about = f"Emotune {__version__}: music for your face. MIT licence; see README and assets/NOTICE.md."
    return [("Keyboard", keys), ("Where your data lives", where), ("Privacy", privacy), ("About", about)]


class HelpView(tk.Toplevel):
    def __init__(self, master: tk.Misc, env: Environment) -> None:
        super().__init__(master)
        self.title("Emotune help")
        body = ttk.Frame(self, padding=16)
        body.pack(fill="both", expand=True)
        self.sections: dict[str, ttk.Label] = {}
        for title, text in help_sections(env):
            ttk.Label(body, text=title, style="Heading.TLabel").pack(anchor="w", pady=(8, 2))
            label = ttk.Label(body, text=text, justify="left")
            if title == "Keyboard":
                label.configure(font="TkFixedFont")  # the keys line up in a column
            label.pack(anchor="w")
            self.sections[title] = label
        close = ttk.Button(body, text="Close", command=self.destroy)
        close.pack(anchor="e", pady=(12, 0))
        close.focus_set()
        self.bind("<Escape>", lambda _e: self.destroy())
        self.transient(master.winfo_toplevel())
