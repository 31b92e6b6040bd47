"""Face detection and crops on real images: the astronaut photo and FER2013 faces on backgrounds."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotune.errors import ModelError
from emotune.resources import resource_path
from emotune.vision.crops import crop_face, crop_faces
from emotune.vision.faces import Face, HaarDetector, YuNetDetector, box_overlap, create_detector, downscale
from testbed.media import astronaut, background, place_face

Box = tuple[int, int, int, int]
# Where the face is in the 512x512 photo (shared/data/faces/README.md: x=178..268, y=63..176).
PHOTO_FACE: Box = (178, 63, 90, 113)


def test_yunet_finds_the_astronaut_with_landmarks() -> None:
    faces = YuNetDetector().detect(astronaut())
    assert len(faces) == 1
    face = faces[0]
    assert box_overlap(face.box, PHOTO_FACE) > 0.6
    assert face.score > 0.6 and len(face.landmarks) == 5
    eyes = face.eyes
    assert eyes is not None and eyes[0][0] < eyes[1][0]  # image-left eye first
    x, y, w, h = face.box
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in face.landmarks)


def test_boxes_are_mapped_back_to_full_resolution() -> None:
    photo = astronaut()
    big = np.asarray(cv2.resize(photo, (1024, 1024), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
    small_side = YuNetDetector(max_side=320).detect(big)
    full = YuNetDetector(max_side=1024).detect(big)
    assert len(small_side) == len(full) == 1
    x, y, w, h = PHOTO_FACE
    assert box_overlap(small_side[0].box, (2 * x, 2 * y, 2 * w, 2 * h)) > 0.6
    assert box_overlap(small_side[0].box, full[0].box) > 0.8


def test_downscale_keeps_small_images_and_reports_the_factor() -> None:
    image = np.zeros((480, 640, 3), np.uint8)
    small, scale = downscale(image, 320)
    assert small.shape == (240, 320, 3) and scale == 0.5
    same, one = downscale(image, 1000)
    assert same is image and one == 1.0


def test_minimum_face_size_filters_small_faces() -> None:
    photo = astronaut()  # the face is about 90 px wide
    assert YuNetDetector(min_face=40).detect(photo)
    assert YuNetDetector(min_face=150).detect(photo) == []


def test_no_face_on_a_background() -> None:
    assert YuNetDetector().detect(background(3)) == []
    assert HaarDetector().detect(background(3)) == []


@pytest.mark.data
def test_several_faces_largest_first(val_faces: dict[str, list[np.ndarray]]) -> None:
    frame = background(1)
    frame = place_face(frame, val_faces["happy"][0], (160, 240), 120)
    frame = place_face(frame, val_faces["neutral"][1], (450, 240), 220)
    faces = YuNetDetector().detect(frame)
    assert len(faces) == 2
    assert faces[0].area > faces[1].area
    assert faces[0].box[0] > 300 > faces[1].box[0]


def test_haar_option_finds_the_frontal_astronaut() -> None:
    detector = create_detector("haar")
    assert isinstance(detector, HaarDetector)
    faces = detector.detect(astronaut())
    # Haar also fires on the photo's badge at this scale: one of its boxes must be the face.
    assert any(box_overlap(face.box, PHOTO_FACE) > 0.4 for face in faces)
    assert all(face.landmarks == () and face.eyes is None for face in faces)


def test_unknown_detector_and_missing_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown face detector"):
        create_detector("mtcnn")
    missing = tmp_path / "absent.onnx"
    with pytest.raises(ModelError, match=r"absent\.onnx: face detection model not found"):
        YuNetDetector(model_path=missing).detect(astronaut())


def test_an_onnx_model_that_is_not_yunet_is_refused_at_load(tmp_path: Path) -> None:
    # The emotion model is valid ONNX: FaceDetectorYN loads it and failed only on the first frame.
    other = tmp_path / "face_detection_yunet_2023mar.onnx"
    other.write_bytes(resource_path("models", "emotion.onnx").read_bytes())
    with pytest.raises(ModelError, match=r"not a YuNet face detection model \(no output bbox_16, bbox_32, bbox_8"):
        YuNetDetector(model_path=other).load()


def test_crops_are_square_grey_and_centred_on_the_box() -> None:
    gray = np.zeros((480, 640), np.uint8)
    gray[200:280, 300:340] = 255  # a bright 40x80 block: the "face"
    crop = crop_face(gray, Face((300, 200, 40, 80), 1.0), margin=0.0, size=80)
    assert crop.shape == (80, 80) and crop.dtype == np.uint8
    # Squared on the longer side: the block fills the crop's height and the middle half of its width.
    assert crop[:, 25:55].mean() > 240 and crop[:, :15].mean() < 15 and crop[:, 65:].mean() < 15


def test_crops_at_the_border_repeat_edge_pixels() -> None:
    frame = np.full((100, 100, 3), 77, np.uint8)
    crops = crop_faces(frame, [Face((0, 0, 40, 40), 1.0), Face((80, 80, 20, 20), 1.0)], margin=0.5, size=48)
    assert [c.shape for c in crops] == [(48, 48), (48, 48)]
    assert all(int(c.min()) == int(c.max()) == 77 for c in crops)


def test_alignment_levels_the_eyes() -> None:
    gray = np.zeros((400, 400), np.uint8)
    angle = math.radians(20)
    centre = np.array([200.0, 200.0])
    offset = 40 * np.array([math.cos(angle), math.sin(angle)])
    left, right = centre - offset, centre + offset
    for x, y in (left, right):
        cv2.circle(gray, (round(x), round(y)), 6, 255, -1)
    face = Face(
        (120, 120, 160, 160), 1.0, ((left[0], left[1]), (right[0], right[1]), (200, 230), (180, 260), (220, 260))
    )

    def eye_rows(crop: np.ndarray) -> tuple[float, float]:
        ys, xs = np.nonzero(crop > 128)
        return float(ys[xs < 48].mean()), float(ys[xs >= 48].mean())

    tilted = eye_rows(crop_face(gray, face, margin=0.0, align=False, size=96))
    level = eye_rows(crop_face(gray, face, margin=0.0, align=True, size=96))
    assert abs(tilted[0] - tilted[1]) > 10
    assert abs(level[0] - level[1]) < 1.5


def test_large_faces_are_area_averaged_before_the_warp() -> None:
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (1000, 1000), dtype=np.uint8)
    crop = crop_face(gray, Face((100, 100, 800, 800), 1.0), margin=0.0, size=48)
    # Averaging 16x16 blocks of uniform noise gives values near 127 with little spread;
    # sampling single pixels (aliasing) would keep the noise's full spread (std ~74).
    assert crop.std() < 20
