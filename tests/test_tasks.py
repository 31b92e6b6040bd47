"""``emotune.tasks`` without a display: results come back only through ``poll()`` (the UI
thread's side), errors arrive at ``on_error``, a lane keeps order, shutdown leaves no thread behind
and returns within its timeout, and a job that hangs never holds the process at exit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from emotune.tasks import TaskRunner

REPO = Path(__file__).resolve().parents[1]


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


def test_shutdown_returns_within_its_timeout_and_says_a_hung_thread_is_left() -> None:
    runner = TaskRunner()
    release = threading.Event()
    running = threading.Barrier(3)

    def hang() -> None:
        running.wait(5)
        release.wait(30)  # a request waiting out its deadline, a browser sign-in nobody answers

    runner.run_in_thread(hang, lambda _none: None, lambda _error: None, name="emotune-test-hang")
    runner.lane("emotune-test-hung-lane").submit(hang, lambda _none: None, lambda _error: None)
    running.wait(5)
    started = time.monotonic()
    assert not runner.shutdown(timeout=0.3)  # both threads still run: it says so
    assert time.monotonic() - started < 0.3 + 0.5  # a busy machine may wake the caller late
    names = {t.name for t in threading.enumerate()}
    assert {"emotune-test-hang", "emotune-test-hung-lane"} <= names  # still recognisable by name
    release.set()
    assert runner.shutdown(timeout=5.0)
    assert not {t.name for t in threading.enumerate()} & {"emotune-test-hang", "emotune-test-hung-lane"}


def test_the_process_exits_at_once_while_a_job_and_a_lane_job_hang() -> None:
    # A job that never ends must not hold the app at exit: the interpreter joins no thread of
    # the runner's (concurrent.futures' workers would be joined, without a timeout).
    code = """if True:
        import threading
        from emotune.tasks import TaskRunner

        runner = TaskRunner()
        forever = threading.Event()
        runner.run_in_thread(forever.wait, print, print, name="emotune-test-hang")
        runner.lane("emotune-test-hung-lane").submit(forever.wait, print, print)
        print("left" if not runner.shutdown(timeout=0.1) else "none left")
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "left"
    assert time.monotonic() - started < 20  # the interpreter's start and exit, no waiting on the jobs
