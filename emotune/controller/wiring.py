"""What an ``AppController`` is built from: its options, the vision worker and task runner it
drives (as protocols: tests hand in fakes), and the real factories for the worker and the music
side. No toolkit.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from emotune.config import Settings
from emotune.environment import Environment
from emotune.labels import EMOTIONS
from emotune.music.feedback import Preferences
from emotune.tasks import OnError, T
from emotune.vision.messages import MessageQueue
from emotune.vision.mood import MoodTracker
from emotune.vision.pipeline import FacePipeline, PipelineSettings, VisionWorker
from emotune.vision.profile import Profile
from emotune.vision.sources import FrameSource

if TYPE_CHECKING:  # spotipy & co. load on the music lane, off the start-up path
    from emotune.music.service import Music


@dataclass(frozen=True)
class AppOptions:
    source: str | None = None
    offline: bool = False
    mood: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AppOptions:
        source = getattr(args, "source", None)
        camera = getattr(args, "camera", None)
        if source is None and camera is not None:
            source = str(camera)
        mood = getattr(args, "mood", None)
        return cls(source, bool(getattr(args, "offline", False)), mood if mood in EMOTIONS else None)


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


class Lane(Protocol):
    def submit(self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError) -> None: ...


class Tasks(Protocol):
    """What the controller needs of ``emotune.tasks.TaskRunner``."""

    def run_in_thread(
        self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError, name: str = ...
    ) -> threading.Thread: ...

    def lane(self, name: str) -> Lane: ...

    def poll(self, limit: int = ...) -> int: ...

    def shutdown(self, timeout: float = ...) -> bool: ...


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
