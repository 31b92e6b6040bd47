"""What acts on the selected song of the playlist panel: its context menu and its keys.

``SongMenu`` belongs to a ``PlaylistPanel``. Double click or Enter asks the app to open the song;
right click (Control-click on macOS, ``os_conventions``) or the Menu key opens the menu:
"Open in Spotify", "Open in browser", "Copy link", then what other modules add through
``add_command`` (song feedback, "More like this"), each with the key that does it in the list.
Marker rows name a block of songs and are not songs: nothing opens from them. What a command
does is its owner's business; opening itself is the app's.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import Literal

from emotune.gui.os_conventions import context_clicks
from emotune.music.tracks import Track
from emotune.platforms import Platform

How = Literal["default", "browser", "copy"]


class SongMenu:
    def __init__(
        self,
        tree: ttk.Treeview,
        selected: Callable[[], Track | None],
        on_activate: Callable[[Track, How], None],
        is_song: Callable[[str], bool],
        platform: Platform,
    ) -> None:
        self.tree = tree
        self._selected = selected
        self._on_activate = on_activate
        self._is_song = is_song
        self.menu = tk.Menu(tree, tearoff=False)
        self.menu.add_command(label="Open in Spotify", command=lambda: self._activate_selected("default"))
        self.menu.add_command(label="Open in browser", command=lambda: self._activate_selected("browser"))
        self.menu.add_command(label="Copy link", command=lambda: self._activate_selected("copy"))

        tree.bind("<Double-Button-1>", self._on_double_click)
        tree.bind("<Return>", lambda _e: self._activate_selected("default"))
        tree.bind("<KP_Enter>", lambda _e: self._activate_selected("default"))
        for click in context_clicks(platform):
            tree.bind(click, self._on_context)
        tree.bind("<Menu>", self._on_context_key)

    def add_command(
        self, label: str, key: str, command: Callable[[], None], *, on_key: Callable[[], None] | None = None
    ) -> None:
        """A menu entry for the selected song, and its key (a letter, either case, while the list
        has the focus; "" for none), which does ``on_key`` where that differs (a toggle)."""
        self.menu.add_command(label=label, accelerator=key.upper(), command=command)
        if key:
            pressed = on_key or command

            def on_press(_event: tk.Event[ttk.Treeview]) -> str:
                pressed()
                return "break"

            for name in (key.lower(), key.upper()):
                self.tree.bind(f"<KeyPress-{name}>", on_press, add="+")

    def add_separator(self) -> None:
        self.menu.add_separator()

    def _activate_selected(self, how: How) -> str:
        track = self._selected()
        if track is not None:
            self._on_activate(track, how)
        return "break"

    def _on_double_click(self, event: tk.Event[ttk.Treeview]) -> str | None:
        row = self.tree.identify_row(event.y)
        if not row or not self._is_song(row):
            return None  # a double click on a heading, a marker or empty space opens nothing
        self.tree.selection_set(row)
        return self._activate_selected("default")

    def _on_context(self, event: tk.Event[ttk.Treeview]) -> str:
        row = self.tree.identify_row(event.y)
        if row and self._is_song(row):
            self.tree.selection_set(row)
            self.tree.focus(row)
            self.menu.tk_popup(event.x_root, event.y_root)
        return "break"  # a Control-click (macOS) must not go on to toggle the row's selection

    def _on_context_key(self, _event: tk.Event[ttk.Treeview]) -> None:
        row = self.tree.focus()
        if row:
            bbox = self.tree.bbox(row)
            x, y = (bbox[0], bbox[1]) if bbox else (0, 0)
            self.menu.tk_popup(self.tree.winfo_rootx() + x + 20, self.tree.winfo_rooty() + y + 10)
