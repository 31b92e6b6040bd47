"""The variables OpenCV reads, set by the entry point before ``cv2`` is imported.

OpenCV reads them from the process environment (``getenv``) when a backend loads, opens a camera
or opens a video file; ``emotune.__main__.main`` sets them before anything imports cv2, so every
moment sees them. A value the user set already stays.

- Every system, ``OPENCV_FFMPEG_LOGLEVEL=-8``: FFmpeg prints decoder complaints (truncated
  files) straight to stderr; our callers report those as one clear line instead.

- Windows, ``OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS=0``: Media Foundation's hardware
  transforms make opening a webcam take 5-20 s on many laptops (opencv/opencv#17687, #26495);
  the picture is the same without them.

macOS's ``OPENCV_AVFOUNDATION_SKIP_AUTH`` is not set here: the window sets it once it has asked
for the camera itself (``emotune.vision.camera_access``), and the command line leaves OpenCV to
ask, which works where it opens the camera on the main thread.

This module imports nothing of OpenCV: it must run before it.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from emotune.platforms import Platform, is_windows

SKIP_AUTH = "OPENCV_AVFOUNDATION_SKIP_AUTH"
MSMF_HW_TRANSFORMS = "OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS"


FFMPEG_LOGLEVEL = "OPENCV_FFMPEG_LOGLEVEL"
QUIET_FFMPEG = {FFMPEG_LOGLEVEL: "-8"}  # AV_LOG_QUIET


def opencv_variables(platform: Platform) -> dict[str, str]:
    """The variables (name -> value) the camera needs on ``platform``."""
    return {MSMF_HW_TRANSFORMS: "0"} if is_windows(platform) else {}


def set_opencv_variables(platform: Platform, environ: MutableMapping[str, str] | None = None) -> None:
    """Put ``QUIET_FFMPEG`` and ``opencv_variables(platform)`` into ``environ`` (the process's),
    keeping values set."""
    target = os.environ if environ is None else environ
    for name, value in {**QUIET_FFMPEG, **opencv_variables(platform)}.items():
        target.setdefault(name, value)
