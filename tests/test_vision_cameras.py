"""Which capture backends open a camera on each system, in what order, and what happens when the
first one fails or is slow; and the variables OpenCV sees from the entry point.

Nothing here has a webcam: a capture factory of the test's own records each (camera, backend)
asked for and answers with real OpenCV captures, of a short video for a backend that "works"
and unopened ones for a backend that fails. The Windows and macOS branches run on Linux with
the platform passed in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotune.opencv_env import (
    FFMPEG_LOGLEVEL,
    MSMF_HW_TRANSFORMS,
    SKIP_AUTH,
    opencv_variables,
    set_opencv_variables,
)
from emotune.vision.cameras import SLOW_OPEN_S, CameraOpener, camera_backends
from emotune.vision.sources import CameraSource, FrameSourceError, find_cameras
from testbed.media import write_video
from testbed.paths import ASTRONAUT, REPO

MSMF, DSHOW = cv2.CAP_MSMF, cv2.CAP_DSHOW


class Backends:
    """Stands in for the system's cameras: ``works`` are the backends that give frames, ``empty``
    those that open the camera but give none, ``slow_s`` how long each takes (on ``now``, the
    clock the opener is given). Every (camera, backend) asked for lands in ``asked``."""

    def __init__(self, video: Path, works: set[int], empty: frozenset[int] = frozenset()) -> None:
        self.video = video
        self.works = works
        self.empty = empty
        self.slow_s: dict[int, float] = {}
        self.asked: list[tuple[int, int]] = []
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def __call__(self, index: int, backend: int) -> cv2.VideoCapture:
        self.asked.append((index, backend))
        self.now += self.slow_s.get(backend, 0.2)
        if backend in self.empty:
            capture = cv2.VideoCapture(str(self.video), cv2.CAP_FFMPEG)
            capture.set(cv2.CAP_PROP_POS_FRAMES, 10_000)  # past the end: open, but no frame to read
            return capture
        if backend in self.works:
            return cv2.VideoCapture(str(self.video), cv2.CAP_FFMPEG)
        return cv2.VideoCapture()


@pytest.fixture()
def video(tmp_path: Path) -> Path:
    frames = [np.full((48, 64, 3), 20 * i, np.uint8) for i in range(5)]
    return write_video(tmp_path / "webcam.avi", frames, fps=30.0)


def test_backend_order_windows() -> None:
    assert camera_backends("windows") == (MSMF, DSHOW)


def test_backend_order_macos() -> None:
    assert camera_backends("macos") == (cv2.CAP_AVFOUNDATION,)


def test_backend_order_on_linux_is_opencvs_own_choice() -> None:
    assert camera_backends("linux") == (cv2.CAP_ANY,)


def test_media_foundation_failing_falls_through_to_directshow_windows(video: Path) -> None:
    backends = Backends(video, works={DSHOW})
    opener = CameraOpener("windows", backends, backends.clock)
    camera = CameraSource(0, opener=opener)
    camera.open()
    assert backends.asked == [(0, MSMF), (0, DSHOW)]
    frame = camera.read()
    assert frame is not None and frame.image.shape == (48, 64, 3)
    camera.close()
    # What worked is tried first the next time: a retry does not wait for MSMF to fail again.
    assert opener.order == (DSHOW, MSMF)
    CameraSource(0, opener=opener).open()
    assert backends.asked[2:] == [(0, DSHOW)]


def test_media_foundation_that_opens_without_frames_falls_through_windows(video: Path) -> None:
    backends = Backends(video, works={DSHOW}, empty=frozenset({MSMF}))
    camera = CameraSource(1, opener=CameraOpener("windows", backends, backends.clock))
    camera.open()
    assert backends.asked == [(1, MSMF), (1, DSHOW)]
    assert camera.read() is not None
    camera.close()


def test_slow_media_foundation_is_used_once_then_tried_last_windows(video: Path) -> None:
    backends = Backends(video, works={MSMF, DSHOW})
    backends.slow_s[MSMF] = SLOW_OPEN_S + 5.0
    opener = CameraOpener("windows", backends, backends.clock)
    first = CameraSource(0, opener=opener)
    first.open()  # the picture it took so long to get is kept
    assert backends.asked == [(0, MSMF)]
    first.close()
    assert opener.order == (DSHOW, MSMF)
    CameraSource(0, opener=opener).open()
    assert backends.asked[1:] == [(0, DSHOW)]


def test_no_backend_opens_the_camera_windows(video: Path) -> None:
    backends = Backends(video, works=set())
    with pytest.raises(FrameSourceError, match=r"^camera 2: no such camera, or it cannot be opened$"):
        CameraSource(2, opener=CameraOpener("windows", backends, backends.clock)).open()
    assert backends.asked == [(2, MSMF), (2, DSHOW)]
    busy = Backends(video, works=set(), empty=frozenset({MSMF, DSHOW}))
    with pytest.raises(FrameSourceError, match=r"^camera 2: opens but gives no frames \(busy in another program\?\)$"):
        CameraSource(2, opener=CameraOpener("windows", busy, busy.clock)).open()


def test_camera_menu_probe_tries_directshow_after_media_foundation_windows(video: Path) -> None:
    backends = Backends(video, works={DSHOW})
    found = find_cameras(limit=2, open_capture=CameraOpener("windows", backends, backends.clock).answers)
    assert found == [0, 1]
    assert backends.asked == [(0, MSMF), (0, DSHOW), (1, DSHOW)]


def test_camera_menu_probe_opens_cameras_macos(video: Path) -> None:
    backends = Backends(video, works=set())
    opener = CameraOpener("macos", backends, backends.clock)
    assert find_cameras(limit=2, skip=[1], open_capture=opener.answers, platform="macos") == [1]
    assert backends.asked == [(0, cv2.CAP_AVFOUNDATION)]


def test_opencv_variables_windows() -> None:
    assert opencv_variables("windows") == {MSMF_HW_TRANSFORMS: "0"}


def test_opencv_variables_are_none_elsewhere_macos() -> None:
    # macOS's SKIP_AUTH is the window's to set, once it has asked (tests/test_controller_camera.py).
    assert opencv_variables("macos") == {} and opencv_variables("linux") == {}


def test_the_entry_point_quiets_ffmpeg_on_every_system_and_keeps_what_the_user_set_windows() -> None:
    # FFmpeg's own complaints about a truncated video would stand beside our one line on stderr.
    for platform in ("windows", "macos", "linux"):
        environ: dict[str, str] = {}
        set_opencv_variables(platform, environ)
        assert environ[FFMPEG_LOGLEVEL] == "-8"
    chosen = {FFMPEG_LOGLEVEL: "32", MSMF_HW_TRANSFORMS: "1"}
    set_opencv_variables("windows", chosen)
    assert chosen == {FFMPEG_LOGLEVEL: "32", MSMF_HW_TRANSFORMS: "1"}


# Runs ``main`` in a fresh interpreter and notes the variables as they stand when cv2 is first
# imported: what OpenCV reads as it loads.
SEEN_AT_IMPORT = """
import importlib.abc, json, os, sys
seen = {}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "cv2" and not seen:
            seen.update({k: os.environ.get(k) for k in (%r, %r)})
        return None
