"""MoodTracker as pure logic: scores and times in, mood out, no video and no clock."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from emotune.vision.messages import MoodState
from emotune.vision.mood import MoodTracker


def one_hot(label: str, strength: float = 0.9) -> NDArray[np.float64]:
    scores = np.full(len(EMOTIONS), (1.0 - strength) / (len(EMOTIONS) - 1))
    scores[EMOTIONS.index(label)] = strength
    return scores


def feed(tracker: MoodTracker, labels: Sequence[str | None], fps: float = 10.0, t0: float = 0.0) -> list[MoodState]:
    """One frame per entry: a label for a single face reading it, None for no face."""
    states = []
    for i, label in enumerate(labels):
        scores = np.zeros((0, len(EMOTIONS))) if label is None else one_hot(label)[None, :]
        states.append(tracker.update(scores, t0 + i / fps))
    return states


def changes(states: list[MoodState]) -> list[str | None]:
    return [s.mood for s in states if s.changed]


def test_first_face_sets_the_mood_at_once() -> None:
    states = feed(MoodTracker(), ["happy"])
    assert states[0].mood == "happy" and states[0].changed and states[0].face_present


def test_a_single_odd_frame_does_not_change_the_mood() -> None:
    states = feed(MoodTracker(), ["happy"] * 20 + ["surprise"] + ["happy"] * 20)
    assert changes(states) == ["happy"]
    assert all(s.mood == "happy" for s in states)


def test_a_new_expression_takes_over_once_after_the_hold_time() -> None:
    tracker = MoodTracker(smoothing_s=0.3, hold_s=1.0)
    states = feed(tracker, ["happy"] * 30 + ["sad"] * 40)
    assert changes(states) == ["happy", "sad"]
    switch = next(i for i, s in enumerate(states) if s.changed and s.mood == "sad")
    # The sad face appears at frame 30 (t=3.0 s); the average needs a few frames to turn, then
    # sad must lead for a full second: the change comes between 1.0 and 2.0 s later.
    assert 30 + 10 <= switch <= 30 + 20
    assert states[switch - 1].leader == "sad" and states[switch - 1].mood == "happy"


def test_a_longer_hold_delays_the_change() -> None:
    short = feed(MoodTracker(hold_s=0.5), ["happy"] * 10 + ["sad"] * 50)
    long = feed(MoodTracker(hold_s=2.0), ["happy"] * 10 + ["sad"] * 50)
    first_short = next(i for i, s in enumerate(short) if s.mood == "sad")
    first_long = next(i for i, s in enumerate(long) if s.mood == "sad")
    assert first_long - first_short == 15  # 1.5 s more at 10 fps


def test_smoothing_is_independent_of_the_frame_rate() -> None:
    slow = feed(MoodTracker(), ["happy"] * 5 + ["sad"] * 5, fps=5.0)  # 1 s of each
    fast = feed(MoodTracker(), ["happy"] * 30 + ["sad"] * 30, fps=30.0)
    np.testing.assert_allclose(slow[-1].smoothed, fast[-1].smoothed, atol=0.03)


def test_flicker_between_two_labels_keeps_the_first() -> None:
    pattern = ["happy", "happy", "surprise"] * 30
    assert changes(feed(MoodTracker(), pattern)) == ["happy"]


def test_no_face_keeps_the_mood_and_says_so_after_the_grace_period() -> None:
    tracker = MoodTracker(no_face_s=1.0)
    states = feed(tracker, ["neutral"] * 10 + [None] * 30)
    assert all(s.mood == "neutral" for s in states)
    assert states[10].face_present  # 0.1 s without a face: still "present"
    assert not states[-1].face_present
    assert changes(states) == ["neutral"]


def test_a_lead_does_not_ripen_while_nobody_is_there() -> None:
    tracker = MoodTracker(smoothing_s=0.0, hold_s=1.0)
    # happy, then 0.5 s of sad, 3 s of no face, 0.5 s of sad: never 1 s of uninterrupted sad.
    states = feed(tracker, ["happy"] * 5 + ["sad"] * 5 + [None] * 30 + ["sad"] * 5)
    assert changes(states) == ["happy"]
    later = tracker.update(one_hot("sad")[None, :], states[-1].t + 0.6)
    assert later.changed and later.mood == "sad"


def test_primary_face_is_the_largest_by_default() -> None:
    tracker = MoodTracker()
    scores = np.stack([one_hot("sad"), one_hot("happy")])
    state = tracker.update(scores, 0.0, areas=[100.0, 400.0])
    assert state.mood == "happy"


def test_average_of_all_faces_when_configured() -> None:
    tracker = MoodTracker(primary="average")
    scores = np.stack([one_hot("sad", 0.6), one_hot("happy", 0.5), one_hot("sad", 0.6)])
    state = tracker.update(scores, 0.0, areas=[100.0, 900.0, 100.0])
    assert state.mood == "sad"
    np.testing.assert_allclose(state.smoothed, scores.mean(axis=0))


def test_time_running_backwards_keeps_the_mood() -> None:
    tracker = MoodTracker()
    feed(tracker, ["angry"] * 10)
    state = tracker.update(one_hot("fear")[None, :], 0.0)  # a new source starts at t=0
    assert state.mood == "angry" and not state.changed


def test_set_mood_and_bad_arguments() -> None:
    tracker = MoodTracker()
    tracker.set_mood("sad")
    assert tracker.update(np.zeros((0, 7)), 0.0).mood == "sad"
    with pytest.raises(ValueError, match="unknown emotion"):
        tracker.set_mood("bored")
    with pytest.raises(ValueError, match="primary"):
        MoodTracker(primary="loudest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="areas"):
        tracker.update(np.stack([one_hot("sad"), one_hot("sad")]), 1.0, areas=[1.0])
