"""MoodTracker and MusicMood as pure logic: scores and times in, the face reading and the music
mood out, no video and no clock. The switch times printed in the music-mood module's docstring
are the ones measured here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.choices import Pace
from emotune.labels import EMOTIONS
from emotune.vision.messages import MoodState
from emotune.vision.mood import MoodTracker
from emotune.vision.music_mood import MusicMood


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


def switch_time(pace: Pace, before_s: float = 60.0, strength: float = 0.6, fps: float = 10.0) -> float:
    """Seconds from a switch of expression (after ``before_s`` of another) to the music mood's change."""
    music = MusicMood(pace)
    frames_before = int(before_s * fps)
    for i in range(frames_before):
        music.update(one_hot("happy", strength), i / fps)
    assert music.mood == "happy"
    for i in range(frames_before, frames_before + int(300 * fps)):
        if music.update(one_hot("sad", strength), i / fps):
            return (i - frames_before) / fps
    raise AssertionError("the music mood never changed")


def test_the_first_face_sets_the_music_mood_within_two_seconds() -> None:
    states = feed(MoodTracker(), ["happy"] * 30)
    first = next(s for s in states if s.changed)
    assert first.mood == "happy" and first.t <= 2.0
    assert states[0].mood is None and states[0].reading == "happy"  # the reading is there at once
    assert changes(states) == ["happy"]


def test_the_music_mood_turns_on_the_timescale_of_songs_not_frames() -> None:
    normally = switch_time("normally")
    assert 20.0 <= normally <= 30.0, normally
    assert switch_time("calmly") > normally * 1.5
    assert switch_time("quickly") < normally / 1.5
    # After a short stretch of one expression there is less to outweigh, but the dwell still holds.
    assert 10.0 <= switch_time("normally", before_s=5.0) <= normally


def test_odd_frames_and_flicker_never_change_the_music_mood() -> None:
    states = feed(MoodTracker(), ["happy"] * 20 + ["surprise"] + ["happy"] * 20)
    assert changes(states) == ["happy"]
    pattern = ["happy"] * 30 + (["sad"] * 3 + ["happy"] * 3) * 200  # two minutes of flicker
    assert changes(feed(MoodTracker(), pattern)) == ["happy"]


def test_the_reading_follows_the_face_while_the_music_mood_stays() -> None:
    tracker = MoodTracker(smoothing_s=0.3)
    states = feed(tracker, ["happy"] * 30 + ["sad"] * 30)
    assert states[-1].reading == "sad" and states[-1].mood == "happy"


def test_faces_made_while_teaching_move_the_reading_but_never_the_music_mood() -> None:
    tracker = MoodTracker()
    assert changes(feed(tracker, ["sad"] * 300)) == ["sad"]  # half a minute of a sad face
    tracker.music_on_hold = True  # "Teach Emotune your face": neutral, a smile, surprise...
    taught = [label for label in ("neutral", "happy", "surprise", "angry", "fear", "disgust") for _ in range(40)]
    states = feed(tracker, taught, t0=30.0)
    assert changes(states) == [] and {s.mood for s in states} == {"sad"}
    assert states[-1].reading == "disgust"  # the bars and the box follow the face all along
    tracker.music_on_hold = False
    after = feed(tracker, ["sad"] * 100, t0=54.0)  # done teaching, still sad: no flip on the way out
    assert changes(after) == [] and after[-1].mood == "sad" and after[-1].reading == "sad"


def test_teaching_puts_the_workers_music_mood_on_hold_while_it_captures() -> None:
    from emotune.vision.messages import MessageQueue
    from emotune.vision.pipeline import FacePipeline, VisionWorker

    worker = VisionWorker(FacePipeline(), MessageQueue(4), MoodTracker())
    worker.capture("happy")
    assert worker.tracker.music_on_hold
    worker.capture(None)
    assert not worker.tracker.music_on_hold


def test_no_face_keeps_the_mood_and_says_so_after_the_grace_period() -> None:
    tracker = MoodTracker(no_face_s=1.0)
    states = feed(tracker, ["neutral"] * 20 + [None] * 30)
    assert all(s.mood == "neutral" for s in states[15:])
    assert states[20].face_present  # 0.1 s without a face: still "present"
    assert not states[-1].face_present and states[-1].reading is None
    assert changes(states) == ["neutral"]


def test_evidence_does_not_ripen_while_nobody_is_there() -> None:
    music = MusicMood("quickly")
    for i in range(100):
        music.update(one_hot("happy"), i / 10)
    before = music.evidence.copy()
    for i in range(100, 10_000):  # a long absence: nothing added, nothing forgotten
        assert not music.update(None, i / 10)
    np.testing.assert_array_equal(music.evidence, before)
    assert music.mood == "happy"


def test_sparse_frames_count_for_no_more_than_their_share() -> None:
    dense, sparse = MusicMood(), MusicMood()
    for i in range(50):
        dense.update(one_hot("fear"), i / 10)
    sparse.update(one_hot("fear"), 0.0)
    sparse.update(one_hot("fear"), 4.9)  # one frame after 4.9 s counts for MAX_STEP_S only
    assert sparse.evidence.sum() < dense.evidence.sum() / 4


def test_primary_face_is_the_largest_by_default() -> None:
    tracker = MoodTracker()
    scores = np.stack([one_hot("sad"), one_hot("happy")])
    state = tracker.update(scores, 0.0, areas=[100.0, 400.0])
    assert state.reading == "happy"


def test_average_of_all_faces_when_configured() -> None:
    tracker = MoodTracker(primary="average")
    scores = np.stack([one_hot("sad", 0.6), one_hot("happy", 0.5), one_hot("sad", 0.6)])
    state = tracker.update(scores, 0.0, areas=[100.0, 900.0, 100.0])
    assert state.reading == "sad"
    np.testing.assert_allclose(state.smoothed, scores.mean(axis=0))


def test_smoothing_is_independent_of_the_frame_rate() -> None:
    slow = feed(MoodTracker(), ["happy"] * 5 + ["sad"] * 5, fps=5.0)  # 1 s of each
    fast = feed(MoodTracker(), ["happy"] * 30 + ["sad"] * 30, fps=30.0)
    np.testing.assert_allclose(slow[-1].smoothed, fast[-1].smoothed, atol=0.05)


def test_time_running_backwards_keeps_the_mood() -> None:
    tracker = MoodTracker()
    feed(tracker, ["angry"] * 30)
    state = tracker.update(one_hot("fear")[None, :], 0.0)  # a new source starts at t=0
    assert state.mood == "angry" and not state.changed


def test_bad_arguments() -> None:
    tracker = MoodTracker()
    with pytest.raises(ValueError, match="primary"):
        MoodTracker(primary="loudest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="areas"):
        tracker.update(np.stack([one_hot("sad"), one_hot("sad")]), 1.0, areas=[1.0])
    with pytest.raises(ValueError, match="negative"):
        MoodTracker(smoothing_s=-1.0)
