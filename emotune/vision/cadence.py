"""How often to detect and classify: a face in front of a webcam barely moves between frames,
and the music mood needs a few readings per second, not thirty.

``Cadence`` decides per frame, from the frame's own time (video time for files, so the result
does not depend on how fast a machine is), whether to run the face detector and whether to run
the classifier; the frames between reuse the last boxes and scores, and the video still draws
at the source's rate. The rules:

- Detect every ``detect_every_s``; at once when time runs backwards (a new source); and at once
  when the picture inside the last face box has changed a lot since it was detected (the face
  moved or left: ``moved()``, a 16x16 grey thumbnail compared by mean absolute difference).
- A detection searches the whole frame every ``search_every_s`` (new faces) and whenever no face
  is known; in between it only tracks the known faces (the detector looks near their last boxes,
  ``FaceDetector.track``), and searches the whole frame when one of them is not found there.
- Classify after every whole-frame search and otherwise every ``classify_every_s``; tracked boxes
  keep the last reading in between (``emotune.vision.pipeline.FacePipeline.step``).

Zero intervals mean every frame. The defaults (``emotune.vision.pipeline.PipelineSettings``)
were chosen by ``python -m benchmarks.cadence_bench`` (docs/figures.md).
This module must not import onnxruntime or anything that does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

THUMB = 16
MOVED_LEVELS = 18.0  # mean grey-level change (0..255) of the face box's thumbnail that means "moved"


def thumbnails(image: NDArray[np.uint8], boxes: Sequence[tuple[int, int, int, int]]) -> list[NDArray[np.float32]]:
    """A 16x16 grey thumbnail of each box (clipped to the image); cheap to compare."""
    height, width = image.shape[:2]
    out = []
    for x, y, w, h in boxes:
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + w), min(height, y + h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            out.append(np.zeros((THUMB, THUMB), np.float32))
            continue
        patch = image[y0:y1, x0:x1]
        small = cv2.resize(patch, (THUMB, THUMB), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        out.append(grey.astype(np.float32))
    return out


def _due(last: float | None, t: float, every_s: float) -> bool:
    return last is None or t < last or t - last >= every_s - 1e-9


class Cadence:
    def __init__(self, detect_every_s: float = 0.0, classify_every_s: float = 0.0, search_every_s: float = 0.0) -> None:
        self.detect_every_s = detect_every_s
        self.classify_every_s = classify_every_s
        self.search_every_s = search_every_s
        self._detected_at: float | None = None
        self._classified_at: float | None = None
        self._searched_at: float | None = None
        self._thumbs: list[NDArray[np.float32]] = []

    def should_detect(self, t: float) -> bool:
        return _due(self._detected_at, t, self.detect_every_s)

    def should_classify(self, t: float) -> bool:
        return _due(self._classified_at, t, self.classify_every_s)

    def should_search(self, t: float) -> bool:
        """Whether a detection due now must search the whole frame rather than track."""
        return _due(self._searched_at, t, self.search_every_s)

    def searched(self, t: float) -> None:
        self._searched_at = t

    def detected(self, t: float, image: NDArray[np.uint8], boxes: Sequence[tuple[int, int, int, int]]) -> None:
        self._detected_at = t
        self._thumbs = thumbnails(image, boxes) if self.detect_every_s > 0 else []

    def classified(self, t: float) -> None:
        self._classified_at = t

    def moved(self, image: NDArray[np.uint8], boxes: Sequence[tuple[int, int, int, int]]) -> bool:
        """Whether the picture inside the last boxes changed enough to detect again now."""
        if not self._thumbs:
            return False
        now = thumbnails(image, boxes)
        return any(float(np.mean(np.abs(a - b))) > MOVED_LEVELS for a, b in zip(now, self._thumbs, strict=True))
