"""Doing less work per second on real frames: the detector tracks known faces near their
last boxes and searches the whole frame once a second or when a face is lost; the classifier
reads each face ten times a second and tracked boxes carry the last reading."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from emotune.vision.faces import Face, HaarDetector, YuNetDetector, box_overlap
from emotune.vision.messages import FaceResult
from emotune.vision.pipeline import FacePipeline, PipelineSettings
from testbed.media import Image, background, place_face, talking_head_frames

FPS = 30.0


class CountingDetector:
    """The real YuNet detector, counting whole-frame searches and tracks."""

    name = "yunet"

    def __init__(self) -> None:
        self.real = YuNetDetector()
        self.searches: list[int] = []  # frame numbers
        self.tracks: list[int] = []
        self.frame = 0

    def load(self) -> None:
        self.real.load()

    def detect(self, image: Image) -> list[Face]:
        self.searches.append(self.frame)
        return self.real.detect(image)

    def track(self, image: Image, faces: Sequence[Face]) -> list[Face] | None:
        self.tracks.append(self.frame)
        return self.real.track(image, faces)


@pytest.fixture(scope="module")
def head() -> list[Image]:
    return talking_head_frames(90)  # three seconds of a moving, nodding head


def with_second_face(frame: Image, head: list[Image]) -> Image:
    """``frame`` with the astronaut's face (from the clip's first frame) pasted a second time."""
    return place_face(frame, np.asarray(head[0][134:240, 240:345]), (100, 120), 120)


def run(frames: Sequence[Image]) -> tuple[CountingDetector, list[tuple[tuple[FaceResult, ...], bool]]]:
    detector = CountingDetector()
    pipeline = FacePipeline(PipelineSettings(), detector=detector)
    pipeline.load()
    results = []
    for i, frame in enumerate(frames):
        detector.frame = i
        faces, _, fresh = pipeline.step(frame, i / FPS)
        results.append((faces, fresh))
    return detector, results


def test_the_whole_frame_is_searched_once_a_second_and_the_face_tracked_between(head: list[Image]) -> None:
    detector, results = run(head)
    assert detector.searches[:1] == [0]
    assert len(detector.searches) <= 4, detector.searches  # t = 0, 1, 2 s (and one spare)
    assert len(detector.tracks) >= 10  # the head moves: it is followed, not searched for
    assert all(faces for faces, _ in results)
    # A tracked box is where a whole-frame search puts the face on the same frame.
    for i in detector.tracks[::4]:
        (found,) = results[i][0]
        (searched,) = detector.real.detect(head[i])
        assert box_overlap(found.box, searched.box) > 0.7, (i, found.box, searched.box)


def test_faces_are_read_ten_times_a_second_and_tracked_boxes_keep_the_last_reading(head: list[Image]) -> None:
    detector, results = run(head)
    fresh = [i for i, (_, is_fresh) in enumerate(results) if is_fresh]
    assert 28 <= len(fresh) <= 32  # 3 s at 10 a second
    # 0.1 s = 3 frames apart, except that faces a whole-frame search finds are read at once.
    assert all(b - a >= 3 or b in detector.searches for a, b in itertools.pairwise(fresh)), fresh
    carried = [i for i in detector.tracks if not results[i][1]]
    assert carried, "some tracks fall between readings"
    for i in carried:
        last_fresh = max(j for j in fresh if j < i)
        (now,) = results[i][0]
        (then,) = results[last_fresh][0]
        assert now.scores == then.scores
        assert now.box != then.box  # the box followed the head


def test_a_face_that_leaves_is_dropped_at_once_and_one_that_joins_is_found_within_a_second(head: list[Image]) -> None:
    empty = background(3)
    frames = head[:30] + [empty] * 6
    _, results = run(frames)
    assert all(faces for faces, _ in results[:30])
    assert not results[30][0]  # the picture in the box changed: tracking fails, the search finds nobody

    two = [with_second_face(frame, head) for frame in head[30:75]]
    _, results = run(head[:30] + two)
    joined = next(i for i, (faces, _) in enumerate(results) if len(faces) == 2)
    assert 30 <= joined <= 30 + FPS + 1, joined


def test_yunet_tracks_in_the_given_order_and_gives_up_on_a_face_that_is_gone(head: list[Image]) -> None:
    detector = YuNetDetector()
    first_frame, later = (with_second_face(head[i], head) for i in (0, 6))
    faces = detector.detect(first_frame)
    assert len(faces) == 2
    smallest_first = sorted(faces, key=lambda face: face.area)
    tracked = detector.track(later, smallest_first)
    assert tracked is not None
    assert [box_overlap(a.box, b.box) > 0.5 for a, b in zip(tracked, smallest_first, strict=True)] == [True, True]
    assert detector.track(background(4), faces) is None
    assert detector.track(first_frame, []) is None
    assert HaarDetector().track(first_frame, faces) is None  # Haar always searches the whole frame
