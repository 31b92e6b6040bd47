"""Text that fits: ``elide`` cuts a string to a width in pixels, measured in the font that draws
it, ending in "…"; ``ElidingLabel`` is a label that does so to whatever width its parent gives
it (and shows the whole text on hover), so that a long message never pushes the controls beside
it out of the window nor runs into the next one.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

from emotune.gui.tooltip import Tooltip

ELLIPSIS = "…"


def elide(text: str, width: int, font: tkfont.Font) -> str:
    """``text`` cut to fit ``width`` pixels, ending in "…" when cut (whole words when it can)."""
    if width <= 0 or font.measure(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.measure(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > low * 0.6:  # end on a word boundary when that costs little
        cut = cut[:space]
    return cut.rstrip(" ,-–—(") + ELLIPSIS


def style_font(widget: tk.Misc, style: str, fallback: str = "TkDefaultFont") -> tkfont.Font:
    """The font a ttk ``style`` draws text in: the one to measure that text with (the theme's body
    font is not Tk's default font, and the two differ by a few pixels on a long title)."""
    found = ttk.Style(widget).lookup(style, "font") or ttk.Style(widget).lookup(".", "font") or fallback
    name = str(found)
    if name in tkfont.names(widget):
        return tkfont.nametofont(name, widget)
    return tkfont.Font(widget, font=found)


class ElidingLabel(ttk.Label):
    """A one-line label whose text ends in "…" when its room is too small; hovering shows it whole.

    It asks for almost no width of its own: pack or grid it so that it takes the room left
    (``fill="x", expand=True``), and the controls beside it keep their size."""

    def __init__(self, master: tk.Misc, text: str = "", style: str = "TLabel", **options: Any) -> None:
        super().__init__(master, text=text, style=style, width=1, **options)
        self._full = text
        self._style_name = style
        self._fonts: dict[str, tkfont.Font] = {}
        self.tooltip = Tooltip(self, lambda _e: self._full if self.cut else None)
        self.bind("<Configure>", lambda _e: self._fit(), add="+")
        self.bind("<<ThemeChanged>>", lambda _e: self.after_idle(self._fit), add="+")

    @property
    def full_text(self) -> str:
        """The whole text, whatever the label has room to show."""
        return self._full

    @property
    def cut(self) -> bool:
        return str(self.cget("text")) != self._full

    def set_text(self, text: str) -> None:
        self._full = text
        self._fit()

    def _fit(self) -> None:
        if not self.winfo_exists():
            return
        room = self.winfo_width() - 4  # the label's own border
        described = str(ttk.Style(self).lookup(self._style_name, "font"))
        if described not in self._fonts:  # one Font per look: each new one is a Tk object kept
            self._fonts[described] = style_font(self, self._style_name)
        font = self._fonts[described]
        # Not drawn yet (width 1): the whole text, cut at the first layout.
        shown = self._full if room <= 1 else elide(self._full, room, font) if self._full else ""
        if shown == ELLIPSIS and room > 0 and font.measure(ELLIPSIS) > room:
            shown = ""
        if str(self.cget("text")) != shown:
            self.configure(text=shown)
