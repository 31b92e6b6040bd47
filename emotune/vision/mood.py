"""Mood tracking: per-frame emotion scores in, the face reading and the music mood out. Pure
logic, no video. Two timescales, shown side by side and never confused:

``MoodTracker.update(scores, t, areas)`` takes the scores of the faces in one frame (N x 7, in
``EMOTIONS`` order) and the frame time ``t`` in seconds, and returns a ``MoodState``:

- The primary face is the largest one (``primary="largest"``), or all faces are averaged
  (``primary="average"``).
- The face reading (``smoothed`` and ``reading``, for the bars and the face box): the primary
  face's scores in an exponential moving average with time constant ``smoothing_s``; the weight
  of a frame depends on the time since the previous one, so it does not depend on the fps.
- The music mood (``mood``, what the songs are for): ``emotune.vision.music_mood.MusicMood``,
  which starts about 1.5 s after the first face and then changes only after a different
  emotion has clearly dominated for a sustained stretch (its module documents the rule).
- Without a face the reading and the mood stay; after ``no_face_s`` the state says "no face".

The time is an argument (video time or a clock the caller owns), so tests are deterministic.
This module must not import OpenCV, onnxruntime or anything that does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from emotune.choices import Pace
from emotune.labels import EMOTIONS
from emotune.vision.messages import MoodState
from emotune.vision.music_mood import MusicMood

Primary = Literal["largest", "average"]
DEFAULT_SMOOTHING_S = 0.5
DEFAULT_NO_FACE_S = 1.0


class MoodTracker:
    def __init__(
        self,
        smoothing_s: float = DEFAULT_SMOOTHING_S,
        pace: Pace = "normally",
        no_face_s: float = DEFAULT_NO_FACE_S,
        primary: Primary = "largest",
    ) -> None:
        if smoothing_s < 0 or no_face_s < 0:
            raise ValueError("smoothing_s and no_face_s must not be negative")
        if primary not in ("largest", "average"):
            raise ValueError(f"primary must be 'largest' or 'average', not {primary!r}")
        self.smoothing_s = smoothing_s
        self.pace: Pace = pace
        self.no_face_s = no_face_s
        self.primary: Primary = primary
        # While the person teaches Emotune their face, the faces are made on purpose: the reading
        # follows them, the music mood takes no evidence from them (as if no face were in view).
        self.music_on_hold = False
        self.reset()

    def reset(self) -> None:
        """Forget everything, the mood included."""
        self.music = MusicMood(self.pace)
        self._average: NDArray[np.float64] | None = None
        self._last_face_t: float | None = None
        self._last_t: float | None = None

    @property
    def mood(self) -> str | None:
        """The music mood."""
        return self.music.mood

    def update(self, scores: ArrayLike, t: float, areas: Sequence[float] | None = None) -> MoodState:
        """Feed one frame: ``scores`` (N x 7, N may be 0), its time ``t`` in seconds, and the face
        areas (for picking the largest face; by default the first face is taken as the largest)."""
        matrix = np.asarray(scores, dtype=np.float64).reshape(-1, len(EMOTIONS))
        if self._last_t is not None and t < self._last_t:
            # Time ran backwards (a new source or a rewound video): restart the clock, keep the mood.
            self._last_face_t = None
        self._last_t = t
        frame_scores = self._primary_scores(matrix, areas) if len(matrix) else None
        if frame_scores is not None:
            self._blend(frame_scores, t)
            self._last_face_t = t
        changed = self.music.update(None if self.music_on_hold else frame_scores, t)
        face_present = bool(len(matrix)) or (self._last_face_t is not None and t - self._last_face_t < self.no_face_s)
        average = self._average if self._average is not None else np.zeros(len(EMOTIONS))
        reading = EMOTIONS[int(np.argmax(average))] if self._average is not None and face_present else None
        return MoodState(self.mood, face_present, tuple(float(v) for v in average), reading, changed, t)

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
