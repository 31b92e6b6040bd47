"""The song list's title and artist columns: they share the list's width (the number and mood
columns keep theirs), and a title or artist too long for its column ends in "…", measured in
the font the theme draws the rows in; the whole of it shows on hover (``tooltip_text``).
``MarkColumn`` is the narrow column at the left where a row can show a mark (song feedback's).
"""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk

from emotune.gui.elide import elide, style_font
from emotune.gui.theme import ui_scale

CELL_PADDING = 12  # the room a cell keeps around its text


class SongColumns:
    def __init__(self, tree: ttk.Treeview) -> None:
        self.tree = tree
        self.full: dict[str, tuple[str, str]] = {}  # row -> the whole title and artist
        self.marker_words: dict[str, str] = {}  # marker row -> what it says whole
        self.font = style_font(tree, "Treeview")  # what the rows are drawn in
        family, size = self.font.cget("family"), int(self.font.cget("size"))
        self.marker_font = tkfont.Font(tree, family=family, size=size, weight="bold")

    def fit(self) -> None:
        """Share the list's width between title and artist: nothing is cut at the right edge in a
        narrow window."""
        fixed = sum(int(self.tree.column(column, "width")) for column in ("#0", "n", "mood"))
        room = self.tree.winfo_width() - fixed - 4
        if room > 60:
            title = int(room * 0.58)
            self.tree.column("title", width=title)
            self.tree.column("artist", width=room - title)
        self.elide_all()

    def elided(self, row: str) -> tuple[str, str]:
        title, artist = self.full[row]
        return elide(title, self._width("title"), self.font), elide(artist, self._width("artist"), self.font)

    def elided_marker(self, marker: str) -> str:
        return elide(self.marker_words[marker], self._width("title"), self.marker_font)

    def _width(self, column: str) -> int:
        return int(self.tree.column(column, "width")) - CELL_PADDING

    def elide_all(self) -> None:
        for row in self.tree.get_children():
            if row in self.full:
                title, artist = self.elided(row)
                self.tree.set(row, "title", title)
                self.tree.set(row, "artist", artist)
            elif row in self.marker_words:
                self.tree.set(row, "title", self.elided_marker(row))

    def tooltip_text(self, event: tk.Event[tk.Misc]) -> str | None:
        row = self.tree.identify_row(event.y)
        if row not in self.full:
            return None
        title, artist = self.full[row]
        shown = (self.tree.set(row, "title"), self.tree.set(row, "artist"))
        return f"{title} — {artist}" if shown != (title, artist) else None


class MarkColumn:
    """A narrow column at the left of the song list (shown once asked, ``show``) where each row
    can show a mark, and one tag per row that colours it (``style``)."""

    def __init__(self, tree: ttk.Treeview) -> None:
        self.tree = tree
        self._tags: set[str] = set()

    def show(self, width: int) -> None:
        """Show the column, ``width`` pixels at 96 dpi."""
        self.tree.configure(show=("tree", "headings"))
        self.tree.heading("#0", text="")
        width = int(width * ui_scale(self.tree))
        self.tree.column("#0", width=width, minwidth=width, stretch=False, anchor="center")

    def style(self, tag: str, colour: str) -> None:
        """Rows marked with ``tag`` are drawn in ``colour``."""
        self._tags.add(tag)
        self.tree.tag_configure(tag, foreground=colour)

    def mark(self, index: int, text: str, tag: str | None) -> None:
        """Row ``index`` shows ``text``, its mark tag now ``tag`` (None: none); a row not drawn is left."""
        row = str(index)
        if self.tree.exists(row):
            kept = [t for t in self.tree.item(row, "tags") or () if str(t) not in self._tags]
            self.tree.item(row, text=text, tags=[*kept, tag] if tag else kept)

    def of(self, row: str) -> str:
        """The mark ``row`` shows."""
        return str(self.tree.item(row, "text"))
