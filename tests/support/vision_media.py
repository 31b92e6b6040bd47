"""Real test inputs for the vision tests, built at test time in pytest's tmp dirs.

Videos are written with cv2.VideoWriter from FER2013 val faces (upscaled onto larger textured
backgrounds, expression changing over time) and from the public-domain astronaut photo. Nothing
here is copied into the repository. Which faces a test uses is decided by asking the shipped
classifier (``confident_faces``), so the tests hold whichever emotion model is shipped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.pipeline import FacePipeline
from tests.support.paths import FER_ZIP, SHARED

ASTRONAUT = SHARED / "data" / "faces" / "astronaut.png"
FRAME_SIZE = (640, 480)  # width, height
Image = NDArray[np.uint8]


def load_val_faces(per_class: int = 40, zip_path: Path = FER_ZIP) -> dict[str, list[Image]]:
    """The first ``per_class`` val faces of each emotion (48x48 grey), decoded in memory."""
    faces: dict[str, list[Image]] = {name: [] for name in EMOTIONS}
    with zipfile.ZipFile(zip_path) as archive:
        for member in sorted(archive.namelist()):
            parts = member.split("/")
            if len(parts) == 3 and parts[0] == "val" and parts[1] in faces and len(faces[parts[1]]) < per_class:
                data = np.frombuffer(archive.read(member), np.uint8)
                faces[parts[1]].append(np.asarray(cv2.imdecode(data, cv2.IMREAD_GRAYSCALE), dtype=np.uint8))
    return faces


def confident_faces(
    classifier: EmotionClassifier, faces: dict[str, list[Image]], threshold: float = 0.6
) -> dict[str, list[Image]]:
    """Faces grouped by the label the classifier itself gives them with at least ``threshold``
    probability, most confident first (whatever FER2013 says they are)."""
    pool = [face for group in faces.values() for face in group]
    probs = classifier.classify(pool)
    chosen: dict[str, list[tuple[float, int]]] = {name: [] for name in EMOTIONS}
    for i, row in enumerate(probs):
        k = int(np.argmax(row))
        if row[k] >= threshold:
            chosen[EMOTIONS[k]].append((float(row[k]), i))
    return {name: [pool[i] for _, i in sorted(items, reverse=True)] for name, items in chosen.items() if items}


def background(seed: int = 0, size: tuple[int, int] = FRAME_SIZE) -> Image:
    """A smooth random texture (a room, roughly): not flat, so the detector has to work."""
    rng = np.random.default_rng(seed)
    width, height = size
    noise = rng.integers(40, 220, (height // 8, width // 8, 3), dtype=np.uint8)
    return np.asarray(cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def place_face(frame: Image, face: Image, center: tuple[int, int], side: int) -> Image:
    """``frame`` with the grey ``face`` upscaled to ``side`` px and pasted centred at ``center``."""
    out = frame.copy()
    big = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    big_bgr = cv2.cvtColor(big, cv2.COLOR_GRAY2BGR) if big.ndim == 2 else big
    x0, y0 = center[0] - side // 2, center[1] - side // 2
    out[y0 : y0 + side, x0 : x0 + side] = big_bgr
    return out


def face_frame(face: Image, seed: int = 0, center: tuple[int, int] = (320, 240), side: int = 200) -> Image:
    return place_face(background(seed), face, center, side)


def write_video(path: Path, frames: Iterable[Image], fps: float = 10.0) -> Path:
    """An MJPG .avi of BGR frames (MJPG is built into every OpenCV FFmpeg build)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer: cv2.VideoWriter | None = None
    for frame in frames:
        if writer is None:
            height, width = frame.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
            assert writer.isOpened(), f"cannot write {path}"
        writer.write(frame)
    assert writer is not None, "no frames"
    writer.release()
    return path


def expression_frames(segments: Sequence[tuple[Image, int]], seed: int = 0) -> list[Image]:
    """Frames of one person on one background whose face changes: ``(face, frame count)`` per
    segment; the head drifts a little so no two frames are identical."""
    frames = []
    base = background(seed)
    n = 0
    for face, count in segments:
        for _ in range(count):
            dx, dy = int(12 * np.sin(n / 7.0)), int(8 * np.cos(n / 5.0))
            frames.append(place_face(base, face, (320 + dx, 240 + dy), 200))
            n += 1
    return frames


