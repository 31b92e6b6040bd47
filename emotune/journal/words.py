"""How the journal's times read to people: ISO stamps, the Journal view's ranges, durations.

Display helpers only (the window, the exports and the commands use them); no SQLite here.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Literal

Period = Literal["today", "week", "all"]


def iso(t: float) -> str:
    """Unix seconds as local ISO-8601 with the UTC offset, to the millisecond."""
    return datetime.fromtimestamp(t).astimezone().isoformat(timespec="milliseconds")


def period_bounds(period: Period, now: float | None = None) -> tuple[float | None, float | None]:
    """(since, until) of the Journal view's ranges: today, this week (from Monday), everything."""
    if period == "all":
        return None, None
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    first = today if period == "today" else today - timedelta(days=today.weekday())
    return datetime.combine(first, datetime.min.time()).astimezone().timestamp(), None


def duration_words(seconds: float) -> str:
    """A duration as people say it: "40 s", "1 min 35 s", "12 min", "1 h 05 min"."""
    if seconds < 0.5:
        return "<1 s"
    if seconds < 59.5:  # under a minute, the seconds (35 s is not "1 min")
        return f"{round(seconds)} s"
    if seconds < 600:  # a few minutes: to the second, as a short session deserves
        whole = round(seconds)
        return f"{whole // 60} min" if whole % 60 == 0 else f"{whole // 60} min {whole % 60:02d} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
