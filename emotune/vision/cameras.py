"""Opening a camera through the capture backends that work on each system.

``camera_backends(platform)`` is the order OpenCV's backends are tried in. Windows: Media
Foundation, then DirectShow, because MSMF fails on some drivers and can take 5-20 s to open a
camera (opencv/opencv#17687, #26495; ``emotune.opencv_env`` turns off the hardware transforms
that cost most of it). macOS: AVFoundation. Linux: OpenCV's own choice, which is V4L2 first.

A ``CameraOpener`` tries them in turn. It remembers how each did: the backend that opened a
camera quickly is tried first from then on, and one that was slow goes last, so a retry, a
switch of camera or the camera menu's probe does not wait for it again. Nothing here reads
frames beyond the first, detects or touches a GUI.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2

from emotune.platforms import Platform, is_macos, is_windows

# An opening slower than this (open plus the first frame) sends its backend to the back of the
# order: a webcam normally gives its first frame within a second.
SLOW_OPEN_S = 3.0
BACKEND_NAMES = {
    cv2.CAP_ANY: "default",
    cv2.CAP_MSMF: "Media Foundation",
    cv2.CAP_DSHOW: "DirectShow",
    cv2.CAP_AVFOUNDATION: "AVFoundation",
    cv2.CAP_V4L2: "V4L2",
}

# (camera index, API preference) -> a capture, opened or not (``cv2.VideoCapture``; tests pass
# their own to see which backends were asked and to stand in for one that fails or is slow).
CaptureFactory = Callable[[int, int], cv2.VideoCapture]


def camera_backends(platform: Platform) -> tuple[int, ...]:
    """The API preferences to open a camera with on ``platform``, in the order to try them."""
    if is_windows(platform):
        return (cv2.CAP_MSMF, cv2.CAP_DSHOW)
    if is_macos(platform):
        return (cv2.CAP_AVFOUNDATION,)
    return (cv2.CAP_ANY,)


@dataclass(frozen=True)
class OpenedCamera:
    capture: cv2.VideoCapture
    backend: int
    seconds: float  # how long opening and the first frame took


class CameraOpenError(Exception):
    """No backend gave a frame; ``opened`` says whether one opened the camera (a busy camera)."""

    def __init__(self, opened: bool) -> None:
        super().__init__("opened but gave no frame" if opened else "cannot be opened")
        self.opened = opened


class CameraOpener:
    """Opens cameras with the backends of one platform, best first (see the module's docstring).
    Safe to share between threads: the reader opens cameras while the menu probes them."""

    def __init__(
        self,
        platform: Platform,
        capture: CaptureFactory = cv2.VideoCapture,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._order = list(camera_backends(platform))
        self._capture = capture
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def order(self) -> tuple[int, ...]:
        """The backends in the order the next opening tries them."""
        with self._lock:
            return tuple(self._order)

    def open(self, index: int) -> OpenedCamera:
        """Camera ``index`` opened and giving frames (its first one read), or ``CameraOpenError``."""
        opened_any = False
        for backend in self.order:
            started = self._clock()
            capture = self._capture(index, backend)
            if not capture.isOpened():
                capture.release()
                continue
            opened_any = True
            ok, _ = capture.read()
            if not ok:  # DirectShow may give frames where Media Foundation gives none
                capture.release()
                continue
            seconds = self._clock() - started
            self._worked(backend, seconds)
            return OpenedCamera(capture, backend, seconds)
        raise CameraOpenError(opened_any)

    def answers(self, index: int) -> bool:
        """Whether camera ``index`` opens with any backend (for the camera menu; reads no frame)."""
        for backend in self.order:
            started = self._clock()
            capture = self._capture(index, backend)
            try:
                if capture.isOpened():
                    self._worked(backend, self._clock() - started)
                    return True
            finally:
                capture.release()
        return False

    def _worked(self, backend: int, seconds: float) -> None:
        with self._lock:
            self._order.remove(backend)
            if seconds > SLOW_OPEN_S:
                self._order.append(backend)
            else:
                self._order.insert(0, backend)


@functools.cache
def shared_opener(platform: Platform) -> CameraOpener:
    """The process's opener for ``platform``: what one opening learnt, the next one uses."""
    return CameraOpener(platform)
