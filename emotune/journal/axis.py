"""The time axis of a day's mood timeline: which part of the day to show, in round steps.

A session of minutes drawn on a midnight-to-midnight axis is a one-pixel line; the Journal
window and the PNG export both zoom to the part of the day that has moods, widened to whole
steps of a round size (a minute to three hours) with at most ``MAX_TICKS`` steps.
"""

from __future__ import annotations

import math

DAY_S = 24 * 3600.0
MAX_TICKS = 8
AXIS_STEPS_S = (60, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600)


def round_axis(low: float | None, high: float | None) -> tuple[float, float, float]:
    """(first, last, step) in seconds after midnight around the span ``low``..``high`` (seconds
    after midnight; None: no moods, the whole day)."""
    if low is None or high is None:
        return 0.0, DAY_S, DAY_S / MAX_TICKS
    low, high = max(0.0, low), min(DAY_S, max(low, high))
    for step in AXIS_STEPS_S:
        first = math.floor(low / step) * step
        last = max(first + step, math.ceil(high / step) * step)
        if (last - first) / step <= MAX_TICKS:
            return float(first), float(last), float(step)
    return 0.0, DAY_S, DAY_S / MAX_TICKS


def tick_label(seconds: float) -> str:
    """ "14:30" for a tick ``seconds`` after midnight ("24:00" at the day's end)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
