"""An X display for the GUI tests and the GUI benchmark: the one set, else a fresh Xvfb.

GUI tests are never skipped: without a display and without Xvfb they fail and say how to get it
(``apt-get install -y xvfb`` on Debian/Ubuntu).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

XVFB_HELP = "the GUI tests need an X display: set DISPLAY, or install Xvfb (apt-get install -y xvfb)"
SCREEN = "1400x900x24"


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number between :90 and :199")


@contextmanager
def x_display() -> Iterator[str]:
    """The DISPLAY to use: the one set, else a fresh Xvfb, stopped on exit. RuntimeError (with
    what to install) when there is neither."""
    existing = os.environ.get("DISPLAY")
    if existing:
        yield existing
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RuntimeError(XVFB_HELP)
    number = _free_display()
    process = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", SCREEN, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 20
    while not socket.exists():
        if process.poll() is not None:
            raise RuntimeError(f"Xvfb :{number} exited at once (code {process.returncode})")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Xvfb :{number} did not start within 20 s")
        time.sleep(0.05)
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield f":{number}"
    finally:
        del os.environ["DISPLAY"]
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
