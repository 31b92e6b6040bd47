"""Which blocks of the song list the person has seen, for the "New songs ↓" button and N.

A block (songs that came in together, ``emotune.controller.playlist``) counts as seen once one
of its rows has been in view. The button counts the songs of every block not seen yet, and N
goes to the first of them: two mood changes while the person scrolled left two blocks unseen,
and counting or jumping to the newest alone skipped the first unseen.

The first block of a list is at its top, seen from the start. No toolkit here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from emotune.controller.playlist import Playlist


class SeenBlocks:
    def __init__(self) -> None:
        self.seen: set[int] = {0}

    def reset(self) -> None:
        """A new list: only its first block, at the top, is seen."""
        self.seen = {0}

    def saw(self, numbers: Iterable[int]) -> None:
        self.seen.update(numbers)

    def unseen(self, playlist: Playlist) -> list[int]:
        """The numbers of the blocks not seen yet, first first."""
        return [number for number in range(1, len(playlist.blocks)) if number not in self.seen]

    def button_text(self, playlist: Playlist) -> str:
        """What the button under the list says ("" when every block has been seen)."""
        unseen = self.unseen(playlist)
        if not unseen:
            return ""
        count = sum(playlist.end_of(number) - playlist.blocks[number].start for number in unseen)
        moods = list(dict.fromkeys(playlist.blocks[number].mood for number in unseen))
        named = moods[0] if len(moods) == 1 else ", ".join(moods[:-1]) + f" and {moods[-1]}"
        return f"↓  {count} new songs for {named} below (N)"

    def after_drop(self, starts: list[int], total: int, gone: Collection[int]) -> None:
        """Renumber after rows ``gone`` left a list whose blocks started at ``starts`` (``total``
        rows): a block left empty is no more, and those after it move up."""
        seen, number = {0}, 0
        for old, start in enumerate(starts):
            end = starts[old + 1] if old + 1 < len(starts) else total
            if any(row not in gone for row in range(start, end)):
                if old in self.seen:
                    seen.add(number)
                number += 1
        self.seen = seen
