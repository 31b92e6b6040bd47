"""The mood panel, two timescales side by side: the music mood as the headline ("Music for:
happy", colour, emoji, and whether it comes from the face or the user), then the face reading
("Your face now: fear") with live bars for the seven scores, and a strip of the recent music moods.

Drawing only: the panel is told what to show by the app and keeps no mood logic. Canvas items
are made once and moved/recoloured on updates (no new widgets per frame).
"""

from __future__ import annotations

import time
import tkinter as tk
from collections import deque
from collections.abc import Callable, Sequence
from tkinter import font as tkfont
from tkinter import ttk

from emotune.colours import mood_colour
from emotune.gui.glyphs import mood_emoji
from emotune.gui.theme import Palette, ui_scale
from emotune.labels import EMOTIONS
from emotune.platforms import Platform

TIMELINE_S = 60.0


class MoodPanel(ttk.Frame):
    def __init__(
        self,
        master: tk.Misc,
        palette: Palette,
        clock: Callable[[], float] = time.monotonic,
        platform: Platform = "linux",
    ) -> None:
        super().__init__(master, padding=(12, 8))
        self._platform = platform  # which fonts draw the emoji (``emotune.gui.glyphs``)
        self._palette = palette
        self._clock = clock
        self.mood: str | None = None
        header = ttk.Frame(self)
        header.pack(fill="x")
        self.emoji = ttk.Label(header, text="", style="Mood.TLabel")
        self.emoji.pack(side="left", padx=(0, 8))
        self.word = ttk.Label(header, text="Looking for a face…", style="Mood.TLabel")
        self.word.pack(side="left")
        self.detail = ttk.Label(self, text="", style="Muted.TLabel")
        self.detail.pack(fill="x", pady=(0, 6))
        self.reading = ttk.Label(self, text="Your face now: –")
        self.reading.pack(fill="x", pady=(0, 2))

        # Canvas sizes follow the font, so the panel stays readable at 100-200 % scaling.
        text_font = tkfont.nametofont(palette.body_font, self)
        # The gaps around them are 96-dpi pixels: scaled too, or the bars thin out at 150-200 %.
        scale = ui_scale(self)
        self._row = text_font.metrics("linespace") + round(6 * scale)
        self._compact_row = text_font.metrics("linespace") + 1
        self._insets = (round(5 * scale), round(3 * scale))  # above and below a bar: full, compact
        self.label_width = max(text_font.measure(label) for label in EMOTIONS) + round(12 * scale)
        self.value_width = text_font.measure("100%") + round(8 * scale)
        self.timeline_height = self._row - 4
        self.bars = tk.Canvas(self, highlightthickness=0, background=palette.background)
        self.bars.pack(fill="x")
        self._bar_items: list[tuple[int, int, int, int]] = []
        self._rows: list[tuple[float, float]] = []  # top and bottom of each bar
        self._laid_out: tuple[int, Palette, int] | None = None  # the width, colours and pitch the tracks have
        left = self.label_width
        for label in EMOTIONS:
            name = self.bars.create_text(0, 0, text=label, anchor="w", fill=palette.foreground, font=palette.body_font)
            track = self.bars.create_rectangle(left, 0, left, 0, outline="")
            bar = self.bars.create_rectangle(left, 0, left, 0, fill=mood_colour(label), outline="")
            value = self.bars.create_text(left, 0, text="", anchor="e", fill=palette.foreground, font=palette.body_font)
            self._bar_items.append((name, track, bar, value))
        self.compact = False
        self._place_rows(self._row)
        self.scores: tuple[float, ...] = (0.0,) * len(EMOTIONS)
        self.live = True  # False: the picture stopped (paused, ended): the bars are greyed
        self._why_still = ""
        self._reading: str | None = None
        self.bars.bind("<Configure>", lambda _e: self.set_scores(self.scores))

        self.timeline_label = ttk.Label(self, text="Recent music moods", style="Muted.TLabel")
        self.timeline_label.pack(fill="x", pady=(8, 2))
        self.timeline = tk.Canvas(
            self, height=self.timeline_height, highlightthickness=0, background=palette.background
        )
        self.timeline.pack(fill="x")
        self.history: deque[tuple[float, str]] = deque(maxlen=64)

    def _place_rows(self, row: int) -> None:
        self._rows = []
        for i, (name, _track, _bar, value) in enumerate(self._bar_items):
            y = 2 + i * row
            self.bars.coords(name, 0, y + row / 2)
            self.bars.coords(value, self.label_width, y + row / 2)
            inset = self._insets[0] if row == self._row else self._insets[1]
            self._rows.append((y + inset, y + row - inset))
        self.bars.configure(height=row * len(EMOTIONS) + 4)

    def set_compact(self, compact: bool) -> None:
        """Compact: thinner bars and no timeline, so a small window still has room for songs."""
        if compact == self.compact:
            return
        self.compact = compact
        self._place_rows(self._compact_row if compact else self._row)
        if compact:
            self.timeline_label.pack_forget()
            self.timeline.pack_forget()
        else:
            self.timeline_label.pack(fill="x", pady=(8, 2))
            self.timeline.pack(fill="x")
        self._laid_out = None
        self.set_scores(self.scores)

    def fit(self, height: int, songs_height: int) -> None:
        """Fit in ``height`` pixels above a song list that needs ``songs_height``: songs come
        first, so below that the panel gives back its timeline and thick bars."""
        full = self.winfo_reqheight() + (self.saved_by_compact() if self.compact else 0)
        self.set_compact(height < full + songs_height)

    def saved_by_compact(self) -> int:
        """How many pixels of height the compact layout gives back."""
        rows = (self._row - self._compact_row) * len(EMOTIONS)
        return rows + self.timeline_label.winfo_reqheight() + 10 + self.timeline_height

    def set_mood(self, mood: str | None, detail: str) -> None:
        if mood != self.mood and mood is not None:
            self.history.append((self._clock(), mood))
        self.mood = mood
        self.emoji.configure(text=mood_emoji(mood, self._platform))
        self.word.configure(text=f"Music for: {mood}" if mood else "No mood yet", foreground=mood_colour(mood))
        self.detail.configure(text=detail)
        self.draw_timeline()

    def set_detail(self, detail: str) -> None:
        if self.detail.cget("text") != detail:
            self.detail.configure(text=detail)

    def set_reading(self, reading: str | None) -> None:
        self._reading = reading
        text = f"Your face now: {reading}" if reading else "Your face now: no face in view"
        if not self.live:
            text = f"Your face, last read: {reading or '–'} ({self._why_still})"
        if self.reading.cget("text") != text:
            self.reading.configure(text=text)

    def set_live(self, live: bool, why: str = "") -> None:
        """Whether the bars are live; still (``why``: "paused", "the video ended"...), they are
        greyed and the line says it is the last reading, not the face now."""
        self.live, self._why_still = live, why
        self._laid_out = None
        self.set_scores(self.scores)
        self.set_reading(self._reading)

    def set_scores(self, scores: Sequence[float]) -> None:
        self.scores = tuple(scores) if len(scores) == len(EMOTIONS) else (0.0,) * len(EMOTIONS)
        left = self.label_width
        width = max(self.bars.winfo_width(), left + self.value_width + 100)
        right = width - self.value_width  # room for the percentage
        span = right - left
        # Ten readings a second: only the bars and numbers change; the tracks move with the width.
        relayout = (width, self._palette, len(self._rows)) != self._laid_out or self._laid_out is None
        self._laid_out = (width, self._palette, len(self._rows))
        for (name, track, bar, value), score, (y0, y1), label in zip(
            self._bar_items, self.scores, self._rows, EMOTIONS, strict=True
        ):
            if relayout:
                self.bars.coords(track, left, y0, right, y1)
                self.bars.itemconfigure(track, fill=self._palette.bar_track)
                self.bars.coords(value, width - 2, (y0 + y1) / 2)
                self.bars.coords(name, 0, (y0 + y1) / 2)
            self.bars.coords(bar, left, y0, left + span * max(0.0, min(1.0, score)), y1)
            self.bars.itemconfigure(bar, fill=mood_colour(label) if self.live else self._palette.muted)
            self.bars.itemconfigure(value, text=f"{score:.0%}")

    def draw_timeline(self) -> None:
        """Coloured segments for the last minute of moods, newest on the right."""
        canvas = self.timeline
        canvas.delete("all")
        width = max(canvas.winfo_width(), 100)
        now = self._clock()
        entries = list(self.history)
        for i, (start, mood) in enumerate(entries):
            end = entries[i + 1][0] if i + 1 < len(entries) else now
            if end < now - TIMELINE_S:
                continue
            x0 = width * (1 - (now - max(start, now - TIMELINE_S)) / TIMELINE_S)
            x1 = width * (1 - (now - end) / TIMELINE_S)
            height = self.timeline_height
            canvas.create_rectangle(x0, 0, max(x1, x0 + 2), height, fill=mood_colour(mood), outline="")
            if x1 - x0 > 60:
                canvas.create_text((x0 + x1) / 2, height / 2, text=mood, fill="white", font=self._palette.body_font)

    def set_palette(self, palette: Palette) -> None:
        """Recolour the canvases after a theme switch (ttk widgets follow the theme by themselves)."""
        self._palette = palette
        for canvas in (self.bars, self.timeline):
            canvas.configure(background=palette.background)
        for name, _track, _bar, value in self._bar_items:
            self.bars.itemconfigure(name, fill=palette.foreground)
            self.bars.itemconfigure(value, fill=palette.foreground)
        self.set_scores(self.scores)
