"""The mood journal and song feedback in the real window (Tk on Xvfb): what a session leaves in the
journal as ``journal --json`` reads it, feedback from the command line and from the playlist's
keys, menu and buttons, the Journal window (bands, totals, songs, export, forget) and the setting.

Every test fails on an exception in a Tk callback (the ``start`` fixture). Waits are guards
against hanging (generous, for a loaded machine), never measurements.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image

from emotune.colours import mood_colour, mood_rgb
from emotune.controller.options import AppOptions
from emotune.gui.journal_view import JournalWindow
from emotune.journal.store import DB_FILE, Journal, SegmentSource, SongEvent
from emotune.labels import EMOTIONS
from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.feedback_store import FEEDBACK_FILE, FeedbackStore
from emotune.music.tracks import Track
from testbed.media import talking_head_frames, write_video
from testbed.paths import REPO
from tests.support.gui import Running
from tests.support.paths import UserFolders

pytestmark = pytest.mark.gui


def emotune_command(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m emotune ARGS`` with this test's folders (the environment ``user_dirs`` set)."""
    return subprocess.run(
        [sys.executable, "-m", "emotune", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        env=dict(os.environ),
        check=False,
    )


def first_list(run: Running) -> tuple[Track, ...]:
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    return run.app.playlist.tracks


@pytest.mark.slow
def test_twelve_seconds_of_video_are_in_the_journal_after_closing(
    start: Callable[..., Running], tmp_path: Path
) -> None:
    video = write_video(tmp_path / "talking-head.avi", talking_head_frames(450), fps=30.0)  # 15 s
    run = start(AppOptions(source=str(video), offline=True))
    app = run.app
    run.until(lambda: app.controller.mood_in_force is not None, "a music mood")
    mood_at = time.time()
    sources = app.controller.sources
    run.until(lambda: sources.latest is not None and sources.latest.t >= 12.0, "12 seconds of the video")
    closed_at = time.time()
    assert app.close()

    answer = emotune_command("journal", "--json")
    assert answer.returncode == 0, answer.stderr
    segments = [json.loads(line) for line in answer.stdout.splitlines()]
    assert segments, "the session left no segments"
    assert all(s["source"] == "face" and s["mood"] in EMOTIONS for s in segments)
    assert all(set(s["scores"]) == set(EMOTIONS) for s in segments)
    spans = [
        (datetime.fromisoformat(s["start"]).timestamp(), datetime.fromisoformat(s["end"]).timestamp()) for s in segments
    ]
    # From the first mood to the close, with no hole: the music mood held all along.
    assert spans[0][0] <= mood_at + 1.0
    assert spans[-1][1] >= closed_at - 0.5
    assert all(later[0] - earlier[1] <= 0.5 for earlier, later in itertools.pairwise(spans))
    assert sum(end - begin for begin, end in spans) >= closed_at - mood_at - 1.5
    assert spans[0][0] >= mood_at - 12.0  # nothing from before the session


@pytest.mark.slow
def test_feedback_from_the_command_line_changes_the_next_lists_in_the_window(
    start: Callable[..., Running],
) -> None:
    run = start(AppOptions(source="99", mood="happy", offline=True))
    shown = first_list(run)
    disliked = shown[0]
    assert run.app.close()
    # A track that fits happy, but is the farthest of its pool: without a like, a list rarely shows it.
    liked = CatalogSession(load_catalog()).pool("happy")[-1]
    for track_id, verdict in ((disliked.id, "dislike"), (liked.id, "like")):
        answer = emotune_command("feedback", track_id, verdict)
        assert answer.returncode == 0, answer.stderr

    run = start(AppOptions(source="99", mood="happy", offline=True))
    app = run.app
    shown = first_list(run)
    assert liked in shown and disliked not in shown  # the liked one is in the next list of ten
    row = str(shown.index(liked))
    run.until(lambda: app.song_feedback.mark_of(row) == "♥", "the liked row's mark")
    seen = list(shown)
    for _ in range(22):  # more lists than the mood's pool holds: they go round, the dislike stays out
        before = app.playlist.tracks
        run.press(app.video.screen, "<KeyPress-r>")
        run.until(lambda old=before: app.playlist.tracks != old, "more songs")  # type: ignore[misc]
        seen += app.playlist.tracks
    assert disliked not in seen
    assert len(seen) > len(set(seen)), "the lists went round the pool, so songs came back"


def test_keys_menu_and_buttons_record_verdicts_and_mark_rows_that_stay(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    run = start(AppOptions(source="99", mood="sad", offline=True))
    app = run.app
    shown = first_list(run)
    tree, feedback = app.playlist.tree, app.controller.feedback

    def select(row: int) -> None:
        tree.selection_set(str(row))
        tree.focus(str(row))

    select(3)
    run.press(tree, "<KeyPress-l>")
    assert feedback.verdict(shown[3].id) == "like"
    assert app.song_feedback.mark_of("3") == "♥" and "verdict-like" in tree.item("3", "tags")
    assert app.status.note.cget("text").startswith(f"Liked “{shown[3].name}”")
    run.press(tree, "<KeyPress-L>")  # the same key again takes it back
    assert feedback.verdict(shown[3].id) is None and app.song_feedback.mark_of("3") == ""

    select(4)
    run.press(tree, "<KeyPress-d>")
    assert feedback.verdict(shown[4].id) == "dislike" and app.song_feedback.mark_of("4") == "✕"
    assert app.playlist.tracks == shown and len(run.playlist_rows()) == 10  # marked, not removed

    select(5)
    app.playlist.menu.invoke("Never play this artist")
    assert feedback.verdict(shown[5].id) == "never_artist" and app.song_feedback.mark_of("5") == "⊘"
    select(6)
    app.playlist.menu.invoke("Never play this track")
    assert feedback.verdict(shown[6].id) == "never_track"
    app.playlist.menu.invoke("Clear")
    assert feedback.verdict(shown[6].id) is None and app.song_feedback.mark_of("6") == ""
    select(7)
    app.song_feedback.like_button.invoke()
    select(8)
    app.song_feedback.dislike_button.invoke()
    assert feedback.verdict(shown[7].id) == "like" and feedback.verdict(shown[8].id) == "dislike"

    # L and D belong to the list: elsewhere in the window they like nothing.
    select(9)
    run.press(app.video.screen, "<KeyPress-l>")
    run.press(app.controls.mood_box, "<KeyPress-d>")
    assert feedback.verdict(shown[9].id) is None

    assert app.close()
    with FeedbackStore.open(user_dirs.data / FEEDBACK_FILE) as book:
        stored = {f.track_id: f.verdict for f in book.all()}
    assert stored == {
        shown[4].id: "dislike",
        shown[5].id: "never_artist",
        shown[7].id: "like",
        shown[8].id: "dislike",
    }


def record_today(path: Path) -> list[tuple[str, SegmentSource]]:
    """Three mood segments of 20 s today and an opened song; returns their (mood, source)."""
    midnight = datetime.combine(date.today(), datetime.min.time()).timestamp()
    base = max(time.time() - 90.0, midnight + 1.0)
    moods: list[tuple[str, SegmentSource]] = [("happy", "face"), ("sad", "face"), ("fear", "user")]
    with Journal.open(path) as book:
        for i, (mood, source) in enumerate(moods):
            segment = book.begin_segment(mood, source, base + 20 * i)
            book.update_segment(segment, base + 20 * (i + 1), {"happy": 0.5} if source == "face" else None)
        book.add_songs([SongEvent(base + 5, "4uLU6hMCjMI75M1A2tKUQC", "Never Gonna", ("Rick",), "happy", "opened")])
    return moods


def test_the_journal_window_draws_the_history_exports_and_forgets(
    start: Callable[..., Running], user_dirs: UserFolders, tmp_path: Path
) -> None:
    moods = record_today(user_dirs.data / DB_FILE)
    run = start(AppOptions(source="99", offline=True))
    app = run.app
    run.press(app.video.screen, "<Control-j>")
    window = app._journal_window
    assert isinstance(window, JournalWindow)
    run.until(lambda: window.report is not None, "the journal to be read")
    bands = window.timeline.find_withtag("band")
    assert len(bands) == 3
    assert [window.timeline.itemcget(b, "fill") for b in bands] == [mood_colour(m) for m, _ in moods]
    assert len(window.totals.find_withtag("total")) == 3
    assert window.status.cget("text") == "3 mood segments, 1 min in all"
    (mood_row,) = window.songs.get_children()
    assert window.songs.item(mood_row, "text") == "happy (other 1)"
    (song_row,) = window.songs.get_children(mood_row)
    assert window.songs.item(song_row, "text") == "Never Gonna – Rick"

    # The toolbar button raises the same window.
    app.controls.journal_button.invoke()
    assert app._journal_window is window

    # Any range of days; a bad date says so and keeps what is shown.
    window.since_text.set(date.today().isoformat())
    window.until_text.set(date.today().isoformat())
    window.show_button.invoke()
    # Until the read is back: the status says so (the report shown meanwhile is today's, and its
    # answer arriving after the export's would overwrite the export's note).
    run.until(lambda: window.status.cget("text") != "Reading the journal…", "the range")
    assert window.status.cget("text") == "3 mood segments, 1 min in all"
    assert window.report is not None and window.report.since is not None
    assert len(window.timeline.find_withtag("band")) == 3
    window.since_text.set("yesterday-ish")
    window.show_button.invoke()
    assert window.range_error.cget("text") == "From: yesterday-ish is not a date like 2026-03-01"

    table, picture = tmp_path / "journal.csv", tmp_path / "journal.png"
    window.export("csv", table)
    run.until(lambda: window.status.cget("text") == f"Wrote 3 mood segments to {table}", "the CSV")
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["mood"], r["source"]) for r in rows] == moods
    window.export("png", picture)
    run.until(lambda: window.status.cget("text") == f"Drew the mood timeline in {picture}", "the PNG")
    with Image.open(picture) as image:
        colours = {colour for _count, colour in image.convert("RGB").getcolors(1_000_000) or []}
    assert {mood_rgb(m) for m, _ in moods} <= colours

    # Forget: nothing without the user's yes; with it, today's history is gone.
    window.ask = lambda _title, _text: False
    window.forget_history("today")
    assert window.status.cget("text") != "Forgetting…"
    with Journal.open(user_dirs.data / DB_FILE) as book:
        assert len(book.segments()) == 3
    window.period.set("today")
    window.ask = lambda _title, _text: True
    window.forget_history("today")
    run.until(lambda: window.status.cget("text").startswith("Forgot 3 mood segments"), "the forgetting")
    assert not window.timeline.find_withtag("band") and not window.songs.get_children()
    with Journal.open(user_dirs.data / DB_FILE) as book:
        assert book.segments() == [] and book.songs() == []
    window.destroy()
    assert app.close()


def test_the_settings_checkbox_turns_the_journal_off_and_back_on(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    run = start(AppOptions(source="99", mood="happy", offline=True))
    app = run.app
    first_list(run)
    app.open_settings()
    dialog = app._settings_dialog
    assert dialog is not None and dialog.journal.get() is True
    dialog.journal.set(False)
    dialog.save()
    assert not app.controller.journal.enabled
    assert app.status.note.cget("text") == "Mood journal off: nothing more is recorded"
    assert json.loads((user_dirs.config / "settings.json").read_text())["journal_enabled"] is False
    before = app.playlist.tracks
    app.controller.more_songs()  # a list shown while the journal is off is not recorded
    run.until(lambda: app.playlist.tracks != before, "more songs")
    assert app.close()
    with Journal.open(user_dirs.data / DB_FILE) as book:
        segments, songs = book.segments(), book.songs()
    assert [(s.mood, s.source) for s in segments] == [("happy", "user")]  # recorded before, kept
    assert len(songs) == 10
