"""Song requests, one at a time, with a generation number that drops stale answers.

Finding songs blocks (catalog, Spotify), so it runs on the music lane, one request at a time.
Every request the user or the mood makes gets the next generation number. While one runs, new
ones merge into a single pending request (the newest mood; "more" if any of them asked for
more). An answer is shown only if no newer request was made since it was asked; otherwise it
is dropped and the pending request runs. Pure state, no threads: the controller submits.

A request asked for by the face (the music mood changed on its own) ``appends``: its songs come
in as the next songs of the list, never replacing the rows under the user's hand. A request the
user made (a mood picked, "More songs", match/lift) replaces the list; merged, replacing wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from emotune.choices import Strategy
from emotune.music.tracks import Track


@dataclass(frozen=True)
class SongRequest:
    generation: int
    mood: str
    strategy: Strategy
    more: bool  # the next songs of the mood's list, rather than its first ones
    append: bool = False  # add the songs after the list shown instead of replacing it
    like: Track | None = None  # "more like this": songs near this track rather than the mood's list


class SongRequests:
    def __init__(self) -> None:
        self.generation = 0  # of the newest request made
        self.asked_mood: str | None = None  # the mood of the list shown or being fetched
        self.running: SongRequest | None = None
        self.pending: SongRequest | None = None

    def ask(
        self,
        mood: str,
        strategy: Strategy,
        *,
        more: bool = False,
        force: bool = False,
        append: bool = False,
        like: Track | None = None,
    ) -> SongRequest | None:
        """A request for ``mood``; returned when it should be submitted now, None when it is not
        needed (the list is already for that mood, and ``force`` is off) or waits as pending."""
        if not force and mood == self.asked_mood:
            return None
        self.generation += 1
        self.asked_mood = mood
        request = SongRequest(self.generation, mood, strategy, more, append, like)
        if self.running is not None:
            merged_more = more or (self.pending is not None and self.pending.more)
            merged_append = append and (self.pending is None or self.pending.append)
            self.pending = SongRequest(request.generation, mood, strategy, merged_more, merged_append, like)
            return None
        self.running = request
        return request

    def answered(self, request: SongRequest) -> tuple[bool, SongRequest | None]:
        """``request`` came back: whether its answer is still wanted (no newer request was made),
        and the pending request to submit next, if any."""
        fresh = request.generation == self.generation
        self.running, next_request, self.pending = self.pending, self.pending, None
        return fresh, next_request

    def forget(self) -> None:
        """Make the next request for any mood go ahead (e.g. after the music side was rebuilt)."""
        self.asked_mood = None


# What "lift" does for each mood, in words: happy and surprise already sit where lift goes.
_LIFT_WORDS = {
    "angry": "Songs to calm an angry mood",
    "disgust": "Songs to lift a sour mood",
    "fear": "Songs to ease a fearful mood",
    "happy": "Songs to keep the happy mood",
    "neutral": "Songs to brighten a neutral mood",
    "sad": "Songs to lift a sad mood",
    "surprise": "Songs to keep the surprise going",
}


def playlist_heading(mood: str, strategy: Strategy) -> str:
    """The heading over a list of songs for ``mood``: "Songs to match sad", "Songs to lift a sad mood"."""
    if strategy == "lift":
        return _LIFT_WORDS.get(mood, f"Songs to lift a {mood} mood")
    return f"Songs to match {mood}"