sys.meta_path.insert(0, Watch())
from emotune.__main__ import main
from emotune.environment import Environment
status = main(["classify", %r, "--json"], env=Environment.from_os(platform=sys.argv[1]))
print(json.dumps({"status": status, "seen": seen}), file=sys.stderr)
"""


def variables_seen_by_opencv(platform: str) -> dict[str, object]:
    script = SEEN_AT_IMPORT % (MSMF_HW_TRANSFORMS, SKIP_AUTH, str(ASTRONAUT))
    environ = {k: v for k, v in os.environ.items() if k not in (MSMF_HW_TRANSFORMS, SKIP_AUTH)}
    done = subprocess.run(
        [sys.executable, "-c", script, platform], capture_output=True, text=True, cwd=REPO, env=environ, timeout=300
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    assert answer["status"] == 0
    return answer


@pytest.mark.slow
def test_opencv_loads_with_msmf_hardware_transforms_off_windows() -> None:
    assert variables_seen_by_opencv("windows")["seen"] == {MSMF_HW_TRANSFORMS: "0", SKIP_AUTH: None}


@pytest.mark.slow
def test_command_line_leaves_opencv_to_ask_for_camera_access_macos() -> None:
    # Only the window asks for the camera itself and then tells OpenCV not to; the commands
    # leave the asking to OpenCV, as before.
    assert variables_seen_by_opencv("macos")["seen"] == {MSMF_HW_TRANSFORMS: None, SKIP_AUTH: None}
