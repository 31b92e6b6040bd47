"""The Help window (F1): what the window shows and what each control does, what music each mood
gets, how to connect Spotify (``help_guides``), the keyboard shortcuts, and where Emotune keeps
what it keeps, privacy and the version. Read-only text in tabs (so it fits a small screen);
Escape closes it. F1 again raises the one window (``HelpView.open``).

Every control the text names in quotes is the label a person sees on screen (a test checks
that each one exists).
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from emotune import __version__
from emotune.environment import Environment
from emotune.gui.help_guides import SPOTIFY_STEPS, mood_music_text
from emotune.gui.os_conventions import context_click_name, shortcut_name
from emotune.platforms import Platform

CONTEXT_CLICK = "Menu key or right click"
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "pause or resume the video"),
    ("R", "more songs for the mood"),
    ("Up / Down", "move in the list (it has the keyboard when the window opens)"),
    ("Enter or double click", "open the selected song in Spotify"),
    (CONTEXT_CLICK, "open in the browser, copy the link, like, more like this"),
    ("L / D", "like / dislike the selected song"),
    ("M", "more songs like the selected one"),
    ("N", "jump to the newest songs added to the list"),
    ("Tab / Shift+Tab", "move between the controls; Enter presses the focused button"),
    ("Enter / Space / Down", "open a focused menu (“Source”, “Your face”, “Genres”)"),
    ("Ctrl+O", "open a video file"),
    ("Ctrl+J", "the mood journal"),
    ("F1", "this help"),
    ("Escape", "close a dialog, a menu or this help"),
    ("Ctrl+Q", "quit"),
)

WINDOW = """\
“Music for: …” (the headline) is the mood the songs are chosen for. It follows your face
slowly: it changes only when another expression has clearly held for a while (Settings,
“Music follows my mood”), so a glance or a sneeze does not change the music.

“Your face now” (the bars, and the label on the box around your face) is your expression of
the last half second. The two may differ for a while: a song lasts minutes, a face changes
every second. When the picture stops (paused, the video ended) the bars turn grey and show
the last reading.

The song list: its heading names the songs in view. When the music mood changes by itself,
its songs come in after the list, under a row “New songs for …”; the button under the list
(or N) takes you there. The list moves there by itself only after 30 s without your touch.

“Mood:” picks a mood by hand and locks it; “from my face” goes back to the face. “Lock mood”
keeps the mood the face gave. “Match” chooses songs that mirror the mood, “Lift” songs that
start near it and gently brighten it. “More songs” gives the next songs of the mood.

In the status bar, “Genres” keeps the songs to the genres you tick, and “Your face” holds
“Teach Emotune your face…”: about thirty seconds of seven expressions, after which Emotune
reads your face better. Each person can keep a profile; “Forget my face” deletes it.

Signed in to Spotify (Settings), “Play on Spotify” plays the list on your device and
“Save as playlist” saves it."""


def shortcuts(platform: Platform) -> tuple[tuple[str, str], ...]:
    """``SHORTCUTS`` as this OS names them (Cmd+ and Control-click on macOS)."""

    def named(key: str) -> str:
        if key == CONTEXT_CLICK:
            return context_click_name(platform)
        return shortcut_name(platform, key[len("Ctrl+") :]) if key.startswith("Ctrl+") else key

    return tuple((named(key), what) for key, what in SHORTCUTS)


def help_sections(env: Environment) -> list[tuple[str, str]]:
    """(title, text) of each part of the help, with this machine's folders and key names."""
    keys = "\n".join(f"{key:<26}{what}" for key, what in shortcuts(env.platform))
    where = (
        f"Settings, Spotify sign-in and face profiles: {env.config_dir}\n"
        f"Mood journal and song feedback: {env.data_dir}\n"
        f"Caches: {env.cache_dir}\n"
        "Delete a folder to forget what it holds. The “Journal” window also has\n"
        "“Forget today…” and “Forget everything…”."
    )
    privacy = (
        "The camera picture never leaves this computer and is never written to disk. Face\n"
        "profiles hold numbers, never pictures. The journal and your likes stay on this\n"
        "computer. Only song searches and playback commands go to Spotify, and only when you\n"
        "connect an account. Nothing is sent anywhere else: no telemetry."
    )
    about = f"Emotune {__version__}: music for your face. MIT licence; see README and assets/NOTICE.md."
    return [
        ("The window", WINDOW),
        ("Moods and music", mood_music_text()),
        ("Connect Spotify", SPOTIFY_STEPS),
        ("Keyboard", keys),
        ("Where your data lives", where),
        ("Privacy", privacy),
        ("About", about),
    ]


TABS = (
    ("The window", ("The window",)),
    ("Moods and music", ("Moods and music",)),
    ("Spotify", ("Connect Spotify",)),
    ("Keyboard", ("Keyboard",)),
    ("Your data", ("Where your data lives", "Privacy", "About")),
)


class HelpView(tk.Toplevel):
    def __init__(self, master: tk.Misc, env: Environment) -> None:
        super().__init__(master)
        self.title("Emotune help")
        body = ttk.Frame(self, padding=12)
        body.pack(fill="both", expand=True)
        self.notebook = ttk.Notebook(body)
        self.notebook.pack(fill="both", expand=True)
        texts = dict(help_sections(env))
        self.sections: dict[str, ttk.Label] = {}
        for tab_title, titles in TABS:
            page = ttk.Frame(self.notebook, padding=12)
            self.notebook.add(page, text=tab_title)
            for title in titles:
                if len(titles) > 1:
                    ttk.Label(page, text=title, style="Heading.TLabel").pack(anchor="w", pady=(6, 2))
                label = ttk.Label(page, text=texts[title], justify="left")
                if title in ("Keyboard", "Moods and music"):
                    label.configure(font="TkFixedFont")  # the keys line up in a column
                label.pack(anchor="w")
                self.sections[title] = label
        close = ttk.Button(body, text="Close", command=self.destroy)
        close.pack(anchor="e", pady=(10, 0))
        close.focus_set()
        self.bind("<Escape>", lambda _e: self.destroy())
        self.transient(master.winfo_toplevel())

    @classmethod
    def open(cls, current: HelpView | None, master: tk.Misc, env: Environment) -> HelpView:
        """The Help window, raised if it is open already, else a new one."""
        if current is not None and current.winfo_exists():
            current.deiconify()
            current.lift()
            return current
        return cls(master, env)
