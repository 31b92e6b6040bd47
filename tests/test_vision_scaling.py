"""Cheap shrinking (emotune.vision.scaling) on a real photo: exact sizes, and the same picture as
OpenCV's INTER_AREA to within a couple of grey levels, including odd sizes and enlarging."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from emotune.vision import scaling
from testbed.media import talking_head_frames


@pytest.mark.parametrize(
    ("source", "target"),
    [((640, 480), (628, 471)), ((1920, 1080), (628, 353)), ((1281, 721), (256, 144)), ((641, 479), (160, 119))],
)
def test_shrinks_to_the_exact_size_and_looks_like_area_averaging(
    source: tuple[int, int], target: tuple[int, int]
) -> None:
    frame = talking_head_frames(1, source)[0]
    ours = scaling.resize(frame, target)
    area = cv2.resize(frame, target, interpolation=cv2.INTER_AREA)
    assert ours.shape == (target[1], target[0], 3) and ours.dtype == np.uint8
    assert float(np.abs(ours.astype(np.int16) - area).mean()) < 3.0


def test_enlarging_is_bilinear_and_same_size_is_untouched() -> None:
    frame = talking_head_frames(1, (320, 240))[0]
    assert np.array_equal(scaling.resize(frame, (640, 480)), cv2.resize(frame, (640, 480)))
    assert scaling.resize(frame, (320, 240)) is frame


def test_grey_pictures_shrink_too() -> None:
    grey = cv2.cvtColor(talking_head_frames(1, (640, 480))[0], cv2.COLOR_BGR2GRAY)
    small = scaling.resize(grey, (100, 75))
    assert small.shape == (75, 100)
    area = cv2.resize(grey, (100, 75), interpolation=cv2.INTER_AREA)
    assert float(np.abs(small.astype(np.int16) - area).mean()) < 3.0
