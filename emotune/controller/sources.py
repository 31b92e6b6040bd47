"""The video source of a running app: which one plays, its problems, the cameras, the fps line.

``Sources`` opens a source (a camera index or a file) on the vision worker, remembers recent
files in the settings, finds the cameras off the UI thread, turns the worker's "cannot read" and
"ended" into the ``SourceProblem`` the video area shows (with Retry or Play again, and the
system's camera privacy page), asks the system for the camera before the worker opens one
(macOS asks the user; the camera opens by itself once allowed), and keeps the status line
(source, paused or its problem, frames drawn per second). The ``AppController`` hands it what
the worker posts and asks it whether a frame is the current source's.

Everything here runs on the UI thread. No toolkit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emotune.controller import camera_help
from emotune.controller.factories import Worker
from emotune.controller.settings import SettingsKeeper
from emotune.controller.view import SourceProblem, View
from emotune.music.opener import Opener, os_handler
from emotune.platforms import Platform
from emotune.tasks import OnError, Runner
from emotune.vision.camera_access import CameraAccess, system_camera_access
from emotune.vision.messages import FrameResult, SourceEnded, SourceError
from emotune.vision.sources import FrameSource, FrameSourceError, find_cameras, is_camera, make_source

STATUS_EVERY_S = 0.5
FPS_WINDOW_S = 2.0
RECENT_FILES = 5
ACCESS_EVERY_S = 0.5  # how often the system's answer about the camera is read while awaited


@dataclass(frozen=True)
class SourceOpening:
    """What opening a source takes from the system: how sources are made, whether the camera may
    be used, and the OS handler that opens the camera privacy page."""

    platform: Platform
    factory: Callable[[str], FrameSource]
    access: CameraAccess
    opener: Opener

    @classmethod
    def on(
        cls,
        platform: Platform,
        factory: Callable[[str], FrameSource] | None = None,
        access: CameraAccess | None = None,
        opener: Opener = os_handler,
    ) -> SourceOpening:
        """The system's own for whatever is not given."""
        return cls(
            platform,
            factory or (lambda spec: make_source(spec, platform=platform)),
            access or system_camera_access(platform),
            opener,
        )


def source_label(spec: str) -> str:
    return f"Camera {spec.strip()}" if is_camera(spec) else Path(spec).name


