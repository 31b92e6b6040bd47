"""Which mood is in force, and who set it: the face (tracked) or the user (picked or locked).

Pure state, no threads and no display. The window shows what ``in_force`` and ``origin`` say;
the controller asks for songs when ``in_force`` changes.
"""

from __future__ import annotations

from typing import Literal

MoodOrigin = Literal["face", "user"]


class MoodChoice:
    def __init__(self, locked_mood: str | None = None) -> None:
        self.tracked: str | None = None  # the mood read from the face
        self.manual: str | None = locked_mood  # the mood the user picked or locked
        self.locked = locked_mood is not None

    @property
    def in_force(self) -> str | None:
        return self.manual if self.locked else self.tracked

    @property
    def origin(self) -> MoodOrigin:
        return "user" if self.locked else "face"

    def set_tracked(self, mood: str) -> bool:
        """The face's mood changed to ``mood``; True when that changes the mood in force."""
        if mood == self.tracked:
            return False
        self.tracked = mood
        return not self.locked

    def lock(self, locked: bool) -> bool:
        """Lock the mood in force (or unlock); False when there is nothing to lock yet."""
        if locked and self.manual is None:
            self.manual = self.tracked
        if locked and self.manual is None:
            self.locked = False
            return False
        self.locked = locked
        if not locked:
            self.manual = None
        return True

    def choose(self, mood: str | None) -> None:
        """A mood picked by hand locks it; ``None`` goes back to reading the face."""
        self.manual = mood
        self.locked = mood is not None
