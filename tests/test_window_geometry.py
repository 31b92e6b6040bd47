"""Fitting a saved window geometry to the screen there is now (``emotune.window_geometry``):
plain functions, no Tk."""

from __future__ import annotations

import pytest

from emotune.window_geometry import Geometry, Requested, Screen, fit_to_screen, parse_geometry, restored_geometry

SCREEN = Screen(1400, 900)
MINIMUM = (760, 520)


@pytest.mark.parametrize(
    ("saved", "expected"),
    [
        ("1000x700+100+50", "1000x700+100+50"),  # fits: left as it was
        ("1000x700+5000+4000", "1000x700+400+200"),  # a monitor since unplugged: brought back
        ("99999x99999+0+0", "1400x900+0+0"),  # saved maximised, or a hand edit X cannot draw
        ("40000x300+-9000+0", "1400x520+0+0"),  # too wide, too short, left of the screen
        ("100x100+10+10", "760x520+10+10"),  # below the window's minimum
        ("1000x700-0-0", "1000x700+400+200"),  # from the right and bottom edges
        ("1000x700-100+20", "1000x700+300+20"),
        ("1000x700", "1000x700"),  # no place: the window manager chooses
    ],
)
def test_a_saved_geometry_is_fitted_to_the_screen(saved: str, expected: str) -> None:
    assert str(restored_geometry(saved, SCREEN, MINIMUM)) == expected


def test_a_second_monitor_left_of_the_main_one_keeps_its_window() -> None:
    both = Screen(width=3320, height=1080, x=-1920, y=0)
    assert str(restored_geometry("1000x700+-1500+100", both, MINIMUM)) == "1000x700+-1500+100"
    assert str(restored_geometry("1000x700+-9000+100", both, MINIMUM)) == "1000x700+-1920+100"


def test_a_screen_smaller_than_the_minimum_wins() -> None:
    assert fit_to_screen(Requested(1000, 700, ("+", 0, "+", 0)), Screen(640, 480), MINIMUM) == Geometry(640, 480, 0, 0)


@pytest.mark.parametrize("saved", ["", "big", "1000x", "x700+1+1", "1000x700+1", "1e3x700", "-5x700+0+0"])
def test_what_is_not_a_geometry_is_none(saved: str) -> None:
    assert parse_geometry(saved) is None
    assert restored_geometry(saved, SCREEN, MINIMUM) is None
