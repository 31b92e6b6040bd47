"""The toolbar: pause/resume, the source menu (cameras, "Open video file..."), "Lock mood" and the
manual mood choice, match/lift, "More songs", "Journal" and "Settings". It only forwards the user's
choices to the app through ``Actions``; the app decides what they do."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import ttk

from emotune.choices import Strategy
from emotune.labels import EMOTIONS

CAMERA_CHOICES = 4
AUTO_MOOD = "from my face"


@dataclass(frozen=True)
class Actions:
    toggle_pause: Callable[[], None]
    use_camera: Callable[[int], None]
    choose_camera: Callable[[], None]
    open_file: Callable[[], None]
    set_locked: Callable[[bool], None]
    choose_mood: Callable[[str | None], None]
    set_strategy: Callable[[Strategy], None]
    more_songs: Callable[[], None]
    open_settings: Callable[[], None]
    open_journal: Callable[[], None]


class Controls(ttk.Frame):
    def __init__(self, master: tk.Misc, actions: Actions, strategy: Strategy) -> None:
        super().__init__(master, padding=(10, 8))
        self.actions = actions
        self.pause_button = ttk.Button(self, text="Pause", width=8, command=actions.toggle_pause)
        self.pause_button.pack(side="left")

        self.source_button = ttk.Menubutton(self, text="Source")
        menu = tk.Menu(self.source_button, tearoff=False)
        for index in range(CAMERA_CHOICES):
            menu.add_command(label=f"Camera {index}", command=lambda i=index: actions.use_camera(i))  # type: ignore[misc]
        menu.add_command(label="Choose camera…", command=actions.choose_camera)
        menu.add_separator()
        menu.add_command(label="Open video file…", accelerator="Ctrl+O", command=actions.open_file)
        self.source_button.configure(menu=menu)
        self.source_button.pack(side="left", padx=(8, 16))

        ttk.Label(self, text="Mood:").pack(side="left")
        self.mood_choice = tk.StringVar(value=AUTO_MOOD)
        self.mood_box = ttk.Combobox(
            self, textvariable=self.mood_choice, values=(AUTO_MOOD, *EMOTIONS), state="readonly", width=13
        )
        self.mood_box.pack(side="left", padx=(4, 6))
        self.mood_box.bind("<<ComboboxSelected>>", self._on_mood_choice)
        self.locked = tk.BooleanVar(value=False)
        self.lock_button = ttk.Checkbutton(
            self, text="Lock mood", variable=self.locked, command=lambda: actions.set_locked(self.locked.get())
        )
        self.lock_button.pack(side="left", padx=(0, 16))

        self.strategy = tk.StringVar(value=strategy)
        ttk.Radiobutton(
            self, text="Match", value="match", variable=self.strategy, command=lambda: actions.set_strategy("match")
        ).pack(side="left")
        ttk.Radiobutton(
            self, text="Lift", value="lift", variable=self.strategy, command=lambda: actions.set_strategy("lift")
        ).pack(side="left", padx=(4, 16))

        ttk.Button(self, text="Settings", command=actions.open_settings).pack(side="right")
        self.journal_button = ttk.Button(self, text="Journal", command=actions.open_journal)
        self.journal_button.pack(side="right", padx=(0, 8))
        self.more_button = ttk.Button(self, text="More songs", command=actions.more_songs)
        self.more_button.pack(side="right", padx=(0, 8))

    def _on_mood_choice(self, _event: object) -> None:
        value = self.mood_choice.get()
        self.actions.choose_mood(None if value == AUTO_MOOD else value)

    def show_paused(self, paused: bool) -> None:
        self.pause_button.configure(text="Resume" if paused else "Pause")

    def show_lock(self, locked: bool, mood: str | None) -> None:
        self.locked.set(locked)
        self.mood_choice.set(mood if locked and mood else AUTO_MOOD)
