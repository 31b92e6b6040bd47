"""Square regions of a frame that may reach past its edges (faces at the border of the picture).

Used by the face crops for the classifier and by the face tracker's search window. This module
must stay free of models and I/O.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray


def square_patch(image: NDArray[np.uint8], x0: int, y0: int, side: int) -> NDArray[np.uint8]:
    """The ``side`` x ``side`` region of ``image`` (grey or colour) at (x0, y0), edge pixels
    repeated outside the frame, so a face at the border keeps its scale."""
    height, width = image.shape[:2]
    left, top = max(0, -x0), max(0, -y0)
    right, bottom = max(0, x0 + side - width), max(0, y0 + side - height)
    inner = image[max(0, y0) : min(height, y0 + side), max(0, x0) : min(width, x0 + side)]
    if inner.size == 0:
        # The region lies wholly outside the frame (cannot come from a detector): a flat patch.
        return np.zeros((side, side, *image.shape[2:]), dtype=np.uint8)
    if left or top or right or bottom:
        inner = np.asarray(cv2.copyMakeBorder(inner, top, bottom, left, right, cv2.BORDER_REPLICATE), dtype=np.uint8)
    return np.asarray(inner, dtype=np.uint8)
