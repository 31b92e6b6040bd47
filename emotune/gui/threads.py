"""Running blocking work off the Tk thread, with the answer delivered back on the Tk thread.

``TaskRunner.run_in_thread(fn, on_done)`` runs ``fn()`` on a new daemon thread; ``on_done(ok,
result_or_error)`` is called later by ``poll()``, which the app's ``after()`` drain loop calls on
the Tk thread. ``TaskRunner.lane(name)`` gives a ``SerialLane``: one thread that runs its jobs in
order, for work whose objects are not thread-safe (the recommender's catalog session).

Worker threads never touch Tk: they only put ``(callback, ok, value)`` on a queue. This module
imports no tkinter, so it is tested and used without a display.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

Done = Callable[[bool, Any], None]
_Result = tuple[Done, bool, Any]
_Job = tuple[Callable[[], Any], Done] | None  # None: stop


class SerialLane:
    """One thread running submitted jobs one after another; results go to the runner's queue."""

    def __init__(self, name: str, results: queue.SimpleQueue[_Result]) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._results = results
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], Any], on_done: Done) -> None:
        self._jobs.put((fn, on_done))

    def stop(self) -> None:
        """Ask the thread to end after the job it is running (queued jobs are dropped)."""
        self._stopping.set()
        self._jobs.put(None)

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            job = self._jobs.get()
            if job is None or self._stopping.is_set():
                return
            fn, on_done = job
            self._results.put(_call(fn, on_done))


def _call(fn: Callable[[], Any], on_done: Done) -> _Result:
    try:
        return on_done, True, fn()
    except Exception as exc:  # handed to on_done on the Tk thread, which decides what to show
        return on_done, False, exc


class TaskRunner:
    """Background threads for one app; ``poll()`` (Tk thread) delivers their results."""

    def __init__(self) -> None:
        self._results: queue.SimpleQueue[_Result] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lanes: list[SerialLane] = []
        self._closed = False

    def run_in_thread(self, fn: Callable[[], Any], on_done: Done, name: str = "emotune-task") -> threading.Thread:
        """Run ``fn`` on a new daemon thread; ``on_done(ok, value)`` runs later in ``poll()``."""
        thread = threading.Thread(target=lambda: self._results.put(_call(fn, on_done)), name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()
        return thread

    def lane(self, name: str) -> SerialLane:
        lane = SerialLane(name, self._results)
        self._lanes.append(lane)
        return lane

    def poll(self, limit: int = 8) -> int:
        """Run up to ``limit`` finished tasks' callbacks (call on the Tk thread); how many ran."""
        count = 0
        while count < limit and not self._closed:
            try:
                on_done, ok, value = self._results.get_nowait()
            except queue.Empty:
                break
            count += 1
            on_done(ok, value)
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
