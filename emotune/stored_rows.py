"""Checks on the rows read back from Emotune's SQLite files (the journal and the feedback file).

SQLite keeps what it is given: a REAL column holds text, infinities or 1e18 as readily as a time,
and another program, an old bug or a bad disk can leave such a row. Every reader passes each row
through these checks before using it, so one odd row is skipped and counted (``SkippedRows``,
one warning line for all of them) and the rest of the file still works. The journal and the
feedback file share this module because neither may import the other.

Times are Unix seconds from ``EARLIEST_TIME`` to ``LATEST_TIME``: what every platform turns into a
local date (Windows refuses times before 1970; year 9999 plus a time zone's offset overflows
Python's datetime), and what a clock that was once right can have written.

Pure checks: no SQLite connection, no tkinter, nothing written.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Mapping

EARLIEST_TIME = 0.0  # 1970-01-01 UTC
LATEST_TIME = 253_370_678_400.0  # 9998-12-31 UTC
QUOTE_LIMIT = 40  # characters of a bad value a warning quotes

_short = reprlib.Repr()
_short.maxstring = _short.maxother = QUOTE_LIMIT


class BadRowError(ValueError):
    """A stored row that cannot be right; the message names the value and the problem."""


def quoted(value: object) -> str:
    """``repr(value)`` cut short for a warning: a damaged value can be megabytes long."""
    text = _short.repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def stored_number(
    name: str, value: object, low: float, high: float, kind: str = "a number", bounds: str | None = None
) -> float:
    """A finite number from ``low`` to ``high``; BadRowError otherwise (text, NULL, NaN, infinity).
    The message calls it ``kind`` and its range ``bounds`` (default: "low..high")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRowError(f"{name} {quoted(value)} is not {kind}")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise BadRowError(f"{name} {quoted(value)} is {bounds or f'outside {low:g}..{high:g}'}")
    return number


def stored_time(name: str, value: object) -> float:
    """A time (Unix seconds) that can be shown as a date; BadRowError otherwise."""
    return stored_number(name, value, EARLIEST_TIME, LATEST_TIME, "a time", "not a time from 1970 to 9998")


def stored_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise BadRowError(f"{name} {quoted(value)} is not text")
    return value


def stored_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """One of ``choices``; callers narrow it to their Literal type."""
    if not isinstance(value, str) or value not in choices:
        raise BadRowError(f"{name} {quoted(value)} is not one of {', '.join(choices)}")
    return value


def stored_scores(name: str, text: object) -> dict[str, float]:
    """A JSON object of label -> finite number. Text that is no JSON object reads as no scores (as
    it always has); a number that is not finite (NaN, 1e400) is a bad row: it cannot be shown."""
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, Mapping):
        return {}
    scores: dict[str, float] = {}
    for label, value in data.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise BadRowError(f"{name} {quoted(str(label))} is {value}")
            scores[str(label)] = float(value)
    return scores


def stored_names(text: object) -> tuple[str, ...]:
    """A JSON list of names (artists, artist keys); anything else reads as none."""
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):
        return ()
    return tuple(str(item) for item in data) if isinstance(data, list) else ()


class SkippedRows:
    """The rows a reader skipped: how many, and why the first was bad, for one warning line."""

    def __init__(self) -> None:
        self.count = 0
        self.first: str | None = None
        self._seen: set[object] = set()

    def add(self, error: BadRowError, key: object = None) -> None:
        """Count a skipped row; with a ``key`` (table and row ID), a row read twice counts once."""
        if key is not None:
            if key in self._seen:
                return
            self._seen.add(key)
        self.count += 1
        if self.first is None:
            self.first = str(error)

    def warning(self, what: str) -> str | None:
        """One line saying what was skipped in ``what`` (e.g. "journal /path"), or None if nothing."""
        if not self.count:
            return None
        rows = "1 damaged row" if self.count == 1 else f"{self.count} damaged rows"
        return f"{what}: skipped {rows} (the first: {self.first}); the rest is used"
