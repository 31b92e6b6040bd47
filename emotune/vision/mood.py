"""Mood tracking: per-frame emotion scores in, one stable mood out. Pure logic, no video.

``MoodTracker.update(scores, t, areas)`` takes the scores of the faces in one frame (N x 7, in
``EMOTIONS`` order) and the frame time ``t`` in seconds, and returns a ``MoodState``:

- The primary face is the largest one (``primary="largest"``), or all faces are averaged
  (``primary="average"``).
- Its scores enter an exponential moving average with time constant ``smoothing_s``; the weight of
  a frame depends on the time since the previous one, so the result does not depend on the fps.
- Hysteresis: the first face sets the mood; after that a different label must lead the average
  without interruption for ``hold_s`` seconds before it becomes the mood. One odd frame cannot.
- Without a face the average and the mood stay; after ``no_face_s`` the state says "no face".

The time is an argument (video time or a clock the caller owns), so tests are deterministic.
This module must not import OpenCV, onnxruntime or anything that does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from emotune.labels import EMOTIONS
from emotune.vision.messages import MoodState

Primary = Literal["largest", "average"]
DEFAULT_SMOOTHING_S = 0.5
DEFAULT_HOLD_S = 1.0
DEFAULT_NO_FACE_S = 1.0


class MoodTracker:
    def __init__(
        self,
        smoothing_s: float = DEFAULT_SMOOTHING_S,
        hold_s: float = DEFAULT_HOLD_S,
        no_face_s: float = DEFAULT_NO_FACE_S,
        primary: Primary = "largest",
    ) -> None:
        if smoothing_s < 0 or hold_s < 0 or no_face_s < 0:
            raise ValueError("smoothing_s, hold_s and no_face_s must not be negative")
        if primary not in ("largest", "average"):
            raise ValueError(f"primary must be 'largest' or 'average', not {primary!r}")
        self.smoothing_s = smoothing_s
        self.hold_s = hold_s
        self.no_face_s = no_face_s
        self.primary: Primary = primary
        self.reset()

    def reset(self) -> None:
        """Forget everything, the mood included."""
        self.mood: str | None = None
        self._average: NDArray[np.float64] | None = None
        self._last_face_t: float | None = None
        self._last_t: float | None = None
        self._candidate: str | None = None
        self._candidate_since = 0.0

    def set_mood(self, mood: str | None) -> None:
        """Impose a mood (a user's choice); the average is left as it is."""
        if mood is not None and mood not in EMOTIONS:
            raise ValueError(f"unknown emotion {mood!r}")
        self.mood = mood
        self._candidate = None

    def update(self, scores: ArrayLike, t: float, areas: Sequence[float] | None = None) -> MoodState:
        """Feed one frame: ``scores`` (N x 7, N may be 0), its time ``t`` in seconds, and the face
        areas (for picking the largest face; by default the first face is taken as the largest)."""
        matrix = np.asarray(scores, dtype=np.float64).reshape(-1, len(EMOTIONS))
        if self._last_t is not None and t < self._last_t:
            # Time ran backwards (a new source or a rewound video): restart the clocks, keep the mood.
            self._last_face_t = None
            self._candidate = None
        self._last_t = t
        changed = False
        if len(matrix):
            frame_scores = self._primary_scores(matrix, areas)
            self._blend(frame_scores, t)
            self._last_face_t = t
            changed = self._apply_hysteresis(t)
        else:
            # No face: nothing to learn from, and a lead must not ripen while nobody is there.
            self._candidate = None
        face_present = bool(len(matrix)) or (self._last_face_t is not None and t - self._last_face_t < self.no_face_s)
        average = self._average if self._average is not None else np.zeros(len(EMOTIONS))
        leader = EMOTIONS[int(np.argmax(average))] if self._average is not None else None
        return MoodState(self.mood, face_present, tuple(float(v) for v in average), leader, changed, t)

    def _primary_scores(self, matrix: NDArray[np.float64], areas: Sequence[float] | None) -> NDArray[np.float64]:
        if self.primary == "average":
            return np.asarray(matrix.mean(axis=0), dtype=np.float64)
        if areas is not None:
            if len(areas) != len(matrix):
                raise ValueError(f"{len(areas)} areas for {len(matrix)} faces")
            return np.asarray(matrix[int(np.argmax(areas))], dtype=np.float64)
        return np.asarray(matrix[0], dtype=np.float64)

    def _blend(self, frame_scores: NDArray[np.float64], t: float) -> None:
        if self._average is None or self._last_face_t is None or self.smoothing_s == 0:
            self._average = frame_scores.copy()
            return
        dt = max(0.0, t - self._last_face_t)
        weight = 1.0 - math.exp(-dt / self.smoothing_s)
        self._average = self._average + weight * (frame_scores - self._average)

    def _apply_hysteresis(self, t: float) -> bool:
        assert self._average is not None
        leader = EMOTIONS[int(np.argmax(self._average))]
        if self.mood is None:
            self.mood = leader
            self._candidate = None
            return True
        if leader == self.mood:
            self._candidate = None
            return False
        if leader != self._candidate:
            self._candidate = leader
            self._candidate_since = t
        # The tolerance absorbs float error in frame times (3.4 - 1.4 < 2.0 in binary floating point).
        if t - self._candidate_since >= self.hold_s - 1e-9:
            self.mood = leader
            self._candidate = None
            return True
        return False
