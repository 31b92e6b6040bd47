"""The Journal window: the mood history kept on this computer, for today, this week, everything
or any range of days.

It shows a timeline of the music moods (one row per day, colour bands as in the mood panel's
strip, hours across, zoomed to the hours that have moods), the time spent in each mood (bars),
and the songs opened per mood. "Export CSV…" and "Export PNG…" write files where the user says;
"Forget today…" and "Forget everything…" erase history after a confirmation (song feedback
stays). Turning the journal off is in Settings. While open, the window reads the journal again
every ``FOLLOW_MS`` (the mood playing now goes on), and at once after a Forget; a date in the
range fields that cannot be read is named under them, in the error colour, and its field marked.

Reading, exporting and forgetting block on SQLite, so the window only asks the controller's
``JournalLink``, which runs them off the Tk thread; the answers come back through the app's
drain loop. Layout of the timeline: ``emotune.controller.journal_report``.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable
from datetime import date
from pathlib import Path
from tkinter import filedialog, messagebox, ttk
from tkinter import font as tkfont
from typing import Literal

import platformdirs

from emotune.colours import mood_colour
from emotune.controller.journal_link import ExportKind, JournalLink
from emotune.controller.journal_report import JournalReport, day_rows, parse_range, time_axis
from emotune.gui.helped_view import HelpedWindow
from emotune.gui.journal_songs import OpenedSongs
from emotune.gui.reopen import raise_open
from emotune.gui.teach_dialog import WARNING_COLOUR
from emotune.gui.theme import Palette
from emotune.journal.words import Period, duration_words, period_bounds

Choice = Literal["today", "week", "all", "range"]
EMPTY_ROW = "#e4e7eb"
GRID = "#b8bec6"
PERIODS: tuple[tuple[str, Choice], ...] = (("Today", "today"), ("This week", "week"), ("All", "all"))
# While open, the window reads the journal again this often: the mood playing now goes on growing.
FOLLOW_MS = 3000


def export_folder(last: Path | None) -> Path:
    """Where the export dialog opens: the folder of the last export, else the user's Documents
    folder, else their home (never the folder the app happened to be started from)."""
    if last is not None and last.is_dir():
        return last
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()


class JournalWindow(tk.Toplevel):
    def __init__(
        self, master: tk.Misc, link: JournalLink, palette: Palette, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(master)
        self.title("Emotune mood journal")
        self.link = link
        self.palette = palette
        self.clock = clock
        self.report: JournalReport | None = None
        self.closed = False
        self._asked = 0  # the newest read; older answers are dropped
        self._then = ""  # a note to keep above the next summary (what was just forgotten)
        # Replaced by tests; asks the user before history is erased.
        self.ask: Callable[[str, str], bool] = lambda title, text: messagebox.askyesno(title, text, parent=self)
        self._font = tkfont.nametofont(palette.body_font, self)
        self._line = self._font.metrics("linespace")

        body = ttk.Frame(self, padding=12)
        body.pack(fill="both", expand=True)
        body.columnconfigure(0, weight=3)
        body.columnconfigure(1, weight=2)
        body.rowconfigure(2, weight=1)

        bar = ttk.Frame(body)
        bar.grid(row=0, column=0, columnspan=2, sticky="ew")
        self.period = tk.StringVar(value="today")
        radios = [
            ttk.Radiobutton(bar, text=text, value=value, variable=self.period, command=self.refresh)
            for text, value in PERIODS
        ]
        for radio in radios:
            radio.pack(side="left", padx=(0, 8))
        self.bar_first = radios[0]
        ttk.Label(bar, text="From").pack(side="left", padx=(12, 4))
        self.since_text = tk.StringVar()
        self.since_entry = ttk.Entry(bar, textvariable=self.since_text, width=11)
        self.since_entry.pack(side="left")
        ttk.Label(bar, text="to").pack(side="left", padx=4)
        self.until_text = tk.StringVar()
        self.until_entry = ttk.Entry(bar, textvariable=self.until_text, width=11)
        self.until_entry.pack(side="left")
        self.show_button = ttk.Button(bar, text="Show", command=self.show_range)
        self.show_button.pack(side="left", padx=(6, 0))
        for entry in (self.since_entry, self.until_entry):
            entry.bind("<Return>", lambda _e: self.show_range())
        # Under the fields, in the error colour, while a date in them cannot be read.
        self.range_error = ttk.Label(bar, text="", foreground=WARNING_COLOUR)

        ttk.Label(body, text="Music moods", style="Heading.TLabel").grid(row=1, column=0, sticky="w", pady=(10, 4))
        frame = ttk.Frame(body)
        frame.grid(row=2, column=0, columnspan=2, sticky="nsew")
        frame.columnconfigure(0, weight=1)
        frame.rowconfigure(0, weight=1)
        self.timeline = tk.Canvas(frame, height=180, highlightthickness=0, background=palette.background)
        self.timeline.grid(row=0, column=0, sticky="nsew")
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.timeline.yview)
        scroll.grid(row=0, column=1, sticky="ns")
        self.timeline.configure(yscrollcommand=scroll.set)
        self.timeline.bind("<Configure>", lambda _e: self.draw())

        ttk.Label(body, text="Time per mood", style="Heading.TLabel").grid(row=3, column=0, sticky="w", pady=(10, 4))
        ttk.Label(body, text="Songs opened, per mood", style="Heading.TLabel").grid(
            row=3, column=1, sticky="w", padx=(12, 0), pady=(10, 4)
        )
        self.totals = tk.Canvas(body, height=7 * (self._line + 6), highlightthickness=0, background=palette.background)
        self.totals.grid(row=4, column=0, sticky="nsew")
        self.totals.bind("<Configure>", lambda _e: self.draw_totals())
        self.opened_songs = OpenedSongs(body)
        self.songs = self.opened_songs.tree
        self.songs.grid(row=4, column=1, sticky="nsew", padx=(12, 0))

        actions = ttk.Frame(body)
        actions.grid(row=5, column=0, columnspan=2, sticky="ew", pady=(12, 0))
        ttk.Button(actions, text="Export CSV…", command=lambda: self.export("csv")).pack(side="left")
        ttk.Button(actions, text="Export PNG…", command=lambda: self.export("png")).pack(side="left", padx=(6, 0))
        self.helped: HelpedWindow | None = None  # "Did the music help?" (emotune.gui.helped_view)
        self.helped_button = ttk.Button(actions, text="Did the music help?…", command=self.open_helped)
        self.helped_button.pack(side="left", padx=(6, 0))
        ttk.Button(actions, text="Close", command=self.destroy).pack(side="right")
        ttk.Button(actions, text="Forget everything…", command=lambda: self.forget_history("all")).pack(
            side="right", padx=(0, 6)
        )
        ttk.Button(actions, text="Forget today…", command=lambda: self.forget_history("today")).pack(
            side="right", padx=(0, 6)
        )
        self.status = ttk.Label(body, text="", style="Muted.TLabel", wraplength=640)
        self.status.grid(row=6, column=0, columnspan=2, sticky="w", pady=(8, 0))
        ttk.Label(
            body,
            text=f"Kept only on this computer, in {link.path}. Turn it off in Settings.",
            style="Muted.TLabel",
            wraplength=640,
        ).grid(row=7, column=0, columnspan=2, sticky="w")

        self.bind("<Escape>", lambda _e: self.destroy())
        self.geometry("860x600")
        self._summary = ""  # the status line a read wrote (a later note replaces it until the next)
        self._follow_id: str | None = None
        self.refresh()
        self._follow_id = self.after(FOLLOW_MS, self._follow)

    @classmethod
    def open(cls, current: JournalWindow | None, master: tk.Misc, link: JournalLink, palette: Palette) -> JournalWindow:
        """The window, raised and re-read if it is open already, else a new one."""
        shown = raise_open(current)
        return shown if shown is not None else cls(master, link, palette)

    def open_helped(self) -> None:
        self.helped = HelpedWindow.open(self.helped, self, self.link, self.palette)

    def destroy(self) -> None:
        self.closed = True  # answers still on their way find nothing to update
        if self._follow_id is not None:
            self.after_cancel(self._follow_id)
            self._follow_id = None
        super().destroy()

    def _follow(self) -> None:
        """Read again quietly: the drawing follows the journal while the window is open."""
        self._follow_id = self.after(FOLLOW_MS, self._follow)
        if self.status.cget("text") != "Reading the journal…":
            self.refresh(quiet=True)

    # -- reading -------------------------------------------------------------------------------

    def _range(self) -> tuple[float | None, float | None]:
        choice = self.period.get()
        if choice == "range":
            return parse_range(self.since_text.get(), self.until_text.get())
        period: Period = "week" if choice == "week" else "all" if choice == "all" else "today"
        return period_bounds(period, self.clock())

    def show_range(self) -> None:
        self.period.set("range")
        self.refresh()

    def refresh(self, quiet: bool = False) -> None:
        """Read the chosen range again (off the Tk thread); ``quiet``: no "Reading…" meanwhile."""
        try:
            since, until = self._range()
        except ValueError as exc:
            self._range_problem(str(exc))
            return
        self._range_problem("")
        self._asked += 1
        asked = self._asked
        if not quiet:
            self.status.configure(text="Reading the journal…")
        self.link.read(since, until, lambda report: self._show(asked, report, quiet), self._failed)

    def _range_problem(self, text: str) -> None:
        """Say by the fields why a date cannot be read, and mark the field (nothing: all is well)."""
        self.range_error.configure(text=text)
        if text and not self.range_error.winfo_manager():
            self.range_error.pack(side="bottom", anchor="w", pady=(4, 0), before=self.bar_first)
        elif not text:
            self.range_error.pack_forget()
        for entry, name in ((self.since_entry, "From"), (self.until_entry, "To")):
            entry.state(["invalid"] if text.startswith(name) else ["!invalid"])

    def _show(self, asked: int, report: JournalReport, quiet: bool = False) -> None:
        if self.closed or asked != self._asked:
            return
        self.report = report
        count = len(report.segments)
        summary = (
            f"{count} mood segment{'s' if count != 1 else ''}, {duration_words(report.total_s)} in all"
            if count
            else "No moods recorded in this range"
        )
        if report.skipped:
            summary += f". {report.skipped[:1].upper()}{report.skipped[1:]}"
        summary = f"{self._then}. {summary}" if self._then else summary
        # A quiet read leaves a note (an export's) in place; it replaces only its own summary.
        if not quiet or self.status.cget("text") in (self._summary, ""):
            self.status.configure(text=summary)
        self._summary = summary
        self._then = ""
        self.draw()
        self.draw_totals()
        self.opened_songs.fill(self.report)

    def _failed(self, error: Exception) -> None:
        if not self.closed:
            self.status.configure(text=f"Cannot read the journal: {error}")

    # -- drawing -------------------------------------------------------------------------------

    def draw(self) -> None:
        """The timeline: a row per day, a band per mood segment, the hours that have moods across."""
        canvas = self.timeline
        canvas.delete("all")
        report = self.report
        if report is None:
            return
        rows = day_rows(report.segments, report.since, report.until, self.clock())
        first, last, step = time_axis(rows)
        width = max(canvas.winfo_width(), 300)
        left = self._font.measure("Wed 2026-09-30") + 16
        right = width - 12
        row_height, gap, top = self._line + 6, 6, self._line + 8
        span = last - first
        bottom = top + len(rows) * (row_height + gap)
        ticks = round(span / step)
        for tick in range(ticks + 1):
            at = first + tick * step
            x = left + (right - left) * tick / ticks
            canvas.create_line(x, top - 4, x, bottom - gap, fill=GRID, tags=("grid",))
            label = f"{int(at // 3600):02d}:{int(at % 3600 // 60):02d}"
            anchor: Literal["nw", "n", "ne"] = "nw" if tick == 0 else "ne" if tick == ticks else "n"  # ends inside
            canvas.create_text(
                x, 2, text=label, anchor=anchor, fill=self.palette.foreground, font=self.palette.body_font
            )
        for index, row in enumerate(rows):
            y = top + index * (row_height + gap)
            canvas.create_text(
                4,
                y + row_height / 2,
                text=row.day.strftime("%a %Y-%m-%d"),
                anchor="w",
                fill=self.palette.foreground,
                font=self.palette.body_font,
            )
            canvas.create_rectangle(left, y, right, y + row_height, fill=EMPTY_ROW, outline="", tags=("day",))
            origin = row.start + first
            for band in row.bands:
                x0 = left + (right - left) * (band.start - origin) / span
                x1 = left + (right - left) * (band.end - origin) / span
                canvas.create_rectangle(
                    x0,
                    y,
                    max(x1, x0 + 2),  # a short mood still shows
                    y + row_height,
                    fill=mood_colour(band.mood),
                    outline="",
                    tags=("band", f"mood-{band.mood}"),
                )
        canvas.configure(scrollregion=(0, 0, width, bottom))

    def draw_totals(self) -> None:
        """Time per mood as bars, the longest across the canvas."""
        canvas = self.totals
        canvas.delete("all")
        report = self.report
        if report is None or not report.time_per_mood:
            return
        width = max(canvas.winfo_width(), 240)
        left = max(self._font.measure(mood) for mood in report.time_per_mood) + 12
        room = self._font.measure("10 h 00 min (100%)") + 8
        longest = max(report.time_per_mood.values())
        total = report.total_s
        row = self._line + 6
        for index, (mood, seconds) in enumerate(report.time_per_mood.items()):
            y = 2 + index * row
            length = (width - left - room) * seconds / longest if longest > 0 else 0
            canvas.create_text(
                0, y + row / 2, text=mood, anchor="w", fill=self.palette.foreground, font=self.palette.body_font
            )
            canvas.create_rectangle(
                left, y + 3, left + max(2, length), y + row - 3, fill=mood_colour(mood), outline="", tags=("total",)
            )
            share = f"{seconds / total:.0%}" if total > 0 else ""
            canvas.create_text(
                left + max(2, length) + 6,
                y + row / 2,
                text=f"{duration_words(seconds)} ({share})",
                anchor="w",
                fill=self.palette.foreground,
                font=self.palette.body_font,
            )
        canvas.configure(height=max(row * len(report.time_per_mood) + 4, row))

    # -- export and forget ---------------------------------------------------------------------

    last_export_folder: Path | None = None  # where the last export went, in this run of the app

    def export(self, kind: ExportKind, target: Path | None = None) -> None:
        """Write the range shown as CSV or PNG; without ``target`` a file dialog asks where."""
        if self.report is None:
            return
        if target is None:
            chosen = filedialog.asksaveasfilename(
                parent=self,
                title="Export the mood journal",
                defaultextension=f".{kind}",
                initialfile=f"emotune-journal-{date.today().isoformat()}.{kind}",
                initialdir=str(export_folder(JournalWindow.last_export_folder)),
                filetypes=[("CSV table", "*.csv")] if kind == "csv" else [("PNG picture", "*.png")],
            )
            if not chosen:
                return
            target = Path(chosen)
            JournalWindow.last_export_folder = target.parent
        self.status.configure(text=f"Writing {target}…")
        self.link.export(kind, target, self.report.since, self.report.until, self._note, self._failed_export)

    def _failed_export(self, error: Exception) -> None:
        self._note(f"Not exported: {error}")

    def _note(self, text: str) -> None:
        if not self.closed:
            self.status.configure(text=text)

    def forget_history(self, scope: Literal["today", "all"]) -> None:
        """Erase today's or all mood and song history, after asking."""
        what = "today's mood and song history" if scope == "today" else "your whole mood and song history"
        if not self.ask("Forget history", f"Erase {what} from this computer? Song likes and dislikes stay."):
            return
        since, until = period_bounds(scope, self.clock())
        self.status.configure(text="Forgetting…")
        self.link.forget(since, until, self._forgotten)

    def _forgotten(self, text: str) -> None:
        if not self.closed:
            self._then = text
            self.refresh()
