"""The parts an ``AppController`` builds for itself: the vision worker (``Worker``, what the
controller needs of it: tests hand in fakes) and the music side, each through a factory, and
the real factories. No toolkit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from emotune.config import Settings
from emotune.environment import Environment
from emotune.music.feedback import Preferences
from emotune.vision.messages import MessageQueue
from emotune.vision.mood import MoodTracker
from emotune.vision.pipeline import FacePipeline, PipelineSettings, VisionWorker
from emotune.vision.profile import Profile
from emotune.vision.sources import FrameSource

if TYPE_CHECKING:  # spotipy & co. load on the music lane, off the start-up path
    from emotune.music.service import Music


class Worker(Protocol):
    """What the controller needs of the vision worker (``VisionWorker``; a fake in tests)."""

    @property
    def paused(self) -> bool: ...

    @property
    def running(self) -> bool: ...

    def start(self, source: str | FrameSource) -> None: ...

    def switch_source(self, source: str | FrameSource) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def capture(self, label: str | None) -> None: ...

    def set_profile(self, profile: Profile | None) -> None: ...

    def stop(self, timeout: float = ...) -> bool: ...


WorkerFactory = Callable[[Settings, MessageQueue], Worker]
# (settings, environment, offline, the user's song feedback) -> the music side
MusicFactory = Callable[[Settings, Environment, bool, Preferences], "Music"]


def vision_worker(settings: Settings, messages: MessageQueue) -> Worker:
    """The real worker: YuNet/Haar + the ONNX classifier + the mood tracker, for the window."""
    pipeline = FacePipeline(PipelineSettings(detector=settings.detector))
    tracker = MoodTracker(smoothing_s=settings.mood_smoothing_s, pace=settings.music_pace)
    return VisionWorker(pipeline, messages, tracker, realtime=True, include_images=True)


def build_music_for(settings: Settings, env: Environment, offline: bool, feedback: Preferences) -> Music:
    from emotune.music.service import build_music

    return build_music(settings, env, offline=offline, feedback=feedback)
