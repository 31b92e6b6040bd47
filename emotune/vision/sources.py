"""Frame sources: camera, video file, single image, folder of images.

``open_source("0")`` / ``open_source("clip.mp4")`` gives a ``FrameSource``: ``open()`` checks it
and raises ``FrameSourceError`` with one line naming the source and the problem; ``read()`` gives
the next frame, None at the end, or raises. ``emotune.vision.reader.FrameReader`` runs a source
on its own thread. This module must not detect, classify or touch any GUI; only the reader
thread ever calls a source's ``read``.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import PIL.Image
from numpy.typing import NDArray

from emotune.errors import EmotuneError
from emotune.platforms import Platform, is_windows, platform_of
from emotune.vision.cameras import CameraOpener, CameraOpenError, shared_opener

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"})
DEFAULT_FOLDER_FPS = 1.0  # a folder of photos plays as a slideshow, one image per second
DEFAULT_CAMERA_FPS = 30.0  # what most webcams deliver when the driver does not say
# Highest camera index a SOURCE may name. OpenCV reads a larger number N as "backend N//100*100,
# camera N%100" (its old way of choosing a backend: 200 would open V4L2 camera 0), and numbers
# past a C int make it print overload errors; no system numbers its cameras that far (Linux:
# /dev/video0..63, which the window's camera dialog offers).
MAX_CAMERA_INDEX = 99
# Largest image decoded: 80 megapixels (240 MB as BGR). Phones write 12-50 MP and nearly all
# cameras at most 61 MP; the detector only ever sees a copy of at most 4096 px a side, so more
# pixels cost memory without finding more faces. Also below Pillow's own 89.5 MP warning.
MAX_IMAGE_PIXELS = 80_000_000
# Largest image file read: 4 bytes a pixel at the pixel limit is an uncompressed BGRA image.
MAX_IMAGE_FILE_BYTES = 4 * MAX_IMAGE_PIXELS
_STDERR_LOCK = threading.Lock()


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


def quiet_opencv() -> None:
    """OpenCV's own warnings (e.g. V4L2 on a missing camera) would add lines to our one-line
    errors and litter the app's console: our callers report the problem themselves."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is not None:
        logging.setLogLevel(logging.LOG_LEVEL_SILENT)


