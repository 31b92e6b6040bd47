"""The window as each OS's users expect it, on a real Tk window on Xvfb with the platform
injected: on macOS, Cmd+Q and the Dock's Quit (``::tk::mac::Quit``) close through the app's own
close, which saves the settings; Preferences… and Help come from the application menu; shortcuts
use Command; the song list's context menu opens on Button-2 (Tk 8.6's right button there) and
Control-click. Elsewhere, Control and Button-3."""

from __future__ import annotations

import json
import threading
import tkinter as tk
from collections.abc import Callable

import pytest

from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.gui.help_view import HelpView
from emotune.gui.journal_view import JournalWindow
from emotune.gui.settings_dialog import SettingsDialog
from emotune.platforms import Platform
from tests.support.gui import Running, pump_for
from tests.support.paths import UserFolders
from tests.support.screen import read_text, readable, screenshot

pytestmark = pytest.mark.gui

HAPPY = AppOptions(source="99", offline=True, mood="happy")


def launch(start: Callable[..., Running], platform: Platform) -> Running:
    run = start(HAPPY, env=Environment.from_os(platform=platform))
    run.until(lambda: len(run.playlist_rows()) > 2, "a playlist")
    return run


def click_row(run: Running, row: str, sequence: str) -> bool:
    """Click ``sequence`` on ``row`` of the song list; whether the context menu came up (it is
    put away again)."""
    tree, menu = run.app.playlist.tree, run.app.playlist.menu
    tree.see(row)
    run.root.update()
    x, y, _w, h = tree.bbox(row, "title")  # type: ignore[misc]
    tree.event_generate(sequence, x=x + 5, y=y + h // 2)
    run.root.update()
    posted = bool(menu.winfo_ismapped())
    if posted:
        run.root.tk.call("tk::MenuUnpost", menu)
        run.root.update()
    return posted


def test_cmd_q_and_the_docks_quit_close_the_app_and_save_its_settings_macos(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    run = launch(start, "macos")
    run.app.controller.set_strategy("lift")  # a change that only closing writes down
    assert not (user_dirs.config / "settings.json").exists()
    run.root.eval("::tk::mac::Quit")  # what Tk on macOS runs for Cmd+Q and the Dock's Quit
    assert run.app.closed
    assert not [t for t in threading.enumerate() if t.name.startswith("emotune-") and t.is_alive()]
    saved = json.loads((user_dirs.config / "settings.json").read_text())
    assert saved["music_strategy"] == "lift" and saved["window_geometry"].count("+") == 2


def test_preferences_and_help_come_from_the_application_menu_macos(start: Callable[..., Running]) -> None:
    run = launch(start, "macos")
    run.root.eval("::tk::mac::ShowPreferences")
    assert isinstance(run.app._settings_dialog, SettingsDialog) and run.app._settings_dialog.winfo_exists()
    run.app._settings_dialog.destroy()
    run.root.eval("::tk::mac::ShowHelp")
    helps = [w for w in run.root.winfo_children() if isinstance(w, HelpView)]
    assert len(helps) == 1
    keys = helps[0].sections["Keyboard"].cget("text")
    assert "Cmd+J" in keys and "Cmd+Q" in keys and "Right or Control-click" in keys and "Ctrl" not in keys
    helps[0].notebook.select(helps[0].sections["Keyboard"].master)
    pump_for(run.root, 0.3)
    seen = read_text(screenshot(helps[0], "help-macos-keyboard"))
    assert readable("Cmd+J", seen) and readable("Right or Control-click", seen), seen
    helps[0].destroy()


def test_shortcuts_use_command_and_the_context_menu_opens_on_button_2_and_control_click_macos(
    start: Callable[..., Running],
) -> None:
    run = launch(start, "macos")
    app = run.app
    run.press(app.video.screen, "<Control-j>")
    assert app._journal_window is None  # Control is not the Mac's shortcut key
    run.press(app.video.screen, "<Command-j>")
    assert isinstance(app._journal_window, JournalWindow)
    app._journal_window.destroy()
    assert app.controls.source_menu.entrycget("Open video file…", "accelerator") == "Cmd+O"

    assert click_row(run, "1", "<Button-2>") and app.playlist.tree.selection() == ("1",)
    assert click_row(run, "2", "<Control-Button-1>") and app.playlist.tree.selection() == ("2",)
    assert not click_row(run, "0", "<Button-3>")  # the middle button on a Mac


def test_shortcuts_use_control_and_the_context_menu_opens_on_button_3(start: Callable[..., Running]) -> None:
    run = launch(start, "linux")
    app = run.app
    run.press(app.video.screen, "<Control-j>")
    assert isinstance(app._journal_window, JournalWindow)
    app._journal_window.destroy()
    assert app.controls.source_menu.entrycget("Open video file…", "accelerator") == "Ctrl+O"
    assert click_row(run, "1", "<Button-3>") and app.playlist.tree.selection() == ("1",)
    assert not click_row(run, "2", "<Button-2>")  # the middle button elsewhere
    with pytest.raises(tk.TclError):
        run.root.eval("::tk::mac::Quit")
