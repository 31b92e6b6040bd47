"""The window in the states that pushed things out of it: a long heading over the songs, a long
note beside "calibrated for …", long titles in the list and in the Journal. Screenshots of the
real window on Xvfb read with OCR, and ``winfo_containing`` at the centre of each control, in
both themes, at the default size, 900x600 and the window's minimum.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import tkinter as tk
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from tkinter import ttk

import pytest

from emotune.config import Settings, SettingsStore
from emotune.controller.options import AppOptions
from emotune.controller.teaching import NO_PICTURE
from emotune.gui.elide import style_font
from emotune.gui.glyphs import mood_emoji
from emotune.gui.help_view import HelpView
from emotune.gui.journal_view import JournalWindow
from emotune.gui.settings_dialog import ERROR_COLOUR, SettingsDialog
from emotune.gui.song_feedback import MARKS
from emotune.gui.teach_dialog import MARKS as TEACH_MARKS
from emotune.gui.teach_dialog import WARNING_COLOUR, TeachDialog
from emotune.journal.store import DB_FILE, Journal, SongEvent
from emotune.labels import EMOTIONS
from emotune.music.catalog import load_catalog
from testbed.media import talking_head_frames, write_video
from tests.support.gui import Running, pump_for
from tests.support.paths import UserFolders
from tests.support.screen import control_text, covered_controls, read_text, readable, screenshot, unread_labels

pytestmark = [pytest.mark.gui, pytest.mark.slow]

SIZES = {"default": (1180, 720), "small": (900, 600), "minimum": (0, 0)}
SPIKE_MIX = "4hfIVhq0F0zFUcrbecsYmo"  # "Let's Get It Started - Spike Mix"
THE_MOON = "4ZLzoOkj0MPWrTLvooIuaa"  # "Get You The Moon (feat. Snøw)"
GET_LUCKY = "2Foc5Q5nqNiosCNqttzHof"  # "Get Lucky (feat. Pharrell Williams & Nile Rodgers) - Radio Edit"
LONG_NOTE = "Saved root's face profile: Emotune reads faces with it now, and with no other"


def resize(run: Running, size: str) -> None:
    width, height = run.root.minsize() if size == "minimum" else SIZES[size]
    run.root.geometry(f"{width}x{height}")
    pump_for(run.root, 0.6)
    assert (run.root.winfo_width(), run.root.winfo_height()) == (width, height)


def whole_inside(widget: object, window: object) -> bool:
    """Whether ``widget`` is drawn whole inside ``window``'s right edge."""
    from tkinter import Misc

    assert isinstance(widget, Misc) and isinstance(window, Misc)
    right = widget.winfo_rootx() + widget.winfo_width()
    return widget.winfo_ismapped() and right <= window.winfo_rootx() + window.winfo_width()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_long_heading_or_note_is_cut_and_like_dislike_and_the_menus_keep_their_size(
    happy_list: Callable[[str], Running], theme: str
) -> None:
    run = happy_list(theme)
    app = run.app
    spike_mix = load_catalog().get(SPIKE_MIX)
    assert spike_mix is not None
    app.controller.more_like(spike_mix)  # what M on that song does
    heading = app.playlist.heading
    expected = "Songs like “Let's Get It Started - Spike Mix” for happy"
    run.until(lambda: heading.full_text == expected, "the heading of the songs like it")
    app.show_profile("root")
    app.status.set_note(LONG_NOTE, seconds=600)  # stays while the test looks at every size
    feedback, status = app.song_feedback, app.status
    for size in SIZES:
        resize(run, size)
        assert covered_controls(run.root) == [], size
        image = screenshot(run.root, f"states-heading-{theme}-{size}")
        for button in (feedback.like_button, feedback.dislike_button):
            label = str(button.cget("text"))
            assert button.winfo_width() >= button.winfo_reqwidth(), f"{label} squeezed at {size}"
            assert whole_inside(button, run.root), f"{label} out of the window at {size}"
        assert unread_labels(image, (feedback.like_button, feedback.dislike_button)) == [], size
        shown = str(heading.cget("text"))
        assert shown == expected or (shown.endswith("…") and expected.startswith(shown[:-1])), shown
        assert readable(shown.rstrip("…"), control_text(image, heading)), f"heading at {size}"
        # The status bar: the note in the message's place, cut with "…", apart from the profile.
        for control in (app.face_menu, app.genre_menu, status.profile):
            assert whole_inside(control, run.root), f"{control} out of the window at {size}"
        note = status.note
        assert not status.music.winfo_ismapped() and note.winfo_ismapped()
        assert note.winfo_rootx() + note.winfo_width() <= app.face_menu.winfo_rootx(), size
        note_shown = str(note.cget("text"))
        assert note_shown == LONG_NOTE or (note_shown.endswith("…") and LONG_NOTE.startswith(note_shown[:-1]))
        assert readable(note_shown.rstrip("…"), control_text(image, note)), f"the note at {size}: {note_shown}"
        assert readable("calibrated for root", control_text(image, status.profile)), size
    assert heading.cut  # at the minimum size at least: the whole heading shows on hover
    x, y = heading.winfo_width() // 2, heading.winfo_height() // 2
    heading.event_generate("<Motion>", x=x, y=y, warp=True)
    run.until(lambda: heading.tooltip.text == expected, "the whole heading on hover")

    # Lift at the minimum size: "Songs to brighten a neutral mood" pushed Dislike out.
    app.controller.choose_mood("neutral")
    app.set_strategy("lift")
    run.until(lambda: heading.full_text == "Songs to brighten a neutral mood", "the neutral heading")
    image = screenshot(run.root, f"states-neutral-{theme}-minimum")
    for button in (feedback.like_button, feedback.dislike_button):
        assert button.winfo_width() >= button.winfo_reqwidth() and whole_inside(button, run.root)
    assert unread_labels(image, (feedback.like_button, feedback.dislike_button)) == []


