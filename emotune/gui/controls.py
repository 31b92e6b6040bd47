"""The toolbar: pause/resume, the source menu, the manual mood and "Lock mood", match/lift on the
left; "More songs", "Journal", "Settings" and "Help" on the right. It only forwards the user's
choices to the app through ``Actions``; the app decides what they do.

Layout: two groups in screen order (so Tab visits them left to right). When the window is too
narrow for both on one row, the right group moves to a second row instead of clipping: nothing
is ever cut at the window's smallest size. After a mouse click on a control, the keyboard goes
back to its home (the playlist), so Space and R keep their meaning whatever was clicked.

The source menu lists the cameras found (a probe off the UI thread), marks the source playing,
and remembers the last few files.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from tkinter import ttk

from emotune.choices import Strategy
from emotune.gui.os_conventions import shortcut_name
from emotune.labels import EMOTIONS
from emotune.platforms import Platform

AUTO_MOOD = "from my face"


@dataclass(frozen=True)
class Actions:
    toggle_pause: Callable[[], None]
    use_camera: Callable[[int], None]
    choose_camera: Callable[[], None]
    open_file: Callable[[], None]
    open_path: Callable[[str], None]
    set_locked: Callable[[bool], None]
    choose_mood: Callable[[str | None], None]
    set_strategy: Callable[[Strategy], None]
    more_songs: Callable[[], None]
    open_settings: Callable[[], None]
    open_journal: Callable[[], None]
    open_help: Callable[[], None]
    focus_home: Callable[[], None]


class Controls(ttk.Frame):
    def __init__(self, master: tk.Misc, actions: Actions, strategy: Strategy, *, platform: Platform) -> None:
        super().__init__(master, padding=(10, 8))
        self.actions = actions
        self.platform = platform
        self.left = ttk.Frame(self)
        self.right = ttk.Frame(self)
        self.left.grid(row=0, column=0, sticky="w")
        self.right.grid(row=0, column=1, sticky="e")
        self.columnconfigure(1, weight=1)
        self.wrapped = False

        self.pause_button = ttk.Button(self.left, text="Pause", width=8, command=actions.toggle_pause)
        self.pause_button.pack(side="left")
        self.source_button = ttk.Menubutton(self.left, text="Source")
        self.source_menu = tk.Menu(self.source_button, tearoff=False)
        self.source_button.configure(menu=self.source_menu)
        self.source_button.pack(side="left", padx=(8, 12))
        self._cameras: Sequence[int] | None = None  # None: not probed yet
        self._current = ""
        self._recent: Sequence[str] = ()
        self.source_choice = tk.StringVar(value="")
        self._fill_source_menu()

        ttk.Label(self.left, text="Mood:").pack(side="left")
        self.mood_choice = tk.StringVar(value=AUTO_MOOD)
        self.mood_box = ttk.Combobox(
            self.left, textvariable=self.mood_choice, values=(AUTO_MOOD, *EMOTIONS), state="readonly", width=13
        )
        self.mood_box.pack(side="left", padx=(4, 6))
        self.mood_box.bind("<<ComboboxSelected>>", self._on_mood_choice)
        self.locked = tk.BooleanVar(value=False)
        self.lock_button = ttk.Checkbutton(
            self.left, text="Lock mood", variable=self.locked, command=lambda: actions.set_locked(self.locked.get())
        )
        self.lock_button.pack(side="left", padx=(0, 12))
        self.strategy = tk.StringVar(value=strategy)
        for text, value in (("Match", "match"), ("Lift", "lift")):
            ttk.Radiobutton(
                self.left,
                text=text,
                value=value,
                variable=self.strategy,
                command=lambda v=value: actions.set_strategy(v),  # type: ignore[misc]
            ).pack(side="left", padx=(0, 4))

        self.more_button = ttk.Button(self.right, text="More songs", command=actions.more_songs)
        self.journal_button = ttk.Button(self.right, text="Journal", command=actions.open_journal)
        self.settings_button = ttk.Button(self.right, text="Settings", command=actions.open_settings)
        self.help_button = ttk.Button(self.right, text="Help", command=actions.open_help)
        for i, button in enumerate((self.more_button, self.journal_button, self.settings_button, self.help_button)):
            button.pack(side="left", padx=(0 if i == 0 else 6, 0))

        for widget in (*self.left.winfo_children(), *self.right.winfo_children()):
            if widget is not self.mood_box and not isinstance(widget, ttk.Label):
                widget.bind("<ButtonRelease-1>", lambda _e: self.after_idle(actions.focus_home), add="+")
        self.bind("<Configure>", lambda _e: self._lay_out())

    def _lay_out(self) -> None:
        """Both groups on one row when they fit, else the right group on a second row."""
        needed = self.left.winfo_reqwidth() + self.right.winfo_reqwidth() + 24
        wrap = self.winfo_width() < needed
        if wrap != self.wrapped:
            self.wrapped = wrap
            if wrap:
                self.right.grid(row=1, column=0, columnspan=2, sticky="e", pady=(6, 0))
            else:
                self.right.grid(row=0, column=1, columnspan=1, sticky="e", pady=0)

    def _on_mood_choice(self, _event: object) -> None:
        value = self.mood_choice.get()
        self.mood_box.selection_clear()  # no leftover text highlight in the read-only box
        self.actions.choose_mood(None if value == AUTO_MOOD else value)
        self.after_idle(self.actions.focus_home)

    def show_paused(self, paused: bool) -> None:
        self.pause_button.configure(text="Resume" if paused else "Pause")

    def show_lock(self, locked: bool, mood: str | None) -> None:
        self.locked.set(locked)
        self.mood_choice.set(mood if locked and mood else AUTO_MOOD)

    def show_sources(self, current: str, cameras: Sequence[int] | None, recent: Sequence[str]) -> None:
        """What the source menu offers: the cameras found (None: still looking), the source
        playing (marked), and recent files."""
        self._current, self._cameras, self._recent = current, cameras, recent
        self._fill_source_menu()

    def _fill_source_menu(self) -> None:
        menu, actions = self.source_menu, self.actions
        menu.delete(0, "end")
        self.source_choice.set(self._current)
        if self._cameras is None:
            menu.add_command(label="Looking for cameras…", state="disabled")
        elif not self._cameras:
            menu.add_command(label="No camera found", state="disabled")
        for index in self._cameras or ():
            menu.add_radiobutton(
                label=f"Camera {index}",
                value=str(index),
                variable=self.source_choice,
                command=lambda i=index: actions.use_camera(i),  # type: ignore[misc]
            )
        menu.add_command(label="Choose camera…", command=actions.choose_camera)
        menu.add_separator()
        menu.add_command(
            label="Open video file…", accelerator=shortcut_name(self.platform, "o"), command=actions.open_file
        )
        if self._recent:
            menu.add_separator()
            for path in self._recent:
                menu.add_radiobutton(
                    label=Path(path).name,
                    value=path,
                    variable=self.source_choice,
                    command=lambda p=path: actions.open_path(p),  # type: ignore[misc]
                )
