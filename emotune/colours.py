"""The colour of each mood, shared by the window (the panels, the journal view) and the journal's
pictures (``emotune.journal.export``).

Mid-saturation colours that read on light and dark backgrounds, with white text on top. Only
data lives here: no tkinter, so the PNG export and the command line can use it.
"""

from __future__ import annotations

MOOD_COLOURS: dict[str, str] = {
    "angry": "#d64541",
    "disgust": "#7a9a3a",
    "fear": "#8e5bb5",
    "happy": "#e8a317",
    "neutral": "#6c7a89",
    "sad": "#3a78c2",
    "surprise": "#e0668c",
}
NO_MOOD_COLOUR = "#9aa5b1"


def mood_colour(mood: str | None) -> str:
    """``#rrggbb`` for a mood label; a neutral grey for None or an unknown label."""
    return MOOD_COLOURS.get(mood or "", NO_MOOD_COLOUR)


def mood_rgb(mood: str | None) -> tuple[int, int, int]:
    """The same colour as an (r, g, b) tuple of 0..255, for Pillow."""
    colour = mood_colour(mood)
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
