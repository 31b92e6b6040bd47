"""Turning a face crop into the emotion model's input: the one place both training and the
app do it. Normalisation (mean/std) happens inside the model itself; this module only makes
a 48x48 single-channel float image of raw grey levels."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

INPUT_SIZE = 48
# Grey-level statistics of FER2013 (all images); the model divides by these in its first layer.
PIXEL_MEAN = 129.4
PIXEL_STD = 64.3


def to_gray(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A 2-D grey image from a grey, BGR or BGRA image."""
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return np.asarray(cv2.cvtColor(image, code), dtype=np.uint8)
    raise ValueError(f"expected a grey, BGR or BGRA image, got shape {image.shape}")


def face_to_input(face: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A face crop of any size and colour layout as a 48x48 grey uint8 image.

    INTER_AREA, because FER2013 itself was made by area-averaging larger crops."""
    gray = to_gray(face)
    if gray.size == 0:
        raise ValueError("empty face crop")
    if gray.shape != (INPUT_SIZE, INPUT_SIZE):
        interpolation = cv2.INTER_AREA if min(gray.shape) >= INPUT_SIZE else cv2.INTER_LINEAR
        gray = np.asarray(cv2.resize(gray, (INPUT_SIZE, INPUT_SIZE), interpolation=interpolation), dtype=np.uint8)
    return gray


def faces_to_batch(faces: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
    """Face crops as one float32 batch of shape (N, 48, 48, 1), raw grey levels 0..255."""
    batch = np.empty((len(faces), INPUT_SIZE, INPUT_SIZE, 1), dtype=np.float32)
    for i, face in enumerate(faces):
        batch[i, :, :, 0] = face_to_input(face)
    return batch
