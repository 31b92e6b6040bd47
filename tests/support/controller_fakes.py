"""Plain stand-ins for what the controller talks to: a recording view, a worker that only
remembers what it was told, and tasks that run when the test says so (to order answers)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from emotune.choices import Strategy
from emotune.controller.playlist import Playlist
from emotune.controller.view import SourceProblem
from emotune.music.catalog import Genres
from emotune.music.recommender import Recommendation
from emotune.music.tracks import Track
from emotune.vision.messages import FrameResult
from emotune.vision.profile import Profile
from emotune.vision.sources import Frame, FrameSource

Call = tuple[str, tuple[Any, ...]]


class RecordingView:
    """Implements every ``View`` verb by recording it."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.selected: int | None = None  # what ``selected_row`` answers: the row the user selected
        # The controller's playlist, as the window is given it (``watch``): what ``playlist_changed`` reads.
        self.playlist: Playlist | None = None

    def __getattr__(self, name: str) -> Callable[..., None]:
        if not name.startswith(("show_", "drop_")) and name != "hide_source_problem":
            raise AttributeError(name)
        return lambda *args: self.calls.append((name, args))

    def watch(self, playlist: Playlist) -> None:
        self.playlist = playlist

    def playlist_changed(self, *, appended: bool) -> None:
        """Recorded as ``(appended, tracks, mood, heading)`` of the block the change drew: the
        newest (a new list has one block); as ``(appended,)`` by a view given no playlist."""
        if self.playlist is None:
            self.calls.append(("playlist_changed", (appended,)))
            return
        block = self.playlist.blocks[-1]
        tracks = self.playlist.tracks[block.start :]
        self.calls.append(("playlist_changed", (appended, tracks, block.mood, block.heading)))

    def selected_row(self) -> int | None:
        return self.selected

    def last(self, verb: str) -> tuple[Any, ...] | None:
        return next((args for name, args in reversed(self.calls) if name == verb), None)

    def count(self, verb: str) -> int:
        return sum(1 for name, _ in self.calls if name == verb)


class FakeWorker:
    def __init__(self) -> None:
        self.sources: list[str] = []
        self.paused = False
        self.running = False
        self.stopped = False
        self.capturing: str | None = None
        self.profile: Profile | None = None

    def start(self, source: str | FrameSource) -> None:
        self.running = True
        self.sources.append(source if isinstance(source, str) else source.name)

    def switch_source(self, source: str | FrameSource) -> None:
        self.sources.append(source if isinstance(source, str) else source.name)

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def capture(self, label: str | None) -> None:
        self.capturing = label

    def set_profile(self, profile: Profile | None) -> None:
        self.profile = profile

    def stop(self, timeout: float = 0.5) -> bool:
        self.stopped, self.running = True, False
        return True


class NamedSource:
    """A source the controller only needs the name of (the fake worker never reads it)."""

    live = True
    fps = 30.0

    def __init__(self, name: str) -> None:
        self.name = name

    def open(self) -> None:
        pass

    def read(self) -> Frame | None:
        return None

    def close(self) -> None:
        pass


Job = tuple[str, Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]]


class ManualTasks:
    """Jobs wait in ``jobs`` until the test runs them with ``finish()``; callbacks run at once."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.shut = False

    def run_in_thread(
        self, fn: Callable[[], Any], on_ok: Callable[[Any], None], on_error: Callable[[Exception], None], name: str = ""
    ) -> threading.Thread:
        self.jobs.append((name, fn, on_ok, on_error))
        return threading.current_thread()

    def lane(self, name: str) -> ManualTasks.Lane:
        return ManualTasks.Lane(self, name)

    class Lane:
        def __init__(self, tasks: ManualTasks, name: str) -> None:
            self.tasks, self.name = tasks, name

        def submit(
            self, fn: Callable[[], Any], on_ok: Callable[[Any], None], on_error: Callable[[Exception], None]
        ) -> None:
            self.tasks.jobs.append((self.name, fn, on_ok, on_error))

    def finish(self, index: int = 0) -> None:
        _name, fn, on_ok, on_error = self.jobs.pop(index)
        try:
            value = fn()
        except Exception as exc:
            on_error(exc)
        else:
            on_ok(value)

    def finish_all(self) -> None:
        while self.jobs:
            self.finish()

    def poll(self, limit: int = 8) -> int:
        return 0

    def shutdown(self, timeout: float = 0.8) -> bool:
        self.shut = True
        return True


class FakeRecommender:
    """Answers every request with ``limit`` catalog tracks of its own, and counts the requests."""

    def __init__(self, pool: Sequence[Track]) -> None:
        self.pool = list(pool)
        self.asked: list[tuple[str, Strategy]] = []
        self.genres: list[tuple[str, ...]] = []  # the genres of each request
        self.like: list[tuple[str, tuple[str, ...]]] = []  # "more like this": (track ID, IDs excluded)

    def recommend(
        self, emotion: str, limit: int, strategy: Strategy = "match", *, offline: bool = False, genres: Genres = ()
    ) -> Recommendation:
        self.asked.append((emotion, strategy))
        self.genres.append(genres)
        start = (len(self.asked) - 1) * limit % max(1, len(self.pool))
        tracks = tuple(self.pool[start : start + limit])
        return Recommendation(emotion, strategy, tracks, "catalog", "bundled catalog (offline)", genres=genres)

    def more_like(
        self,
        track: Track,
        emotion: str,
        limit: int,
        strategy: Strategy = "match",
        *,
        exclude: tuple[str, ...] = (),
        genres: Genres = (),
    ) -> Recommendation:
        answer = self.recommend(emotion, limit, strategy, genres=genres)
        self.like.append((track.id, exclude))
        return Recommendation(emotion, strategy, answer.tracks, "catalog", "like", genres=genres, like=track)


def problem_kinds(view: RecordingView) -> list[str]:
    return [
        args[0].kind
        for name, args in view.calls
        if name == "show_source_problem" and isinstance(args[0], SourceProblem)
    ]


def frames_shown(view: RecordingView) -> list[FrameResult]:
    return [args[0] for name, args in view.calls if name == "show_frame"]


class FakePlayer:
    """Stands in for ``SpotifyPlayer``: records what it was told; ``fail`` makes every call raise."""

    def __init__(self) -> None:
        self.played: list[list[str]] = []
        self.queued: list[str] = []
        self.saved: list[tuple[str, int]] = []
        self.fail: Exception | None = None
        self.is_playing = False

    def _check(self) -> None:
        if self.fail is not None:
            raise self.fail

    def state(self) -> Any:
        from emotune.music.playback import Device, PlayerState

        self._check()
        device = Device("d1", "Test Laptop", "Computer", True, False, 50)
        return PlayerState(device, self.is_playing, None, "Song", 0) if self.played else None

    def play(self, uris: Sequence[str], device_id: str | None = None) -> Any:
        self._check()
        self.played.append(list(uris))
        self.is_playing = True
        return None

    def queue(self, uri: str, device_id: str | None = None) -> None:
        self._check()
        self.queued.append(uri)

    def save_playlist(self, name: str, tracks: Sequence[Track], description: str = "") -> object:
        self._check()
        self.saved.append((name, len(tracks)))
        return name
