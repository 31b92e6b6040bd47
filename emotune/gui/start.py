"""The composition root of the window: the one place that builds the app and joins its parts.

``build_app`` builds, in this order, the task runner, the window's shell (``EmotuneApp``), the
``AppController`` with that shell as its view, and then attaches the controller to the window,
which builds its panels and starts. Nothing else in ``emotune/gui/`` builds a controller; tests,
benchmarks and tools build the app through ``build_app`` as ``run_app`` does. ``run_app(args, env)``
is what ``python -m emotune`` calls (args: source, camera, offline, mood; env: the environment the
entry point read), and ``window_process`` the process-wide tweaks the window's process wants."""

from __future__ import annotations

import argparse
import gc
import logging
import time
import tkinter as tk
from collections.abc import Callable

from emotune import allocator
from emotune.config import SettingsStore
from emotune.controller.app import AppController
from emotune.controller.factories import WorkerFactory
from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.errors import EmotuneError, ExitStatus
from emotune.gui.app import TITLE, EmotuneApp
from emotune.gui.dpi import open_root
from emotune.music import opener
from emotune.music.opener import Opener
from emotune.tasks import TaskRunner
from emotune.vision.camera_access import CameraAccess
from emotune.vision.sources import FrameSource

__all__ = ["AppOptions", "build_app", "run_app", "window_process"]


def window_process() -> Callable[[], None]:
    """Tune this process for the window (``run_app``, and benchmarks that measure it); the hook to
    call once the music side is built.

    Process-wide tweaks belong to the process that runs the window, not to classes that tests
    build many times over in one process:
    - the video panel frees and allocates megabyte buffers 30 times a second: glibc is told to
      keep freed memory instead of returning it to the kernel each frame (``emotune.allocator``);
    - the catalog's objects live as long as the app once the music side is built: frozen out of
      the collector's full passes (``gc.freeze``), which run on whichever thread allocates (often
      the UI thread) and would walk them each time, pausing the window.
    """
    allocator.keep_freed_memory()
    return gc.freeze


def build_app(
    root: tk.Tk,
    options: AppOptions,
    env: Environment,
    *,
    store: SettingsStore | None = None,
    worker_factory: WorkerFactory | None = None,
    source_factory: Callable[[str], FrameSource] | None = None,
    camera_access: CameraAccess | None = None,
    app_opener: Opener = opener.os_handler,
    browser_opener: Opener = opener.browser,
    clock: Callable[[], float] = time.perf_counter,
    after_music_built: Callable[[], None] = lambda: None,
) -> EmotuneApp:
    """The running app in ``root``: its window, whose ``controller`` is the one built here.

    The keyword arguments stand in for the real parts (tests, benchmarks); left out, they are
    the app's own."""
    window = EmotuneApp(root, env, clock=clock)
    controller = AppController(
        window,
        options,
        tasks=TaskRunner(),
        env=env,
        store=store,
        worker_factory=worker_factory,
        source_factory=source_factory,
        camera_access=camera_access,
        app_opener=app_opener,
        browser_opener=browser_opener,
        clock=clock,
        after_music_built=after_music_built,
    )
    window.attach(controller)
    return window


def run_app(args: argparse.Namespace, env: Environment) -> int:
    """Start the app and run until the window closes; the exit code."""
    logging.basicConfig(level=logging.WARNING, format="emotune: %(message)s")
    try:
        root = open_root(env.platform, TITLE)
    except tk.TclError as exc:
        raise EmotuneError(f"cannot open the window ({exc}); is a display available?") from None
    build_app(root, AppOptions.from_args(args), env, after_music_built=window_process())
    root.mainloop()
    return ExitStatus.OK
