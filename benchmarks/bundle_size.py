"""The packaged app's targets, measured on a built one-folder bundle.

    python -m benchmarks.bundle_size [--dist dist/emotune] [--build] [--runs 5] [--top 12] [--window] [--json]
    xvfb-run -a python -m benchmarks.bundle_size --window      # Linux, with xdotool, for figure 5

1. Size on disk: the sum of the bundle's file sizes (and what ``du`` would count). Target <= 300 MB.
2. Download size: the folder packed as .tar.gz (gzip level 6, as ``tar czf``). Target <= 120 MB.
3. Largest components: each top-level entry of the bundle's ``_internal`` folder (folders summed),
   and the largest single files.
4. ``emotune --self-test`` wall time, from process start to exit, ``--runs`` times (the first
   run reads the files from disk, later ones from the page cache). Target <= 5 s for every run.
5. With ``--window`` (X11: needs a display and ``xdotool``): seconds from starting the bundled app
   (``--offline --source`` the shipped photo, so no camera is needed) until its window is mapped,
   ``--runs`` times. Target <= 3 s for every run.

``--build`` first builds the bundle from emotune.spec with this Python's PyInstaller into a
temporary folder (build from a clean virtual environment with only the ``build`` extra for
figures that mean something). MB here is 10^6 bytes (MiB shown beside it). Figures print; the
exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import describe_cpu

REPO = Path(__file__).resolve().parent.parent
TARGET_DISK_MB = 300.0
TARGET_TARGZ_MB = 120.0
TARGET_SELF_TEST_S = 5.0
TARGET_WINDOW_S = 3.0
WINDOW_TITLE = "Emotune"


def megabytes(size: int) -> str:
    return f"{size / 1e6:7.1f} MB ({size / 2**20:6.1f} MiB)"


def build(work: Path) -> Path:
    """Build the one-folder bundle into ``work`` and return its folder."""
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(REPO / "emotune.spec")]
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True)
    print(f"built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return work / "dist" / "emotune"


def files_of(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]


def disk_usage(files: list[Path]) -> tuple[int, int]:
    """(sum of file sizes, bytes allocated on disk as ``du`` counts them)."""
    apparent = allocated = 0
    for path in files:
        stat = path.stat()
        apparent += stat.st_size
        allocated += getattr(stat, "st_blocks", 0) * 512 or stat.st_size
    return apparent, allocated


def targz_size(root: Path) -> int:
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / f"{root.name}.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(root, arcname=root.name)
        return archive.stat().st_size


def components(root: Path) -> list[tuple[str, int]]:
    """Size per top-level entry of ``_internal`` (folders summed) plus the executable, largest first."""
    internal = root / "_internal"
    sizes: dict[str, int] = {}
    for path in files_of(root):
        relative = path.relative_to(internal if internal in path.parents else root)
        key = relative.parts[0] + ("/" if len(relative.parts) > 1 else "")
        sizes[key] = sizes.get(key, 0) + path.stat().st_size
    return sorted(sizes.items(), key=lambda item: item[1], reverse=True)


def time_self_test(executable: Path, runs: int) -> tuple[list[float], str]:
    """Wall seconds of each ``--self-test`` run, and the summary line of the last one."""
    seconds: list[float] = []
    line = ""
    with tempfile.TemporaryDirectory() as folder:
        environment = dict(os.environ, EMOTUNE_CONFIG_DIR=f"{folder}/config", EMOTUNE_CACHE_DIR=f"{folder}/cache")
        for _ in range(runs):
            start = time.perf_counter()
            result = subprocess.run(
                [str(executable), "--self-test"], capture_output=True, text=True, env=environment, timeout=120
            )
            seconds.append(time.perf_counter() - start)
            if result.returncode != 0:
                raise SystemExit(f"{executable} --self-test failed ({result.returncode}): {result.stderr.strip()}")
            line = result.stdout.strip()
    return seconds, line


def time_window(executable: Path, runs: int) -> list[float]:
    """Seconds from starting the app until its window is mapped (X11), per run."""
    xdotool = shutil.which("xdotool")
    if xdotool is None or not os.environ.get("DISPLAY"):
        raise SystemExit("--window needs an X display and xdotool (e.g. xvfb-run -a python -m benchmarks.bundle_size)")
    photo = executable.parent / "_internal" / "emotune" / "assets" / "astronaut.png"
    find = [xdotool, "search", "--onlyvisible", "--name", f"^{WINDOW_TITLE}$"]
    seconds: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        environment = dict(os.environ, EMOTUNE_CONFIG_DIR=f"{folder}/config", EMOTUNE_CACHE_DIR=f"{folder}/cache")
        for _ in range(runs):
            if subprocess.run(find, capture_output=True).returncode == 0:
                raise SystemExit(f"a window named {WINDOW_TITLE!r} is already open on this display")
            start = time.perf_counter()
            app = subprocess.Popen(
                [str(executable), "--offline", "--source", str(photo)],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                while subprocess.run(find, capture_output=True).returncode != 0:
                    if app.poll() is not None:
                        raise SystemExit(f"the app exited with {app.returncode}: {app.communicate()[1].strip()}")
                    if time.perf_counter() - start > 60:
                        raise SystemExit("no window after 60 s")
                    time.sleep(0.02)
                seconds.append(time.perf_counter() - start)
            finally:
                app.terminate()
                app.communicate(timeout=30)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist" / "emotune", help="the built one-folder bundle")
    parser.add_argument("--build", action="store_true", help="build it first (into a temporary folder)")
    parser.add_argument("--runs", type=int, default=5, help="self-test runs to time")
    parser.add_argument("--top", type=int, default=12, help="how many components and files to list")
    parser.add_argument("--window", action="store_true", help="also time the app's window (X11, xdotool)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the report")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="emotune-bundle-") as work:
        root = build(Path(work)) if args.build else args.dist.resolve()
        executable = root / ("emotune.exe" if sys.platform == "win32" else "emotune")
        if not executable.is_file():
            parser.error(f"{executable}: no bundle there (build it with `pyinstaller emotune.spec`, or pass --build)")
        files = files_of(root)
        apparent, allocated = disk_usage(files)
        packed = targz_size(root)
        parts = components(root)
        largest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[: args.top]
        seconds, summary = time_self_test(executable, args.runs)
        window = time_window(executable, args.runs) if args.window else []
        largest_files = [(str(p.relative_to(root)), p.stat().st_size) for p in largest]

    checks = {
        "disk": apparent / 1e6 <= TARGET_DISK_MB,
        "targz": packed / 1e6 <= TARGET_TARGZ_MB,
        "self_test": max(seconds) <= TARGET_SELF_TEST_S,
    }
    if window:
        checks["window"] = max(window) <= TARGET_WINDOW_S
    if args.json:
        figures: dict[str, Any] = {
            "cpu": describe_cpu(),
            "bundle": str(root),
            "files": len(files),
            "disk_bytes": apparent,
            "du_bytes": allocated,
            "targz_bytes": packed,
            "self_test_s": [round(s, 3) for s in seconds],
            "window_s": [round(s, 3) for s in window],
            "components": dict(parts[: args.top]),
            "largest_files": dict(largest_files),
            "targets_met": checks,
        }
        print(json.dumps(figures))
    else:
        mark = {True: "ok", False: "OVER TARGET"}
        print(f"CPU        {describe_cpu()}")
        print(f"bundle     {root} ({len(files)} files)")
        print(
            f"on disk    {megabytes(apparent)}  du: {megabytes(allocated)}  "
            f"target <= {TARGET_DISK_MB:.0f} MB: {mark[checks['disk']]}"
        )
        print(f"tar.gz     {megabytes(packed)}  target <= {TARGET_TARGZ_MB:.0f} MB: {mark[checks['targz']]}")
        print(
            f"self-test  {' '.join(f'{s:.2f}' for s in seconds)} s (median {statistics.median(seconds):.2f})  "
            f"target <= {TARGET_SELF_TEST_S:.0f} s: {mark[checks['self_test']]}"
        )
        print(f"           {summary}")
        if window:
            print(
                f"window     {' '.join(f'{s:.2f}' for s in window)} s (median {statistics.median(window):.2f})  "
                f"target <= {TARGET_WINDOW_S:.0f} s: {mark[checks['window']]}"
            )
        print("largest components (in _internal unless the executable):")
        for name, size in parts[: args.top]:
            print(f"  {megabytes(size)}  {name}")
        print("largest files:")
        for name, size in largest_files:
            print(f"  {megabytes(size)}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
