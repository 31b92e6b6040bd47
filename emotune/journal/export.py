"""Journal exports the user asks for: the segments as CSV, and a PNG picture of the mood timeline.

The picture has one row per day (local time), a colour band per segment in the mood panel's
colours (``emotune.colours``), and a legend with the time spent in each mood. Across, it shows
the part of the day that has moods, in round steps, as the Journal window does
(``emotune.journal.axis``): a session of minutes fills the width instead of being a one-pixel
line on a midnight-to-midnight axis. Rows are kept at ``COLUMN_S`` seconds a column while the
segments stream past, then drawn at the axis chosen from all of them.

Its size is bounded by pixels, not by days: a range of up to ``MAX_ROWS`` days
gets a row for every day; a longer one (years, or one segment dated 1970 after a clock reset)
shows only the days that have moods, the latest ``MAX_ROWS`` of them, and says so in the title;
the legend always counts the whole range. Each row is kept as one byte per stored column while
the segments stream past, so memory stays flat however many segments there are. Pillow draws
it; matplotlib stays out of the app.

Files are written only where the user said, through ``emotune.safe_file.write_export`` (which refuses
the app's own files and devices, and replaces a file in one step). This module must not import
tkinter, cv2 or onnxruntime.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from emotune.colours import mood_rgb
from emotune.environment import Environment
from emotune.journal.axis import DAY_S, round_axis, tick_label
from emotune.journal.stale_temp import remove_stale_temporaries
from emotune.journal.store import Segment
from emotune.journal.words import duration_words, iso
from emotune.labels import EMOTIONS
from emotune.safe_file import ExportError, write_export

__all__ = ["CSV_COLUMNS", "ExportError", "draw_timeline", "write_csv", "write_png"]

CSV_COLUMNS: tuple[str, ...] = ("start", "end", "duration_s", "mood", "source", *(f"score_{e}" for e in EMOTIONS))

# Picture layout, in pixels.
WIDTH = 1200
LEFT = 120  # room for the date of each row
RIGHT = 16
TOP = 44  # title and hour labels
ROW_HEIGHT = 22
ROW_GAP = 6
LEGEND_PAD = 18
LEGEND_LINE = 22  # one line of the legend; it wraps when the moods do not fit
LEGEND_HEIGHT = LEGEND_PAD + LEGEND_LINE  # with a one-line legend
MAX_ROWS = 366  # day rows at most: 10,300 px tall, about 37 MB as pixels
COLUMN_S = 10.0  # what one stored column of a day row covers (8,640 bytes a day, 3.2 MB at most)
DAY_COLUMNS = int(DAY_S / COLUMN_S)
BACKGROUND = (255, 255, 255)
EMPTY_ROW = (238, 240, 243)
GRID = (200, 204, 210)
TEXT = (28, 28, 28)


def write_csv(segments: Iterable[Segment], path: Path, env: Environment) -> int:
    """Write one row per segment (times ISO-8601, mean scores per label); returns the row count.
    ``env``: whose folders the file must not be in (``emotune.safe_file``)."""
    remove_stale_temporaries(path)  # what an export killed halfway left beside the target
    count = 0

    def write(stream: BinaryIO) -> None:
        nonlocal count
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS)
        for segment in segments:
            scores = ["" if label not in segment.scores else f"{segment.scores[label]:.4f}" for label in EMOTIONS]
            writer.writerow(
                [iso(segment.start), iso(segment.end), f"{segment.duration:.3f}", segment.mood, segment.source, *scores]
            )
            count += 1
        text.flush()
        text.detach()  # the stream is closed by write_export, not by the wrapper

    write_export(path, write, "CSV", env)
    return count


def _midnight(day: date) -> float:
    """Unix time of local midnight starting ``day`` (DST-aware: days may last 23 or 25 hours)."""
    return datetime.combine(day, time()).astimezone().timestamp()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has one bitmap size only
        return ImageFont.load_default()


class _Rows:
    """Day rows as one mood code per pixel column (0: nothing), the latest ``MAX_ROWS`` days with moods."""

    def __init__(self, low: float, high: float) -> None:
        self.plot = DAY_COLUMNS
        self.low, self.high = low, high
        self.earliest: float | None = None  # seconds after midnight where the first band of any day starts
        self.latest: float | None = None  # ... and where the last one ends
        self.rows: dict[date, bytearray] = {}
        self.bounds: dict[date, tuple[float, float]] = {}
        self.codes: dict[str, int] = {}
        self.totals: dict[str, float] = {}
        self.first: float | None = None
        self.last: float | None = None
        self.dropped: date | None = None  # the latest day left out for room

    def _day_bounds(self, day: date) -> tuple[float, float]:
        known = self.bounds.get(day)
        if known is None:
            known = self.bounds[day] = (_midnight(day), _midnight(day + timedelta(days=1)))
        return known

    def add(self, segment: Segment) -> None:
        start, end = max(segment.start, self.low), min(segment.end, self.high)
        if end <= start:
            return
        self.totals[segment.mood] = self.totals.get(segment.mood, 0.0) + (end - start)
        self.first = start if self.first is None else min(self.first, start)
        self.last = end if self.last is None else max(self.last, end)
        code = self.codes.get(segment.mood)
        if code is None:  # 254 moods at most get a colour of their own (there are seven)
            code = self.codes[segment.mood] = len(self.codes) + 1 if len(self.codes) < 254 else 255
        first_day = datetime.fromtimestamp(start).date()
        last_day = datetime.fromtimestamp(end - 1e-3 if end - 1e-3 > start else start).date()
        # Only a segment's latest MAX_ROWS days can be among the latest MAX_ROWS days with moods.
        day = max(first_day, last_day - timedelta(days=MAX_ROWS - 1))
        if self.dropped is not None:
            day = max(day, self.dropped + timedelta(days=1))
        while day <= last_day:
            day_start, day_end = self._day_bounds(day)
            x0 = math.floor(self.plot * (max(start, day_start) - day_start) / (day_end - day_start))
            x1 = round(self.plot * (min(end, day_end) - day_start) / (day_end - day_start))
            x0 = min(max(x0, 0), self.plot - 1)
            x1 = min(max(x1, x0 + 1), self.plot)  # at least one column wide, so a short mood still shows
            from_s, to_s = x0 * COLUMN_S, x1 * COLUMN_S
            self.earliest = from_s if self.earliest is None else min(self.earliest, from_s)
            self.latest = to_s if self.latest is None else max(self.latest, to_s)
            row = self.rows.get(day)
            if row is None:
                row = self.rows[day] = bytearray(self.plot)
            row[x0:x1] = bytes((code,)) * (x1 - x0)
            day += timedelta(days=1)
        while len(self.rows) > MAX_ROWS:
            oldest = min(self.rows)
            del self.rows[oldest]
            self.bounds.pop(oldest, None)
            self.dropped = oldest if self.dropped is None else max(self.dropped, oldest)

    def days(self, since: float | None, until: float | None) -> tuple[list[date], bool]:
        """The days to draw, and whether days without moods were left out."""
        first = since if since is not None else self.first
        last = until if until is not None else self.last
        if first is None or last is None:
            return [datetime.now().date()], False
        start_day = datetime.fromtimestamp(first).date()
        end_day = datetime.fromtimestamp(max(first, last - 1e-3)).date()  # an "until" at midnight ends the day before
        span = (end_day - start_day).days + 1
        if span <= MAX_ROWS and self.dropped is None:
            return [start_day + timedelta(days=n) for n in range(span)], False
        return sorted(self.rows) or [end_day], True


def draw_timeline(
    segments: Iterable[Segment], since: float | None = None, until: float | None = None, width: int = WIDTH
) -> Image.Image:
    """The timeline picture (see the module docstring) of ``segments`` from ``since`` to ``until``."""
    plot = width - LEFT - RIGHT
    rows = _Rows(-math.inf if since is None else since, math.inf if until is None else until)
    for segment in segments:
        rows.add(segment)
    days, sparse = rows.days(since, until)
    totals = rows.totals
    first_s, last_s, step_s = round_axis(rows.earliest, rows.latest)
    first_column = int(first_s / COLUMN_S)
    last_column = max(first_column + 1, min(DAY_COLUMNS, math.ceil(last_s / COLUMN_S)))
    # Each pixel shows a mood if any stored column under it has one: a short mood stays visible.
    starts = np.linspace(first_column, last_column, plot + 1)[:-1].astype(np.intp)

    font = _font(12)
    legend: list[list[tuple[str, str, int]]] = [[]]  # lines of (mood, label, x)
    x = LEFT
    order = {label: i for i, label in enumerate(EMOTIONS)}
    for mood in sorted(totals, key=lambda m: (order.get(m, len(order)), m)):
        label = f"{mood} {duration_words(totals[mood])}"
        needed = 20 + round(font.getlength(label)) + 18
        if legend[-1] and x + needed > width - RIGHT:
            legend.append([])
            x = LEFT
        legend[-1].append((mood, label, x))
        x += needed
    rows_bottom = TOP + len(days) * (ROW_HEIGHT + ROW_GAP)
    height = rows_bottom + LEGEND_PAD + len(legend) * LEGEND_LINE
    canvas = np.empty((height, width, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    ticks = [first_s + step_s * n for n in range(round((last_s - first_s) / step_s) + 1)]
    hour_lines = [LEFT + min(plot - 1, round(plot * (t - first_s) / (last_s - first_s))) for t in ticks]
    for x in hour_lines:  # under the rows, which cover them
        canvas[TOP - 6 : rows_bottom - ROW_GAP + 1, x] = GRID
    palette = np.array(
        [EMPTY_ROW] + [mood_rgb(m) for m in rows.codes] + [mood_rgb(None)] * (255 - len(rows.codes)), dtype=np.uint8
    )
    empty = bytearray(DAY_COLUMNS)
    for index, day in enumerate(days):
        top = TOP + index * (ROW_HEIGHT + ROW_GAP)
        stored = np.frombuffer(bytes(rows.rows.get(day, empty)), dtype=np.uint8)
        codes = np.maximum.reduceat(stored, starts)
        canvas[top : top + ROW_HEIGHT, LEFT : LEFT + plot] = palette[codes][None, :, :]
    image = Image.fromarray(canvas, "RGB")
    draw = ImageDraw.Draw(image)

    title = f"Emotune mood journal, {days[0].isoformat()}"
    if len(days) > 1:
        title += f" to {days[-1].isoformat()}"
    if sparse:
        title += f" (days with moods only, the latest {MAX_ROWS} at most)"
    draw.text((8, 6), title, fill=TEXT, font=font)
    for tick, x in zip(ticks[:-1], hour_lines, strict=False):
        draw.text((x + 2, TOP - 18), tick_label(tick), fill=TEXT, font=font)
    for index, day in enumerate(days):
        draw.text((8, TOP + index * (ROW_HEIGHT + ROW_GAP) + 4), day.strftime("%a %Y-%m-%d"), fill=TEXT, font=font)
    for line, items in enumerate(legend):
        y = rows_bottom + LEGEND_PAD - ROW_GAP + line * LEGEND_LINE
        for mood, label, x in items:
            draw.rectangle([(x, y), (x + 14, y + 14)], fill=mood_rgb(mood))
            draw.text((x + 20, y + 1), label, fill=TEXT, font=font)
    if not totals:
        draw.text(
            (LEFT, rows_bottom + LEGEND_PAD - ROW_GAP + 1), "No moods recorded in this range", fill=TEXT, font=font
        )
    return image


def write_png(
    segments: Iterable[Segment], path: Path, env: Environment, since: float | None = None, until: float | None = None
) -> Path:
    """Draw the timeline and save it as PNG at ``path`` (replaced in one step, never in ``env``'s
    folders); returns ``path``."""
    image = draw_timeline(segments, since, until)
    remove_stale_temporaries(path)
    write_export(path, lambda stream: image.save(stream, format="PNG"), "PNG", env)
    return path
