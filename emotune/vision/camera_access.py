"""Whether the app may use the camera, asked of the system on the main thread.

macOS asks the user once per app whether it may use the camera, and only a request from the
main thread can show that question: OpenCV's own request, made from the reader thread that opens
the camera, fails without a word and the camera merely "cannot be opened" (opencv/opencv#16427,
#15307). So the window asks first (``request`` on the Tk thread), waits for the answer (polling
``status``) and only then lets the reader open the camera, with OpenCV told not to ask again
(``OPENCV_AVFOUNDATION_SKIP_AUTH``).

- ``AVFoundationAccess``: the real question and answer, through pyobjc's AVFoundation when it
  is installed (``pyobjc-framework-AVFoundation``; not a dependency).
- ``OpenOnceAccess``: without pyobjc, the camera opened once on the main thread, where OpenCV's
  request shows the question and waits for it. Whether the user said no cannot be told apart
  from a missing camera then, so the answer is "unknown" and the reader tries.
- ``NoQuestion``: Windows and Linux, where no app asks (Windows' privacy switches simply make the
  camera fail to open: the hint names them).

Nothing here touches a GUI; every method runs on the main thread.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, MutableMapping
from typing import Any, Literal, Protocol

import cv2

from emotune.opencv_env import SKIP_AUTH
from emotune.platforms import Platform, is_macos, is_windows

AccessStatus = Literal["authorized", "undetermined", "denied", "restricted", "unknown"]
# AVAuthorizationStatus: NotDetermined, Restricted, Denied, Authorized.
AV_STATUS: dict[int, AccessStatus] = {0: "undetermined", 1: "restricted", 2: "denied", 3: "authorized"}
MACOS_PRIVACY_PAGE = "x-apple.systempreferences:com.apple.preference.security?Privacy_Camera"
WINDOWS_PRIVACY_PAGE = "ms-settings:privacy-webcam"


class CameraAccess(Protocol):
    def status(self) -> AccessStatus:
        """The system's answer now ("unknown": it cannot be told, so try the camera)."""

    def request(self) -> None:
        """Ask the user (the system shows its question); the answer comes through ``status``."""


def privacy_page(platform: Platform) -> str | None:
    """The system settings page where the user lets apps use the camera, if the system has one."""
    if is_macos(platform):
        return MACOS_PRIVACY_PAGE
    if is_windows(platform):
        return WINDOWS_PRIVACY_PAGE
    return None


class NoQuestion:
    def status(self) -> AccessStatus:
        return "authorized"

    def request(self) -> None:
        pass


class AVFoundationAccess:
    """macOS's own answer. ``avfoundation`` is pyobjc's ``AVFoundation`` module (tests pass a
    stand-in with the same two class methods)."""

    def __init__(self, avfoundation: Any, environ: MutableMapping[str, str] | None = None) -> None:
        self._device = avfoundation.AVCaptureDevice
        self._video = avfoundation.AVMediaTypeVideo
        # From here on the app asks itself; OpenCV asking again from the reader thread only fails.
        (os.environ if environ is None else environ)[SKIP_AUTH] = "1"

    def status(self) -> AccessStatus:
        return AV_STATUS.get(int(self._device.authorizationStatusForMediaType_(self._video)), "unknown")

    def request(self) -> None:
        # The answer arrives on a queue of the system's; ``status`` reads it from there.
        self._device.requestAccessForMediaType_completionHandler_(self._video, lambda granted: None)


class OpenOnceAccess:
    """Without pyobjc: ``open_camera`` (on the main thread) makes OpenCV show macOS's question."""

    def __init__(self, open_camera: Callable[[], bool], environ: MutableMapping[str, str] | None = None) -> None:
        self._open_camera = open_camera
        self._environ = os.environ if environ is None else environ
        self._answer: AccessStatus = "undetermined"

    def status(self) -> AccessStatus:
        return self._answer

    def request(self) -> None:
        opened = self._open_camera()
        self._answer = "authorized" if opened else "unknown"
        # Asked once, here, where it can work: the reader thread must not ask again.
        self._environ[SKIP_AUTH] = "1"


def open_default_camera() -> bool:
    """Open camera 0 through AVFoundation and let it go: OpenCV's request for access on the main
    thread shows macOS's question and waits for the answer. Whether it opened."""
    try:
        capture = cv2.VideoCapture(0, cv2.CAP_AVFOUNDATION)
    except cv2.error:
        return False  # the reader's own attempt will say what is wrong
    try:
        return bool(capture.isOpened())
    finally:
        capture.release()


def system_camera_access(platform: Platform) -> CameraAccess:
    """The way to ask for the camera on ``platform`` (see the module's docstring)."""
    if not is_macos(platform):
        return NoQuestion()
    try:
        avfoundation = importlib.import_module("AVFoundation")
    except ImportError:
        return OpenOnceAccess(open_default_camera)
    return AVFoundationAccess(avfoundation)
