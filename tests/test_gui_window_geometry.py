"""The main window's place between runs, on a real Tk window on Xvfb (1400x900, no window
manager): a saved geometry that no longer fits the screen opens on it, and a maximised window
comes back maximised with the normal size it had kept for un-maximising."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from emotune.controller.options import AppOptions
from emotune.environment import Environment
from testbed.paths import REPO
from tests.support import windows_wm
from tests.support.gui import Running
from tests.support.paths import UserFolders
from tests.support.screen import covered_controls, read_text, readable, screenshot

pytestmark = pytest.mark.gui

NO_CAMERA = AppOptions(source="99", offline=True, mood="happy")


def write_settings(folders: UserFolders, **settings: object) -> None:
    folders.config.mkdir(parents=True, exist_ok=True)
    (folders.config / "settings.json").write_text(json.dumps(settings))


def saved_settings(folders: UserFolders) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folders.config / "settings.json").read_text())
    return loaded


@pytest.mark.parametrize("saved", ["900x600+5000+4000", "99999x99999+0+0", "40000x300+-9000+0", "0x0+-1+-1", "big"])
def test_a_saved_geometry_off_or_larger_than_the_screen_opens_on_it(
    start: Callable[..., Running], user_dirs: UserFolders, saved: str
) -> None:
    write_settings(user_dirs, window_geometry=saved)
    run = start(NO_CAMERA)
    root = run.root
    run.until(lambda: root.winfo_ismapped(), "the window on screen")
    root.update()
    screen_w, screen_h = root.winfo_screenwidth(), root.winfo_screenheight()
    x, y, w, h = root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(), root.winfo_height()
    assert 0 <= x <= screen_w - w and 0 <= y <= screen_h - h, (saved, root.winfo_geometry())
    min_w, min_h = root.minsize()
    assert w >= min(min_w, screen_w) and h >= min(min_h, screen_h)
    assert covered_controls(root) == []
    if saved.startswith("40000"):  # the narrowest case: what it shows can still be read
        seen = read_text(screenshot(root, "window-geometry-clamped"))
        assert readable("Music for: happy", seen) and readable("Songs to match happy", seen), seen
    run.app.close()
    assert saved_settings(user_dirs)["window_geometry"] == f"{w}x{h}+{x}+{y}"  # what it showed, not what was asked


def test_a_maximised_window_saves_its_normal_size_and_comes_back_maximised_windows(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    windows = Environment.from_os(platform="windows")
    write_settings(user_dirs, window_geometry="900x600+40+30")
    run = start(NO_CAMERA, env=windows, prepare_root=windows_wm.install)
    root = run.root
    run.until(lambda: root.winfo_ismapped(), "the window on screen")
    root.state("zoomed")  # the user maximises it
    run.until(lambda: root.winfo_width() == root.winfo_screenwidth(), "the window maximised")
    run.app.close()
    saved = saved_settings(user_dirs)
    assert saved["window_zoomed"] is True and saved["window_geometry"] == "900x600+40+30"

    again = start(NO_CAMERA, env=windows, prepare_root=windows_wm.install)
    again.until(lambda: again.root.winfo_ismapped(), "the window on screen")
    assert again.root.state() == "zoomed"
    again.root.state("normal")  # un-maximised: the size it had, not the screen's
    again.until(lambda: again.root.winfo_width() == 900, "the window back to its normal size")
    assert (again.root.winfo_rootx(), again.root.winfo_rooty()) == (40, 30)


def test_the_app_process_opens_an_off_screen_window_on_screen_and_ctrl_q_saves_it(
    display: str, user_dirs: UserFolders
) -> None:
    write_settings(user_dirs, window_geometry="900x600+5000+4000")
    command = [sys.executable, "-m", "emotune", "--source", "99", "--offline", "--mood", "happy"]
    app = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        found = xdotool("search", "--sync", "--onlyvisible", "--name", "^Emotune$")
        window = found.split()[0]
        shape = dict(line.split("=") for line in xdotool("getwindowgeometry", "--shell", window).split())
        x, y, w, h = (int(shape[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        assert 0 <= x <= 1400 - w and 0 <= y <= 900 - h, shape  # testbed.display's Xvfb screen
        xdotool("windowfocus", "--sync", window, "key", "ctrl+q")
        output, _ = app.communicate(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, output
    assert saved_settings(user_dirs)["window_geometry"] == f"{w}x{h}+{x}+{y}"


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, check=True, timeout=90).stdout