def read_image(path: Path) -> NDArray[np.uint8]:
    """A BGR image from a file (any path, including non-ASCII ones), or ``FrameSourceError``.

    The size is read from the file's header before anything is decoded: a small file can hold an
    enormous image (a 0.9 MB PNG of 30000x30000 pixels decodes to 2.7 GB), so images over
    ``MAX_IMAGE_PIXELS`` are refused with one line. Decoders that print to stderr themselves
    (libpng, libjpeg, libtiff, Pillow's warnings) are silenced: the caller reports the one line."""
    check_image_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_FILE_BYTES:
            raise FrameSourceError(
                f"{path}: {size / 2**20:.0f} MB is too large for an image of at most {MAX_IMAGE_PIXELS // 10**6} "
                "megapixels"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FrameSourceError(f"{path}: cannot be read ({exc.strerror})") from exc
    with _native_stderr_silenced():
        width, height = _header_size(path, data)
        if width * height > MAX_IMAGE_PIXELS:
            raise FrameSourceError(f"{path}: {width}x{height} pixels is {_over_the_limit()}")
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise FrameSourceError(f"{path}: not a readable image")
    return np.asarray(image, dtype=np.uint8)


def check_image_path(path: Path) -> None:
    """``FrameSourceError`` unless ``path`` is a file (a cheap check before any decoding)."""
    if path.is_dir():
        raise FrameSourceError(f"{path}: is a folder, not an image")
    if not path.is_file():
        raise FrameSourceError(f"{path}: no such file")


def _over_the_limit() -> str:
    return f"over the limit of {MAX_IMAGE_PIXELS // 10**6} megapixels (scale it down first)"


def _header_size(path: Path, data: bytes) -> tuple[int, int]:
    """(width, height) from an image file's header, without decoding its pixels (Pillow reads the
    headers of every IMAGE_SUFFIXES format), or ``FrameSourceError``."""
    try:
        with PIL.Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except PIL.Image.DecompressionBombError:
        # Pillow refuses, before it tells the size, an image over twice its MAX_IMAGE_PIXELS (about
        # 179 megapixels, above ours): that bound is all the line can say.
        pillow_limit = 2 * (PIL.Image.MAX_IMAGE_PIXELS or 0) // 10**6
        raise FrameSourceError(f"{path}: more than {pillow_limit} megapixels is {_over_the_limit()}") from None
    except Exception:  # Pillow raises many unrelated types for damaged or foreign headers
        raise FrameSourceError(f"{path}: not a readable image") from None
    return int(width), int(height)


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """File descriptor 2 pointed at devnull while the block runs.

    Native decoders write their complaints ("libpng error: ...") straight to the process's stderr,
    which Python cannot intercept; the one-line error the caller raises says what went wrong.
    One block at a time (a lock), so two threads never swap the descriptor under each other; what
    another thread writes to stderr during a decode (milliseconds) is lost, which the app and the
    command line can afford. Without a usable descriptor 2 (a windowed app) it does nothing."""
    with _STDERR_LOCK:
        saved: int | None = None
        try:
            if sys.stderr is not None:
                sys.stderr.flush()
            saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except (OSError, ValueError):
            if saved is not None:
                os.close(saved)
            saved = None
        try:
            yield
        finally:
            if saved is not None:
                try:
                    if sys.stderr is not None:
                        sys.stderr.flush()  # Python-level warnings written meanwhile go to devnull too
                finally:
                    os.dup2(saved, 2)
                    os.close(saved)


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

    def __init__(
        self, index: int, clock: Callable[[], float] = time.monotonic, opener: CameraOpener | None = None
    ) -> None:
        super().__init__()
        self.index = index
        self._opener = opener or shared_opener(platform_of())
        self.name = f"camera {index}"
        self.fps = DEFAULT_CAMERA_FPS
        self._clock = clock
        self._start = 0.0

    def open(self) -> None:
        quiet_opencv()  # a missing camera is our one clear line, not OpenCV's V4L2 warnings
        try:
            opened = self._opener.open(self.index)
        except CameraOpenError as exc:
            if exc.opened:
                raise FrameSourceError(f"{self.name}: opens but gives no frames (busy in another program?)") from None
            raise FrameSourceError(f"{self.name}: no such camera, or it cannot be opened") from None
        capture = opened.capture
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


ShortPath = Callable[[str], str | None]  # a path -> its Windows 8.3 short form, or None


def windows_short_path(path: str) -> str | None:
    """The 8.3 short form of an existing path (``C:\\Users\\ZO~1\\CLIP~1.MP4``), or None where
    there is none (8.3 names are off on many drives) or this is not Windows."""
    try:
        import ctypes

        get = ctypes.windll.kernel32.GetShortPathNameW  # type: ignore[attr-defined,unused-ignore]
    except (ImportError, AttributeError):
        return None
    size = int(get(path, None, 0))
    if size == 0:
        return None
    buffer = ctypes.create_unicode_buffer(size)
    written = int(get(path, buffer, size))
    return buffer.value if 0 < written < size else None


class VideoFileSource(_CaptureSource):
    """A video file, through OpenCV's FFmpeg backend.

    On Windows OpenCV may take the path as a narrow (ANSI) string, and then cannot open a file
    whose path has letters outside ASCII; such a file is opened by its 8.3 short path where the
    drive has one that is ASCII, and otherwise, if it fails to open, the one line says why and
    what to do. ``platform`` (this system's by default) and ``short_path`` are
    arguments so the tests drive that branch on Linux."""

    live = False

    def __init__(self, path: Path, platform: Platform | None = None, short_path: ShortPath | None = None) -> None:
        super().__init__()
        self.path = path
        self.platform = platform if platform is not None else platform_of()
        self._short_path = short_path or windows_short_path
        self.name = str(path)
        self.fps = 0.0
        self.frame_count = 0

    def open(self) -> None:
        if not self.path.is_file():
            raise FrameSourceError(f"{self.path}: no such file")
        # FFmpeg explicitly: OpenCV's other backends "open" text files as image sequences.
        narrow_path_trouble = is_windows(self.platform) and not str(self.path).isascii()
        target = str(self.path)
        if narrow_path_trouble:
            short = self._short_path(str(self.path.resolve()))
            if short is not None and short.isascii():
                target, narrow_path_trouble = short, False
        capture = cv2.VideoCapture(target, cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            if narrow_path_trouble:
                raise FrameSourceError(
                    f"{self.path}: cannot be opened: OpenCV on Windows cannot open paths with non-ASCII "
                    "letters; move or rename the file (or its folder) to a name with only ASCII letters"
                )
            raise FrameSourceError(f"{self.path}: not a readable video")
        width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if width * height > MAX_IMAGE_PIXELS:
            capture.release()
            raise FrameSourceError(f"{self.path}: frames of {width}x{height} pixels are {_over_the_limit()}")
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


def open_source(
    spec: str, clock: Callable[[], float] = time.monotonic, platform: Platform | None = None
) -> FrameSource:
    """The source a SOURCE argument names (camera index, folder, image or video), opened and checked."""
    source = make_source(spec, clock, platform)
    source.open()
    return source


def is_camera(spec: str) -> bool:
    """Whether a SOURCE string names a camera (an index such as "0") rather than a path.

    ASCII digits only: ``str.isdigit`` also accepts "²" or "٣", which ``int`` refuses."""
    text = spec.strip()
    return text.isascii() and text.isdigit()


def make_source(
    spec: str, clock: Callable[[], float] = time.monotonic, platform: Platform | None = None
) -> FrameSource:
    """Like ``open_source`` but not opened yet (the reader thread opens it). A camera opens with
    the backends of ``platform`` (default: this system's; ``emotune.vision.cameras``)."""
    text = spec.strip()
    if is_camera(text):
        index = int(text)
        if index > MAX_CAMERA_INDEX:
            raise FrameSourceError(f"camera {text}: no such camera (camera numbers go from 0 to {MAX_CAMERA_INDEX})")
        return CameraSource(index, clock, shared_opener(platform or platform_of()))
    path = Path(text).expanduser()
    if path.is_dir():
        return FolderSource(path)
    if not path.exists():
        raise FrameSourceError(f"{spec}: no such file, folder or camera")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path, platform)


def find_cameras(
    limit: int = 4,
    skip: Sequence[int] = (),
    open_capture: Callable[[int], bool] | None = None,
    platform: Platform | None = None,
) -> list[int]:
    """The camera numbers below ``limit`` that answer (for a menu; blocks, so call it off the UI
    thread). Numbers in ``skip`` (a camera in use, which may refuse a second opener) count as
    found. On Linux the device nodes say it without opening anything; elsewhere each camera is
    opened with the platform's backends (``emotune.vision.cameras``)."""
    platform = platform or platform_of()
    if open_capture is None and platform == "linux":
        return sorted({i for i in range(limit) if Path(f"/dev/video{i}").exists()} | set(skip))
    probe = open_capture or shared_opener(platform).answers
    return [i for i in range(limit) if i in skip or probe(i)]
