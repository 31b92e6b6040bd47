"""The camera as each system lets the app use it: macOS's question asked on the UI thread before
the reader opens the camera, the camera opened by itself once the user allows it, a refusal said
as such with the system's privacy page a button away, and hints that name the settings of the
system in use. The Windows and macOS branches run here on Linux with the platform passed in.

Stand-ins: ``StandInAVFoundation`` answers as macOS's AVFoundation does (through pyobjc) with the
answer the test sets; the recording view, fake worker and hand-run tasks are the controller
tests' own; the OS handler that opens the privacy page is a recorder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emotune.config import Settings
from emotune.controller.app import AppController
from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.music.feedback import Preferences
from emotune.music.service import Music, MusicAccount
from emotune.opencv_env import SKIP_AUTH
from emotune.platforms import Platform
from emotune.vision.camera_access import (
    MACOS_PRIVACY_PAGE,
    WINDOWS_PRIVACY_PAGE,
    AVFoundationAccess,
    CameraAccess,
    NoQuestion,
    OpenOnceAccess,
    system_camera_access,
)
from emotune.vision.messages import MessageQueue, SourceError
from tests.support.camera_access import AUTHORIZED, DENIED, NOT_DETERMINED, RESTRICTED, StandInAVFoundation
from tests.support.controller_fakes import FakeRecommender, FakeWorker, ManualTasks, NamedSource, RecordingView
from tests.support.gui import Recorder


class Harness:
    def __init__(self, tmp_path: Path, platform: Platform, access: CameraAccess | None) -> None:
        self.view = RecordingView()
        self.tasks = ManualTasks()
        self.workers: list[FakeWorker] = []
        self.opener = Recorder()
        self.now = 0.0
        env = Environment(tmp_path / "config", tmp_path / "cache", tmp_path / "data", platform=platform)

        def make_worker(_settings: Settings, _messages: MessageQueue) -> FakeWorker:
            self.workers.append(FakeWorker())
            return self.workers[-1]

        def make_music(_settings: Settings, _env: Environment, _offline: bool, _feedback: Preferences) -> Music:
            return Music(FakeRecommender([]), MusicAccount("offline"), None)  # type: ignore[arg-type]

        self.controller = AppController(
            self.view,
            AppOptions(source="0", offline=True),
            tasks=self.tasks,
            env=env,
            worker_factory=make_worker,
            music_factory=make_music,
            source_factory=lambda spec: NamedSource(f"camera {spec}" if spec.isdigit() else spec),
            camera_access=access,
            app_opener=self.opener,
            clock=lambda: self.now,
        )
        self.controller.start()

    def later(self, seconds: float) -> None:
        self.now += seconds
        self.controller.poll()


@pytest.fixture()
def harness(tmp_path: Path) -> Iterator[Callable[[Platform, CameraAccess | None], Harness]]:
    made: list[Harness] = []

    def make(platform: Platform, access: CameraAccess | None) -> Harness:
        made.append(Harness(tmp_path, platform, access))
        return made[-1]

    yield make
    for h in made:
        h.controller.close()


def test_refused_camera_is_said_and_the_privacy_page_opens_macos(harness: Callable[..., Harness]) -> None:
    system = StandInAVFoundation(DENIED)
    h = harness("macos", AVFoundationAccess(system, environ={}))
    problem = h.view.last("show_source_problem")[0]
    assert problem.kind == "no camera access" and problem.title == "Camera access is off"
    assert "System Settings > Privacy & Security > Camera" in problem.message
    assert problem.settings_page == MACOS_PRIVACY_PAGE
    assert h.workers[0].sources == []  # the reader never tries a camera the system refuses
    assert system.requests == []  # asked before: macOS would not ask again
    assert h.view.last("show_video_status") == ("Camera 0 · no camera access",)

    h.controller.sources.open_privacy_settings()
    h.tasks.finish_all()
    assert h.opener.opened == [MACOS_PRIVACY_PAGE]


def test_camera_opens_by_itself_once_the_user_allows_it_macos(harness: Callable[..., Harness]) -> None:
    system = StandInAVFoundation(NOT_DETERMINED)
    environ: dict[str, str] = {}
    h = harness("macos", AVFoundationAccess(system, environ=environ))
    assert system.requests == [threading.current_thread().name]  # asked on the UI thread
    assert environ == {SKIP_AUTH: "1"}  # the reader thread's OpenCV is told not to ask again
    problem = h.view.last("show_source_problem")[0]
    assert problem.kind == "waiting for access" and "Allow" in problem.message
    assert h.workers[0].sources == []
    h.later(1.0)
    assert h.workers[0].sources == []  # no answer yet: still waiting, asked once
    assert system.requests == [threading.current_thread().name]

    probes = [name for name, *_ in h.tasks.jobs].count("emotune-cameras")
    system.answer = AUTHORIZED  # the user clicks "Allow" in macOS's window
    h.later(1.0)
    assert h.workers[0].sources == ["camera 0"]
    assert h.view.last("hide_source_problem") == () and h.controller.sources.problem is None
    # The cameras found while none could be opened are looked for again.
    assert [name for name, *_ in h.tasks.jobs].count("emotune-cameras") == probes + 1


def test_a_no_while_waiting_is_said_as_such_macos(harness: Callable[..., Harness]) -> None:
    system = StandInAVFoundation(NOT_DETERMINED)
    h = harness("macos", AVFoundationAccess(system, environ={}))
    system.answer = DENIED
    h.later(1.0)
    assert h.view.last("show_source_problem")[0].kind == "no camera access"
    assert h.workers[0].sources == []
    # Allowed later in System Settings: Retry opens the camera.
    system.answer = AUTHORIZED
    h.controller.retry_source()
    assert h.workers[0].sources == ["camera 0"]


def test_restricted_camera_says_the_mac_does_not_allow_it_macos(harness: Callable[..., Harness]) -> None:
    h = harness("macos", AVFoundationAccess(StandInAVFoundation(RESTRICTED), environ={}))
    problem = h.view.last("show_source_problem")[0]
    assert problem.kind == "no camera access" and "restricts it" in problem.message
    assert h.workers[0].sources == []


def test_without_pyobjc_the_camera_is_opened_once_on_the_ui_thread_macos(harness: Callable[..., Harness]) -> None:
    environ: dict[str, str] = {}
    opened_on: list[tuple[str, dict[str, str]]] = []

    def open_camera() -> bool:
        # What OpenCV sees when it asks macOS itself: it must not be told to skip the asking.
        opened_on.append((threading.current_thread().name, dict(environ)))
        return False  # the user said no, or there is no camera: it cannot be told which

    h = harness("macos", OpenOnceAccess(open_camera, environ))
    assert opened_on == [(threading.current_thread().name, {})]
    assert environ == {SKIP_AUTH: "1"}
    assert h.workers[0].sources == ["camera 0"]  # the answer is unknown: the reader tries
    h.controller.messages.post(SourceError("camera 0", "camera 0: no such camera, or it cannot be opened"))
    h.controller.poll()
    problem = h.view.last("show_source_problem")[0]
    assert problem.kind == "no camera" and "System Settings > Privacy & Security > Camera" in problem.message
    assert problem.settings_page == MACOS_PRIVACY_PAGE
    h.controller.retry_source()
    assert len(opened_on) == 1  # asked once: a retry goes straight to the reader
    assert h.workers[0].sources == ["camera 0", "camera 0"]


def test_the_system_asks_through_pyobjc_or_by_opening_the_camera_macos() -> None:
    # No pyobjc here (it is not a dependency): the camera is opened once instead.
    assert isinstance(system_camera_access("macos"), OpenOnceAccess)


def test_camera_hint_names_the_windows_settings_and_opens_them_windows(harness: Callable[..., Harness]) -> None:
    h = harness("windows", None)
    assert isinstance(h.controller.sources.access, NoQuestion)
    assert h.workers[0].sources == ["camera 0"]
    h.controller.messages.post(SourceError("camera 0", "camera 0: no such camera, or it cannot be opened"))
    h.controller.poll()
    problem = h.view.last("show_source_problem")[0]
    assert problem.kind == "no camera"
    assert "Settings > Privacy & security > Camera" in problem.message
    assert "Let desktop apps access your camera" in problem.message
    assert "System Settings" not in problem.message and "video" not in problem.message
    assert problem.settings_page == WINDOWS_PRIVACY_PAGE
    h.controller.sources.open_privacy_settings()
    h.tasks.finish_all()
    assert h.opener.opened == [WINDOWS_PRIVACY_PAGE]


def test_camera_hint_on_linux_names_the_video_group_and_other_programs(harness: Callable[..., Harness]) -> None:
    h = harness("linux", None)
    assert isinstance(h.controller.sources.access, NoQuestion)
    busy = "camera 0: opens but gives no frames (busy in another program?)"
    h.controller.messages.post(SourceError("camera 0", busy))
    h.controller.poll()
    problem = h.view.last("show_source_problem")[0]
    assert "“video” group" in problem.message and "no other program holds it" in problem.message
    assert "Settings" not in problem.message
    assert problem.settings_page is None  # no privacy page to open: no button for one
