"""Taste on the window: the "Genres" menu, and "More like this" on a song.

- ``GenreMenu``: a menu button in the status bar reading "Genres: any", "Genres: Rock, Pop" or
  "Genres: Pop +2".
  Its menu has "Any genre" and one check item per genre (``moods.GENRES``). Each change goes to
  ``on_change`` with the genres now chosen (the controller keeps them in the settings, so the
  choice outlives a restart, and asks for a new list).
- ``MoreLike``: "More like this" in the song list's context menu, and the key M while the list
  has the focus: ``on_more_like`` gets the selected track.

What a choice does is the controller's business; this module only reports it.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

from emotune.gui.playlist_panel import PlaylistPanel
from emotune.gui.theme import MENU_STYLE, flat_style, visible_marks
from emotune.moods import GENRES
from emotune.music.tracks import Track

LABELS = {"edm": "EDM", "latin": "Latin", "pop": "Pop", "r&b": "R&B", "rap": "Rap", "rock": "Rock"}
MORE_LIKE_LABEL = "More like this"


def describe(genres: Sequence[str]) -> str:
    """The button's text for a choice; short, so that the status bar never widens the window."""
    names = [LABELS.get(g, g) for g in genres]
    if not names:
        return "Genres: any"
    return "Genres: " + (", ".join(names) if len(names) <= 2 else f"{names[0]} +{len(names) - 1}")


class GenreMenu(ttk.Menubutton):
    def __init__(self, master: tk.Misc, chosen: Sequence[str], on_change: Callable[[tuple[str, ...]], None]) -> None:
        flat_style(master)
        super().__init__(master, text=describe(chosen), style=MENU_STYLE)
        self._on_change = on_change
        self.bind("<<ThemeChanged>>", self._theme_changed, add="+")
        self.ticks = {genre: tk.BooleanVar(self, value=genre in chosen) for genre in GENRES}
        self.menu = tk.Menu(self, tearoff=False)
        visible_marks(self.menu)
        # Marked while no genre is ticked, like the genres beside it are when ticked.
        self.any_genre = tk.BooleanVar(self, value=not self.chosen)
        self.menu.add_checkbutton(label="Any genre", variable=self.any_genre, command=lambda: self.choose(()))
        self.menu.add_separator()
        for genre in GENRES:
            self.menu.add_checkbutton(label=LABELS[genre], variable=self.ticks[genre], command=self._changed)
        self.configure(menu=self.menu)

    def _theme_changed(self, _event: object) -> None:
        flat_style(self)  # a layout belongs to one theme: define it in the new one, and use it again
        self.configure(style=MENU_STYLE)

    @property
    def chosen(self) -> tuple[str, ...]:
        return tuple(genre for genre in GENRES if self.ticks[genre].get())

    def choose(self, genres: Sequence[str]) -> None:
        """Tick exactly ``genres`` (empty: any genre), as if the user had."""
        for genre, tick in self.ticks.items():
            tick.set(genre in genres)
        self._changed()

    def _changed(self) -> None:
        self.any_genre.set(not self.chosen)
        self.configure(text=describe(self.chosen))
        self._on_change(self.chosen)


class MoreLike:
    """ "More like this" on the selected song of a ``PlaylistPanel`` (context menu and key M)."""

    def __init__(self, panel: PlaylistPanel, on_more_like: Callable[[Track], None]) -> None:
        self.panel = panel
        self._on_more_like = on_more_like
        panel.add_separator()
        panel.add_command(MORE_LIKE_LABEL, "M", self.for_selected)

    def for_selected(self) -> None:
        track = self.panel.selected()
        if track is not None:
            self._on_more_like(track)
