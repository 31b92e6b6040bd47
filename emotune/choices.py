"""The closed sets of choices the app offers, as ``Literal`` types and their tuples.

One place for each list, so the settings, the command line, the GUI and the code that acts on a
choice cannot drift apart. Core module: imports nothing from vision, music or gui.
"""

from __future__ import annotations

from typing import Literal, get_args

Detector = Literal["yunet", "haar"]
DETECTORS: tuple[Detector, ...] = get_args(Detector)

Strategy = Literal["match", "lift"]
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)

OpenWith = Literal["app", "browser"]
OPEN_WITH: tuple[OpenWith, ...] = get_args(OpenWith)

Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)

# How quickly the music follows the face (emotune.vision.music_mood documents each pace).
Pace = Literal["calmly", "normally", "quickly"]
PACES: tuple[Pace, ...] = get_args(Pace)
