"""Text cut to fit a width in pixels, in the font it is drawn with: the song list's titles and
artists end in "…" when their column is too narrow (the whole text shows on hover)."""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk


def list_font(widget: tk.Misc) -> tkfont.Font:
    """The font the song list draws with (the theme's body font), which titles are cut to fit: at
    150 % it is not TkDefaultFont's size, and measured in that a title would spill out of its column."""
    name = str(ttk.Style(widget).lookup("Treeview", "font") or "TkDefaultFont")
    return tkfont.nametofont(name if name in tkfont.names(widget) else "TkDefaultFont", widget)


def elide(text: str, width: int, font: tkfont.Font) -> str:
    """``text`` cut to fit ``width`` pixels, ending in "…" when cut (whole words when it can)."""
    if width <= 0 or font.measure(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.measure(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > low * 0.6:  # end on a word boundary when that costs little
        cut = cut[:space]
    return cut.rstrip(" ,-–—(") + "…"
