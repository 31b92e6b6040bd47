"""Keyboard shortcuts that work whichever widget of the main window has the focus.

Space (pause/resume), R (more songs), Ctrl+O, Ctrl+J, Ctrl+Q (Cmd on macOS:
``emotune.gui.os_conventions``) and F1 are bound on the main window; text fields keep their
letters. Tk would let a focused button take Space for itself (a click on "Lock mood", then
Space, toggled the lock), so buttons get the shortcuts first and Enter presses the focused
button instead. A focused menu button ("Source", "Your face",
"Genres") opens its menu with Enter, Space or Down, as a menu button does everywhere; the arrow
keys and Enter then work in the menu and Escape closes it.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Iterator, Mapping
from typing import Any

TEXT_FIELDS = frozenset({"TEntry", "Entry", "TSpinbox", "Spinbox", "Text"})
PRESSABLE = frozenset({"TButton", "TCheckbutton", "TRadiobutton", "TMenubutton", "TCombobox"})


def install_shortcuts(root: tk.Tk, keys: Mapping[str, Callable[[], Any]]) -> None:
    """Bind ``keys`` (Tk event sequences -> actions) for the whole main window."""

    def run(event: tk.Event[tk.Misc], action: Callable[[], Any]) -> str | None:
        widget = event.widget
        if isinstance(widget, tk.Misc) and widget.winfo_class() in TEXT_FIELDS:
            return None  # typing goes to the field
        action()
        return "break"

    for sequence, action in keys.items():
        root.bind(sequence, lambda e, a=action: run(e, a))  # type: ignore[misc]
    for widget in _widgets(root):
        if widget.winfo_class() == "TMenubutton":
            for sequence in ("<Return>", "<KP_Enter>", "<space>", "<Down>"):
                widget.bind(sequence, lambda _e, w=widget: open_menu(w))  # type: ignore[misc]
            continue
        if widget.winfo_class() in PRESSABLE:
            for sequence, action in keys.items():
                widget.bind(sequence, lambda e, a=action: run(e, a))  # type: ignore[misc]
            invoke = getattr(widget, "invoke", None)
            if callable(invoke):
                widget.bind("<Return>", lambda _e, press=invoke: (press(), "break")[1])  # type: ignore[misc]


def open_menu(button: tk.Misc) -> str:
    """Post a ttk menu button's menu below it, with the keyboard in the menu (Tk's own way)."""
    button.tk.call("ttk::menubutton::Popdown", button)
    return "break"


def _widgets(root: tk.Misc) -> Iterator[tk.Misc]:
    for child in root.winfo_children():
        if isinstance(child, tk.Toplevel | tk.Menu):
            continue  # dialogs keep their own keys
        yield child
        yield from _widgets(child)
