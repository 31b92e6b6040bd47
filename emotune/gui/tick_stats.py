"""What the window's drain loop measures of itself, for the GUI benchmark: when the app started
and drew its first frame, and the gaps between ticks (``benchmarks.gui_bench`` reads them)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class Stats:
    started: float
    first_frame: float | None = None
    frames_drawn: int = 0
    ticks: int = 0
    last_tick: float | None = None
    max_tick_gap: float = 0.0
    # The most recent gaps only (about two minutes of ticks): the app may run for days.
    tick_gaps: deque[float] = field(default_factory=lambda: deque(maxlen=8192))
    max_tick_work: float = 0.0  # the longest time one tick itself took (the rest of a gap is waiting for the CPU)

    def tick_started(self, now: float) -> None:
        if self.last_tick is not None:
            gap = now - self.last_tick
            self.tick_gaps.append(gap)
            self.max_tick_gap = max(self.max_tick_gap, gap)
        self.last_tick = now
        self.ticks += 1