def test_titles_are_cut_by_the_width_of_the_font_that_draws_them(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    """The list measured titles in Tk's default font while the theme draws them in its own, a
    little wider: "Get You The Moon (feat. Snøw)" lost its ")" with no "…"."""
    catalog = load_catalog()
    tracks = [catalog.get(THE_MOON), catalog.get(GET_LUCKY)]
    assert all(tracks)
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    panel, tree = app.playlist, app.playlist.tree
    panel.set_tracks([t for t in tracks if t is not None], "happy", "Songs to match happy")
    font = style_font(tree, "Treeview")
    for width in range(200, 260, 4):  # around the width the whole title needs
        tree.column("title", width=width)
        panel._elide_all()
        shown = tree.set("0", "title")
        room = width - 12
        assert shown.endswith("…") or shown == tracks[0].name, shown  # type: ignore[union-attr]
        assert font.measure(shown) <= room, f"{shown!r} is {font.measure(shown)} px in a {room} px column"

    # The Journal's songs, cut the same way, whole on hover.
    midnight = datetime.combine(date.today(), datetime.min.time()).timestamp()
    at = max(time.time() - 60.0, midnight + 1.0)
    lucky = tracks[1]
    assert lucky is not None
    with Journal.open(user_dirs.data / DB_FILE) as book:
        book.add_songs([SongEvent(at, lucky.id, lucky.name, lucky.artists, "happy", "opened")])
    app.open_journal()
    window = app._journal_window
    assert isinstance(window, JournalWindow)
    run.until(lambda: window.report is not None and bool(window.songs.get_children()), "the journal")
    pump_for(run.root, 0.4)
    (mood_row,) = window.songs.get_children()
    (song_row,) = window.songs.get_children(mood_row)
    whole = f"{lucky.name} – {', '.join(lucky.artists)}"
    shown = str(window.songs.item(song_row, "text"))
    assert shown.endswith("…") and whole.startswith(shown[:-1].rstrip()), shown
    column = int(window.songs.column("#0", "width"))
    assert font.measure(shown) <= column - 40, f"{shown!r} in a {column} px column"
    image = screenshot(window, "states-journal-songs")
    assert readable("Get Lucky", read_text(image)), "the song in the Journal"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_song_that_cannot_be_opened_says_so_and_offers_its_link(
    happy_list: Callable[[str], Running], theme: str
) -> None:
    run = happy_list(theme)
    app = run.app
    run.app_opener.works = run.browser.works = False  # no Spotify app, no browser: nothing opens
    first = app.playlist.tracks[0]
    run.press(app.playlist.tree, "<Return>")
    note, copy = app.status.note, app.status.action
    run.until(lambda: note.full_text.startswith("Could not open"), "the failure in the status bar")
    assert note.full_text.startswith(f"Could not open “{first.name}”: ") and "Opened" not in note.full_text
    assert run.app_opener.opened == [first.uri] and run.browser.opened == [first.url]
    for size in ("default", "minimum"):
        resize(run, size)
        assert covered_controls(run.root) == [] and whole_inside(copy, run.root), size
        image = screenshot(run.root, f"states-open-failed-{theme}-{size}")
        assert readable("Copy link", control_text(image, copy)), size
        assert readable("Could not open", control_text(image, note)), size
    copy.invoke()
    assert run.root.clipboard_get() == first.url
    assert note.full_text == f"Copied {first.url}" and not copy.winfo_ismapped()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_teaching_without_a_picture_says_so_and_offers_a_camera_or_a_video(
    start: Callable[..., Running], user_dirs: UserFolders, tmp_path: Path, theme: str
) -> None:
    SettingsStore(user_dirs.config).save(Settings().replace(theme=theme))
    run = start(AppOptions(source="99", offline=True, mood="happy"))  # no such camera
    app = run.app
    run.until(lambda: app.video.problem_visible, "no picture")
    app.controller.profiles.teach()
    run.until(lambda: isinstance(app._teach_dialog, TeachDialog), "the dialog")
    dialog = app._teach_dialog
    assert isinstance(dialog, TeachDialog)
    pump_for(run.root, 0.4)
    assert dialog.warning.cget("text") == NO_PICTURE
    assert [b.cget("text") for b in dialog.source_buttons] == ["Choose camera…", "Open video file…"]
    assert all(b.winfo_ismapped() for b in dialog.source_buttons)
    assert covered_controls(dialog) == []
    image = screenshot(dialog, f"states-teach-no-picture-{theme}")
    seen = read_text(image)
    assert readable("No picture", seen) and readable("Open one to teach your face", seen), seen
    assert unread_labels(image, dialog.source_buttons) == []
    # A video opened: the buttons go, and the steps read the faces in it.
    clip = write_video(tmp_path / "face.avi", talking_head_frames(120), fps=30.0)
    app.controller.open_source(str(clip))
    run.until(lambda: dialog.warning.cget("text") != NO_PICTURE, "the picture")
    run.until(lambda: not dialog.sources_row.winfo_ismapped(), "the buttons to go")
    app.controller.profiles.cancel()


def texts_shown(window: tk.Misc) -> str:
    """Every text the window's widgets, menus and lists hold."""
    found: list[str] = []
    pending: list[tk.Misc] = [window]
    while pending:
        widget = pending.pop()
        pending.extend(widget.winfo_children())
        if isinstance(widget, tk.Menu):
            for index in range(int(widget.index("end") or -1) + 1):
                if widget.type(index) not in ("separator", "tearoff"):
                    found += [str(widget.entrycget(index, "label")), str(widget.entrycget(index, "accelerator"))]
        elif isinstance(widget, ttk.Treeview):
            for row in widget.get_children():
                found += [str(widget.item(row, "text")), *map(str, widget.item(row, "values"))]
        else:
            with contextlib.suppress(tk.TclError):
                found.append(str(widget.cget("text")))
    return "".join(found)


def no_font_has(character: str) -> bool:
    """What fontconfig (Xft's source of fonts for Tk on X11) says: no font has ``character``."""
    listed = subprocess.run(["fc-list", f":charset={ord(character):x}"], capture_output=True, text=True, check=True)
    return not listed.stdout.strip()


def test_every_glyph_the_window_shows_is_in_a_font(start: Callable[..., Running]) -> None:
    """DejaVu, the usual Linux fallback, has no 🤢: the disgust emoji was an empty box."""
    run = start(AppOptions(source="99", offline=True, mood="disgust"))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    app.song_feedback.set_marks({app.playlist.tracks[i].id: v for i, v in enumerate(MARKS)})
    drawn = texts_shown(run.root) + "".join(MARKS.values()) + "".join(TEACH_MARKS.values())
    for mood in EMOTIONS:
        app.mood_panel.set_mood(mood, "")
        drawn += str(app.mood_panel.emoji.cget("text"))
        assert app.mood_panel.emoji.cget("text"), f"no emoji at all for {mood}"
    lacking = sorted({c for c in drawn if ord(c) > 0x7F and not c.isspace() and no_font_has(c)})
    assert lacking == [], f"no font has {lacking}"
    app.mood_panel.set_mood("disgust", "")
    screenshot(app.mood_panel, "states-disgust-emoji")


def test_the_disgust_emoji_is_kept_where_the_system_has_emoji_fonts_windows() -> None:
    assert mood_emoji("disgust", "windows") == "\N{NAUSEATED FACE}"


def test_the_disgust_emoji_is_kept_where_the_system_has_emoji_fonts_macos() -> None:
    assert mood_emoji("disgust", "macos") == "\N{NAUSEATED FACE}"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_journal_window_follows_the_journal_and_names_a_bad_date_by_its_field(
    start: Callable[..., Running], user_dirs: UserFolders, tmp_path: Path, theme: str
) -> None:
    SettingsStore(user_dirs.config).save(Settings().replace(theme=theme))
    clip = write_video(tmp_path / "face.avi", talking_head_frames(900), fps=30.0)
    run = start(AppOptions(source=str(clip), offline=True))
    app = run.app
    run.until(lambda: app.controller.mood_in_force is not None, "a mood")
    app.open_journal()
    window = app._journal_window
    assert isinstance(window, JournalWindow)
    run.until(lambda: window.report is not None and window.report.total_s > 0, "the mood so far")
    first = window.report.total_s if window.report is not None else 0.0
    # Nobody touches the window: it reads the journal again by itself, and the mood has gone on.
    run.until(lambda: window.report is not None and window.report.total_s >= first + 2.0, "the journal, read again", 30)
    assert window.status.cget("text").endswith("in all")

    window.since_text.set("yesterday-ish")
    window.show_button.invoke()
    run.root.update()
    error = window.range_error
    assert error.winfo_ismapped() and str(error.cget("foreground")) == WARNING_COLOUR
    assert window.since_entry.instate(["invalid"]) and not window.until_entry.instate(["invalid"])
    # Under the fields it names, not somewhere else in the window.
    assert abs(error.winfo_rooty() - (window.since_entry.winfo_rooty() + window.since_entry.winfo_height())) < 20
    assert covered_controls(window) == []
    image = screenshot(window, f"states-journal-bad-date-{theme}")
    assert readable("yesterday ish is not a date like", control_text(image, error)), "the error"
    window.since_text.set(date.today().isoformat())
    window.show_button.invoke()
    run.root.update()
    assert not error.winfo_ismapped() and not window.since_entry.instate(["invalid"])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_settings_say_by_each_spotify_field_what_is_wrong_and_keep_the_dialog_open(
    happy_list: Callable[[str], Running], user_dirs: UserFolders, theme: str
) -> None:
    run = happy_list(theme)
    app = run.app
    app.open_settings()
    dialog = app._settings_dialog
    assert isinstance(dialog, SettingsDialog)
    dialog.client_id.set("my-emotune-app")
    dialog.redirect_uri.set("http://localhost:8888/callback")
    dialog.save()
    run.root.update()
    assert dialog.winfo_exists() and SettingsStore(user_dirs.config).load().spotify_client_id == ""
    id_error, uri_error = dialog.field_errors["spotify_client_id"], dialog.field_errors["spotify_redirect_uri"]
    for field, error in (("spotify_client_id", id_error), ("spotify_redirect_uri", uri_error)):
        entry = dialog.entries[field]
        assert error.winfo_ismapped() and str(error.cget("foreground")) == ERROR_COLOUR
        assert entry.instate(["invalid"])
        below = entry.winfo_rooty() + entry.winfo_height()
        assert 0 <= error.winfo_rooty() - below < 10, f"the {field} error is not under its field"
    assert covered_controls(dialog) == []
    image = screenshot(dialog, f"states-settings-errors-{theme}")
    seen = read_text(image)
    assert readable("only the digits 0-9 and the letters a-f", seen), seen
    assert readable("Spotify does not accept localhost", seen), seen
    dialog.client_id.set("0123456789abcdef0123456789abcdef")
    dialog.redirect_uri.set("http://127.0.0.1:8888/callback")
    dialog.save()
    run.root.update()
    assert not dialog.winfo_exists()
    assert SettingsStore(user_dirs.config).load().spotify_client_id == "0123456789abcdef0123456789abcdef"


def help_windows(run: Running) -> list[HelpView]:
    return [w for w in run.root.winfo_children() if isinstance(w, HelpView) and w.winfo_exists()]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_help_tells_a_newcomer_how_to_connect_spotify_and_what_each_mood_plays(
    happy_list: Callable[[str], Running], theme: str
) -> None:
    run = happy_list(theme)
    app = run.app
    run.press(app.playlist.tree, "<F1>")
    run.press(app.playlist.tree, "<F1>")  # again: the same window, raised
    assert len(help_windows(run)) == 1
    view = help_windows(run)[0]
    tabs = [str(view.notebook.tab(i, "text")) for i in range(view.notebook.index("end"))]
    pump_for(run.root, 0.3)
    view.notebook.select(tabs.index("Spotify"))
    pump_for(run.root, 0.3)
    assert covered_controls(view) == []
    seen = read_text(screenshot(view, f"states-help-spotify-{theme}"))
    for text in ("developer spotify com dashboard", "Create an app", "http 127 0 0 1 8765 callback", "Client ID"):
        assert readable(text, seen), f"{text!r} not read: {seen}"
    view.notebook.select(tabs.index("Moods and music"))
    pump_for(run.root, 0.3)
    seen = read_text(screenshot(view, f"states-help-moods-{theme}"))
    for text in ("Match", "Lift", "slow sad acoustic songs", "then warmer and brighter"):
        assert readable(text, seen), f"{text!r} not read: {seen}"
    view.notebook.select(tabs.index("Keyboard"))
    pump_for(run.root, 0.3)
    seen = read_text(screenshot(view, f"states-help-keyboard-{theme}"))
    assert readable("Escape close a dialog a menu or this help", seen), seen
    run.press(view, "<Escape>")
    assert help_windows(run) == []


def marked_rows(run: Running, menu: tk.Menu, name: str) -> list[str]:
    """The labels of the entries of ``menu`` drawn with a mark (radio dot or tick) beside them:
    the menu is posted and its pixels left of the labels are looked at."""
    button = menu.master
    assert isinstance(button, tk.Misc)
    menu.tk_popup(button.winfo_rootx(), button.winfo_rooty() - 300)
    pump_for(run.root, 0.3)
    try:
        image = screenshot(menu, name).convert("L")
        background = image.getpixel((2, image.height // 2))
        marked = []
        last = menu.index("end")
        assert last is not None
        for index in range(last + 1):
            if menu.type(index) == "separator":
                continue
            top = menu.yposition(index)
            bottom = menu.yposition(index + 1) if index < last else image.height
            box = image.crop((4, top + 2, 22, bottom - 2))
            if sum(abs(int(p) - int(background)) > 60 for p in box.get_flattened_data()) > 6:
                marked.append(str(menu.entrycget(index, "label")))
        return marked
    finally:
        menu.unpost()
        pump_for(run.root, 0.2)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_any_genre_and_no_profile_are_marked_when_chosen(happy_list: Callable[[str], Running], theme: str) -> None:
    run = happy_list(theme)
    app = run.app
    app.face_menu.refresh()
    assert marked_rows(run, app.face_menu.menu, f"states-face-menu-{theme}") == ["No profile (the plain model)"]
    assert marked_rows(run, app.genre_menu.menu, f"states-genre-menu-{theme}") == ["Any genre"]
    app.genre_menu.choose(("rock",))
    assert marked_rows(run, app.genre_menu.menu, f"states-genre-menu-rock-{theme}") == ["Rock"]
    app.genre_menu.menu.invoke("Any genre")
    assert app.genre_menu.chosen == () and marked_rows(run, app.genre_menu.menu, "states-genre-any") == ["Any genre"]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_two_batches_of_new_songs_are_both_counted_and_n_goes_to_the_first(
    start: Callable[..., Running], user_dirs: UserFolders, theme: str
) -> None:
    SettingsStore(user_dirs.config).save(Settings().replace(theme=theme))
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    run.root.geometry("900x600")
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    panel, tree = run.app.playlist, run.app.playlist.tree
    run.press(tree, "<Down>")  # the person is using the list: it does not move by itself
    tracks = panel.tracks
    panel.append_tracks(tracks, "sad", "Songs to match sad")  # two mood changes meanwhile
    panel.append_tracks(tracks[:5], "angry", "Songs to match angry")
    pump_for(run.root, 0.3)
    button = panel.jump_button
    assert button.cget("text") == "↓  15 new songs for sad and angry below (N)"
    image = screenshot(run.root, f"states-two-batches-{theme}")
    assert readable("15 new songs for sad and angry below", control_text(image, button))
    run.press(tree, "<KeyPress-n>")
    pump_for(run.root, 0.3)
    assert tree.selection() == ("10",) and panel.rows_in_view()[:2] == ["new-1", "10"]
    assert button.winfo_ismapped() and button.cget("text") == "↓  5 new songs for angry below (N)"
    run.press(tree, "<KeyPress-n>")
    pump_for(run.root, 0.3)
    assert tree.selection() == ("20",) and not button.winfo_ismapped()


def test_tab_from_the_list_goes_down_the_screen_to_the_status_bar_before_the_toolbar(
    start: Callable[..., Running],
) -> None:
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    app = run.app
    run.root.geometry("900x600")
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    panel = app.playlist
    panel.append_tracks(panel.tracks, "sad", "Songs to match sad")  # the button under the list shows
    pump_for(run.root, 0.3)
    assert panel.jump_button.winfo_ismapped()
    panel.tree.focus_force()
    run.root.update()
    visited: list[tk.Misc] = []
    for _ in range(4):
        widget = run.root.focus_get()
        assert widget is not None
        widget.event_generate("<Tab>")
        run.root.update()
        visited.append(run.root.focus_get() or run.root)
    assert visited[:3] == [panel.jump_button, app.face_menu, app.genre_menu], [str(w) for w in visited]
    assert str(visited[3]).startswith(str(app.controls))  # then round to the toolbar


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_song_menu_shows_the_keys_beside_like_dislike_and_more_like_this(
    happy_list: Callable[[str], Running], theme: str
) -> None:
    run = happy_list(theme)
    menu = run.app.playlist.menu
    last = menu.index("end")
    assert last is not None
    keys = {
        str(menu.entrycget(i, "label")): str(menu.entrycget(i, "accelerator"))
        for i in range(last + 1)
        if menu.type(i) == "command"
    }
    assert keys["Like"] == "L" and keys["Dislike"] == "D" and keys["More like this"] == "M"
    tree = run.app.playlist.tree
    menu.tk_popup(tree.winfo_rootx() + 40, tree.winfo_rooty() - 200)
    pump_for(run.root, 0.3)
    try:
        seen = read_text(screenshot(menu, f"states-song-menu-{theme}"), sparse=False)
    finally:
        menu.unpost()
    for line in ("Like L", "Dislike D", "More like this M"):
        assert readable(line, seen), f"{line!r} not read: {seen}"
