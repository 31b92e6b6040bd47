"""The music mood: what the songs are chosen for, on the timescale of songs, not frames.

The face reading changes every second; a song lasts three minutes. ``MusicMood`` turns the
per-frame emotion scores into a mood that starts quickly and then changes only when a different
emotion has clearly dominated for a sustained stretch. The rule, in one place:

- **Evidence.** Each emotion holds evidence measured in seconds: every frame with a face adds
  its score times the frame's duration (at most ``MAX_STEP_S``, so sparse frames do not count
  for more), and all evidence decays with the pace's ``memory_s`` time constant. A face that
  shows one emotion with probability q for long has about q x memory_s of it.
- **Start.** With no mood yet, the emotion with the most evidence becomes the mood once
  ``START_EVIDENCE_S`` seconds of face have been seen: about 1.5 s after the first face.
- **Change.** Another emotion replaces the mood when its evidence exceeds the mood's by
  ``margin_s`` seconds and at least ``min_dwell_s`` have passed since the last change. After a
  minute of one expression (read at 0.6), a full switch to another takes 40 s "calmly", 23 s
  "normally" and 8 s "quickly" (``switch_time`` in ``tests/test_vision_mood.py``).
- **No face.** Evidence neither grows nor decays while nobody is in view: the music keeps its
  mood through brief (or long) absences, and nothing ripens while the user is away.

Time is an argument (video time or a clock the caller owns): the model is pure and deterministic.
This module must not import OpenCV, onnxruntime or anything that does I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emotune.choices import Pace
from emotune.labels import EMOTIONS

START_EVIDENCE_S = 1.5
MAX_STEP_S = 0.5
FIRST_STEP_S = 0.1  # what the very first frame counts for (no previous frame to measure from)


@dataclass(frozen=True)
class PaceRule:
    memory_s: float  # time constant of the evidence decay
    margin_s: float  # how far a challenger's evidence must lead the mood's
    min_dwell_s: float  # the shortest time a music mood lasts


PACE_RULES: dict[Pace, PaceRule] = {
    "calmly": PaceRule(memory_s=60.0, margin_s=5.0, min_dwell_s=60.0),
    "normally": PaceRule(memory_s=25.0, margin_s=3.0, min_dwell_s=20.0),
    "quickly": PaceRule(memory_s=8.0, margin_s=1.0, min_dwell_s=6.0),
}


class MusicMood:
    def __init__(self, pace: Pace = "normally") -> None:
        self.rule = PACE_RULES[pace]
        self.evidence: NDArray[np.float64] = np.zeros(len(EMOTIONS))
        self.mood: str | None = None
        self._changed_at = -math.inf
        self._last_face_t: float | None = None

    def update(self, scores: NDArray[np.float64] | None, t: float) -> bool:
        """Feed one frame: the primary face's scores (EMOTIONS order), or None when no face is in
        view, at time ``t`` (seconds). True when this frame changed the mood."""
        if scores is None:
            return False
        last = self._last_face_t
        if last is not None and t < last:
            # Time ran backwards (a new source): restart the clocks, keep the evidence and the mood.
            last, self._changed_at = None, t
        step = FIRST_STEP_S if last is None else min(max(t - last, 0.0), MAX_STEP_S)
        self._last_face_t = t
        self.evidence = self.evidence * math.exp(-step / self.rule.memory_s) + np.asarray(scores) * step
        leader = EMOTIONS[int(np.argmax(self.evidence))]
        if self.mood is None:
            if float(self.evidence.sum()) >= START_EVIDENCE_S - 1e-9:
                return self._change(leader, t)
            return False
        if leader == self.mood or t - self._changed_at < self.rule.min_dwell_s:
            return False
        lead = self.evidence[EMOTIONS.index(leader)] - self.evidence[EMOTIONS.index(self.mood)]
        return self._change(leader, t) if lead >= self.rule.margin_s else False

    def _change(self, mood: str, t: float) -> bool:
        self.mood = mood
        self._changed_at = t
        return True
