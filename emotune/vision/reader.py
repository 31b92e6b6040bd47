"""The reader thread: runs a ``FrameSource`` on its own thread and hands frames to one consumer.

``FrameReader.get()`` gives the newest frame not yet taken (live mode: cameras and files played
at their own pace) or every frame in turn (lossless mode, for analysing files as fast as
possible); ``frames()`` iterates them. Pausing lives in a ``PauseGate``: while it is closed the
reader reads nothing, so a paused camera or file costs no decoding and no inference. A worker
that switches sources hands the same gate to each new reader, so pause survives a switch.
This module must not detect, classify or touch any GUI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from emotune.vision.sources import Frame, FrameSource, FrameSourceError

STOP_TIMEOUT_S = 0.5


class PauseGate:
    """Open (frames flow) or closed (paused); the one place a pause is kept."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()

    def pause(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    @property
    def paused(self) -> bool:
        return not self._open.is_set()

    def wait_open(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the gate to open; True when it is open."""
        return self._open.wait(timeout)


class FrameReader:
    """Runs a source on a thread. ``get()`` returns the newest frame not yet taken.

    Live sources (cameras) and ``realtime=True`` files overwrite a single slot, so a slow consumer
    only ever sees the latest frame and nothing queues up. Otherwise (``realtime=False``) the
    reader waits for the consumer to take each frame: every frame is processed, as fast as the
    consumer goes. ``realtime`` paces files at their own fps. End and errors are reported through
    ``ended`` / ``error`` once the frames before them have been taken.
    """

    def __init__(
        self,
        source: FrameSource,
        realtime: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        gate: PauseGate | None = None,
    ) -> None:
        self.source = source
        self.lossless = not (realtime or source.live)
        self.pace = realtime and not source.live
        self._clock = clock
        self._cond = threading.Condition()
        self._sleeper = threading.Event()  # set on stop, so pacing sleeps end at once
        self._sleep = sleep
        self._slot: Frame | None = None
        self._stop = False
        self.gate = gate if gate is not None else PauseGate()
        self.ended = False
        self.error: FrameSourceError | None = None
        self.dropped = 0  # frames overwritten before the consumer took them
        self.frames_read = 0
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"emotune-reader[{source.name}]", daemon=True)

    @property
    def fps(self) -> float:
        return self.source.fps

    def start(self) -> FrameReader:
        self._thread.start()
        return self

    def wait_open(self, timeout: float | None = None) -> None:
        """Block until the source has been opened (or failed to open)."""
        self._opened.wait(timeout)

    def get(self, timeout: float | None = None) -> Frame | None:
        """The newest untaken frame; None when there is none within ``timeout``, at the end, or
        after an error (check ``finished`` / ``error``)."""
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while self._slot is None and not self._finished_locked():
                remaining = None if deadline is None else deadline - self._clock()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining if remaining is not None else 0.1)
            frame = self._slot
            self._slot = None
            self._cond.notify_all()
            return frame

    @property
    def finished(self) -> bool:
        """True once the source ended or failed and every frame before that has been taken."""
        with self._cond:
            return self._slot is None and self._finished_locked()

    def frames(self, interrupted: Callable[[], bool] = lambda: False, poll_s: float = 0.1) -> Iterator[Frame]:
        """Every frame ``get()`` gives until the source is finished or ``interrupted()`` is true
        (checked at least every ``poll_s`` seconds); then check ``finished`` and ``error``."""
        while not interrupted():
            frame = self.get(timeout=poll_s)
            if frame is not None:
                yield frame
            elif self.finished:
                return

    def pause(self) -> None:
        self.gate.pause()

    def resume(self) -> None:
        self.gate.resume()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Ask the thread to end and wait for it; True when it has ended."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._sleeper.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _finished_locked(self) -> bool:
        return self.ended or self.error is not None or self._stop

    def _run(self) -> None:
        try:
            try:
                self.source.open()
            finally:
                self._opened.set()
            self._loop()
        except FrameSourceError as exc:
            with self._cond:
                self.error = exc
                self._cond.notify_all()
        except Exception as exc:  # a backend failure must still reach the consumer as a message
            with self._cond:
                self.error = FrameSourceError(f"{self.source.name}: {type(exc).__name__}: {exc}")
                self._cond.notify_all()
        finally:
            self.source.close()

    def _loop(self) -> None:
        start = self._clock()
        paused_for = 0.0
        while True:
            if self.gate.paused:
                pause_began = self._clock()
                while not self.gate.wait_open(0.1) and not self._stop:
                    pass
                paused_for += self._clock() - pause_began
            if self._stop:
                return
            frame = self.source.read()
            if frame is None:
                with self._cond:
                    self.ended = True
                    self._cond.notify_all()
                return
            self.frames_read += 1
            if self.pace:
                # Show each frame at its own time, not before: the video plays at its own rate.
                delay = start + paused_for + frame.t - self._clock()
                if delay > 0:
                    self._wait(delay)
            with self._cond:
                while self.lossless and self._slot is not None and not self._stop:
                    self._cond.wait(0.1)
                if self._stop:
                    return
                if self._slot is not None:
                    self.dropped += 1
                self._slot = frame
                self._cond.notify_all()

    def _wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._sleeper.wait(seconds)
