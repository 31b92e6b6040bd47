"""Messages the vision worker posts for its consumer (the GUI's drain loop, the CLI, tests).

Small frozen dataclasses with plain fields (numbers, strings, tuples, numpy arrays), so they can
cross threads safely and be rendered without knowing anything about OpenCV or onnxruntime. This
module must not import cv2, onnxruntime or tkinter, and holds no behaviour beyond formatting.
It also defines ``MessageQueue``, the bounded queue that never blocks the worker.
"""

from __future__ import annotations

import queue
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS

Box = tuple[int, int, int, int]
"""A face box in full-resolution frame pixels: (x, y, width, height), top-left origin."""


@dataclass(frozen=True)
class FaceResult:
    """One face in one frame: where it is and how the classifier reads it."""

    box: Box
    scores: tuple[float, ...]  # probabilities in EMOTIONS order
    detection_score: float = 1.0
    landmarks: tuple[tuple[float, float], ...] = ()  # YuNet: right eye, left eye, nose, mouth corners

    @property
    def emotion(self) -> str:
        return EMOTIONS[int(np.argmax(self.scores))]

    @property
    def confidence(self) -> float:
        return float(max(self.scores))

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    def scores_by_label(self) -> dict[str, float]:
        return dict(zip(EMOTIONS, self.scores, strict=True))

    def to_json(self) -> dict[str, object]:
        """The face object of the CLI contract (docs/cli.md)."""
        return {
            "box": list(self.box),
            "emotion": self.emotion,
            "confidence": round(self.confidence, 4),
            "scores": {label: round(score, 4) for label, score in self.scores_by_label().items()},
        }


@dataclass(frozen=True)
class MoodState:
    """The tracker's answer after a frame: the music mood, and the face reading beside it."""

    mood: str | None  # the music mood (slow); None until a face has been seen for a moment
    face_present: bool  # False once no face has been seen for the tracker's grace period
    smoothed: tuple[float, ...]  # the face reading: moving average of the primary face's scores
    reading: str | None  # the label the reading ranks first; None while no face is present
    changed: bool  # True on the update that replaced the music mood
    t: float


@dataclass(frozen=True)
class FrameResult:
    """Everything the pipeline made of one frame. ``image`` is the frame itself (BGR), for display."""

    index: int
    t: float  # seconds since the source started (video time for files)
    faces: tuple[FaceResult, ...]
    mood: MoodState
    image: NDArray[np.uint8] | None = field(default=None, compare=False, repr=False)
    source: str = ""
    timings_ms: Mapping[str, float] = field(default_factory=dict, compare=False)
    fresh: bool = True  # the faces' scores are a new reading (not carried over by the cadence)


@dataclass(frozen=True)
class MoodChanged:
    mood: str
    previous: str | None
    t: float
    frame: int


@dataclass(frozen=True)
class SourceError:
    """The source failed (missing camera, unreadable or truncated file, camera unplugged)."""

    source: str
    message: str  # one line, naming the source and the problem


@dataclass(frozen=True)
class SourceEnded:
    source: str
    frames: int


@dataclass(frozen=True)
class CalibrationSample:
    """While the user teaches Emotune their face: the model's own outputs for the largest face
    of one fresh frame (None without a face), and how many faces were in view."""

    label: str  # the expression being shown
    faces: int
    probabilities: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)  # (7,)
    embedding: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)  # (D,)


Message = FrameResult | MoodChanged | SourceError | SourceEnded | CalibrationSample


class MessageQueue(queue.Queue[Message]):
    """A queue whose producer never waits and that never loses a control message.

    ``maxsize`` bounds the frame results: when the queue is full, the oldest frame result is
    dropped (a newer one is on its way). Mood changes, errors, end-of-stream and calibration
    samples are never dropped: with no frame result left to drop they go in beyond the bound
    (they come at most once per frame, and the consumer drains them all on its next turn).
    """

    def __init__(self, maxsize: int = 8) -> None:
        if maxsize < 2:
            raise ValueError("MessageQueue needs room for at least two messages")
        super().__init__(maxsize)

    def post(self, message: Message) -> bool:
        """Put without blocking; returns False if ``message`` (a frame result) was dropped instead."""
        with self.not_full:
            if self._qsize() >= self.maxsize:
                victim = next((m for m in self.queue if isinstance(m, FrameResult)), None)
                if victim is not None:
                    self.queue.remove(victim)
                    self.unfinished_tasks -= 1
                elif isinstance(message, FrameResult):
                    return False
            self._put(message)
            self.unfinished_tasks += 1
            self.not_empty.notify()
            return True
