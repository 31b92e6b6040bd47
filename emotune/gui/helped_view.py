"""The "Did the music help?" window, opened from the Journal window.

For song lists begun from a low mood, how the face changed 10-15 minutes later, after Lift and
after Match: a table (occasions, how many read brighter, the mean change and its interval, or how
many more occasions are needed) and the answer in plain words with what it cannot know. Reading
blocks on SQLite, so the window asks ``controller.helped_report.read_helped``, which runs it off
the Tk thread; the answer comes back through the app's drain loop.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from emotune.controller.helped_report import COLUMNS, HelpedReport, read_helped
from emotune.controller.journal_link import JournalLink
from emotune.gui.reopen import raise_open
from emotune.gui.theme import Palette

TITLE = "Did the music help?"
EXPLAINED = (
    "Brightness: how happy, minus how sad, angry, afraid and disgusted, your face read, from -1 to +1, "
    "averaged every 30 s. Change: 10-15 minutes after a list began from a low mood, minus the 5 minutes "
    "before. Kept only on this computer; Forget in the Journal erases it."
)


class HelpedWindow(tk.Toplevel):
    def __init__(self, master: tk.Misc, link: JournalLink, palette: Palette) -> None:
        super().__init__(master)
        self.title(f"Emotune: {TITLE}")
        self.link = link
        self.closed = False
        self.report: HelpedReport | None = None
        self._asked = 0

        body = ttk.Frame(self, padding=12)
        body.pack(fill="both", expand=True)
        body.columnconfigure(0, weight=1)
        body.rowconfigure(2, weight=1)  # the words take what room is left; the table keeps its rows
        ttk.Label(body, text="After lists begun from a low mood", style="Heading.TLabel").grid(
            row=0, column=0, sticky="w", pady=(0, 6)
        )
        self.table = ttk.Treeview(body, columns=COLUMNS, show="tree headings", height=10, selectmode="none")
        self.table.heading("#0", text="Lists", anchor="w")
        self.table.column("#0", width=240, stretch=True)
        for name in COLUMNS:
            self.table.heading(name, text=name, anchor="e")
            self.table.column(name, width=120, stretch=False, anchor="e")
        self.table.grid(row=1, column=0, sticky="ew")
        self.words = ttk.Label(body, text="", wraplength=780, justify="left")
        self.words.grid(row=2, column=0, sticky="nw", pady=(10, 0))
        ttk.Label(body, text=EXPLAINED, style="Muted.TLabel", wraplength=780, justify="left").grid(
            row=3, column=0, sticky="w", pady=(10, 0)
        )
        actions = ttk.Frame(body)
        actions.grid(row=4, column=0, sticky="ew", pady=(12, 0))
        ttk.Button(actions, text="Close", command=self.destroy).pack(side="right")
        ttk.Button(actions, text="Read again", command=self.refresh).pack(side="right", padx=(0, 6))
        self.bind("<Escape>", lambda _e: self.destroy())
        self.geometry("820x700")
        self.configure(background=palette.background)
        self.refresh()

    @classmethod
    def open(cls, current: HelpedWindow | None, master: tk.Misc, link: JournalLink, palette: Palette) -> HelpedWindow:
        """The window, raised and re-read if it is open already, else a new one."""
        shown = raise_open(current)
        return shown if shown is not None else cls(master, link, palette)

    def destroy(self) -> None:
        self.closed = True  # an answer still on its way finds nothing to update
        super().destroy()

    def refresh(self) -> None:
        self._asked += 1
        asked = self._asked
        self.words.configure(text="Reading the journal…")
        read_helped(self.link, lambda report: self._show(asked, report), self._failed)

    def _show(self, asked: int, report: HelpedReport) -> None:
        if self.closed or asked != self._asked:
            return
        self.report = report
        self.table.delete(*self.table.get_children())
        for label, cells in report.rows:
            self.table.insert("", "end", text=label, values=cells)
        if report.words:
            self.words.configure(text="\n".join(report.words))
        else:
            self.words.configure(
                text="No song list has begun from a low mood yet. Turn on 'Find out what helps me' in Settings"
                " for a fair comparison of Match and Lift."
            )

    def _failed(self, error: Exception) -> None:
        if not self.closed:
            self.words.configure(text=f"Cannot read the journal: {error}")
