"""The playlist panel: a ``ttk.Treeview`` of tracks (number, title, artist, and the mood each
song was chosen for). When the music mood changes, the new songs are appended: the rows the user
is looking at, the selection and the scroll position never move under their hand.

Long titles and artists end in an ellipsis that fits the column, and the whole title shows on
hover; the scrollbar shows only when the rows do not fit; a border shows when the list has the
keyboard focus. Double click or Enter asks the app to open the track in Spotify; a context menu (right click or
the Menu key) offers "Open in Spotify", "Open in browser" and "Copy link". The tree takes focus
with Tab, and the arrow keys move the selection. Opening itself is the app's business (it
blocks, so it runs off the Tk thread there); this panel only reports which track and how.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import font as tkfont
from tkinter import ttk
from typing import Literal

from emotune.gui.theme import ui_scale
from emotune.gui.tooltip import Tooltip
from emotune.music.tracks import Track

How = Literal["default", "browser", "copy"]
COLUMNS = ("n", "title", "artist", "mood")


class PlaylistPanel(ttk.Frame):
    def __init__(
        self,
        master: tk.Misc,
        on_activate: Callable[[Track, How], None],
        on_play: Callable[[int], None],
        on_save: Callable[[], None],
    ) -> None:
        super().__init__(master, padding=(12, 4))
        self._on_activate = on_activate
        self.tracks: tuple[Track, ...] = ()
        self.heading = ttk.Label(self, text="Songs", style="Heading.TLabel")
        self.heading.grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 4))
        self.tree = ttk.Treeview(self, columns=COLUMNS, show="headings", selectmode="browse", height=10)
        scale = ui_scale(self)  # column widths are pixels: grow them with the fonts at 150-200 %
        for column, text, width, stretch in (
            ("n", "#", 36, False),
            ("title", "Title", 220, True),
            ("artist", "Artist", 160, True),
            ("mood", "For", 70, False),
        ):
            self.tree.heading(column, text=text, anchor="w")
            self.tree.column(column, width=int(width * scale), minwidth=int(30 * scale), stretch=stretch, anchor="w")
        self.scroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=self._on_scrolled, takefocus=True)
        # A ring around the list while it has the keyboard focus (the tree itself shows none).
        self.ring = tk.Frame(self, highlightthickness=2, borderwidth=0)
        self.ring.grid(row=1, column=0, sticky="nsew")
        self.tree.grid(in_=self.ring, row=0, column=0, sticky="nsew")
        self.ring.columnconfigure(0, weight=1)
        self.ring.rowconfigure(0, weight=1)
        self.scroll.grid(row=1, column=1, sticky="ns")
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self._full: dict[str, tuple[str, str]] = {}  # row -> the whole title and artist
        self._font = tkfont.nametofont("TkDefaultFont", self)
        self.tooltip = Tooltip(self.tree, self._tooltip_text)
        self.tree.bind("<Configure>", lambda _e: self.after_idle(self._elide_all), add="+")
        self.tree.bind("<ButtonRelease-1>", lambda _e: self.after_idle(self._elide_all), add="+")  # column drags
        self.tree.bind("<FocusOut>", lambda _e: self._show_focus(False), add="+")
        self.set_focus_colour("#3a78c2")

        # Spotify playback (signed in): play the list from the selected row, save it, what plays.
        player = ttk.Frame(self)
        player.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(6, 0))
        self.play_button = ttk.Button(player, text="Play on Spotify", command=lambda: on_play(self.selected_index()))
        self.play_button.pack(side="left")
        self.save_button = ttk.Button(player, text="Save as playlist", command=on_save)
        self.save_button.pack(side="left", padx=(6, 0))
        self.now_playing = ttk.Label(self, text="", style="Muted.TLabel")
        self.now_playing.grid(row=3, column=0, columnspan=2, sticky="w", pady=(4, 0))

        self.menu = tk.Menu(self, tearoff=False)
        self.menu.add_command(label="Open in Spotify", command=lambda: self._activate_selected("default"))
        self.menu.add_command(label="Open in browser", command=lambda: self._activate_selected("browser"))
        self.menu.add_command(label="Copy link", command=lambda: self._activate_selected("copy"))

        self.tree.bind("<Double-Button-1>", self._on_double_click)
        self.tree.bind("<Return>", lambda _e: self._activate_selected("default"))
        self.tree.bind("<KP_Enter>", lambda _e: self._activate_selected("default"))
        self.tree.bind("<Button-3>", self._on_context)
        self.tree.bind("<Menu>", self._on_context_key)
        self.tree.bind("<FocusIn>", self._on_focus, add="+")

    def set_heading(self, heading: str) -> None:
        self.heading.configure(text=heading)

    def set_tracks(self, tracks: Sequence[Track], mood: str, heading: str) -> None:
        """A new list (the user asked for it): the first row is selected."""
        self.tracks = ()
        self.tree.delete(*self.tree.get_children())
        self.append_tracks(tracks, mood, heading)
        if self.tracks:
            self.tree.selection_set("0")
            self.tree.focus("0")
            self.tree.see("0")

    def append_tracks(self, tracks: Sequence[Track], mood: str, heading: str) -> None:
        """More rows at the end; the selection, the focus and the scroll position stay."""
        self.heading.configure(text=heading)
        start = len(self.tracks)
        self.tracks += tuple(tracks)
        for i, track in enumerate(tracks, start):
            self._full[str(i)] = (track.name, ", ".join(track.artists))
            self.tree.insert("", "end", iid=str(i), values=(i + 1, *self._elided(str(i)), mood))

    def drop_rows(self, rows: Sequence[int]) -> None:
        """Remove rows (the list's cap, ``emotune.controller.playlist_cap``); the others keep their
        order, their mood and the selection. Rows are renumbered from 1."""
        gone = set(rows)
        selected = self.selected()
        kept = [(t, str(self.tree.set(str(i), "mood"))) for i, t in enumerate(self.tracks) if i not in gone]
        self.tracks = ()
        self._full.clear()
        self.tree.delete(*self.tree.get_children())
        for track, mood in kept:
            self.append_tracks([track], mood, str(self.heading.cget("text")))
        if selected is not None and selected in self.tracks:
            row = str(self.tracks.index(selected))
            self.tree.selection_set(row)
            self.tree.focus(row)

    def set_focus_colour(self, colour: str) -> None:
        self._focus_colour = colour
        self._show_focus(self.focus_get() is self.tree)

    def _show_focus(self, focused: bool) -> None:
        # Unfocused, the ring takes the theme's background, so it is invisible in light and dark.
        background = str(ttk.Style(self).lookup("TFrame", "background")) or str(self.ring.cget("background"))
        colour = self._focus_colour if focused else background
        self.ring.configure(background=background, highlightbackground=colour, highlightcolor=colour)

    def _on_scrolled(self, first: str | float, last: str | float) -> None:
        # The scrollbar only when there is something to scroll to.
        if float(first) <= 0.0 and float(last) >= 1.0:
            self.scroll.grid_remove()
        else:
            self.scroll.grid()
        self.scroll.set(first, last)

    def _elided(self, row: str) -> tuple[str, str]:
        title, artist = self._full[row]
        return elide(title, self._width("title"), self._font), elide(artist, self._width("artist"), self._font)

    def _width(self, column: str) -> int:
        return int(self.tree.column(column, "width")) - 12  # the cell's padding

    def _elide_all(self) -> None:
        for row in self.tree.get_children():
            if row in self._full:
                title, artist = self._elided(row)
                self.tree.set(row, "title", title)
                self.tree.set(row, "artist", artist)

    def _tooltip_text(self, event: tk.Event[tk.Misc]) -> str | None:
        row = self.tree.identify_row(event.y)
        if row not in self._full:
            return None
        title, artist = self._full[row]
        shown = (self.tree.set(row, "title"), self.tree.set(row, "artist"))
        return f"{title} — {artist}" if shown != (title, artist) else None

    def set_player(self, can_play: bool, now_playing: str) -> None:
        state = "!disabled" if can_play else "disabled"
        self.play_button.state([state])
        self.save_button.state([state])
        self.now_playing.configure(text=now_playing)

    def selected_index(self) -> int:
        selection = self.tree.selection()
        return int(selection[0]) if selection else 0

    def selected(self) -> Track | None:
        selection = self.tree.selection()
        if not selection:
            return None
        index = int(selection[0])
        return self.tracks[index] if 0 <= index < len(self.tracks) else None

    def _activate_selected(self, how: How) -> str:
        track = self.selected()
        if track is not None:
            self._on_activate(track, how)
        return "break"

    def _on_double_click(self, event: tk.Event[ttk.Treeview]) -> str | None:
        row = self.tree.identify_row(event.y)
        if not row:
            return None  # a double click on a heading or empty space opens nothing
        self.tree.selection_set(row)
        return self._activate_selected("default")

    def _on_context(self, event: tk.Event[ttk.Treeview]) -> None:
        row = self.tree.identify_row(event.y)
        if row:
            self.tree.selection_set(row)
            self.tree.focus(row)
            self.menu.tk_popup(event.x_root, event.y_root)

    def _on_context_key(self, _event: tk.Event[ttk.Treeview]) -> None:
        row = self.tree.focus()
        if row:
            bbox = self.tree.bbox(row)
            x, y = (bbox[0], bbox[1]) if bbox else (0, 0)
            self.menu.tk_popup(self.tree.winfo_rootx() + x + 20, self.tree.winfo_rooty() + y + 10)

    def _on_focus(self, _event: tk.Event[ttk.Treeview]) -> None:
        self._show_focus(True)
        # Tabbing in must leave a row focused, or the arrow keys would have nothing to move from.
        if not self.tree.focus() and self.tracks:
            self.tree.focus("0")
            self.tree.selection_set("0")


def elide(text: str, width: int, font: tkfont.Font) -> str:
    """``text`` cut to fit ``width`` pixels, ending in "…" when cut (whole words when it can)."""
    if width <= 0 or font.measure(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.measure(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > low * 0.6:  # end on a word boundary when that costs little
        cut = cut[:space]
    return cut.rstrip(" ,-–—(") + "…"
