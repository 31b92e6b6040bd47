"""The window when the system keeps the camera from the app, as a Mac or Windows user meets it on
the first day: what the video area says, on screen (OCR), and the button to the system's camera
privacy page. Real window on Xvfb; the platform is passed in, macOS's answer comes from a
stand-in, and the OS handler is a recorder (see ``conftest.start``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from tkinter import ttk

import numpy as np
import pytest

from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.vision.camera_access import MACOS_PRIVACY_PAGE, WINDOWS_PRIVACY_PAGE, AVFoundationAccess
from emotune.vision.sources import FrameSource, make_source
from testbed.media import write_video
from tests.support.camera_access import AUTHORIZED, DENIED, NOT_DETERMINED, StandInAVFoundation
from tests.support.gui import Running
from tests.support.screen import control_text, covered_controls, read_text, readable, screenshot

pytestmark = pytest.mark.gui
PRIVACY_BUTTON = "Camera privacy settings"


def privacy_button(run: Running) -> ttk.Button:
    buttons = run.app.video.problem_buttons.winfo_children()
    button = next(b for b in buttons if b.cget("text") == PRIVACY_BUTTON)
    assert isinstance(button, ttk.Button)
    return button


def test_refused_camera_is_said_on_screen_with_the_privacy_page_button_macos(start: Callable[..., Running]) -> None:
    access = AVFoundationAccess(StandInAVFoundation(DENIED), environ={})
    run = start(AppOptions(source="0", offline=True), env=Environment.from_os(platform="macos"), camera_access=access)
    video = run.app.video
    run.until(lambda: video.problem_visible, "the camera access panel")
    assert video.problem_title.cget("text") == "Camera access is off"
    assert video.problem_button_texts() == ["Retry", PRIVACY_BUTTON, "Choose camera…", "Open video file…"]
    run.until(lambda: "no camera access" in run.app.status.video.cget("text"), "the status")

    shot = screenshot(run.root, "camera-access-refused-macos")
    seen = read_text(shot)
    assert readable("Camera access is off", seen), seen
    assert readable("Emotune is not allowed to use the camera", seen), seen
    assert readable(PRIVACY_BUTTON, control_text(shot, privacy_button(run)))
    assert covered_controls(run.root) == []

    privacy_button(run).invoke()
    run.until(lambda: run.app_opener.opened == [MACOS_PRIVACY_PAGE], "the privacy page to be opened")


def test_no_camera_hint_and_button_name_the_windows_settings_windows(start: Callable[..., Running]) -> None:
    # Camera 99 through the Windows backends (absent from Linux's OpenCV): neither opens it.
    run = start(AppOptions(source="99", offline=True), env=Environment.from_os(platform="windows"))
    video = run.app.video
    run.until(lambda: video.problem_visible, "the no-camera panel")
    assert video.problem_title.cget("text") == "No picture from the camera"
    text = video.problem_text.cget("text")
    assert "Settings > Privacy & security > Camera" in text and "Let desktop apps access your camera" in text
    shot = screenshot(run.root, "no-camera-windows")
    assert readable("Let desktop apps access your camera", read_text(shot))
    privacy_button(run).invoke()
    run.until(lambda: run.app_opener.opened == [WINDOWS_PRIVACY_PAGE], "the privacy page to be opened")


@pytest.mark.slow
def test_picture_starts_by_itself_once_the_user_allows_the_camera_macos(
    start: Callable[..., Running], tmp_path: Path
) -> None:
    frames = [np.full((120, 160, 3), 10 * i, np.uint8) for i in range(20)]
    clip = write_video(tmp_path / "webcam.avi", frames, fps=10.0)
    system = StandInAVFoundation(NOT_DETERMINED)

    def sources(spec: str) -> FrameSource:
        return make_source(str(clip) if spec == "0" else spec)  # camera 0 stands for a webcam

    run = start(
        AppOptions(source="0", offline=True),
        env=Environment.from_os(platform="macos"),
        camera_access=AVFoundationAccess(system, environ={}),
        source_factory=sources,
    )
    video = run.app.video
    run.until(lambda: video.problem_visible, "the waiting panel")
    assert video.problem_title.cget("text") == "May Emotune use the camera?"
    assert len(system.requests) == 1
    shot = screenshot(run.root, "camera-access-asked-macos")
    assert readable("May Emotune use the camera", read_text(shot))
    assert run.app.stats.frames_drawn == 0

    system.answer = AUTHORIZED  # the user clicks "Allow" in macOS's window
    run.frames_after(0)
    assert not video.problem_visible and len(system.requests) == 1