class Sources:
    def __init__(
        self,
        view: View,
        tasks: Runner,
        settings: SettingsKeeper,
        worker: Callable[[], Worker],
        opening: SourceOpening,
        clock: Callable[[], float],
        on_watching_stopped: Callable[[], None],
    ) -> None:
        self.view = view
        self.platform = opening.platform
        self.access = opening.access  # asked here, on the UI thread
        self._opener = opening.opener
        self.tasks = tasks
        self.settings = settings
        self._worker = worker  # the controller replaces its worker when the tracking settings change
        self._source_factory = opening.factory
        self._clock = clock
        self._on_watching_stopped = on_watching_stopped
        self.spec = ""
        self.name = ""  # the name the worker's messages carry for the current source
        self.problem: SourceProblem | None = None
        self.cameras: tuple[int, ...] | None = None  # the cameras found (None: still looking)
        self.latest: FrameResult | None = None
        self._retried = ""  # the source retried, until its first frame is drawn
        self.frames_shown = 0
        self.frames_skipped = 0  # frame results replaced by a newer one before they were shown
        self._draw_times: deque[float] = deque(maxlen=120)
        self._last_status_at = -1e9
        self._access_checked_at: float | None = None  # while waiting for the user's answer
        self._on_probe_error: OnError | None = None

    def open(self, spec: str) -> None:
        """Show ``spec`` (camera index or path); a problem shows in the video area, not as an error."""
        self.spec, self._retried = spec, ""
        self.view.show_source(spec, self.mirrored(spec))
        self.view.hide_source_problem()
        self.problem = None
        self._access_checked_at = None
        if is_camera(spec) and not self._camera_allowed():
            return
        try:
            source = self._source_factory(spec)
        except FrameSourceError as exc:
            self.name = ""
            self.cannot_read(spec, str(exc))
            return
        self.name = source.name
        if not is_camera(spec):
            settings = self.settings.current
            recent = [spec, *(path for path in settings.recent_sources if path != spec)][:RECENT_FILES]
            self.settings.current = settings.replace(last_source=spec, recent_sources=recent)
        self._show_sources()
        worker = self._worker()
        if worker.running:
            worker.switch_source(source)
        else:
            worker.start(source)
        if worker.paused:  # a new source plays at once
            worker.resume()
            self.view.show_paused(False)
        self._draw_times.clear()
        self.update_status()

    def _camera_allowed(self) -> bool:
        """Whether the reader may open a camera now; if not, the video area says why. An
        undecided system is asked here, on the UI thread: the only one where macOS can ask."""
        status = self.access.status()
        if status == "undetermined":
            self.access.request()
            status = self.access.status()
        if status == "undetermined":
            self._access_checked_at = self._clock()  # ``tick`` reads the answer and goes on by itself
            self._show_problem(camera_help.waiting_for_access(self.platform))
        elif status in ("denied", "restricted"):
            self._show_problem(camera_help.access_refused(self.platform, status))
        else:
            return True
        self.name = ""
        return False

    def open_privacy_settings(self) -> None:
        """Open the system's camera privacy page (off the UI thread: the handler may take a while)."""
        page = self.problem.settings_page if self.problem is not None else None
        if page is None:
            return

        def opened(ok: bool) -> None:
            if not ok:
                self.view.show_note(f"Cannot open the camera settings ({page}): open them from the system's settings")

        self.view.show_note("Opening the camera settings…")
        self.tasks.run_in_thread(
            lambda: self._opener(page), opened, lambda error: self.view.show_note(str(error)), name="emotune-privacy"
        )

    def retry(self) -> None:
        spec = self.spec or "0"
        self.view.show_note(f"Trying {source_label(spec)} again…")  # a sign that it tried, whatever comes
        self.open(spec)
        self._retried = spec if self.problem is None else ""

    def mirrored(self, spec: str) -> bool:
        # A mirror is what people expect of a camera looking at them; a film stays the right way round.
        return self.settings.effective().mirror and is_camera(spec)

    def show_again(self) -> None:
        """The settings changed: show the source as they say (mirrored or not)."""
        self.view.show_source(self.spec, self.mirrored(self.spec))

    def _show_sources(self) -> None:
        self.view.show_sources(self.spec, self.cameras, tuple(self.settings.current.recent_sources))

    def find_cameras(self, on_error: OnError) -> None:
        self._on_probe_error = on_error
        in_use = [int(self.spec)] if is_camera(self.spec) else []

        def found(cameras: list[int]) -> None:
            self.cameras = tuple(cameras)
            self._show_sources()

        platform = self.platform
        self.tasks.run_in_thread(
            lambda: find_cameras(skip=in_use, platform=platform), found, on_error, name="emotune-cameras"
        )

    def showing(self, result: FrameResult) -> bool:
        """Whether ``result`` is a frame of the source playing now (and the video area shows frames)."""
        return result.source == self.name and self.problem is None

    def frame_drawn(self, result: FrameResult, now: float) -> None:
        if self._retried:  # "Trying … again…" must not linger once the picture is back
            self.view.show_note(f"{source_label(self._retried)} plays again")
            self._retried = ""
        self.latest = result
        self.frames_shown += 1
        self._draw_times.append(now)

    def stopped(self, message: SourceError | SourceEnded) -> None:
        """The worker says the source playing now cannot be read, or ended."""
        if isinstance(message, SourceError):
            self.cannot_read(self.spec, message.message)
        else:
            self.ended(message)

    def cannot_read(self, spec: str, text: str) -> None:
        if is_camera(spec):
            self._show_problem(camera_help.no_camera(self.platform, text))
            return
        self._show_problem(
            SourceProblem("cannot read", "This video cannot be shown", f"{text}\n\n{camera_help.MOOD_BY_HAND}", "Retry")
        )

    def ended(self, message: SourceEnded) -> None:
        self._show_problem(
            SourceProblem(
                "ended",
                "End of the video",
                f"{source_label(self.spec)} has ended ({message.frames} frames).",
                "Play again",
            )
        )

    def _show_problem(self, problem: SourceProblem) -> None:
        self.problem = problem
        self._on_watching_stopped()
        self.view.show_source_problem(problem)
        self.update_status()

    def drawn_fps(self) -> float | None:
        now = self._clock()
        recent = [t for t in self._draw_times if now - t <= FPS_WINDOW_S]
        if len(recent) < 2:
            return None
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)

    def tick(self, now: float) -> None:
        """The status line, every ``STATUS_EVERY_S`` at most; the system's answer about the
        camera, every ``ACCESS_EVERY_S`` while it is awaited (the camera opens once it is yes)."""
        if self._access_checked_at is not None and now - self._access_checked_at >= ACCESS_EVERY_S:
            self._access_checked_at = now
            if self.access.status() != "undetermined":
                self.open(self.spec)
                if self._on_probe_error is not None:  # probed while no camera could be opened: again
                    self.find_cameras(self._on_probe_error)
        if now - self._last_status_at >= STATUS_EVERY_S:
            self._last_status_at = now
            self.update_status()

    def update_status(self) -> None:
        label = source_label(self.spec) if self.spec else "No source"
        if self.problem is not None:
            self.view.show_video_status(f"{label} · {self.problem.kind}")
        elif self._worker().paused:
            self.view.show_video_status(f"{label} · paused")
        else:
            fps = self.drawn_fps()
            self.view.show_video_status(label if fps is None else f"{label} · {fps:.0f} fps")
