"""The window driven by keyboard and mouse as a new user would: the
playlist is the keyboard's home, shortcuts work after any click, Tab follows the screen, the
toolbar never clips at the smallest size, the source menu knows what exists and what plays,
F1 opens help, menus follow the theme, and the camera dialog is the app's own."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk

import pytest

from emotune.controller.options import AppOptions
from emotune.gui.help_view import HelpView
from emotune.gui.source_dialogs import CameraDialog
from testbed.media import talking_head_frames, write_video
from tests.support.gui import Running, pump_for

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("keys") / "clip.avi", talking_head_frames(300), fps=30.0)


def click(run: Running, widget: tk.Misc) -> None:
    widget.event_generate("<ButtonPress-1>", x=3, y=3, warp=True)
    widget.event_generate("<ButtonRelease-1>", x=3, y=3)
    run.root.update()


def test_the_playlist_is_the_keyboards_home_and_shortcuts_work_after_any_click(
    start: Callable[..., Running], clip: Path
) -> None:
    run = start(AppOptions(source=str(clip), offline=True))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist for the face's mood")
    tree = app.playlist.tree
    run.until(lambda: run.root.focus_get() is tree, "the playlist to have the focus at launch")
    tree.event_generate("<Down>")
    tree.event_generate("<Return>")
    run.until(lambda: len(run.app_opener.opened) == 1, "Down then Enter to open a song")
    assert run.app_opener.opened == [app.playlist.tracks[1].uri]

    click(run, app.controls.lock_button)  # a click on "Lock mood" (it locks, as a click should) ...
    locked = app.controller.mood.locked
    assert locked
    run.until(lambda: run.root.focus_get() is tree, "the keyboard back at home after the click")
    run.press(run.root.focus_get() or run.root, "<space>")  # ... then Space pauses, not the lock
    assert app.controller.paused and app.controller.mood.locked == locked
    first = app.playlist.tracks
    run.press(app.controls.more_button, "<KeyPress-r>")  # even with the focus on a button (Tab got it there)
    run.until(lambda: app.playlist.tracks != first, "R to give more songs")
    run.press(app.controls.pause_button, "<Return>")  # Enter presses the focused button
    assert not app.controller.paused


def test_tab_follows_the_screen_and_nothing_clips_at_the_smallest_size(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True))
    app, controls = run.app, run.app.controls
    order = [controls.pause_button, controls.source_button, controls.mood_box, controls.lock_button]
    order += [controls.more_button, controls.journal_button, controls.settings_button, controls.help_button]
    controls.pause_button.focus_set()
    run.root.update()
    visited = []
    for _ in range(12):
        widget = run.root.focus_get()
        visited.append(widget)
        (widget or run.root).event_generate("<Tab>")
        run.root.update()
    positions = [visited.index(widget) for widget in order]
    assert positions == sorted(positions), [str(w) for w in visited]  # More songs before Settings, and so on

    min_width, min_height = (int(v) for v in run.root.minsize())
    for width, height in ((1366, 900), (900, 600), (min_width, min_height)):
        run.root.geometry(f"{width}x{height}")
        pump_for(run.root, 0.3)
        right = controls.winfo_width()
        for widget in order:
            assert widget.winfo_ismapped(), (width, str(widget))
            assert widget.winfo_width() >= widget.winfo_reqwidth(), (width, str(widget))  # no "More so"
            assert widget.winfo_rootx() + widget.winfo_width() <= controls.winfo_rootx() + right, (width, str(widget))
    assert controls.wrapped  # at the smallest size the right-hand buttons take a second row
    assert app.status.winfo_ismapped()


def test_the_source_menu_marks_what_plays_lists_recent_files_and_only_cameras_found(
    start: Callable[..., Running], clip: Path
) -> None:
    run = start(AppOptions(source=str(clip), offline=True))
    app = run.app
    run.until(lambda: app.controller.sources.cameras is not None, "the camera probe")
    menu = app.controls.source_menu
    labels = [menu.entrycget(i, "label") for i in range(menu.index("end") + 1) if menu.type(i) != "separator"]
    found = app.controller.sources.cameras or ()
    assert [label for label in labels if label.startswith("Camera ")] == [f"Camera {i}" for i in found]
    if not found:
        assert "No camera found" in labels
    assert clip.name in labels  # the file playing is a recent file, marked as the one playing
    assert app.controls.source_choice.get() == str(clip)
    assert app.controller.settings.recent_sources[0] == str(clip)


def test_f1_opens_help_with_the_data_folders_and_escape_closes_it(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True))
    app = run.app
    run.press(app.playlist.tree, "<F1>")
    views = [w for w in run.root.winfo_children() if isinstance(w, HelpView)]
    assert len(views) == 1
    text = views[0].sections["Where your data lives"].cget("text")
    assert str(app.controller.env.config_dir) in text and str(app.controller.env.data_dir) in text
    assert "F1" in views[0].sections["Keyboard"].cget("text")
    views[0].event_generate("<Escape>")
    run.root.update()
    assert not views[0].winfo_exists()


def test_menus_follow_the_theme_and_the_camera_dialog_is_themed(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True))
    app = run.app
    app.apply_settings(app.controller.settings.replace(theme="dark"))
    for menu in (app.controls.source_menu, app.playlist.menu):
        assert str(menu.cget("background")) == app.palette.background, str(menu)
    assert ttk.Style(run.root).theme_use() == "sun-valley-dark"

    def fill_in() -> None:
        dialog = next(w for w in run.root.winfo_children() if isinstance(w, CameraDialog))
        assert isinstance(dialog.entry, ttk.Spinbox)  # ttk, in the theme: not Tk's plain dialog
        dialog.number.set("abc")
        dialog.choose()
        assert "A number from 0" in dialog.error.cget("text")
        dialog.number.set("5")
        dialog.entry.focus_force()  # a key goes where the focus is: in the dialog, as for a person
        dialog.update()
        dialog.entry.event_generate("<Return>")

    run.root.after(300, fill_in)
    app.choose_camera()  # waits for the dialog, as a user would
    assert app.controller.sources.spec == "5"
    run.until(lambda: app.video.problem_visible, "the no-camera panel for camera 5")


def test_the_menu_buttons_open_from_the_keyboard_and_space_there_does_not_pause(
    start: Callable[..., Running], clip: Path
) -> None:
    run = start(AppOptions(source=str(clip), offline=True))
    app = run.app
    run.until(lambda: app.stats.frames_drawn > 0, "the first frame")
    buttons = [
        (app.controls.source_button, app.controls.source_menu),
        (app.face_menu, app.face_menu.menu),
        (app.genre_menu, app.genre_menu.menu),
    ]
    for button, menu in buttons:
        for key in ("<Return>", "<space>", "<Down>"):
            run.press(button, key)
            run.until(lambda m=menu: bool(m.winfo_ismapped()), f"{button.cget('text')} to open with {key}")
            assert not app.controller.paused, f"{key} on {button.cget('text')} paused the video"
            menu.unpost()
            run.root.update()
    # In the face menu the keyboard reaches "Teach Emotune your face…": Down to it, Enter opens the dialog.
    run.press(app.face_menu, "<Return>")
    run.until(lambda: bool(app.face_menu.menu.winfo_ismapped()), "the face menu")
    app.face_menu.menu.event_generate("<Down>")
    app.face_menu.menu.event_generate("<Return>")
    run.until(lambda: app._teach_dialog is not None and app._teach_dialog.winfo_exists(), "the teach dialog")
