"""Frame sources: camera, video file, single image, folder of images.

``open_source("0")`` / ``open_source("clip.mp4")`` gives a ``FrameSource``: ``open()`` checks it
and raises ``FrameSourceError`` with one line naming the source and the problem; ``read()`` gives
the next frame, None at the end, or raises. ``emotune.vision.reader.FrameReader`` runs a source
on its own thread. This module must not detect, classify or touch any GUI; only the reader
thread ever calls a source's ``read``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.errors import EmotuneError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"})
DEFAULT_FOLDER_FPS = 1.0  # a folder of photos plays as a slideshow, one image per second
DEFAULT_CAMERA_FPS = 30.0  # what most webcams deliver when the driver does not say


class FrameSourceError(EmotuneError):
    """A source cannot be opened or fails while reading; the message names it and the problem."""


@dataclass(frozen=True)
class Frame:
    index: int  # 0-based position in the source (gaps mean the reader dropped stale frames)
    t: float  # seconds: video time for files and folders, time since opening for cameras
    image: NDArray[np.uint8] = field(repr=False)


class FrameSource(Protocol):
    """What the reader needs from a source. ``fps`` is known once ``open()`` has returned."""

    name: str
    fps: float
    live: bool  # frames arrive at their own pace (cameras): drop stale ones rather than queue them

    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


def read_image(path: Path) -> NDArray[np.uint8]:
    """A BGR image from a file (any path, including non-ASCII ones), or ``FrameSourceError``."""
    if not path.is_file():
        raise FrameSourceError(f"{path}: no such file")
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise FrameSourceError(f"{path}: cannot be read ({exc.strerror})") from exc
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise FrameSourceError(f"{path}: not a readable image")
    return np.asarray(image, dtype=np.uint8)


class _CaptureSource:
    """What cameras and video files share: an OpenCV capture, read and released safely."""

    name: str

    def __init__(self) -> None:
        self._capture: cv2.VideoCapture | None = None
        self._count = 0

    def _grab(self) -> NDArray[np.uint8] | None:
        """The next image, or None when the capture gives none."""
        if self._capture is None:
            raise FrameSourceError(f"{self.name}: not open")
        ok, image = self._capture.read()
        return np.asarray(image, dtype=np.uint8) if ok and image is not None else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class CameraSource(_CaptureSource):
    live = True

    def __init__(self, index: int, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.index = index
        self.name = f"camera {index}"
        self.fps = DEFAULT_CAMERA_FPS
        self._clock = clock
        self._start = 0.0

    def open(self) -> None:
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise FrameSourceError(f"{self.name}: no such camera, or it cannot be opened")
        ok, _ = capture.read()
        if not ok:
            capture.release()
            raise FrameSourceError(f"{self.name}: opens but gives no frames (busy in another program?)")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 240.0 else DEFAULT_CAMERA_FPS
        self._capture = capture
        self._start = self._clock()

    def read(self) -> Frame | None:
        image = self._grab()
        if image is None:
            raise FrameSourceError(f"{self.name}: stopped delivering frames (unplugged?)")
        frame = Frame(self._count, self._clock() - self._start, image)
        self._count += 1
        return frame


class VideoFileSource(_CaptureSource):
    live = False

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.name = str(path)
        self.fps = 0.0
        self.frame_count = 0

    def open(self) -> None:
        if not self.path.is_file():
            raise FrameSourceError(f"{self.path}: no such file")
        # FFmpeg prints decoder complaints (truncated files) straight to stderr; our callers report
        # those as one clear line instead. OpenCV reads this when its FFmpeg backend first opens a file.
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
        # FFmpeg explicitly: OpenCV's other backends "open" text files as image sequences.
        capture = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise FrameSourceError(f"{self.path}: not a readable video")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 0.1 <= fps <= 1000.0 else 25.0
        self.frame_count = max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT)))
        self._capture = capture
        self._count = 0

    def read(self) -> Frame | None:
        image = self._grab()
        if image is None:
            if self._count == 0:
                raise FrameSourceError(f"{self.name}: no frame can be decoded (corrupt video?)")
            # The container's frame count is an estimate for some formats; a shortfall of more
            # than a few frames means the file was cut off or is damaged.
            if self.frame_count and self._count < self.frame_count - max(2, self.frame_count // 50):
                raise FrameSourceError(
                    f"{self.name}: video breaks off after frame {self._count} of {self.frame_count} "
                    "(truncated or corrupt)"
                )
            return None
        frame = Frame(self._count, self._count / self.fps, image)
        self._count += 1
        return frame


class ImageSource:
    """One still image: a single frame, then the end."""

    live = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.fps = DEFAULT_FOLDER_FPS
        self._image: NDArray[np.uint8] | None = None
        self._done = False

    def open(self) -> None:
        self._image = read_image(self.path)
        self._done = False

    def read(self) -> Frame | None:
        if self._done or self._image is None:
            return None
        self._done = True
        return Frame(0, 0.0, self._image)

    def close(self) -> None:
        self._image = None


class FolderSource:
    """The images of a folder in name order, as a slideshow at ``fps`` (other files are ignored)."""

    live = False

    def __init__(self, path: Path, fps: float = DEFAULT_FOLDER_FPS) -> None:
        self.path = path
        self.name = str(path)
        self.fps = fps
        self.files: list[Path] = []
        self._next = 0

    def open(self) -> None:
        if not self.path.is_dir():
            raise FrameSourceError(f"{self.path}: no such folder")
        self.files = sorted(p for p in self.path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise FrameSourceError(f"{self.path}: folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        self._next = 0

    def read(self) -> Frame | None:
        if self._next >= len(self.files):
            return None
        index = self._next
        self._next += 1
        return Frame(index, index / self.fps, read_image(self.files[index]))

    def close(self) -> None:
        self._next = len(self.files)


def open_source(spec: str, clock: Callable[[], float] = time.monotonic) -> FrameSource:
    """The source a SOURCE argument names (camera index, folder, image or video), opened and checked."""
    source = make_source(spec, clock)
    source.open()
    return source


def is_camera(spec: str) -> bool:
    """Whether a SOURCE string names a camera (an index such as "0") rather than a path."""
    return spec.strip().isdigit()


def make_source(spec: str, clock: Callable[[], float] = time.monotonic) -> FrameSource:
    """Like ``open_source`` but not opened yet (the reader thread opens it)."""
    text = spec.strip()
    if is_camera(text):
        return CameraSource(int(text), clock)
    path = Path(text).expanduser()
    if path.is_dir():
        return FolderSource(path)
    if not path.exists():
        raise FrameSourceError(f"{spec}: no such file, folder or camera")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path)
