"""What a person expects of the window on each OS, in one place: the shortcut modifier and its
name (Command on macOS, Control elsewhere), the clicks that open a context menu, and the
application menu's commands that macOS calls.

Tk 8.6 on macOS reports the right button as Button-2 (Button-3 is the middle one there), and
Mac users also Control-click. Cmd+Q and the Dock's Quit do not close the window: they call
``::tk::mac::Quit``, and without it Tk exits at once, skipping what closing saves (settings,
queued likes, the journal's last seconds).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import Any

from emotune.platforms import Platform, is_macos


def shortcut(platform: Platform, key: str) -> str:
    """The Tk event sequence of the modifier+``key`` shortcut (``key`` as Tk names it: "o")."""
    return f"<{'Command' if is_macos(platform) else 'Control'}-{key}>"


def shortcut_name(platform: Platform, key: str) -> str:
    """The shortcut as Help and menus name it: "Cmd+O" on macOS, "Ctrl+O" elsewhere."""
    return f"{'Cmd' if is_macos(platform) else 'Ctrl'}+{key.upper()}"


def context_clicks(platform: Platform) -> tuple[str, ...]:
    """The mouse events that open a context menu."""
    if is_macos(platform):
        return ("<Button-2>", "<Control-Button-1>")
    return ("<Button-3>",)


def context_click_name(platform: Platform) -> str:
    """How Help names what opens the context menu (a Mac keyboard has no Menu key)."""
    return "Right or Control-click" if is_macos(platform) else "Menu key or right click"


def install_app_commands(
    root: tk.Tk,
    platform: Platform,
    *,
    close: Callable[[], Any],
    preferences: Callable[[], Any],
    show_help: Callable[[], Any],
) -> None:
    """Every way the OS closes the window runs ``close``: its close button and, on macOS, the
    application menu's Quit (Cmd+Q, the Dock), whose Preferences… (Cmd+,) and Help run the
    app's settings and help."""
    root.protocol("WM_DELETE_WINDOW", close)
    if not is_macos(platform):
        return
    root.createcommand("::tk::mac::Quit", close)
    root.createcommand("::tk::mac::ShowPreferences", preferences)
    root.createcommand("::tk::mac::ShowHelp", show_help)
