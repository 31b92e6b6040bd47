"""Journal exports the user asks for: the segments as CSV, and a PNG picture of the mood timeline.

The picture has one row per day (local time, midnight to midnight, hours across), a colour band
per segment in the mood panel's colours (``emotune.journal.colours``), and a legend with the time
spent in each mood. Pillow draws it; matplotlib stays out of the app.

Files are written only where the user said; nothing is sent anywhere. This module must not
import tkinter, cv2 or onnxruntime.
"""

from __future__ import annotations

import bisect
import csv
import math
import os
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from emotune.colours import mood_rgb
from emotune.errors import EmotuneError
from emotune.journal.store import Segment, duration_words, iso
from emotune.labels import EMOTIONS

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
BACKGROUND = (255, 255, 255)
EMPTY_ROW = (238, 240, 243)
GRID = (200, 204, 210)
TEXT = (28, 28, 28)
HOUR_STEP = 3


class ExportError(EmotuneError):
    """An export file cannot be written; the message names it."""


def write_csv(segments: Sequence[Segment], path: Path) -> int:
    """Write one row per segment (times ISO-8601, mean scores per label); returns the row count."""
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for segment in segments:
                scores = ["" if label not in segment.scores else f"{segment.scores[label]:.4f}" for label in EMOTIONS]
                writer.writerow(
                    [
                        iso(segment.start),
                        iso(segment.end),
                        f"{segment.duration:.3f}",
                        segment.mood,
                        segment.source,
                        *scores,
                    ]
                )
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the CSV file ({exc.strerror or exc})") from None
    return len(segments)


def _midnight(day: date) -> float:
    """Unix time of local midnight starting ``day`` (DST-aware: days may last 23 or 25 hours)."""
    return datetime.combine(day, time()).astimezone().timestamp()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has one bitmap size only
        return ImageFont.load_default()


def _days(segments: Sequence[Segment], since: float | None, until: float | None) -> list[date]:
    first = since if since is not None else min((s.start for s in segments), default=None)
    last = until if until is not None else max((s.end for s in segments), default=None)
    if first is None or last is None:
        today = datetime.now().date()
        return [today]
    start_day = datetime.fromtimestamp(first).date()
    # An "until" at midnight ends the day before it.
    end_day = datetime.fromtimestamp(max(first, last - 1e-3)).date()
    return [start_day + timedelta(days=n) for n in range((end_day - start_day).days + 1)]


def draw_timeline(
    segments: Sequence[Segment], since: float | None = None, until: float | None = None, width: int = WIDTH
) -> Image.Image:
    """The timeline picture (see the module docstring) of ``segments`` from ``since`` to ``until``."""
    days = _days(segments, since, until)
    midnights = [_midnight(day) for day in days] + [_midnight(days[-1] + timedelta(days=1))]
    low = -math.inf if since is None else since
    high = math.inf if until is None else until
    totals: dict[str, float] = {}
    bands: list[tuple[int, float, float, str]] = []  # (row, start, end, mood), cut at midnight
    for segment in segments:
        start, end = max(segment.start, low), min(segment.end, high)
        if end <= start:
            continue
        totals[segment.mood] = totals.get(segment.mood, 0.0) + (end - start)
        row = max(0, bisect.bisect_right(midnights, start) - 1)
        while row < len(days) and midnights[row] < end:
            piece_start, piece_end = max(start, midnights[row]), min(end, midnights[row + 1])
            if piece_end > piece_start:
                bands.append((row, piece_start, piece_end, segment.mood))
            row += 1

    font = _font(12)
    plot = width - LEFT - RIGHT
    legend: list[list[tuple[str, str, int]]] = [[]]  # lines of (mood, label, x)
    x = LEFT
    for mood in EMOTIONS:
        if mood in totals:
            label = f"{mood} {duration_words(totals[mood])}"
            needed = 20 + round(font.getlength(label)) + 18
            if legend[-1] and x + needed > width - RIGHT:
                legend.append([])
                x = LEFT
            legend[-1].append((mood, label, x))
            x += needed
    rows_bottom = TOP + len(days) * (ROW_HEIGHT + ROW_GAP)
    height = rows_bottom + LEGEND_PAD + len(legend) * LEGEND_LINE
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)

    title = f"Emotune mood journal, {days[0].isoformat()}"
    if len(days) > 1:
        title += f" to {days[-1].isoformat()}"
    draw.text((8, 6), title, fill=TEXT, font=font)
    for hour in range(0, 25, HOUR_STEP):
        x = LEFT + round(plot * hour / 24)
        draw.line([(x, TOP - 6), (x, rows_bottom - ROW_GAP)], fill=GRID)
        if hour < 24:
            draw.text((x + 2, TOP - 18), f"{hour:02d}", fill=TEXT, font=font)
    for row, day in enumerate(days):
        top = TOP + row * (ROW_HEIGHT + ROW_GAP)
        draw.text((8, top + 4), day.strftime("%a %Y-%m-%d"), fill=TEXT, font=font)
        draw.rectangle([(LEFT, top), (LEFT + plot - 1, top + ROW_HEIGHT - 1)], fill=EMPTY_ROW)
    for row, start, end, mood in bands:
        top = TOP + row * (ROW_HEIGHT + ROW_GAP)
        length = midnights[row + 1] - midnights[row]  # 23 to 25 hours where DST changes
        x0 = round(LEFT + plot * (start - midnights[row]) / length)
        x1 = round(LEFT + plot * (end - midnights[row]) / length)
        # At least one pixel wide, so a short mood still shows.
        draw.rectangle([(x0, top), (max(x0, x1 - 1), top + ROW_HEIGHT - 1)], fill=mood_rgb(mood))
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


def write_png(segments: Sequence[Segment], path: Path, since: float | None = None, until: float | None = None) -> Path:
    """Draw the timeline and save it as PNG at ``path`` (replaced in one step)."""
    image = draw_timeline(segments, since, until)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        image.save(temporary, format="PNG")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write the PNG file ({exc.strerror or exc})") from None
    return path
