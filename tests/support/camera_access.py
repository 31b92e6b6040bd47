"""A stand-in for what macOS answers about the camera (pyobjc's ``AVFoundation`` module)."""

from __future__ import annotations

import threading
from collections.abc import Callable

# AVAuthorizationStatus
NOT_DETERMINED, RESTRICTED, DENIED, AUTHORIZED = 0, 1, 2, 3


class StandInAVFoundation:
    """pyobjc's ``AVFoundation`` module as far as the app uses it: the authorization status for
    video (``answer``, which the test changes as the user would) and the request, recorded with
    the thread it came from."""

    AVMediaTypeVideo = "vide"

    def __init__(self, answer: int) -> None:
        self.answer = answer
        self.requests: list[str] = []  # the name of the thread each request came from
        self.AVCaptureDevice = self

    def authorizationStatusForMediaType_(self, media: str) -> int:  # noqa: N802 (pyobjc's name)
        assert media == self.AVMediaTypeVideo
        return self.answer

    def requestAccessForMediaType_completionHandler_(  # noqa: N802 (pyobjc's name)
        self, media: str, handler: Callable[[bool], None]
    ) -> None:
        assert media == self.AVMediaTypeVideo
        self.requests.append(threading.current_thread().name)
