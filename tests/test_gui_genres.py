"""The Genres menu and "More like this" in the real window on Xvfb (bundled catalog, offline).

The genre choice is checked where a person sees it: the status bar is screenshotted after a
restart and read by OCR (tests/support/screen.py), besides what the settings file and the
song list hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from emotune import moods
from emotune.controller.options import AppOptions
from emotune.gui.genre_menu import MORE_LIKE_LABEL
from emotune.music.catalog import load_catalog, path_distances
from tests.support.gui import Running
from tests.support.paths import UserFolders
from tests.support.screen import covered_controls, read_text, readable, screenshot

pytestmark = pytest.mark.gui


def menu_index(menu: object, label: str) -> int:
    """The index of the entry labelled ``label`` in a Tk menu."""
    last = menu.index("end")  # type: ignore[attr-defined]
    for index in range(last + 1):
        if menu.type(index) != "separator" and menu.entrycget(index, "label") == label:  # type: ignore[attr-defined]
            return index
    raise AssertionError(f"no menu entry {label!r}")


def genres_shown(run: Running) -> set[str]:
    return {track.genre for track in run.app.playlist.tracks}


@pytest.mark.slow
def test_the_genre_choice_applies_and_is_remembered_across_a_restart(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    run = start(AppOptions(source="99", offline=True, mood="sad"))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    assert app.genre_menu.cget("text") == "Genres: any"
    assert len(genres_shown(run)) > 1  # any genre: a mix

    menu = app.genre_menu.menu
    menu.invoke(menu_index(menu, "Rock"))  # what a click on the check item does
    run.until(lambda: genres_shown(run) == {"rock"} and len(run.playlist_rows()) == 10, "a rock-only list")
    assert app.genre_menu.cget("text") == "Genres: Rock"
    assert json.loads((user_dirs.config / "settings.json").read_text())["genres"] == ["rock"]
    app.close()

    again = start(AppOptions(source="99", offline=True, mood="sad"))
    run_again = again.app
    assert run_again.controller.settings.genres == ["rock"]
    assert run_again.genre_menu.ticks["rock"].get() and run_again.genre_menu.chosen == ("rock",)
    again.until(lambda: len(again.playlist_rows()) == 10, "a playlist after the restart")
    assert genres_shown(again) == {"rock"}
    # What a person sees: the status bar says the choice, and the menu button is not covered.
    again.until(lambda: run_again.genre_menu.winfo_viewable(), "the Genres menu button drawn")
    seen = read_text(screenshot(run_again.status, "genres-after-restart"))
    assert readable("Genres: Rock", seen), seen
    assert not [c for c in covered_controls(run_again.root) if "Genres" in c]

    # Three or more: the first and a count, so the status bar does not widen the window.
    run_again.genre_menu.choose(("rock", "pop", "r&b"))
    assert run_again.genre_menu.cget("text") == "Genres: Pop +2"
    # "Any genre" brings the mix back, and is remembered too.
    menu = run_again.genre_menu.menu
    menu.invoke(menu_index(menu, "Any genre"))
    again.until(lambda: len(genres_shown(again)) > 1, "a list of any genre")
    assert json.loads((user_dirs.config / "settings.json").read_text())["genres"] == []


def test_more_like_this_from_the_key_and_the_context_menu(start: Callable[..., Running]) -> None:
    run = start(AppOptions(source="99", offline=True, mood="happy"))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    catalog = load_catalog()
    distances = path_distances(catalog.matrix, moods.target_path("happy", "match"))
    fitting = {t.id for t, d in zip(catalog.tracks, distances, strict=True) if d <= moods.FIT_DISTANCE}

    tree = app.playlist.tree
    tree.selection_set("3")
    tree.focus("3")
    seed = app.playlist.tracks[3]
    first_list = {t.id for t in app.playlist.tracks}
    run.press(tree, "<KeyPress-m>")
    heading = f"Songs like “{seed.name}” for happy"
    run.until(lambda: app.playlist.heading.full_text == heading, "the list of songs like the selected one")
    like = app.playlist.tracks
    assert len(like) == 10 and seed.id not in {t.id for t in like}
    assert {t.id for t in like} <= fitting and not {t.id for t in like} & first_list

    tree.selection_set("0")
    tree.focus("0")
    second_seed = app.playlist.tracks[0]
    app.playlist.menu.invoke(menu_index(app.playlist.menu, MORE_LIKE_LABEL))
    heading = f"Songs like “{second_seed.name}” for happy"
    run.until(lambda: app.playlist.heading.full_text == heading, "the list like the first row")
    assert second_seed.id not in {t.id for t in app.playlist.tracks}
