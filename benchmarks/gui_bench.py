"""The desktop app's targets, measured on the real window (Xvfb when DISPLAY is unset):

    python -m benchmarks.gui_bench [--seconds 60] [--idle] [--json] [--screenshot docs/screenshot.png]

1. Drawn fps: frames the video panel drew per second for a 30 fps, 640x480 video of a face while
   detection and classification run on every frame the worker takes. Target: >= 25.
2. Tk loop latency: the largest gap between two ``after()`` ticks over ``--seconds`` (the tick is
   scheduled every 15 ms, so a gap of G ms means the loop was busy or blocked for about G - 15).
   Target: <= 50 ms.
3. First frame: from just before the app's process is started (interpreter start, imports, model
   loading, window creation included) to the first frame drawn. Target: <= 2 s.
4. CPU: the app process's CPU seconds (all its threads, user + system) per wall second over the
   measuring time, read from outside through /proc/<pid>/stat (Linux). 1.0 is one core busy.
   Target (on an AVX2 CPU without AVX-512): <= 0.25 of one core. Also per thread
   (``cpu_by_thread``, "user+system", read inside the app from /proc/self/task).
5. With ``--idle``: the same CPU figures for the window left with no picture (a camera that is
   not there), from 3 s after the start.

Each run starts the app in a child process (``python -m benchmarks.gui_bench --child``), so the
first-frame figure includes a cold interpreter. Figures print; nothing is asserted. With
``--screenshot`` the child also saves a picture of its window at the end of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import describe_cpu

ROOT = Path(__file__).resolve().parent.parent


def child(video: Path, seconds: float, launched: float, screenshot: Path | None, idle: bool) -> dict[str, Any]:
    """Run the app on ``video`` for ``seconds`` (after the first frame) and report what it measured;
    with ``idle``, on a camera that is not there, measuring from 3 s after the start."""
    import tkinter as tk

    from emotune.controller.options import AppOptions
    from emotune.environment import Environment
    from emotune.gui.start import build_app, window_process

    root = tk.Tk()
    source = str(MISSING_CAMERA if idle else video)
    # Tuned as the app's own process is (``run_app``), so the figures are the app's.
    options, env = AppOptions(source=source, offline=True), Environment.from_os()
    app = build_app(root, options, env, app_opener=lambda _u: True, after_music_built=window_process())
    started = time.perf_counter()
    first_frame_wall: float | None = None
    threads_at: dict[str, dict[str, tuple[float, float]]] = {}
    steady_from: tuple[float, int] | None = None
    deadline = time.perf_counter() + seconds + 30

    def watch() -> None:
        nonlocal first_frame_wall, steady_from
        now = time.perf_counter()
        if first_frame_wall is None and app.stats.first_frame is not None:
            first_frame_wall = time.time() - (now - app.stats.first_frame)
        if idle and steady_from is None and now - started > 3.0:
            steady_from = (now, 0)
            print("steady", flush=True)
            threads_at["steady"] = thread_cpu_seconds()
            app.stats.tick_gaps.clear()
        if steady_from is None and app.stats.first_frame is not None and now - app.stats.first_frame > 2.0:
            # Count from 2 s after the first frame: model warm-up is the first-frame figure's business.
            steady_from = (now, app.stats.frames_drawn)
            threads_at["steady"] = thread_cpu_seconds()
            print("steady", flush=True)  # the parent reads the process's CPU time from here on
            app.stats.max_tick_gap = 0.0
            app.stats.max_tick_work = 0.0
            app.stats.tick_gaps.clear()
        if (steady_from is not None and now - steady_from[0] >= seconds) or now > deadline:
            print("done", flush=True)
            threads_at["done"] = thread_cpu_seconds()
            if screenshot is not None and app.playlist.tracks and app.controller.mood_in_force is not None:
                save_screenshot(root, screenshot)  # after measuring, so it does not show up as a gap
            app.close()
            return
        root.after(250, watch)

    root.after(250, watch)
    root.mainloop()
    if steady_from is None or (first_frame_wall is None and not idle):
        return {"error": "no frame was drawn"}
    span = (app.stats.last_tick or 0.0) - steady_from[0]
    gaps_ms = sorted(g * 1e3 for g in app.stats.tick_gaps)
    return {
        "seconds": round(span, 1),
        "drawn_fps": round((app.stats.frames_drawn - steady_from[1]) / span, 1),
        "frames_skipped_in_queue": app.controller.sources.frames_skipped,
        "max_tick_gap_ms": round(max(gaps_ms), 1),
        "p99_tick_gap_ms": round(gaps_ms[int(0.99 * (len(gaps_ms) - 1))], 1),
        "median_tick_gap_ms": round(statistics.median(gaps_ms), 1),
        "ticks": len(gaps_ms),
        "max_tick_work_ms": round(app.stats.max_tick_work * 1e3, 1),
        "gaps_over_50ms": sum(1 for g in gaps_ms if g > 50),
        "first_frame_s": None if first_frame_wall is None else round(first_frame_wall - launched, 2),
        "cpu_by_thread": per_wall_second(threads_at, span),
        "mood": app.controller.mood_in_force,
        "tracks": len(app.playlist.tracks),
    }


MISSING_CAMERA = 99  # the highest camera number the app accepts; no machine here has a 100th camera


def thread_cpu_seconds() -> dict[str, tuple[float, float]]:
    """This process's CPU time per thread so far, (user, system) seconds by thread name, from
    /proc/self/task (Linux; empty elsewhere). Threads without a Python name keep their OS name."""
    import threading

    names = {t.native_id: t.name for t in threading.enumerate()}
    ticks = os.sysconf("SC_CLK_TCK")
    times: dict[str, tuple[float, float]] = {}
    for task in Path("/proc/self/task").glob("*") if Path("/proc/self/task").is_dir() else []:
        try:
            comm = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        name = names.get(int(task.name), comm)
        user, system = times.get(name, (0.0, 0.0))
        times[name] = (user + int(fields[11]) / ticks, system + int(fields[12]) / ticks)
    return times


def per_wall_second(threads_at: dict[str, dict[str, tuple[float, float]]], span: float) -> dict[str, str]:
    """Each thread's CPU seconds per wall second between the two snapshots, as "user+system"."""
    before, after = threads_at.get("steady", {}), threads_at.get("done", {})
    shares = {}
    for name, (user, system) in after.items():
        user0, system0 = before.get(name, (0.0, 0.0))
        if span > 0 and (user - user0) + (system - system0) > 0:
            shares[name] = f"{(user - user0) / span:.3f}+{(system - system0) / span:.3f}"
    return dict(sorted(shares.items(), key=lambda item: -sum(map(float, item[1].split("+")))))


