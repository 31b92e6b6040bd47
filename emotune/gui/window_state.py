"""The main window's place on screen between runs: the saved geometry fitted to today's screen
(``emotune.window_geometry``), the maximised ("zoomed") state kept apart from it, and the normal
geometry remembered while the window is maximised, so a maximised window comes back maximised
and un-maximises to the size it had, not to a screen-sized window that is merely not maximised.

Maximised is a window state on Windows and macOS (``wm state . zoomed``) and an EWMH attribute
on X11 (``wm attributes . -zoomed``); Tk on X11 refuses the former, the others lack the latter.
"""

from __future__ import annotations

import logging
import tkinter as tk

from emotune.platforms import Platform, is_macos, is_windows
from emotune.window_geometry import Screen, restored_geometry

log = logging.getLogger(__name__)


def is_zoomed(root: tk.Tk, platform: Platform) -> bool:
    try:
        if is_windows(platform) or is_macos(platform):
            return bool(root.state() == "zoomed")
        return bool(int(root.attributes("-zoomed")))
    except (tk.TclError, ValueError):
        return False  # a window manager without the notion: never maximised


def zoom(root: tk.Tk, platform: Platform) -> None:
    try:
        if is_windows(platform) or is_macos(platform):
            root.state("zoomed")
        else:
            root.attributes("-zoomed", True)
    except tk.TclError as exc:
        log.warning("cannot maximise the window again (%s)", exc)


def screen_of(root: tk.Misc) -> Screen:
    # The virtual root spans every monitor where Tk knows of them (X11's screen, Windows' virtual
    # screen), so a window on a second monitor stays where it was.
    return Screen(root.winfo_vrootwidth(), root.winfo_vrootheight(), root.winfo_vrootx(), root.winfo_vrooty())


class WindowPlacement:
    """Puts the main window where it was and says what to save when it closes."""

    def __init__(self, root: tk.Tk, platform: Platform) -> None:
        self.root = root
        self.platform = platform
        self.normal_geometry = ""  # the last geometry the window had neither maximised nor minimised
        root.bind("<Configure>", self._on_configure, add="+")

    def restore(self, saved: str, zoomed: bool, minimum: tuple[int, int], default_size: tuple[int, int]) -> None:
        """Open at ``saved`` (Tk's "WxH+X+Y") fitted to the screen, else at ``default_size``,
        never below ``minimum``; then maximise if it was maximised."""
        root = self.root
        root.minsize(*minimum)
        screen = screen_of(root)
        geometry = restored_geometry(saved, screen, minimum) if saved else None
        if saved and geometry is None:
            log.warning("ignoring the saved window geometry %r: not WIDTHxHEIGHT+X+Y", saved)
        if geometry is None:
            geometry = restored_geometry("{}x{}".format(*default_size), screen, minimum)
        root.geometry(str(geometry))
        self.normal_geometry = str(geometry) if geometry is not None and geometry.x is not None else ""
        if zoomed:
            zoom(root, self.platform)

    def to_save(self) -> tuple[str, bool]:
        """(the normal geometry, whether the window is maximised) as the window is now."""
        root = self.root
        zoomed = is_zoomed(root, self.platform)
        if (zoomed or root.state() != "normal") and self.normal_geometry:
            return self.normal_geometry, zoomed
        return root.geometry(), zoomed

    def _on_configure(self, event: tk.Event[tk.Misc]) -> None:
        root = self.root
        if event.widget is root and root.state() == "normal" and not is_zoomed(root, self.platform):
            self.normal_geometry = root.geometry()
