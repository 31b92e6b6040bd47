"""Where the main window opens: the saved geometry fitted to the screen there is now.

A saved geometry can be off every screen (it was saved on a monitor since unplugged), larger than
the screen (saved while maximised, or edited by hand: X fails with BadAlloc, or crashes, on a
window of 32768 px or more), or smaller than the window's minimum. ``fit_to_screen`` turns any of
them into one the window can take. No Tk here (the glue is ``emotune.gui.window_state``), so the
rules are tested as plain functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tk's "WxH+X+Y"; an offset may be "-N" (from the right or bottom edge) or "+-N" (left of the
# screen's origin, as Tk writes a window on a monitor left of the main one).
_GEOMETRY = re.compile(r"\s*(\d+)x(\d+)(?:([+-])(-?\d+)([+-])(-?\d+))?\s*")


@dataclass(frozen=True)
class Screen:
    """The area windows can use, in pixels (its origin may be negative with several monitors)."""

    width: int
    height: int
    x: int = 0
    y: int = 0


@dataclass(frozen=True)
class Requested:
    """A parsed geometry: a size, and where its left and top edges go when it names a place."""

    width: int
    height: int
    # (x sign, x, y sign, y) as written: "-" measures from the right or bottom edge.
    offsets: tuple[str, int, str, int] | None = None


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    x: int | None = None  # None: no position, the window manager places the window
    y: int | None = None

    def __str__(self) -> str:
        size = f"{self.width}x{self.height}"
        return size if self.x is None or self.y is None else f"{size}+{self.x}+{self.y}"


def parse_geometry(text: str) -> Requested | None:
    """``text`` as Tk's "WxH" or "WxH+X+Y"; None when it is neither."""
    match = _GEOMETRY.fullmatch(text)
    if match is None:
        return None
    width, height, x_sign, x, y_sign, y = match.groups()
    offsets = None if x_sign is None else (x_sign, int(x), y_sign, int(y))
    return Requested(int(width), int(height), offsets)


def fit_to_screen(requested: Requested, screen: Screen, minimum: tuple[int, int]) -> Geometry:
    """The geometry to open with: at most the screen's size and at least ``minimum`` (the screen
    wins when the minimum is larger), placed wholly on the screen so its title bar can be
    grabbed; without a position in ``requested``, none in the answer."""
    width = max(1, min(max(requested.width, minimum[0]), screen.width))
    height = max(1, min(max(requested.height, minimum[1]), screen.height))
    if requested.offsets is None:
        return Geometry(width, height)
    x_sign, x, y_sign, y = requested.offsets
    if x_sign == "-":
        x = screen.x + screen.width - width - x
    if y_sign == "-":
        y = screen.y + screen.height - height - y
    x = min(max(x, screen.x), screen.x + screen.width - width)
    y = min(max(y, screen.y), screen.y + screen.height - height)
    return Geometry(width, height, x, y)


def restored_geometry(saved: str, screen: Screen, minimum: tuple[int, int]) -> Geometry | None:
    """The saved geometry fitted to ``screen``; None when ``saved`` is not a geometry."""
    requested = parse_geometry(saved)
    return None if requested is None else fit_to_screen(requested, screen, minimum)
