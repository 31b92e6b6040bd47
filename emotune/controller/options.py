"""What the command line asks of the window's ``AppController``: the source, offline, a mood.

No toolkit.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from emotune.labels import EMOTIONS


@dataclass(frozen=True)
class AppOptions:
    source: str | None = None
    offline: bool = False
    mood: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AppOptions:
        source = getattr(args, "source", None)
        camera = getattr(args, "camera", None)
        if source is None and camera is not None:
            source = str(camera)
        mood = getattr(args, "mood", None)
        return cls(source, bool(getattr(args, "offline", False)), mood if mood in EMOTIONS else None)
