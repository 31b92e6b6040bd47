"""The window never contradicts itself: one face reading on screen, a still picture
shown as still, controls that only offer what can be done, a list that scrolls to new songs by
itself only when left alone, a selection that stands out and a layout that does not shift.
Real Tk on Xvfb, the real pipeline on a video of a face."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emotune.controller.options import AppOptions
from emotune.gui import playlist_panel
from emotune.gui.settings_dialog import SettingsDialog
from emotune.gui.theme import ACCENT
from emotune.labels import EMOTIONS
from testbed.media import talking_head_frames, write_video
from tests.support.gui import Running, pump_for
from tests.support.screen import screenshot

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("consistency") / "clip.avi", talking_head_frames(240), fps=30.0)


@pytest.mark.slow
def test_the_box_on_the_face_and_your_face_now_show_the_same_reading_live_paused_and_ended(
    start: Callable[..., Running], clip: Path
) -> None:
    run = start(AppOptions(source=str(clip), offline=True))
    app = run.app
    panel = app.mood_panel

    def same_reading() -> bool:
        reading = app.video.reading
        if reading is None:
            return False
        bar_value = panel.bars.itemcget(panel._bar_items[EMOTIONS.index(reading[0])][3], "text")
        return panel.reading.cget("text").endswith(f": {reading[0]}") and bar_value == f"{reading[1]:.0%}"

    run.until(same_reading, "the face reading on the box and by the bars")
    for _ in range(20):  # frame after frame, the two agree
        run.frames_after(app.stats.frames_drawn)
        assert same_reading()
    run.press(app.video.screen, "<space>")  # paused: the picture stays, and says it is the last reading
    pump_for(run.root, 0.3)
    assert not panel.live and panel.reading.cget("text").startswith("Your face, last read: ")
    assert app.video.reading is not None and panel.reading.cget("text").split(": ")[1].startswith(app.video.reading[0])
    run.press(app.video.screen, "<space>")
    assert panel.live
    run.until(lambda: app.video.problem_visible, "the end of the video", timeout=60)
    assert not panel.live and "the video ended" in panel.reading.cget("text")
    assert app.controls.pause_button.instate(["disabled"])  # nothing to pause without a picture
    bar = panel._bar_items[0][2]
    assert panel.bars.itemcget(bar, "fill") == app.palette.muted  # the bars are grey, not live


def test_the_list_goes_to_new_songs_by_itself_only_when_nobody_touched_it(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    run.root.geometry("900x600")
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    panel = run.app.playlist
    now = [1000.0]
    panel._clock = lambda: now[0]
    panel._touched_at = now[0]
    tracks = panel.tracks
    panel.append_tracks(tracks, "sad", "Songs to match sad")  # the user was just here: stay
    pump_for(run.root, 0.2)
    assert panel.tree.selection() == ("0",) and panel.jump_button.winfo_ismapped()
    assert panel.heading.cget("text") == "Songs to match happy"
    now[0] += playlist_panel.SCROLL_BY_ITSELF_AFTER_S + 1
    panel.append_tracks(tracks, "angry", "Songs to match angry")  # left alone for a while: go there
    pump_for(run.root, 0.2)
    # To the first songs not seen yet (sad's), not past them to the newest.
    assert panel.tree.selection() == ("10",) and panel.rows_in_view()[:2] == ["new-1", "10"]
    assert panel.heading.cget("text") == "Songs to match sad" and panel.jump_button.winfo_ismapped()


@pytest.mark.slow
def test_the_selected_row_stands_out_and_new_rows_do_not_shift_the_window(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    run.app.apply_settings(run.app.controller.settings.replace(theme="dark"))
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    panel, tree = run.app.playlist, run.app.playlist.tree
    pump_for(run.root, 0.3)
    x, y, width, _height = tree.bbox("0")
    image = screenshot(run.root, "selected-row-dark")
    left = tree.winfo_rootx() - run.root.winfo_rootx() + x + width // 2
    top = tree.winfo_rooty() - run.root.winfo_rooty() + y + 2
    accent = tuple(int(ACCENT[i : i + 2], 16) for i in (1, 3, 5))
    pixel = image.getpixel((left, top))
    assert isinstance(pixel, tuple)
    assert all(abs(a - b) <= 12 for a, b in zip(pixel[:3], accent, strict=True)), pixel  # the accent, not pale grey

    edges = (run.app.video.winfo_width(), panel.winfo_rootx(), run.app.mood_panel.winfo_width())
    panel.append_tracks(panel.tracks * 3, "happy", "Songs to match happy")  # the scrollbar comes
    run.until(lambda: panel.scroll.winfo_ismapped(), "the scrollbar")
    pump_for(run.root, 0.3)
    assert (run.app.video.winfo_width(), panel.winfo_rootx(), run.app.mood_panel.winfo_width()) == edges


def test_settings_show_what_the_environment_sets_and_say_smoothing_bounds_plainly(
    start: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPOTIPY_REDIRECT_URI", "http://127.0.0.1:9999/callback")
    run = start(AppOptions(source="99", offline=True))
    run.app.open_settings()
    dialog = run.app._settings_dialog
    assert isinstance(dialog, SettingsDialog)
    assert dialog.redirect_uri.get() == "http://127.0.0.1:9999/callback"
    texts = [str(w.cget("text")) for w in dialog.winfo_children()[0].winfo_children() if w.winfo_class() == "TLabel"]
    assert "set by SPOTIPY_REDIRECT_URI in the environment" in texts
    assert any("developer.spotify.com" in text for text in texts)
    dialog.smoothing.set(99.0)
    dialog.save()
    assert dialog.error.cget("text") == "Mood smoothing must be from 0 to 5 seconds (not 99)"
    dialog.smoothing.set(1.0)
    dialog.save()
    run.until(lambda: not dialog.winfo_exists(), "the dialog to close")
    assert run.app.controller.settings.spotify_redirect_uri != "http://127.0.0.1:9999/callback"  # not saved
