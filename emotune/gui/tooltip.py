"""A hover tooltip: a small borderless window near the pointer after a short delay.

``Tooltip(widget, text_for)`` asks ``text_for(event)`` what to show where the pointer is (None
or "" shows nothing), so one tooltip serves a whole widget (a playlist's rows, a toolbar).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

DELAY_MS = 500


class Tooltip:
    def __init__(self, widget: tk.Misc, text_for: Callable[[tk.Event[tk.Misc]], str | None]) -> None:
        self.widget = widget
        self._text_for = text_for
        self._window: tk.Toplevel | None = None
        self._after: str | None = None
        self._text = ""
        widget.bind("<Motion>", self._on_motion, add="+")
        widget.bind("<Leave>", lambda _e: self.hide(), add="+")
        widget.bind("<ButtonPress>", lambda _e: self.hide(), add="+")

    @property
    def text(self) -> str:
        """What the tooltip shows now ("" when hidden)."""
        return self._text if self._window is not None else ""

    def _on_motion(self, event: tk.Event[tk.Misc]) -> None:
        text = self._text_for(event) or ""
        if text == self._text and (self._window is not None or self._after is not None):
            return
        self.hide()
        self._text = text
        if text:
            x, y = event.x_root + 12, event.y_root + 16
            self._after = self.widget.after(DELAY_MS, lambda: self.show(x, y))

    def show(self, x: int, y: int) -> None:
        self._after = None
        window = tk.Toplevel(self.widget)
        window.wm_overrideredirect(True)
        window.wm_geometry(f"+{x}+{y}")
        ttk.Label(window, text=self._text, padding=(6, 3), relief="solid", borderwidth=1).pack()
        self._window = window

    def hide(self) -> None:
        if self._after is not None:
            self.widget.after_cancel(self._after)
            self._after = None
        if self._window is not None:
            self._window.destroy()
            self._window = None
