"""The Journal window's "Songs opened, per mood": a tree of moods (with their genres) and under
each the songs opened for it, each cut to the column with "…" (measured in the font the rows are
drawn in) and whole on hover.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from emotune.controller.journal_report import JournalReport
from emotune.gui.elide import elide, style_font
from emotune.gui.tooltip import Tooltip
from emotune.music.catalog import tally_words


class OpenedSongs:
    def __init__(self, master: tk.Misc) -> None:
        self.tree = tree = ttk.Treeview(master, columns=("count",), show="tree headings", height=7, selectmode="browse")
        tree.heading("#0", text="Song", anchor="w")
        tree.heading("count", text="Opened", anchor="e")
        tree.column("count", width=70, stretch=False, anchor="e")
        self.titles: dict[str, str] = {}  # row -> the whole text, which the row shows cut to fit
        tree.bind("<Configure>", lambda _e: tree.after_idle(self.fit), add="+")
        self.tooltip = Tooltip(tree, self._tooltip)

    def fill(self, report: JournalReport | None) -> None:
        tree = self.tree
        tree.delete(*tree.get_children())
        self.titles.clear()
        if report is None:
            return
        for mood, songs in report.opened.items():
            genres = tally_words(report.opened_genres.get(mood, {}))
            label = f"{mood or 'no mood'} ({genres})" if genres else mood or "no mood"
            parent = tree.insert("", "end", text=label, values=(sum(s.count for s in songs),), open=True)
            for song in songs:
                title = f"{song.name} – {', '.join(song.artists)}" if song.artists else song.name
                self.titles[tree.insert(parent, "end", text=title, values=(song.count,))] = title
        self.fit()

    def fit(self) -> None:
        """Each song's row cut to the column with "…"."""
        tree = self.tree
        if not tree.winfo_exists():
            return
        # The column's width less the indent of a song under its mood and the cell's padding.
        indent = int(float(ttk.Style(tree).lookup("Treeview", "indent") or 20))
        room = int(tree.column("#0", "width")) - 2 * indent - 8
        font = style_font(tree, "Treeview")
        for row, title in self.titles.items():
            if tree.exists(row):
                tree.item(row, text=elide(title, room, font))

    def _tooltip(self, event: tk.Event[tk.Misc]) -> str | None:
        row = self.tree.identify_row(event.y)
        title = self.titles.get(row)
        return title if title and self.tree.item(row, "text") != title else None
