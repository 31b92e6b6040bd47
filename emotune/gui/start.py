"""Starting the window process: the process-wide tweaks it needs, and ``run_app``, what
``python -m emotune`` calls (args: source, camera, offline, mood)."""

from __future__ import annotations

import argparse
import gc
import logging
import tkinter as tk
from collections.abc import Callable

from emotune import allocator, environment
from emotune.errors import EmotuneError, ExitStatus
from emotune.gui.app import TITLE, AppOptions, EmotuneApp
from emotune.gui.dpi import open_root

__all__ = ["run_app", "window_process"]


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


def run_app(args: argparse.Namespace) -> int:
    """Start the app and run until the window closes; the exit code."""
    logging.basicConfig(level=logging.WARNING, format="emotune: %(message)s")
    env = environment.current()
    try:
        root = open_root(env.platform, TITLE)
    except tk.TclError as exc:
        raise EmotuneError(f"cannot open the window ({exc}); is a display available?") from None
    EmotuneApp(root, AppOptions.from_args(args), env=env, after_music_built=window_process())
    root.mainloop()
    return ExitStatus.OK