def astronaut() -> Image:
    image = cv2.imread(str(ASTRONAUT), cv2.IMREAD_COLOR)
    assert image is not None, f"{ASTRONAUT} is missing"
    return np.asarray(image, dtype=np.uint8)


def talking_head_frames(count: int, size: tuple[int, int] = FRAME_SIZE) -> list[Image]:
    """A frontal talking head: the astronaut photo on a 640x480 frame, moving, nodding and turning
    slightly, with lighting changes, as a person in front of a webcam does."""
    photo = astronaut()
    width, height = size
    frames = []
    for i in range(count):
        angle = 6.0 * np.sin(i / 11.0)  # head roll, degrees
        scale = 0.9 + 0.1 * np.sin(i / 17.0)
        matrix = cv2.getRotationMatrix2D((256.0, 200.0), angle, scale)
        matrix[0, 2] += width / 2 - 256 + 30 * np.sin(i / 13.0)
        matrix[1, 2] += height / 2 - 200 + 15 * np.cos(i / 9.0)
        frame = cv2.warpAffine(photo, matrix, size, borderMode=cv2.BORDER_REFLECT)
        gain = 0.85 + 0.2 * np.sin(i / 23.0)
        frames.append(np.asarray(np.clip(frame.astype(np.float32) * gain, 0, 255), dtype=np.uint8))
    return frames


def truncate(path: Path, out: Path, fraction: float) -> Path:
    """A copy of ``path`` cut off after ``fraction`` of its bytes (a download that broke off)."""
    data = path.read_bytes()
    out.write_bytes(data[: int(len(data) * fraction)])
    return out


# A person talking for 13 s: mostly neutral, with the short expressions people make while speaking.
TALK_SCRIPT: tuple[tuple[str, float], ...] = (
    ("neutral", 2.0),
    ("happy", 1.5),
    ("neutral", 1.0),
    ("happy", 2.0),
    ("surprise", 1.0),
    ("neutral", 2.0),
    ("sad", 1.5),
    ("neutral", 2.0),
)


def person_photos(person: Path) -> dict[str, list[Image]]:
    """One person's posed photos by expression (``<person>/<emotion>/*.png``, grey)."""
    photos: dict[str, list[Image]] = {}
    for folder in sorted(p for p in person.iterdir() if p.is_dir()):
        images = [cv2.imread(str(f), cv2.IMREAD_GRAYSCALE) for f in sorted(folder.glob("*.png"))]
        photos[folder.name] = [np.asarray(i, dtype=np.uint8) for i in images if i is not None]
    return photos


def person_talking_frames(
    person: Path, script: Sequence[tuple[str, float]] = TALK_SCRIPT, fps: float = 15.0, seed: int = 0
) -> list[Image]:
    """A clip of one real person from their photos: each segment of ``script`` shows that
    expression (alternating the person's photos of it, as a face never holds one pose), on a
    room background, the head swaying, nodding and changing size, the light drifting."""
    photos = person_photos(person)
    base = background(seed)
    frames: list[Image] = []
    n = 0
    for emotion, seconds in script:
        shots = photos[emotion]
        for k in range(round(seconds * fps)):
            face = shots[(k // max(1, round(fps / 2))) % len(shots)]
            side = int(220 + 20 * np.sin(n / 19.0))
            center = (320 + int(25 * np.sin(n / 11.0)), 240 + int(12 * np.cos(n / 7.0)))
            frame = place_face(base, face, center, side)
            gain = 0.9 + 0.1 * np.sin(n / 23.0)
            frames.append(np.asarray(np.clip(frame.astype(np.float32) * gain, 0, 255), dtype=np.uint8))
            n += 1
    return frames


def two_expressions_for(pipeline: FacePipeline) -> tuple[tuple[str, Image], tuple[str, Image]]:
    """Two faces the shipped classifier reads confidently as two different emotions, both found
    by the detector: ("happy", face) first when the model has a confident happy face."""
    chosen = confident_faces(pipeline.classifier, load_val_faces(40), threshold=0.7)
    usable: dict[str, Image] = {}
    for label, faces in chosen.items():
        for face in faces:
            if len(pipeline.process(face_frame(face))[0]) == 1:
                usable[label] = face
                break
    assert len(usable) >= 2, f"the classifier reads fewer than two emotions confidently: {sorted(usable)}"
    preference = ["happy", "sad", "neutral", "surprise", "angry", "fear", "disgust"]
    first, second = sorted(usable, key=preference.index)[:2]
    return (first, usable[first]), (second, usable[second])
