"""The song list as one state that the controller changes and the window draws.

A ``Playlist`` holds the rows (tracks, first row first) in blocks: the songs that came in
together, with the mood they were chosen for and their heading. A new list replaces it; the
face's next mood appends a block. The ``AppController`` is the only one that changes it; the
playlist panel reads the same object (row N of the window is ``tracks[N]``), so there is no
second list to keep in step.

How long the list may grow: ``MAX_ROWS`` rows. The face appends the new mood's songs at each
mood change (ten rows by default), so over a day of watching it would grow without end. When an
append would pass ``MAX_ROWS``, the oldest rows go first (``rows_to_drop``), except the row
selected and the row the music was started from (the user is looking at one, listening from the
other); the controller tells the view which rows went (``View.drop_tracks``).

No toolkit here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from emotune.music.tracks import Track

MAX_ROWS = 200


def rows_to_drop(count: int, adding: int, keep: Collection[int], cap: int = MAX_ROWS) -> list[int]:
    """Indexes (ascending) of the oldest of ``count`` rows to drop so that ``adding`` more fit in
    ``cap``; never one in ``keep``. Empty when they fit already."""
    excess = count + adding - cap
    if excess <= 0:
        return []
    return [row for row in range(count) if row not in keep][:excess]


@dataclass(frozen=True)
class Block:
    """Songs that came in together: the first row's index, their mood and their heading."""

    start: int
    mood: str
    heading: str


class Playlist:
    def __init__(self, cap: int = MAX_ROWS) -> None:
        self.cap = cap
        self.tracks: tuple[Track, ...] = ()
        self.blocks: list[Block] = []

    def replace(self, tracks: Sequence[Track], mood: str, heading: str) -> None:
        """A new list (the user asked for it)."""
        self.tracks, self.blocks = (), []
        self.append(tracks, mood, heading)

    def append(self, tracks: Sequence[Track], mood: str, heading: str) -> None:
        """More rows at the end, as a block of their own."""
        self.blocks.append(Block(len(self.tracks), mood, heading))
        self.tracks += tuple(tracks)

    def end_of(self, number: int) -> int:
        """The index after block ``number``'s last row."""
        return self.blocks[number + 1].start if number + 1 < len(self.blocks) else len(self.tracks)

    def block_at(self, index: int) -> int:
        """The number of the block row ``index`` is in (0 for an empty list)."""
        return max((number for number, block in enumerate(self.blocks) if block.start <= index), default=0)

    def mood_of(self, track: Track) -> str | None:
        """The mood of the block ``track`` was shown in (its latest, if it is there twice)."""
        for index in range(len(self.tracks) - 1, -1, -1):
            if self.tracks[index] == track:
                return self.blocks[self.block_at(index)].mood
        return None

    def index(self, track: Track | None) -> int | None:
        """The row of ``track`` (its first), None if it is not in the list."""
        return self.tracks.index(track) if track is not None and track in self.tracks else None

    def make_room(self, adding: int, keep: Collection[int | None]) -> list[int]:
        """Drop the oldest rows so that ``adding`` more stay within the cap, never one in ``keep``
        (the selected row, the one the music started from); the rows dropped, ascending."""
        rows = rows_to_drop(len(self.tracks), adding, {row for row in keep if row is not None}, self.cap)
        self.drop(rows)
        return rows

    def drop(self, rows: Collection[int]) -> None:
        """Remove rows; the others keep their order and their block (a block left empty goes)."""
        gone = set(rows)
        kept: list[tuple[Block, list[Track]]] = []
        for number, block in enumerate(self.blocks):
            songs = [self.tracks[i] for i in range(block.start, self.end_of(number)) if i not in gone]
            if songs:
                kept.append((block, songs))
        self.tracks, self.blocks = (), []
        for block, songs in kept:
            self.append(songs, block.mood, block.heading)
