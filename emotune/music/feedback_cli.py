"""``python -m emotune feedback TRACK_ID like|dislike|clear``: a verdict from the command line.

Stores (or clears) a verdict in ``feedback.sqlite3`` (``emotune.music.feedback_store``) that
``recommend``, ``play`` and the window honour. TRACK_ID may also be a ``spotify:track:`` URI or
an open.spotify.com link. Bad input: ``FeedbackInputError``, one line, exit 2. No network.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from emotune.environment import Environment
from emotune.errors import EmotuneError, ExitStatus, UsageError
from emotune.music.feedback import Feedback, Preferences, Verdict
from emotune.music.feedback_store import FeedbackStore, feedback_path, load_preferences
from emotune.music.tracks import track_id_in
from emotune.text import printable

FEEDBACK_VERDICTS: dict[str, Verdict | None] = {"like": "like", "dislike": "dislike", "clear": None}


class FeedbackInputError(UsageError):
    """A bad argument to ``feedback``."""


def add_feedback_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    feedback_parser = commands.add_parser("feedback", help="like or dislike a track (changes what comes next)")
    feedback_parser.add_argument(
        "track", metavar="TRACK_ID", help="Spotify track ID (or spotify:track: URI, or open.spotify.com link)"
    )
    # Checked by the handler, not by choices=: a bad verdict gets one line, not a usage block.
    feedback_parser.add_argument("verdict", metavar="like|dislike|clear")


def track_id_from(text: str) -> str:
    """A Spotify track ID from an ID, URI or link; FeedbackInputError otherwise."""
    candidate = track_id_in(text)
    if candidate is None:
        raise FeedbackInputError(
            f"track ID {text!r} is not a Spotify track ID (22 letters and digits, as in spotify:track:ID)"
        )
    return candidate


# track ID -> the name and artists it was last seen with, if it was (the journal's songs)
KnownSong = Callable[[str], tuple[str, tuple[str, ...]] | None]


def feedback(args: argparse.Namespace, env: Environment, clock: Callable[[], float], known: KnownSong) -> int:
    """The ``feedback`` command; see the module docstring. ``known`` names a track the catalog lacks."""
    track_id = track_id_from(str(args.track))
    word = str(args.verdict).strip().lower()
    if word not in FEEDBACK_VERDICTS:
        raise FeedbackInputError(f"verdict {args.verdict!r}: expected like, dislike or clear")
    verdict = FEEDBACK_VERDICTS[word]
    with FeedbackStore.open(feedback_path(env)) as store:
        if verdict is None:
            removed = store.clear(track_id)
            print(f"Cleared the feedback on {track_id}" if removed else f"There was no feedback on {track_id}")
            return ExitStatus.OK
        name, artists, valence, energy = _describe(track_id, known)
        store.set(
            Feedback(
                track_id, verdict, frozenset(a.casefold().strip() for a in artists), None, valence, energy, clock()
            )
        )
    title = printable(f"{name} - {', '.join(artists)}") if name else track_id
    print(f"{'Liked' if verdict == 'like' else 'Disliked'}: {title}")
    return ExitStatus.OK


def _describe(track_id: str, known_song: KnownSong) -> tuple[str, tuple[str, ...], float | None, float | None]:
    """Name, artists and features of a track from the bundled catalog, else from ``known_song``."""
    from emotune.music.catalog import load_catalog  # the catalog only for this command

    try:
        known = load_catalog().get(track_id)
    except EmotuneError:
        known = None  # a broken catalog must not stop the verdict being stored
    if known is None:
        seen = known_song(track_id)
        return ("", (), None, None) if seen is None else (seen[0], seen[1], None, None)
    features = known.features
    return (
        known.name,
        known.artists,
        None if features is None else features.valence,
        None if features is None else features.energy,
    )


def stored_preferences(env: Environment) -> Preferences:
    """The stored verdicts for ``recommend`` and ``play``; a problem reading them is one line on
    stderr and the command goes on without them."""
    preferences, problem = load_preferences(feedback_path(env))
    if problem:
        print(f"emotune: {problem}", file=sys.stderr)
    return preferences
