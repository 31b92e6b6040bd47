"""Face detection: where the faces are in a BGR frame, as boxes in full-resolution pixels.

``create_detector("yunet")`` (default) or ``create_detector("haar")`` gives a detector whose
``detect(image)`` returns ``Face`` records, largest first. Both detect on a copy scaled down so
its longest side is ``max_side`` pixels (speed: YuNet's cost grows with the pixel count) and map
boxes and landmarks back to the full frame; faces narrower than ``min_face`` full-resolution
pixels are ignored. Models are found through ``emotune.resources`` and loaded on first use,
from their bytes: OpenCV's file functions take narrow (ANSI) paths on Windows and fail when
the app sits in a folder named with other letters (``C:\\Users\\Zoë``). This module must not
classify emotions or crop faces, and keeps the OpenCV detector objects private.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.choices import DETECTORS, Detector
from emotune.errors import ModelError, reason
from emotune.resources import resource_path
from emotune.vision import scaling
from emotune.vision.patches import square_patch
from emotune.vision.preprocess import to_gray

YUNET_FILE = "face_detection_yunet_2023mar.onnx"
HAAR_FILE = "haarcascade_frontalface_default.xml"
DEFAULT_MAX_SIDE = 256  # 0.8x the time of 320 and every talking-head face still found (docs/performance.md)
# The outputs cv2.FaceDetectorYN reads from YuNet (2023mar): class, objectness, box and
# landmark maps at strides 8, 16 and 32.
YUNET_OUTPUTS = frozenset(f"{kind}_{stride}" for kind in ("cls", "obj", "bbox", "kps") for stride in (8, 16, 32))
DEFAULT_MIN_FACE = 40
# Tracking (``YuNetDetector.track``): YuNet looks again only at a square TRACK_SPAN times the
# face's size around where it was, scaled to TRACK_INPUT pixels, where the face is about 48 pixels
# wide (as big as a 120-pixel face in the whole-frame copy): a fifth of the pixels of a 256x192
# copy and a fraction of the time. 96 rather than 128 by ``benchmarks.cadence_bench``: less work,
# readings as often right on the JAFFE clips (docs/performance.md, section 6).
TRACK_SPAN = 2.0
TRACK_INPUT = 96
NO_CONFIG = np.zeros(0, dtype=np.uint8)  # an ONNX model needs no second file


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x, y, width, height in full-resolution pixels
    score: float  # detector confidence (1.0 for Haar, which gives none)
    landmarks: tuple[tuple[float, float], ...] = ()  # YuNet: right eye, left eye, nose tip, mouth corners

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    @property
    def eyes(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """(eye on the image's left, eye on the image's right), or None without landmarks."""
        if len(self.landmarks) < 2:
            return None
        return self.landmarks[0], self.landmarks[1]


class FaceDetector(Protocol):
    name: str

    def detect(self, image: NDArray[np.uint8]) -> list[Face]: ...

    def track(self, image: NDArray[np.uint8], faces: Sequence[Face]) -> list[Face] | None:
        """``faces`` found again near where they were, in the same order, or None when any of
        them was not (or the detector cannot track): the caller then detects on the whole frame."""
        ...


def downscale(image: NDArray[np.uint8], max_side: int) -> tuple[NDArray[np.uint8], float]:
    """``image`` scaled so its longest side is at most ``max_side``, and the factor used (<= 1)."""
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width)) if max_side > 0 else 1.0
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return scaling.resize(image, size), scale


def box_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    w = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / float(a[2] * a[3] + b[2] * b[3] - inter) if inter else 0.0


def _clip_box(x: float, y: float, w: float, h: float, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = max(0, round(x)), max(0, round(y))
    x1, y1 = min(width, round(x + w)), min(height, round(y + h))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


class YuNetDetector:
    name = "yunet"

    def __init__(
        self,
        max_side: int = DEFAULT_MAX_SIDE,
        min_face: int = DEFAULT_MIN_FACE,
        score_threshold: float = 0.6,
        nms_threshold: float = 0.3,
        model_path: Path | None = None,
    ) -> None:
        self.max_side = max_side
        self.min_face = min_face
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold
        self.model_path = model_path if model_path is not None else resource_path("models", YUNET_FILE)
        self._model = np.zeros(0, dtype=np.uint8)  # the model file's bytes, once read
        self._net: cv2.FaceDetectorYN | None = None
        self._input_size = (0, 0)
        # A second net for tracking at its own fixed size: switching one net's size costs time.
        self._track_net: cv2.FaceDetectorYN | None = None
        # A net keeps per-size state (setInputSize), so one detect runs at a time.
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            self._ensure_net((256, 192))  # the default copy of a 640x480 frame

    def _ensure_net(self, size: tuple[int, int]) -> cv2.FaceDetectorYN:
        if self._net is None:
            self._model = model_bytes(self.model_path, "face detection model")
            self._check_model()
            self._net = self._create_net(size)
            self._input_size = size
        if size != self._input_size:
            self._net.setInputSize(size)
            self._input_size = size
        return self._net

    def _create_net(self, size: tuple[int, int]) -> cv2.FaceDetectorYN:
        try:
            model, score, nms = self._model, self.score_threshold, self.nms_threshold
            net = cv2.FaceDetectorYN.create("onnx", model, NO_CONFIG, size, score, nms, 5000)
            # What detect will do, done once now: a model that only looks like YuNet fails here.
            net.detect(np.zeros((size[1], size[0], 3), dtype=np.uint8))
        except cv2.error as exc:
            raise ModelError(f"{self.model_path}: not a working YuNet face detection model") from exc
        return net

    def _check_model(self) -> None:
        """ModelError unless the file is an ONNX model with YuNet's outputs (which FaceDetectorYN
        asks for by name; another model loads without complaint and fails on the first frame)."""
        try:
            names = set(cv2.dnn.readNetFromONNX(self._model).getUnconnectedOutLayersNames())
        except cv2.error as exc:
            raise ModelError(f"{self.model_path}: not a readable YuNet model") from exc
        missing = sorted(YUNET_OUTPUTS - names)
        if missing:
            raise ModelError(
                f"{self.model_path}: not a YuNet face detection model (no output {', '.join(missing[:3])}"
                f"{', ...' if len(missing) > 3 else ''})"
            )

    def detect(self, image: NDArray[np.uint8]) -> list[Face]:
        if image.ndim == 2 or image.shape[2] == 1:
            image = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
        elif image.shape[2] == 4:
            image = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
        small, scale = downscale(image, self.max_side)
        with self._lock:
            net = self._ensure_net((small.shape[1], small.shape[0]))
            _, rows = net.detect(small)
        faces = self._faces(rows, scale, (0.0, 0.0), image.shape[:2])
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def track(self, image: NDArray[np.uint8], faces: Sequence[Face]) -> list[Face] | None:
        """Each of ``faces`` found again in a square around its last box, in the same order (a
        third of the work of ``detect`` for one face); None when one was not found there, or the
        image is not BGR."""
        if image.ndim != 3 or image.shape[2] != 3 or not faces:
            return None
        found = []
        for face in faces:
            x, y, w, h = face.box
            side = max(2, round(TRACK_SPAN * max(w, h)))
            x0, y0 = round(x + w / 2 - side / 2), round(y + h / 2 - side / 2)
            window = scaling.resize(square_patch(image, x0, y0, side), (TRACK_INPUT, TRACK_INPUT))
            with self._lock:
                if self._track_net is None:  # the model was checked when ``detect`` found the faces
                    self._track_net = self._create_net((TRACK_INPUT, TRACK_INPUT))
                _, rows = self._track_net.detect(window)
            near = self._faces(rows, TRACK_INPUT / side, (x0, y0), image.shape[:2])
            if not near:
                return None
            found.append(max(near, key=lambda candidate: box_overlap(candidate.box, face.box)))
        return found

    def _faces(
        self, rows: cv2.typing.MatLike | None, scale: float, origin: tuple[float, float], shape: tuple[int, ...]
    ) -> list[Face]:
        """YuNet's rows (found on a copy scaled by ``scale`` whose corner is at ``origin`` in the
        frame) as faces in frame pixels, without the ones too small or wholly outside."""
        if rows is None:
            return []
        height, width = shape[:2]
        ox, oy = origin
        faces = []
        for row in np.asarray(rows, dtype=np.float64).reshape(-1, 15):
            x, y, w, h = row[:4] / scale
            if min(w, h) < self.min_face:
                continue
            box = _clip_box(x + ox, y + oy, w, h, width, height)
            if box[2] == 0 or box[3] == 0:
                continue
            points = row[4:14].reshape(5, 2) / scale
            landmarks = tuple((float(px + ox), float(py + oy)) for px, py in points)
            faces.append(Face(box, float(row[14]), landmarks))
        return faces


def model_bytes(path: Path, what: str) -> NDArray[np.uint8]:
    """The bytes of a model file, for OpenCV to load from memory (module docstring)."""
    if not path.is_file():
        raise ModelError(f"{path}: {what} not found")
    try:
        return np.frombuffer(path.read_bytes(), dtype=np.uint8)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the {what} ({reason(exc)})") from None


def read_cascade(path: Path) -> cv2.CascadeClassifier:
    """A Haar cascade read from the XML text in memory (module docstring), or ModelError."""
    cascade = cv2.CascadeClassifier()
    try:
        text = model_bytes(path, "Haar cascade").tobytes().decode("utf-8")
        storage = cv2.FileStorage(text, cv2.FILE_STORAGE_READ | cv2.FILE_STORAGE_MEMORY)
        loaded = cascade.read(storage.getFirstTopLevelNode())
    # OpenCV wraps what its parser raises for text that is not a cascade in a SystemError.
    except (UnicodeDecodeError, cv2.error, SystemError):
        loaded = False
    if not loaded or cascade.empty():
        raise ModelError(f"{path}: Haar cascade not found or unreadable")
    return cascade


class HaarDetector:
    """OpenCV's frontal-face cascade: no landmarks, misses turned faces, slower; kept as an option."""

    name = "haar"

    def __init__(
        self,
        max_side: int = DEFAULT_MAX_SIDE,
        min_face: int = DEFAULT_MIN_FACE,
        scale_factor: float = 1.1,
        min_neighbors: int = 5,
        cascade_path: Path | None = None,
    ) -> None:
        self.max_side = max_side
        self.min_face = min_face
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.cascade_path = cascade_path if cascade_path is not None else haar_cascade_dir() / HAAR_FILE
        self._cascade: cv2.CascadeClassifier | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        self._ensure_cascade()

    def _ensure_cascade(self) -> cv2.CascadeClassifier:
        with self._lock:
            if self._cascade is None:
                self._cascade = read_cascade(self.cascade_path)
            return self._cascade

    def detect(self, image: NDArray[np.uint8]) -> list[Face]:
        cascade = self._ensure_cascade()
        gray = to_gray(image)
        small, scale = downscale(gray, self.max_side)
        min_small = max(1, int(self.min_face * scale))
        small = np.asarray(cv2.equalizeHist(small), dtype=np.uint8)
        rects = cascade.detectMultiScale(
            small, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors, minSize=(min_small, min_small)
        )
        height, width = gray.shape[:2]
        faces = []
        for x, y, w, h in np.asarray(rects, dtype=np.float64).reshape(-1, 4):
            box = _clip_box(x / scale, y / scale, w / scale, h / scale, width, height)
            if min(box[2], box[3]) >= self.min_face:
                faces.append(Face(box, 1.0))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def track(self, image: NDArray[np.uint8], faces: Sequence[Face]) -> list[Face] | None:
        return None  # the cascade is the slow option anyway: it always looks at the whole frame


def haar_cascade_dir() -> Path:
    """Where opencv-python keeps its cascade files (``cv2.data``, which has no type stubs)."""
    data = getattr(cv2, "data", None)
    return Path(str(getattr(data, "haarcascades", "")))


def create_detector(
    name: Detector = "yunet", max_side: int = DEFAULT_MAX_SIDE, min_face: int = DEFAULT_MIN_FACE
) -> YuNetDetector | HaarDetector:
    if name == "yunet":
        return YuNetDetector(max_side=max_side, min_face=min_face)
    if name == "haar":
        return HaarDetector(max_side=max_side, min_face=min_face)
    raise ValueError(f"unknown face detector {name!r} (choose from {', '.join(DETECTORS)})")
