"""Face crops for the emotion classifier: square, with a margin, grey, optionally eye-aligned.

FER2013's faces are square crops a little larger than the face, so a detector's box (YuNet's is
about face-high and narrower than high) is squared on its longer side and widened by ``margin``.
Parts of the square outside the frame are filled by repeating the edge pixels, so faces at the
border keep their scale. Crops come out at ``size`` pixels (the classifier still resizes what it
gets; producing its 48x48 input here would repeat that logic). This module must not detect or
classify.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.vision.faces import Face
from emotune.vision.patches import square_patch
from emotune.vision.preprocess import to_gray

DEFAULT_MARGIN = 0.1
DEFAULT_CROP_SIZE = 96  # twice the model input: INTER_AREA from here loses nothing at 48x48


def square_around(box: tuple[int, int, int, int], margin: float) -> tuple[float, float, float]:
    """Centre x, centre y and side of the square crop for a detector box."""
    x, y, w, h = box
    return x + w / 2.0, y + h / 2.0, max(w, h) * (1.0 + margin)


def crop_face(
    gray: NDArray[np.uint8],
    face: Face,
    margin: float = DEFAULT_MARGIN,
    align: bool = False,
    size: int = DEFAULT_CROP_SIZE,
) -> NDArray[np.uint8]:
    """A ``size`` x ``size`` grey crop of ``face`` from the grey frame ``gray``.

    With ``align`` and eye landmarks, the crop is rotated about its centre so the eyes are level."""
    if gray.ndim != 2:
        gray = to_gray(gray)
    cx, cy, side = square_around(face.box, margin)
    angle = 0.0
    eyes = face.eyes if align else None
    if eyes is not None:
        (lx, ly), (rx, ry) = eyes
        angle = math.degrees(math.atan2(ry - ly, rx - lx))
    # Work on a patch just big enough for the rotated square, padded by repeating edge pixels
    # when the face is at the frame's border, so the cost does not depend on the frame size.
    half = math.ceil(side * 0.75) + 1
    x0, y0 = math.floor(cx) - half, math.floor(cy) - half
    patch = square_patch(gray, x0, y0, 2 * half)
    cx, cy = cx - x0, cy - y0
    scale = size / side
    if scale < 0.5:
        # Shrink with area averaging first: a linear warp alone would alias large faces.
        shrink = 2.0 * scale
        patch = np.asarray(cv2.resize(patch, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        cx, cy, scale = cx * shrink, cy * shrink, scale / shrink
    # One affine warp does the rotation, the crop and the resize, mapping the face centre to the crop centre.
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, scale)
    matrix[0, 2] += size / 2.0 - cx
    matrix[1, 2] += size / 2.0 - cy
    crop = cv2.warpAffine(patch, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(crop, dtype=np.uint8)


def crop_faces(
    image: NDArray[np.uint8],
    faces: list[Face],
    margin: float = DEFAULT_MARGIN,
    align: bool = False,
    size: int = DEFAULT_CROP_SIZE,
) -> list[NDArray[np.uint8]]:
    """Crops of all ``faces`` in a BGR or grey frame (converted to grey once)."""
    if not faces:
        return []
    gray = to_gray(image)
    return [crop_face(gray, face, margin, align, size) for face in faces]
