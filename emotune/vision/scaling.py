"""Scaling pictures down cheaply without aliasing.

OpenCV's ``INTER_AREA`` is the textbook way to shrink, but at ratios that are not whole numbers it
takes a slow general path, several times the cost of bilinear (``python -m
benchmarks.scaling_bench``; the table is in docs/performance.md, section 6). Bilinear at a factor of
two is area averaging (each output pixel is the mean of two by two), and between a half and one it
still takes every source pixel into account, so: halve while the picture is at least twice too big,
then one bilinear step to the size asked. The result looks the same as ``INTER_AREA`` (a grey level
or so apart) at a fraction of its cost, which matters when the video panel draws 30 frames a second
all day.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray


def resize(image: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    """``image`` at ``size`` (width, height): halvings by area averaging, then one bilinear step."""
    width, height = size
    while image.shape[1] >= 2 * width and image.shape[0] >= 2 * height:
        # Bilinear at a factor of two weighs each pair of pixels half and half: area averaging.
        half = (image.shape[1] // 2, image.shape[0] // 2)
        image = np.asarray(cv2.resize(image, half, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    if (image.shape[1], image.shape[0]) == (width, height):
        return image
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
