"""``emotune.tasks`` without a display: results come back only through ``poll()`` (the UI
thread's side), errors arrive at ``on_error``, a lane keeps order, shutdown leaves no thread behind."""

from __future__ import annotations

import threading
import time
from typing import Any

from emotune.tasks import TaskRunner


def poll_until(runner: TaskRunner, results: list[Any], count: int) -> None:
    deadline = time.monotonic() + 30
    while len(results) < count:
        assert time.monotonic() < deadline, "timed out"
        runner.poll()
        time.sleep(0.005)


def test_run_in_thread_delivers_results_and_errors_through_poll_only() -> None:
    runner = TaskRunner()
    results: list[tuple[bool, Any, str]] = []
    caller = threading.current_thread().name

    def record(value: int) -> None:
        results.append((True, value, threading.current_thread().name))

    def record_error(error: Exception) -> None:
        results.append((False, error, threading.current_thread().name))

    def fail() -> int:
        raise ValueError("no network")

    runner.run_in_thread(lambda: 42, record, record_error).join()
    assert results == []  # nothing runs on the worker's side of the fence
    runner.run_in_thread(fail, record, record_error)
    poll_until(runner, results, 2)
    assert results[0] == (True, 42, caller)
    ok, error, where = results[1]
    assert not ok and isinstance(error, ValueError) and str(error) == "no network" and where == caller
    assert runner.shutdown()


def test_a_lane_runs_jobs_in_order_on_one_thread_and_stops() -> None:
    runner = TaskRunner()
    lane = runner.lane("emotune-test-lane")
    seen: list[tuple[int, str]] = []
    results: list[Any] = []
    for i in range(5):
        lane.submit(lambda i=i: seen.append((i, threading.current_thread().name)) or i, results.append, results.append)
    poll_until(runner, results, 5)
    assert results == [0, 1, 2, 3, 4]
    assert [name for _, name in seen] == ["emotune-test-lane"] * 5
    assert runner.shutdown(timeout=1.0)
    assert not [t for t in threading.enumerate() if t.name == "emotune-test-lane"]


def test_poll_runs_at_most_limit_callbacks_and_nothing_after_shutdown() -> None:
    runner = TaskRunner()
    results: list[Any] = []
    threads = [runner.run_in_thread(lambda i=i: i, results.append, results.append) for i in range(6)]
    for thread in threads:
        thread.join()
    assert runner.poll(limit=4) == 4
    assert len(results) == 4
    assert runner.shutdown()
    assert runner.poll() == 0  # the window those callbacks would update is gone
    assert len(results) == 4
