"""Helpers for the GUI tests: a Tk root whose callback errors are collected so a test can fail on
them, and a pump that runs the Tk loop until a condition holds. The X display (Xvfb when none
is set) is ``testbed.display.x_display``.
"""

from __future__ import annotations

import time
import tkinter as tk
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emotune.gui.app import EmotuneApp


class CallbackErrors:
    """Collects exceptions raised in Tk callbacks (installed as ``report_callback_exception``)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        self.errors.append("".join(traceback.format_exception(kind, value, tb)))

    def install(self, root: tk.Tk) -> None:
        root.report_callback_exception = self  # type: ignore[method-assign]


def pump_until(root: tk.Misc, condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Run the Tk loop until ``condition()`` holds; AssertionError after ``timeout`` seconds.
    (The timeout is a guard against hanging, generous for a loaded machine, not a measurement.)"""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        root.update()
        time.sleep(0.005)


def pump_for(root: tk.Misc, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        root.update()
        time.sleep(0.005)


class Recorder:
    """Stands in for the OS URL handler or the browser: records what it was asked to open, and
    answers ``works`` (False: as when nothing opened it)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.works = True

    def __call__(self, target: str) -> bool:
        self.opened.append(target)
        return self.works


class Running:
    def __init__(self, app: EmotuneApp, errors: CallbackErrors, app_opener: Recorder, browser: Recorder) -> None:
        self.app = app
        self.root = app.root
        self.errors = errors
        self.app_opener = app_opener
        self.browser = browser

    def until(self, condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
        pump_until(self.root, condition, timeout, what)
        assert not self.errors.errors, self.errors.errors[0]

    def frames_after(self, count: int) -> None:
        self.until(lambda: self.app.stats.frames_drawn > count, f"more than {count} frames drawn")

    def press(self, widget: tk.Misc, key: str) -> None:
        widget.focus_force()
        self.root.update()
        widget.event_generate(key)
        self.root.update()

    def playlist_rows(self) -> tuple[str, ...]:
        """The rows of songs (marker rows that name an appended block left out)."""
        return tuple(row for row in self.app.playlist.tree.get_children() if row.isdigit())
