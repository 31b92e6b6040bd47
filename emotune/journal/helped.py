"""Did the music help? The journal's answer, for this one person, with its uncertainty.

An *occasion* is a song list begun for a low mood (sad, angry, fear, disgust) that is not the
same list going on ("More songs", or the face flickering back to the same mood within
``SAME_LIST_S``). Its *change* is the mean face brightness (``series.brightness``) 10 to 15
minutes after it began, minus the mean over the 5 minutes before. An occasion with fewer than
``MIN_WINDOWS`` face windows in either stretch (the person was away, or the camera off) is not
counted: no figure is better than one made up from a few seconds of face.

Occasions fall into groups: Lift or Match, picked at random ("Find out what helps me": the fair
ones, ``randomised``) or chosen by the person, from any low mood; and, once a group holds at
least ``MIN_OCCASIONS``, by each low mood and each genre the lists were kept to. Each group has
its mean change and, from ``MIN_OCCASIONS`` on, a 95% percentile bootstrap interval of that mean
(numpy, seeded: the same journal always gives the same figures).

What this cannot know, and says: a face brightens for reasons that are not the music, and after
a low moment it tends to brighten anyway, so Lift is compared with Match rather than with zero;
and only randomised occasions make a fair comparison, since a person's own choice of Match or
Lift may follow how they felt.

Reads only; never creates a journal. No tkinter, cv2 or onnxruntime.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotune.choices import Strategy
from emotune.journal.series import LOW_MOODS, ListBegun, brightness_series, lists
from emotune.journal.store import Journal

BEFORE_S = 300.0
AFTER_S = (600.0, 900.0)
SAME_LIST_S = 900.0
MIN_WINDOWS = 3  # face windows (about 30 s each) in each stretch
MIN_OCCASIONS = 5
RESAMPLES = 2000
SEED = 20_260_301
ANY_LOW = "low"  # ``from_mood`` of the groups over every low mood


@dataclass(frozen=True)
class Occasion:
    time: float
    from_mood: str
    strategy: Strategy
    genres: tuple[str, ...]
    randomised: bool
    before: float  # mean brightness over the 5 minutes before
    after: float  # mean brightness 10 to 15 minutes after

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Group:
    """The occasions of one strategy (and, for the finer groups, one mood or one genre)."""

    strategy: Strategy
    from_mood: str
    randomised: bool
    genre: str | None
    n: int
    brighter: int  # occasions whose face read brighter after than before
    change: float | None
    low: float | None  # the interval, from MIN_OCCASIONS on
    high: float | None

    @property
    def needed(self) -> int:
        """How many more occasions before an interval is given."""
        return max(0, MIN_OCCASIONS - self.n)

    def to_json(self) -> dict[str, object]:
        """The object ``journal --helped --json`` prints, one per line (docs/cli.md)."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "strategy": self.strategy,
            "from_mood": self.from_mood,
            "genre": self.genre,
            "randomised": self.randomised,
            "n": self.n,
            "brighter": self.brighter,
            "change": rounded(self.change),
            "low": rounded(self.low),
            "high": rounded(self.high),
            "needed": self.needed,
        }


@dataclass(frozen=True)
class Answer:
    occasions: tuple[Occasion, ...]
    groups: tuple[Group, ...]
    lists: int  # lists begun from a low mood, counted or not

    @property
    def empty(self) -> bool:
        return self.lists == 0


def _mean_between(times: Sequence[float], values: Sequence[float], low: float, high: float) -> float | None:
    start, end = bisect.bisect_left(times, low), bisect.bisect_left(times, high)
    if end - start < MIN_WINDOWS:
        return None
    return float(sum(values[start:end]) / (end - start))


def find_occasions(begun: Iterable[ListBegun], series: Sequence[tuple[float, float]]) -> list[Occasion]:
    """The occasions among the lists begun, with their change (those without enough face left out)."""
    times = [t for t, _ in series]
    values = [b for _, b in series]
    found: list[Occasion] = []
    last_begun: dict[tuple[str, Strategy], float] = {}  # (mood, strategy) -> when its last list began
    for item in sorted(begun, key=lambda b: b.time):
        key = (item.mood, item.strategy)
        same_list = item.time - last_begun.get(key, -SAME_LIST_S) < SAME_LIST_S
        last_begun[key] = item.time
        if not item.from_low or same_list:
            continue
        before = _mean_between(times, values, item.time - BEFORE_S, item.time)
        after = _mean_between(times, values, item.time + AFTER_S[0], item.time + AFTER_S[1])
        if before is not None and after is not None:
            found.append(Occasion(item.time, item.mood, item.strategy, item.genres, item.randomised, before, after))
    return found


