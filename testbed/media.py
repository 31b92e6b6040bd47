"""Videos built at run time from real faces: the public-domain astronaut photo as a talking head,
and a person's posed photos (JAFFE, from ../shared) as a clip of someone talking. Nothing here
is written into the repository."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from testbed.paths import ASTRONAUT

FRAME_SIZE = (640, 480)  # width, height
Image = NDArray[np.uint8]


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
