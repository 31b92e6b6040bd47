"""The song list's cap in the real window on Xvfb: when the controller drops the oldest
rows, the window drops exactly those, renumbers the rest, and keeps each row's mood and the
selected song selected."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from emotune.controller.options import AppOptions
from tests.support.gui import Running

pytestmark = pytest.mark.gui


def test_dropping_rows_keeps_order_moods_and_the_selection(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", mood="happy", offline=True))
    app, panel = run.app, run.app.playlist
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    happy, playlist = panel.tracks, app.controller.playlist
    assert panel.playlist is playlist  # one list: the controller changes it, the window draws it
    playlist.append(happy[:4], "sad", "Songs to match sad")  # the face moved on: four more rows
    app.playlist_changed(appended=True)
    panel.tree.selection_set("2")
    assert app.selected_row() == 2
    playlist.drop([0, 1, 3])  # as the controller's cap does
    app.drop_tracks([0, 1, 3])
    run.root.update()
    assert panel.tracks == (happy[2], *happy[4:], *happy[:4])
    assert app.selected_row() == 0 and panel.selected() == happy[2]
    rows = [panel.tree.item(iid, "values") for iid in run.playlist_rows()]
    assert [int(r[0]) for r in rows] == list(range(1, 12))
    assert [r[3] for r in rows] == ["happy"] * 7 + ["sad"] * 4
    # The appended block keeps its marker row, before its first song.
    children = panel.tree.get_children()
    assert children[7] == "new-1" and panel.tree.set("new-1", "mood") == "sad"
    assert panel.tree.set("new-1", "title").startswith("New songs for")  # cut with "…" in a narrow column