def interval(changes: Sequence[float], seed: int = SEED) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of ``changes``."""
    data = np.asarray(changes, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(RESAMPLES, len(data)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _group(
    occasions: Sequence[Occasion], strategy: Strategy, from_mood: str, randomised: bool, genre: str | None
) -> Group:
    changes = [o.change for o in occasions]
    brighter = sum(1 for c in changes if c > 0)
    mean = float(np.mean(changes)) if changes else None
    low = high = None
    if len(changes) >= MIN_OCCASIONS:
        low, high = interval(changes)
    return Group(strategy, from_mood, randomised, genre, len(changes), brighter, mean, low, high)


def find_groups(occasions: Sequence[Occasion]) -> list[Group]:
    """The fair (randomised) groups first, then the person's own choices; Lift before Match. The
    groups per mood and per genre only where they hold ``MIN_OCCASIONS``."""
    groups: list[Group] = []
    for randomised in (True, False):
        for strategy in ("lift", "match"):
            mine = [o for o in occasions if o.randomised == randomised and o.strategy == strategy]
            if not mine:
                continue
            groups.append(_group(mine, strategy, ANY_LOW, randomised, None))
            for mood in LOW_MOODS:
                of_mood = [o for o in mine if o.from_mood == mood]
                if len(of_mood) >= MIN_OCCASIONS and len(of_mood) < len(mine):
                    groups.append(_group(of_mood, strategy, mood, randomised, None))
            for genre in sorted({g for o in mine for g in o.genres}):
                of_genre = [o for o in mine if genre in o.genres]
                if len(of_genre) >= MIN_OCCASIONS:
                    groups.append(_group(of_genre, strategy, ANY_LOW, randomised, genre))
    return groups


def answer_from(begun: Sequence[ListBegun], series: Sequence[tuple[float, float]]) -> Answer:
    occasions = find_occasions(begun, series)
    return Answer(tuple(occasions), tuple(find_groups(occasions)), sum(1 for b in begun if b.from_low))


def read_answer(path: Path) -> Answer:
    """The answer from the journal at ``path`` (empty if there is none; ``JournalError`` if unreadable)."""
    if not path.exists():
        return Answer((), (), 0)
    with Journal.open(path) as journal:
        return answer_from(lists(journal), brightness_series(journal))


def difference(answer: Answer) -> tuple[float, float, float] | None:
    """Lift minus Match over the randomised occasions (mean, interval), when both have enough."""
    lift = [o.change for o in answer.occasions if o.randomised and o.strategy == "lift"]
    match = [o.change for o in answer.occasions if o.randomised and o.strategy == "match"]
    if len(lift) < MIN_OCCASIONS or len(match) < MIN_OCCASIONS:
        return None
    rng = np.random.default_rng(SEED)
    lifts, matches = np.asarray(lift), np.asarray(match)
    draws = lifts[rng.integers(0, len(lifts), size=(RESAMPLES, len(lifts)))].mean(axis=1) - matches[
        rng.integers(0, len(matches), size=(RESAMPLES, len(matches)))
    ].mean(axis=1)
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(lifts.mean() - matches.mean()), float(low), float(high)


NAMES = {"lift": "Lift", "match": "Match"}
CAVEATS = (
    "Only the lists marked 'picked at random' make a fair comparison: when you chose Match or Lift "
    "yourself, your choice may have followed how you felt.",
    "A face may brighten for reasons that are not the music, and after a low moment it often does "
    "anyway: compare Lift with Match rather than with no change.",
)


def signed(value: float) -> str:
    text = f"{value:+.2f}"
    return "+0.00" if text == "-0.00" else text  # a change that rounds to nothing has no sign


def group_words(group: Group) -> str:
    """One group in plain words: "After Lift lists (picked at random), your face read brighter ..."."""
    how = "picked at random" if group.randomised else "your own choice"
    what = f"After {NAMES[group.strategy]} lists ({how}"
    if group.from_mood != ANY_LOW:
        what += f", from {group.from_mood}"
    if group.genre is not None:
        what += f", {group.genre}"
    what += f"), your face read brighter 10-15 minutes later in {group.brighter} of {group.n}"
    what += " time." if group.n == 1 else " times."
    if group.low is None or group.high is None or group.change is None:
        more = group.needed
        return f"{what} {more} more occasion{'s' if more != 1 else ''} needed before Emotune gives a figure."
    return (
        f"{what} Mean change {signed(group.change)} on a scale of -1 to +1"
        f" (95% interval {signed(group.low)} to {signed(group.high)})."
    )


def verdict(answer: Answer) -> str:
    """The comparison in one sentence, over the fair occasions only."""
    diff = difference(answer)
    if diff is None:
        fair = sum(1 for o in answer.occasions if o.randomised)
        return (
            f"Too few to be sure: {fair} fair occasion{'s' if fair != 1 else ''} so far; Emotune needs"
            f" {MIN_OCCASIONS} after Lift and {MIN_OCCASIONS} after Match, picked at random"
            " (turn on 'Find out what helps me' in Settings)."
        )
    mean, low, high = diff
    span = f"Lift minus Match: {signed(mean)} (95% interval {signed(low)} to {signed(high)})"
    if low > 0:
        return f"{span}. Lift lists helped you more than Match lists."
    if high < 0:
        return f"{span}. Match lists helped you more than Lift lists."
    return f"{span}. No clear difference between Lift and Match yet: too few to be sure."


def answer_words(answer: Answer, *, finer: bool = True) -> list[str]:
    """The whole answer as lines of text (empty for a journal without a list begun from a low mood);
    ``finer=False`` leaves out the groups per mood and per genre (a table shows them)."""
    if answer.empty:
        return []
    if not answer.groups:
        return [
            f"{answer.lists} list{'s' if answer.lists != 1 else ''} began from a low mood, but none had enough"
            " face read before and 10-15 minutes after to count.",
            verdict(answer),
            *CAVEATS,
        ]
    shown = [g for g in answer.groups if finer or (g.from_mood == ANY_LOW and g.genre is None)]
    return [*(group_words(g) for g in shown), verdict(answer), *CAVEATS]
