"""Song requests that, when the person asks ("Find out what helps me"), draw Match or Lift at random.

An n-of-1 randomised comparison: when the music mood turns low (sad, angry, fear, disgust) and
the setting is on, the list for it is Match or Lift by a fair coin instead of the person's fixed
choice, so that what follows each can be compared without the person's own choices (which may
follow how they feel) biasing the result. "More songs" and other requests for the same low mood
keep the strategy drawn; the person pressing Match or Lift themselves overrides the draw, and
that list is recorded as their own choice. Every list shown is told to the journal with its
strategy, genres and whether it was drawn (``list_shown``); ``emotune.journal.helped`` reads them.

The window says the setting is on: the music status line ends with ``TRIAL_NOTE``, and a list
drawn at random says so in its heading. Pure state, no threads and no toolkit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from emotune.choices import Strategy
from emotune.controller.song_requests import SongRequest, SongRequests, playlist_heading
from emotune.journal.series import LOW_MOODS
from emotune.music.tracks import Track

if TYPE_CHECKING:
    from emotune.controller.journal_link import JournalLink

TRIAL_NOTE = "finding out what helps you"
DRAWN_NOTE = "picked at random"


class Answered(Protocol):
    """What ``heading``, ``status`` and ``list_shown`` need of a recommendation."""

    @property
    def emotion(self) -> str: ...

    @property
    def strategy(self) -> Strategy: ...

    @property
    def like(self) -> Track | None: ...


class FairTrial(SongRequests):
    def __init__(self, enabled: Callable[[], bool], rng: random.Random | None = None) -> None:
        super().__init__()
        self.enabled = enabled
        self.rng = rng or random.SystemRandom()
        self._drawn: tuple[str, Strategy, bool] | None = None  # the low mood in play, its strategy, drawn?
        self._given: Strategy | None = None  # the person's strategy when the draw was made
        self._randomised: dict[int, bool] = {}  # request generation -> drawn at random

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
        chosen, randomised = self._choose(mood, strategy)
        request = super().ask(mood, chosen, more=more, force=force, append=append, like=like)
        self._randomised[self.generation] = randomised
        return request

    def _choose(self, mood: str, strategy: Strategy) -> tuple[Strategy, bool]:
        if not self.enabled() or mood not in LOW_MOODS:
            self._drawn = None
            return strategy, False
        if self._drawn is None or self._drawn[0] != mood or mood != self.asked_mood:
            drawn: Strategy = "lift" if self.rng.random() < 0.5 else "match"
            self._drawn, self._given = (mood, drawn, True), strategy
        elif strategy != self._given:
            # The person pressed Match or Lift: their choice, not the coin's, until the mood changes.
            self._drawn, self._given = (mood, strategy, False), strategy
        return self._drawn[1], self._drawn[2]

    def drawn(self, request: SongRequest) -> bool:
        """Whether ``request``'s strategy was drawn at random."""
        return self._randomised.get(request.generation, False)

    def heading(self, request: SongRequest, answer: Answered) -> str:
        """The list's heading; a "More like this" list names the song it is like."""
        if answer.like is not None:
            return f"Songs like “{answer.like.name}” for {answer.emotion}"
        return playlist_heading(answer.emotion, answer.strategy)

    def status(self, request: SongRequest, answer: Answered, text: str, signed_in: bool) -> str:
        """The music status line after a list: signed in or not, whether the comparison is on and,
        for a list the coin picked, which (in the status line, which has the window's width: the
        heading beside the Like and Dislike buttons has too little room for it)."""
        text = f"{text} · signed in" if signed_in else text
        if self.drawn(request):
            text = f"{text} · {answer.strategy.title()} {DRAWN_NOTE}"
        return f"{text} · {TRIAL_NOTE}" if self.enabled() else text

    def list_shown(self, request: SongRequest, answer: Answered, genres: Sequence[str], journal: JournalLink) -> None:
        """A list was shown: the journal records it (strategy, genres, drawn or chosen)."""
        randomised = self.drawn(request)
        for generation in [g for g in self._randomised if g <= request.generation]:
            del self._randomised[generation]
        if journal.enabled:
            journal.writer.list_begun(answer.emotion, answer.strategy, genres, randomised)
