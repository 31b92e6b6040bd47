"""Opening a reading window (the Journal, "Did the music help?") that may be open already: the
one open is raised and reads its data again, never made twice."""

from __future__ import annotations

from typing import Protocol, TypeVar


class ReadingWindow(Protocol):
    closed: bool  # set as it is destroyed: answers on their way find nothing to update

    def winfo_exists(self) -> bool: ...

    def lift(self) -> None: ...

    def refresh(self) -> None: ...


W = TypeVar("W", bound=ReadingWindow)


def raise_open(current: W | None) -> W | None:
    """``current`` raised and re-read if it is still open; None when a new one is to be made."""
    if current is None or current.closed or not current.winfo_exists():
        return None
    current.lift()
    current.refresh()
    return current
