"""Running blocking work off the UI thread, with the answer delivered back on the UI thread.

``TaskRunner.run_in_thread(fn, on_ok, on_error)`` runs ``fn()`` on a new daemon thread; later,
``poll()`` (called by the owner's loop on the UI thread, e.g. the Tk window's ``after()`` tick)
calls ``on_ok(result)`` or ``on_error(exception)``. The runner is generic over the result type,
so mypy checks each callback against its function. ``TaskRunner.lane(name)`` gives a
``SerialLane``: one thread that runs its jobs in order, for work whose objects are not
thread-safe (the recommender's catalog session).

Worker threads never call back into the UI: they only put finished jobs on a queue. This module
imports no GUI toolkit, so the controller and its tests use it without a display.

Why daemon threads and not ``concurrent.futures``: a ``ThreadPoolExecutor`` would bound the
threads and drop queued jobs (``cancel_futures``), but at interpreter exit Python joins its
workers without a timeout (``concurrent.futures.thread``'s exit hook, even after
``shutdown(wait=False)``), so one job that hangs (a Spotify request waiting out its deadline, a
browser sign-in nobody answers, an opener that never returns) would hold the closed app's
process. Daemon threads are never waited for at exit; ``shutdown(timeout)`` waits for them at
most ``timeout`` in all and says whether any is left, and each keeps its ``emotune-*`` name so
that what is left can be recognised.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
OnError = Callable[[Exception], None]


class Runner(Protocol):
    """What a controller part needs of ``TaskRunner``: start ``fn`` off the UI thread, answer on it."""

    def run_in_thread(
        self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError, name: str = ...
    ) -> object: ...


class Lane(Protocol):
    """What a controller part needs of ``SerialLane``: jobs run one after another, answered in ``poll()``."""

    def submit(self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError) -> None: ...


class Tasks(Protocol):
    """What the ``AppController`` needs of ``TaskRunner`` (tests hand in one they run by hand)."""

    def run_in_thread(
        self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError, name: str = ...
    ) -> threading.Thread: ...

    def lane(self, name: str) -> Lane: ...

    def poll(self, limit: int = ...) -> int: ...

    def shutdown(self, timeout: float = ...) -> bool: ...


@dataclass(frozen=True)
class _Finished(Generic[T]):
    """A job's outcome, waiting on the queue for ``poll()``: exactly one of value / error is set."""

    on_ok: Callable[[T], None]
    on_error: OnError
    value: T | None = None
    error: Exception | None = None

    def deliver(self) -> None:
        if self.error is not None:
            self.on_error(self.error)
        else:
            self.on_ok(self.value)  # type: ignore[arg-type]  # value is the T that fn returned


class _Deliverable(Protocol):
    def deliver(self) -> None: ...


def _run(fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError) -> _Finished[T]:
    try:
        return _Finished(on_ok, on_error, value=fn())
    except Exception as exc:  # handed to on_error on the UI thread, which decides what to show
        return _Finished(on_ok, on_error, error=exc)


_Job = Callable[[], _Deliverable]


class SerialLane:
    """One thread running submitted jobs one after another; results go to the runner's queue."""

    def __init__(self, name: str, results: queue.SimpleQueue[_Deliverable]) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()  # None: stop
        self._results = results
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError) -> None:
        self._jobs.put(lambda: _run(fn, on_ok, on_error))

    def stop(self) -> None:
        """Ask the thread to end after the job it is running (queued jobs are dropped)."""
        self._stopping.set()
        self._jobs.put(None)

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            job = self._jobs.get()
            if job is None or self._stopping.is_set():
                return
            self._results.put(job())


class TaskRunner:
    """Background threads for one app; ``poll()`` (UI thread) delivers their results."""

    def __init__(self) -> None:
        self._results: queue.SimpleQueue[_Deliverable] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lanes: list[SerialLane] = []
        self._closed = False

    def run_in_thread(
        self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError, name: str = "emotune-task"
    ) -> threading.Thread:
        """Run ``fn`` on a new daemon thread; ``on_ok(value)`` or ``on_error(exc)`` runs later in ``poll()``."""
        thread = threading.Thread(target=lambda: self._results.put(_run(fn, on_ok, on_error)), name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()
        return thread

    def lane(self, name: str) -> SerialLane:
        lane = SerialLane(name, self._results)
        self._lanes.append(lane)
        return lane

    def poll(self, limit: int = 8) -> int:
        """Run up to ``limit`` finished tasks' callbacks (call on the UI thread); how many ran."""
        count = 0
        while count < limit and not self._closed:
            try:
                finished = self._results.get_nowait()
            except queue.Empty:
                break
            count += 1
            finished.deliver()
        return count

    def shutdown(self, timeout: float = 0.8) -> bool:
        """Stop the lanes and wait for every thread (``timeout`` in all); True if none is left.
        Callbacks of tasks that finish later are dropped: the window they would update is gone."""
        self._closed = True
        for lane in self._lanes:
            lane.stop()
        deadline = time.monotonic() + timeout
        alive = False
        for lane in self._lanes:
            alive |= not lane.join(max(0.0, deadline - time.monotonic()))
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            alive |= thread.is_alive()
        return not alive
