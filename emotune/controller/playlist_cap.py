"""How long the song list may grow: ``MAX_ROWS`` rows, and which rows make room.

The face appends the new mood's songs to the list at each mood change (ten rows by default), so
over a day of watching it would grow without end. When an append would pass ``MAX_ROWS``, the
oldest rows go first, except the row selected and the row the music was started from (the user
is looking at one, listening from the other). No tkinter here: the controller applies the
answer to its own list and tells the view which rows to drop (``View.drop_tracks``).
"""

from __future__ import annotations

from collections.abc import Collection

MAX_ROWS = 200


def rows_to_drop(count: int, adding: int, keep: Collection[int], cap: int = MAX_ROWS) -> list[int]:
    """Indexes (ascending) of the oldest of ``count`` rows to drop so that ``adding`` more fit in
    ``cap``; never one in ``keep``. Empty when they fit already."""
    excess = count + adding - cap
    if excess <= 0:
        return []
    return [row for row in range(count) if row not in keep][:excess]