def cpu_seconds(pid: int) -> float | None:
    """The process's CPU time so far (user + system, all threads), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)


def save_screenshot(root: Any, path: Path) -> None:
    from PIL import ImageGrab

    root.update()
    x, y = root.winfo_rootx(), root.winfo_rooty()
    box = (x, y, x + root.winfo_width(), y + root.winfo_height())
    path.parent.mkdir(parents=True, exist_ok=True)
    ImageGrab.grab(bbox=box, xdisplay=os.environ.get("DISPLAY")).save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring time after warm-up")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--screenshot", type=Path, help="save a picture of the window here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--idle", action="store_true", help="measure the window with no camera instead")
    parser.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.video, args.seconds, args.launched, args.screenshot, args.idle)))
        return

    from testbed.display import x_display
    from testbed.media import talking_head_frames, write_video

    with tempfile.TemporaryDirectory() as folder, x_display():
        # Long enough that the video plays through the warm-up and the whole measuring time.
        frames = talking_head_frames(1 if args.idle else int((args.seconds + 10) * 30))
        video = write_video(Path(folder) / "talking-head-30fps.avi", frames, fps=30.0)
        del frames
        # The app's folders (settings, cache, journal) in the temporary folder, not the user's.
        folders = {f"EMOTUNE_{kind}_DIR": str(Path(folder) / kind.lower()) for kind in ("CONFIG", "CACHE", "DATA")}
        env = dict(os.environ, **folders)
        command = [sys.executable, "-m", "benchmarks.gui_bench", "--child", "--video", str(video)]
        command += ["--seconds", str(args.seconds), *(["--idle"] if args.idle else [])]
        if args.screenshot:
            command += ["--screenshot", str(args.screenshot.resolve())]
        launched = time.time()
        process = subprocess.Popen(
            [*command, "--launched", str(launched)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        lines, marks = [], {}
        for line in process.stdout:
            if line.strip() in ("steady", "done"):
                marks[line.strip()] = (time.monotonic(), cpu_seconds(process.pid))
            lines.append(line)
        process.wait()
    results = [line for line in lines if line.startswith("{")]
    if process.returncode != 0 or not results:
        sys.exit(f"gui_bench: the app run failed (exit {process.returncode})")
    result = {"cpu": describe_cpu(), **json.loads(results[-1])}
    if "steady" in marks and "done" in marks and None not in (marks["steady"][1], marks["done"][1]):
        (wall0, cpu0), (wall1, cpu1) = marks["steady"], marks["done"]
        result["cpu_per_wall_s"] = round((cpu1 - cpu0) / (wall1 - wall0), 3)  # type: ignore[operator]
    result["cpu_cores"] = os.cpu_count()
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
