"""Test inputs built from FER2013 val faces (../shared), in pytest's tmp dirs.

Frames of FER2013 faces upscaled onto textured backgrounds, the expression changing over time;
the astronaut talking head and the JAFFE clips are in ``testbed.media`` (the benchmarks use them
too). Which faces a test uses is decided by asking the shipped classifier (``confident_faces``),
so the tests hold whichever emotion model is shipped.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from emotune.labels import EMOTIONS
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.pipeline import FacePipeline
from testbed.media import Image, background, place_face
from testbed.paths import FER_ZIP


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


def face_frame(face: Image, seed: int = 0, center: tuple[int, int] = (320, 240), side: int = 200) -> Image:
    return place_face(background(seed), face, center, side)


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


def truncate(path: Path, out: Path, fraction: float) -> Path:
    """A copy of ``path`` cut off after ``fraction`` of its bytes (a download that broke off)."""
    data = path.read_bytes()
    out.write_bytes(data[: int(len(data) * fraction)])
    return out


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
