"""Journals with a known answer: a person whose face Lift lists brighten by a set amount.

``write_journal`` writes a real journal file through the store's API: occasions an hour apart,
each a list begun from a low mood with Match or Lift drawn at random (as "Find out what helps
me" does), and the face series around it, one window every 30 s from 5 minutes before to 15
minutes after. Brightness before: a low baseline (different each occasion) plus noise per window;
after: the same baseline, plus ``lift_effect`` after Lift (``match_effect`` after Match), plus
noise. So the true mean change is exactly the set effect, and with zero effects there is none.
Seeded: the same arguments write the same journal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from emotune.choices import Strategy
from emotune.journal import series
from emotune.journal.store import Journal

START = 1_780_000_000.0  # a fixed moment in 2026
GAP_S = 3600.0
MOODS = ("sad", "angry", "fear", "disgust")


@dataclass(frozen=True)
class Truth:
    lift_effect: float
    match_effect: float
    occasions: int
    noise: float  # standard deviation of one window's brightness
    baseline_spread: float  # standard deviation of the level before, occasion to occasion


def means_for(brightness: float) -> dict[str, float]:
    """Seven readings whose ``series.brightness`` is ``brightness`` (the rest is neutral)."""
    b = max(-1.0, min(1.0, brightness))
    happy, sad = (b, 0.0) if b >= 0 else (0.0, -b)
    return {"angry": 0.0, "disgust": 0.0, "fear": 0.0, "happy": happy, "neutral": 1.0 - happy - sad, "sad": sad}


def write_journal(
    path: Path,
    truth: Truth,
    *,
    seed: int = 1,
    genres: tuple[str, ...] = ("pop",),
    randomised: bool = True,
) -> list[Strategy]:
    """Write the journal; the strategies drawn, in order."""
    rng = random.Random(seed)
    drawn: list[Strategy] = []
    with Journal.open(path) as journal:
        for k in range(truth.occasions):
            t0 = START + k * GAP_S
            strategy: Strategy = "lift" if rng.random() < 0.5 else "match"
            drawn.append(strategy)
            list_id = series.begin_list(
                journal, series.ListBegun(t0, MOODS[k % len(MOODS)], strategy, genres, randomised)
            )
            effect = truth.lift_effect if strategy == "lift" else truth.match_effect
            level = -0.4 + rng.gauss(0.0, truth.baseline_spread)
            samples = []
            for step in range(-10, 30):
                t = t0 + 15.0 + step * series.WINDOW_S
                value = level + (effect if t > t0 else 0.0) + rng.gauss(0.0, truth.noise)
                samples.append(series.FaceSample(t, 29.0, 290, means_for(value), list_id if t > t0 else None))
            series.add_samples(journal, samples)
    return drawn
