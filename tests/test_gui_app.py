"""The desktop app driven for real: a Tk root on Xvfb (started here when DISPLAY is unset), test
videos of a face built from the public-domain astronaut photo, the bundled catalog (offline),
and recording openers in place of the Spotify app and the browser.

Every test fails on an exception in a Tk callback (``report_callback_exception`` collects them).
Waits are guards against hanging (generous, for a loaded machine), never measurements.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk

import numpy as np
import pytest

from emotune.controller.options import AppOptions
from emotune.controller.song_requests import playlist_heading
from emotune.gui.video_panel import fit_size
from emotune.labels import EMOTIONS
from emotune.vision.pipeline import FacePipeline
from emotune.vision.sources import Frame, FrameSource, FrameSourceError, make_source
from testbed.media import astronaut, talking_head_frames, write_video
from tests.support.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify
from tests.support.gui import Running, pump_for
from tests.support.paths import UserFolders
from tests.support.vision_media import expression_frames, two_expressions_for

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("gui-videos")
    frames = talking_head_frames(450)
    return {
        # 15 s at 30 fps: the app's usual case, a webcam-like talking head.
        "long": write_video(folder / "talking-head.avi", frames, fps=30.0),
        # 2 s at 15 fps, a smaller picture: a second source that ends soon.
        "short": write_video(folder / "short-clip.avi", [f[::2, ::2] for f in frames[:30]], fps=15.0),
    }


def emotune_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("emotune-") and t.is_alive()]


@pytest.mark.slow
def test_video_mood_playlist_and_opening_a_track(start: Callable[..., Running], videos: dict[str, Path]) -> None:
    run = start(AppOptions(source=str(videos["long"]), offline=True))
    app = run.app
    assert run.root.title() == "Emotune"
    run.until(lambda: app.stats.frames_drawn > 0, "the first frame")
    run.until(lambda: app.controller.mood_in_force is not None, "a mood")
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    mood = app.controller.mood_in_force
    assert mood in EMOTIONS
    assert app.mood_panel.word.cget("text") == f"Music for: {mood}"
    run.until(lambda: app.mood_panel.reading.cget("text").startswith("Your face now: "), "the face reading")
    assert app.playlist.heading.cget("text") == f"Songs to match {mood}"
    assert app.status.music.cget("text") == "Music: bundled catalog (offline)"
    assert all(t.source == "catalog" for t in app.playlist.tracks)
    tree = app.playlist.tree
    first = app.playlist.tracks[0]
    assert tree.item("0", "values")[1] == first.name

    # One PhotoImage, updated in place: later frames do not make a new one.
    photo = app.video._photo
    run.frames_after(app.stats.frames_drawn + 5)
    assert app.video._photo is photo
    run.until(lambda: "fps" in app.status.video.cget("text"), "the measured fps in the status bar")
    assert app.status.video.cget("text").startswith("talking-head.avi · ")

    # Tab moves the focus into the playlist; the arrow keys move the selection.
    app.controls.pause_button.focus_force()
    for _ in range(30):
        if run.root.focus_get() is tree:
            break
        run.press(run.root.focus_get() or run.root, "<Tab>")
    assert run.root.focus_get() is tree
    tree.selection_set("0")
    tree.focus("0")
    run.press(tree, "<Down>")
    assert tree.selection() == ("1",)
    run.press(tree, "<Up>")
    assert tree.selection() == ("0",)

    # Enter opens the selected track in the Spotify app.
    run.press(tree, "<Return>")
    run.until(lambda: len(run.app_opener.opened) == 1, "the track to be opened with Enter")
    assert run.app_opener.opened == [f"spotify:track:{first.id}"]
    run.until(lambda: app.status.note.cget("text") == "Opened in Spotify", "the note")

    # A double click on the first row opens it, whatever was selected before.
    tree.selection_set("3")
    x, y, _width, height = tree.bbox("0", "title")
    for _ in range(2):
        tree.event_generate("<ButtonPress-1>", x=x + 5, y=y + height // 2)
        tree.event_generate("<ButtonRelease-1>", x=x + 5, y=y + height // 2)
    run.until(lambda: len(run.app_opener.opened) == 2, "the track to be opened with a double click")
    assert run.app_opener.opened[1] == f"spotify:track:{first.id}"
    assert tree.selection() == ("0",)

    # The context menu: open in the browser, copy the link.
    app.playlist.menu.invoke("Open in browser")
    run.until(lambda: len(run.browser.opened) == 1, "the track to be opened in the browser")
    assert run.browser.opened == [f"https://open.spotify.com/track/{first.id}"]
    app.playlist.menu.invoke("Copy link")
    assert run.root.clipboard_get() == first.url
    assert len(run.app_opener.opened) == 2


@pytest.mark.slow
def test_more_songs_and_lift_refresh_on_request_only(start: Callable[..., Running], videos: dict[str, Path]) -> None:
    run = start(AppOptions(source=str(videos["long"]), offline=True))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    first_list = app.playlist.tracks
    serial = app.controller.songs.generation
    # Frames keep coming with the same mood: no new request.
    run.frames_after(app.stats.frames_drawn + 15)
    assert app.controller.songs.generation == serial
    assert app.playlist.tracks == first_list

    run.press(app.video.screen, "<KeyPress-r>")  # R: more songs
    run.until(lambda: app.playlist.tracks != first_list, "more songs")
    assert not set(app.playlist.tracks) & set(first_list)

    app.controls.strategy.set("lift")
    app.set_strategy("lift")
    mood = app.controller.mood_in_force
    assert mood is not None
    run.until(lambda: app.playlist.heading.cget("text") == playlist_heading(mood, "lift"), "a lift list")


@pytest.mark.slow
def test_switching_source_and_the_end_of_a_video(start: Callable[..., Running], videos: dict[str, Path]) -> None:
    run = start(AppOptions(source=str(videos["long"]), offline=True))
    app = run.app
    run.until(lambda: app.controller.sources.latest is not None, "a frame of the first video")
    app.controller.open_source(str(videos["short"]))
    run.until(
        lambda: (latest := app.controller.sources.latest) is not None and latest.source == str(videos["short"]),
        "a frame of the second video",
    )
    assert app.controller.sources.latest is not None and app.controller.sources.latest.image is not None
    assert app.controller.sources.latest.image.shape[:2] == (240, 320)
    run.until(lambda: app.video.problem_visible, "the end of the short video")
    assert app.video.problem_title.cget("text") == "End of the video"
    assert app.video.problem_button_texts() == ["Play again", "Choose camera…", "Open video file…"]
    # The video has ended: a resize still redraws its last frame at the new size.
    before = app.video._photo_size
    width, height = run.root.winfo_width(), run.root.winfo_height()
    run.root.geometry(f"{width + 200}x{height + 120}")
    run.until(lambda: app.video._photo_size != before, "the last frame redrawn at the new size")
    assert app.video._photo_size == fit_size((320, 240), app.video.area())
    drawn = app.stats.frames_drawn
    app.video.problem_buttons.winfo_children()[0].invoke()  # Play again
    assert not app.video.problem_visible
    run.frames_after(drawn)


def test_no_camera_shows_a_friendly_panel_and_a_chosen_mood_still_gives_songs(
    start: Callable[..., Running], videos: dict[str, Path]
) -> None:
    run = start(AppOptions(source="99", offline=True))
    app = run.app
    run.until(lambda: app.video.problem_visible, "the no-camera panel")
    assert app.video.problem_title.cget("text") == "No picture from the camera"
    assert "camera 99" in app.video.problem_text.cget("text")
    assert app.video.problem_button_texts() == ["Retry", "Choose camera…", "Open video file…"]
    run.until(lambda: "no camera" in app.status.video.cget("text"), "the status")
    assert app.stats.frames_drawn == 0

    # Retry tries again and tells the same story.
    app.video.problem_buttons.winfo_children()[0].invoke()
    run.until(lambda: app.video.problem_visible, "the no-camera panel after Retry")

    # The rest of the app works: a mood picked by hand gives a playlist.
    box = app.controls.mood_box
    box.set("sad")
    box.event_generate("<<ComboboxSelected>>")
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist for the chosen mood")
    assert app.controller.mood_in_force == "sad" and app.controller.mood.locked and app.controls.locked.get()
    assert app.playlist.heading.cget("text") == "Songs to match sad"
    assert app.mood_panel.word.cget("text") == "Music for: sad"

    # A video chosen instead (what "Open video file…" leads to) replaces the panel.
    app.controller.open_source(str(videos["long"]))
    assert not app.video.problem_visible
    run.frames_after(0)


def test_mood_from_the_command_line_is_locked_from_the_start(start: Callable[..., Running]) -> None:
    args = argparse.Namespace(source=None, camera=99, offline=True, mood="happy")
    run = start(AppOptions.from_args(args))
    app = run.app
    assert (
        app.controller.sources.spec == "99" and app.controller.mood.locked and app.controller.mood_in_force == "happy"
    )
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist for the locked mood")
    assert app.playlist.heading.cget("text") == "Songs to match happy"
    assert app.controls.mood_choice.get() == "happy"


@pytest.mark.slow
def test_a_minimised_window_draws_no_frames_and_draws_again_when_restored(
    start: Callable[..., Running], videos: dict[str, Path]
) -> None:
    run = start(AppOptions(source=str(videos["long"]), offline=True))
    app = run.app
    run.frames_after(2)
    # Hidden (what minimising does under a window manager; Xvfb has none, so iconify() is a no-op).
    run.root.withdraw()
    pump_for(run.root, 0.2)
    drawn, shown = app.stats.frames_drawn, app.controller.sources.frames_shown
    pump_for(run.root, 1.0)
    assert app.stats.frames_drawn == drawn  # nothing drawn while minimised ...
    assert app.controller.sources.frames_shown > shown  # ... while the frames (and the mood) still flow
    run.root.deiconify()
    run.frames_after(drawn + 3)
    assert run.root.state() == "normal"


@pytest.mark.slow
def test_pause_and_resume_with_space(start: Callable[..., Running], videos: dict[str, Path]) -> None:
    run = start(AppOptions(source=str(videos["long"]), offline=True))
    app = run.app
    run.frames_after(2)
    run.press(app.video.screen, "<space>")
    assert app.controller.paused and app.controller.worker.paused
    assert app.controls.pause_button.cget("text") == "Resume"
    pump_for(run.root, 0.3)
    assert "paused" in app.status.video.cget("text")
    drawn = app.stats.frames_drawn
    run.press(app.video.screen, "<space>")
    assert not app.controller.paused and not app.controller.worker.paused
    assert app.controls.pause_button.cget("text") == "Pause"
    run.frames_after(drawn + 3)
    # The button does the same as the key (and Space on the focused button is not counted twice).
    run.press(app.controls.pause_button, "<space>")
    assert app.controller.paused
    app.controls.pause_button.invoke()
    assert not app.controller.paused


def test_settings_dialog_saves_and_applies(start: Callable[..., Running], user_dirs: UserFolders) -> None:
    run = start(AppOptions(source="99", offline=True))
    app = run.app
    app.open_settings()
    dialog = app._settings_dialog
    assert dialog is not None
    run.root.update()
    dialog.mirror.set(False)
    dialog.theme.set("dark")
    dialog.open_with.set("browser")
    dialog.smoothing.set(1.5)
    dialog.save()
    assert not dialog.winfo_exists()
    saved = json.loads((user_dirs.config / "settings.json").read_text())
    assert saved["mirror"] is False and saved["theme"] == "dark" and saved["open_with"] == "browser"
    assert saved["mood_smoothing_s"] == 1.5
    assert app.controller.settings.open_with == "browser"
    assert ttk.Style(run.root).theme_use() == "sun-valley-dark"
    assert not app.video.mirror
    run.until(lambda: app.controller.worker.tracker.smoothing_s == 1.5, "the worker to restart with the new smoothing")

    # A bad value is shown in the dialog, not saved.
    app.open_settings()
    dialog = app._settings_dialog
    assert dialog is not None
    dialog.smoothing.set(99.0)
    dialog.save()
    assert dialog.winfo_exists() and dialog.error.cget("text") == "Mood smoothing must be from 0 to 5 seconds (not 99)"
    dialog.destroy()


@pytest.mark.slow
def test_closing_the_window_stops_every_thread_and_saves_the_geometry(
    start: Callable[..., Running], videos: dict[str, Path], user_dirs: UserFolders
) -> None:
    run = start(AppOptions(source=str(videos["long"]), offline=True))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    app.activate_track(app.playlist.tracks[0], "default")
    run.until(lambda: len(app.controller.opening.opened) == 1, "the track to be opened")
    assert emotune_threads(), "the app should be running threads before it closes"

    run.root.tk.call(run.root.protocol("WM_DELETE_WINDOW"))  # what the window manager's close does
    assert app.closed and app._after_id is None
    assert emotune_threads() == []
    assert not app.controller.worker.running
    with pytest.raises(tk.TclError):
        run.root.winfo_exists()
    saved = json.loads((user_dirs.config / "settings.json").read_text())
    assert saved["window_geometry"].count("+") == 2


@pytest.mark.slow
def test_an_error_in_a_tk_callback_is_caught_for_the_test(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True))

    def broken() -> None:
        raise ZeroDivisionError("boom in a callback")

    run.root.after(0, broken)
    pump_for(run.root, 0.2)
    assert len(run.errors.errors) == 1 and "boom in a callback" in run.errors.errors[0]
    run.errors.errors.clear()  # recorded as it should be; an unexpected one fails the test at teardown

    # Without the test's recorder, the app's own handler reports it in the status bar and lives on.
    run.root.report_callback_exception = run.app._report_callback_exception  # type: ignore[method-assign]
    run.root.after(0, broken)
    pump_for(run.root, 0.2)
    assert "boom in a callback" in run.app.status.note.cget("text")
    run.errors.install(run.root)


class UnpluggedCamera:
    """A camera that delivers a few frames of a face, then fails as an unplugged one does."""

    live = True

    def __init__(self, index: int, frames: int = 40) -> None:
        self.name = f"camera {index}"
        self.fps = 30.0
        self._frames = frames
        self._count = 0
        self._image = np.ascontiguousarray(astronaut()[:480, :640])

    def open(self) -> None:
        self._count = 0

    def read(self) -> Frame | None:
        if self._count >= self._frames:
            raise FrameSourceError(f"{self.name}: stopped delivering frames (unplugged?)")
        self._count += 1
        time.sleep(1 / self.fps)
        return Frame(self._count - 1, self._count / self.fps, self._image)

    def close(self) -> None:
        pass


@pytest.mark.slow
def test_a_camera_unplugged_mid_run_shows_the_panel_and_retry_brings_it_back(
    start: Callable[..., Running],
) -> None:
    def factory(spec: str) -> FrameSource:
        return UnpluggedCamera(int(spec)) if spec.strip() == "7" else make_source(spec)

    run = start(AppOptions(source="7", offline=True), source_factory=factory)
    app = run.app
    run.frames_after(0)
    assert app.video.mirror  # a camera is shown as a mirror (the default setting)
    run.until(lambda: app.video.problem_visible, "the panel after the camera is unplugged")
    assert app.video.problem_title.cget("text") == "No picture from the camera"
    assert "camera 7: stopped delivering frames (unplugged?)" in app.video.problem_text.cget("text")
    drawn = app.stats.frames_drawn
    app.video.problem_buttons.winfo_children()[0].invoke()  # Retry: "plugged in again"
    assert not app.video.problem_visible
    run.frames_after(drawn)


def test_spotify_lists_and_the_fallback_when_spotify_fails_show_in_playlist_and_status(
    start: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSpotify() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SPOTIPY_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("SPOTIPY_CLIENT_SECRET", CLIENT_SECRET)
        run = start(AppOptions(source="99", mood="happy"))
        app = run.app
        run.until(lambda: len(run.playlist_rows()) == 10, "a playlist from Spotify")
        assert server.requests_to("/v1/search")
        assert app.playlist.tracks[0].source == "spotify"
        assert app.playlist.tree.item("0", "values")[3] == "happy"  # the mood the song is for
        assert app.status.music.cget("text").startswith("Music: Spotify")

        # Spotify fails: the catalog answers and the status bar says why.
        server.fail("/v1/search", 503, body={"error": {"status": 503, "message": "Service unavailable"}})
        first = app.playlist.tracks
        app.controller.more_songs()
        run.until(lambda: app.playlist.tracks != first, "the fallback list")
        assert all(track.source == "catalog" for track in app.playlist.tracks)
        assert "showing the bundled catalog" in app.status.music.cget("text")
        assert app.close()


@pytest.mark.slow
@pytest.mark.data
def test_a_music_mood_change_appends_songs_and_keeps_the_selection_and_scroll(
    start: Callable[..., Running], user_dirs: UserFolders, tmp_path: Path
) -> None:
    (first, first_face), (second, second_face) = two_expressions_for(FacePipeline())
    # 3 s of one expression, then another for 12 s; the music follows "quickly" (about 8 s).
    video = write_video(tmp_path / "change.avi", expression_frames([(first_face, 45), (second_face, 180)]), 15.0)
    user_dirs.config.mkdir(parents=True, exist_ok=True)
    (user_dirs.config / "settings.json").write_text(json.dumps({"music_pace": "quickly"}), encoding="utf-8")
    run = start(AppOptions(source=str(video), offline=True))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    assert app.controller.mood_in_force == first
    run.root.geometry("900x600")  # a small window: the new songs come in below the rows in view
    pump_for(run.root, 0.3)
    tree = app.playlist.tree
    x, y, _width, height = tree.bbox("3", "title")  # the user clicks row 4
    tree.event_generate("<ButtonPress-1>", x=x + 5, y=y + height // 2)
    tree.event_generate("<ButtonRelease-1>", x=x + 5, y=y + height // 2)
    run.root.update()
    assert tree.selection() == ("3",)
    top_row = tree.identify_row(y - height * 3 + height // 2)  # the first row in view
    before = app.playlist.tracks
    run.until(lambda: len(run.playlist_rows()) == 20, "the new mood's songs after the list")
    assert app.controller.mood_in_force == second
    assert app.playlist.tracks[:10] == before  # the rows the user was looking at did not move
    assert tree.selection() == ("3",) and tree.focus() == "3"
    assert tree.identify_row(y - height * 3 + height // 2) == top_row and tree.bbox("3", "title")[1] == y
    assert tree.item("10", "values")[3] == second
    assert app.mood_panel.word.cget("text") == f"Music for: {second}"
    run.press(tree, "<Return>")  # Enter opens the song the user picked, not another one
    run.until(lambda: len(run.app_opener.opened) == 1, "the selected track to open")
    assert run.app_opener.opened == [f"spotify:track:{before[3].id}"]

    # The heading names the rows in view (the first mood's), a marker row opens the new block,
    # and a button under the list says what came; N jumps there and selects its first song.
    panel = app.playlist
    assert panel.heading.cget("text") == f"Songs to match {first}"
    assert tree.get_children()[10] == "new-1" and tree.set("new-1", "mood") == second
    assert tree.set("new-1", "title").startswith("New songs for")  # "…" where the column is narrow
    assert panel.jump_button.winfo_ismapped()
    assert panel.jump_button.cget("text") == f"↓  10 new songs for {second} below (N)"
    run.press(tree, "<KeyPress-n>")
    run.root.update()
    assert tree.selection() == ("10",)
    assert panel.rows_in_view()[:2] == ["new-1", "10"]  # the new block at the top of the list
    run.until(lambda: panel.heading.cget("text") == f"Songs to match {second}", "the heading of the new block")
    assert not panel.jump_button.winfo_ismapped()
    run.press(tree, "<Up>")  # the marker is a label: the selection steps over it
    run.root.update()
    assert tree.selection() == ("9",)


def test_long_titles_end_in_an_ellipsis_show_whole_on_hover_and_the_scrollbar_only_when_needed(
    start: Callable[..., Running],
) -> None:
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    panel, tree = app.playlist, app.playlist.tree
    tree.column("title", width=90)  # a narrow column, as at the window's smallest size
    panel._elide_all()
    run.root.update()
    cut = [row for row in run.playlist_rows() if tree.set(row, "title") != panel.tracks[int(row)].name]
    assert cut, "some titles should be cut at 90 px"
    row = cut[0]
    shown = tree.set(row, "title")
    assert shown.endswith("…") and panel.tracks[int(row)].name.startswith(shown[:-1].rstrip())
    x, y, _w, height = tree.bbox(row, "title")
    tree.event_generate("<Motion>", x=x + 5, y=y + height // 2, warp=True)  # the real pointer goes there too
    run.until(lambda: panel.tooltip.text.startswith(panel.tracks[int(row)].name), "the whole title on hover")
    tree.event_generate("<Leave>")
    run.root.update()
    assert panel.tooltip.text == ""
    assert not panel.scroll.winfo_ismapped()  # ten rows fit: no scrollbar
    panel.append_tracks(panel.tracks * 3, "happy", "Songs to match happy")  # 40 rows: more than fit
    run.until(lambda: panel.scroll.winfo_ismapped(), "the scrollbar once the rows do not fit")


def test_a_note_fades_so_it_never_outlives_what_it_was_about(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True))
    status = run.app.status
    status.set_note("Opened in the browser", seconds=0.3)
    assert status.note.cget("text") == "Opened in the browser"
    status.set_note("Copied the link", seconds=0.6)  # a newer note restarts the clock
    pump_for(run.root, 0.4)
    assert status.note.cget("text") == "Copied the link"
    run.until(lambda: status.note.cget("text") == "", "the note to fade", timeout=10)
