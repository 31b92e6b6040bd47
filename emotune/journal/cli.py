"""``python -m emotune journal ...`` and ``python -m emotune feedback TRACK_ID like|dislike|clear``.

Contracts (README, "Command line"):

- ``journal [--since DATE] [--until DATE] [--json] [--csv FILE] [--png FILE] [--clear]`` shows the
  mood segments overlapping the range; with ``--json`` one object per line per segment:
  ``{"start": ISO-8601, "end": ISO-8601, "mood": label, "source": "face"|"user",
  "duration_s": float, "scores": {label: mean}}``. ``--csv``/``--png`` write those files;
  ``--clear`` then forgets the range's mood and song history (all of it without a range; song
  feedback stays). DATE: ``2026-03-01`` (``--until``: that whole day), ``2026-03-01T14:30``,
  ``today`` or ``yesterday``, local time.
- ``feedback TRACK_ID like|dislike|clear`` stores (or clears) a verdict that ``recommend`` and the
  window honour. TRACK_ID may also be a ``spotify:track:`` URI or an open.spotify.com link.

Bad input raises an ``EmotuneError`` subclass with one line; the entry point prints it and exits 2.
Reading never creates a journal file. Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

from emotune.errors import EmotuneError, ExitStatus, UsageError
from emotune.journal.store import Journal, Segment, SongCount, duration_words, journal_path
from emotune.music.catalog import genre_tally, tally_words
from emotune.music.feedback import Feedback, Verdict
from emotune.music.tracks import track_id_in

# spotify:track:ID, or https://open.spotify.com/[intl-xx/]track/ID?si=...
FEEDBACK_VERDICTS: dict[str, Verdict | None] = {"like": "like", "dislike": "dislike", "clear": None}
DATE_HELP = "2026-03-01, 2026-03-01T14:30, today or yesterday (local time)"


class JournalInputError(UsageError):
    """A bad argument to ``journal``."""


class FeedbackInputError(UsageError):
    """A bad argument to ``feedback``."""


def add_journal_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``journal`` and ``feedback`` on the main parser's subcommands."""
    journal_parser = commands.add_parser(
        "journal", help="your mood history and the songs you opened (kept only on this computer)"
    )
    journal_parser.add_argument("--since", metavar="DATE", help=f"from this day or time: {DATE_HELP}")
    journal_parser.add_argument("--until", metavar="DATE", help="up to the end of this day, or this time")
    journal_parser.add_argument("--json", action="store_true", help="one JSON object per mood segment")
    journal_parser.add_argument("--csv", metavar="FILE", type=Path, help="write the segments as CSV")
    journal_parser.add_argument("--png", metavar="FILE", type=Path, help="draw the mood timeline as PNG")
    journal_parser.add_argument(
        "--clear",
        action="store_true",
        help="then forget the mood and song history in the range (all of it without --since/--until)",
    )
    feedback_parser = commands.add_parser("feedback", help="like or dislike a track (changes what comes next)")
    feedback_parser.add_argument(
        "track", metavar="TRACK_ID", help="Spotify track ID (or spotify:track: URI, or open.spotify.com link)"
    )
    # Checked by the handler, not by choices=: a bad verdict gets one line, not a usage block.
    feedback_parser.add_argument("verdict", metavar="like|dislike|clear")


def parse_when(text: str, flag: str, *, end_of_day: bool, now: float | None = None) -> float:
    """DATE as Unix seconds: a day means its start (its end with ``end_of_day``), local time."""
    value = text.strip()
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    words = {"today": today, "yesterday": today - timedelta(days=1)}
    day: date | None = words.get(value.lower())
    if day is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is not None:
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, day_time()).astimezone().timestamp()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise JournalInputError(f"{flag} {text!r}: expected a date or time like {DATE_HELP}") from None
    return (moment if moment.tzinfo else moment.astimezone()).timestamp()


def _range(args: argparse.Namespace) -> tuple[float | None, float | None]:
    since = None if not args.since else parse_when(str(args.since), "--since", end_of_day=False)
    until = None if not args.until else parse_when(str(args.until), "--until", end_of_day=True)
    if since is not None and until is not None and since >= until:
        raise JournalInputError(f"--since {args.since!r} is not before --until {args.until!r}")
    return since, until


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _print_summary(
    segments: list[Segment], totals: dict[str, float], opened: dict[str, list[SongCount]], path: Path
) -> None:
    if not segments:
        print(f"No moods recorded in this range (journal: {path})")
        return
    for segment in segments:
        end = datetime.fromtimestamp(segment.end).strftime("%H:%M:%S")
        print(
            f"{_clock(segment.start)} - {end}  {segment.mood:<8}  {duration_words(segment.duration):>10}"
            f"  ({segment.source})"
        )
    print("Time per mood: " + ", ".join(f"{mood} {duration_words(s)}" for mood, s in totals.items()))
    for mood, songs in opened.items():
        listed = "; ".join(f"{s.name} - {', '.join(s.artists)} ({s.count}x)" for s in songs[:5])
        genres = tally_words(genre_tally((s.track_id, s.count) for s in songs))  # from the catalog, at report time
        print(f"Opened while {mood or 'no mood'} ({genres}): {listed}")


def journal(args: argparse.Namespace) -> int:
    """The ``journal`` command; see the module docstring."""
    since, until = _range(args)
    path = journal_path()
    segments: list[Segment] = []
    totals: dict[str, float] = {}
    opened: dict[str, list[SongCount]] = {}
    exists = path.exists()
    if exists:
        with Journal.open(path) as book:
            segments = book.segments(since, until)
            totals = book.time_per_mood(since, until)
            opened = book.songs_per_mood(since, until)
    exporting = bool(args.csv or args.png)
    if args.json:
        for segment in segments:
            print(json.dumps(segment.to_json(), ensure_ascii=False))
    elif not exporting and not args.clear:
        _print_summary(segments, totals, opened, path)
    if exporting:
        from emotune.journal import export  # Pillow only when a picture is asked for

        if args.csv:
            count = export.write_csv(segments, Path(args.csv))
            print(f"emotune: wrote {count} segments to {args.csv}", file=sys.stderr)
        if args.png:
            export.write_png(segments, Path(args.png), since, until)
            print(f"emotune: drew the timeline of {len(segments)} segments in {args.png}", file=sys.stderr)
    if args.clear:
        if exists:
            with Journal.open(path) as book:
                gone = book.forget(since, until)
            print(
                f"emotune: forgot {gone.segments} mood segments and {gone.songs} song events"
                + (f", and cut {gone.trimmed} at the range's edges" if gone.trimmed else ""),
                file=sys.stderr,
            )
        else:
            print("emotune: there is no journal yet; nothing to forget", file=sys.stderr)
    return ExitStatus.OK


def track_id_from(text: str) -> str:
    """A Spotify track ID from an ID, URI or link; FeedbackInputError otherwise."""
    candidate = track_id_in(text)
    if candidate is None:
        raise FeedbackInputError(
            f"track ID {text!r} is not a Spotify track ID (22 letters and digits, as in spotify:track:ID)"
        )
    return candidate


def feedback(args: argparse.Namespace) -> int:
    """The ``feedback`` command; see the module docstring."""
    track_id = track_id_from(str(args.track))
    word = str(args.verdict).strip().lower()
    if word not in FEEDBACK_VERDICTS:
        raise FeedbackInputError(f"verdict {args.verdict!r}: expected like, dislike or clear")
    verdict = FEEDBACK_VERDICTS[word]
    with Journal.open() as book:
        if verdict is None:
            removed = book.clear_feedback(track_id)
            print(f"Cleared the feedback on {track_id}" if removed else f"There was no feedback on {track_id}")
            return ExitStatus.OK
        name, artists, valence, energy = _describe(track_id, book)
        book.set_feedback(
            Feedback(
                track_id,
                verdict,
                frozenset(a.casefold().strip() for a in artists),
                None,
                valence,
                energy,
                time.time(),
            )
        )
    title = f"{name} - {', '.join(artists)}" if name else track_id
    print(f"{'Liked' if verdict == 'like' else 'Disliked'}: {title}")
    return ExitStatus.OK


def _describe(track_id: str, book: Journal) -> tuple[str, tuple[str, ...], float | None, float | None]:
    """Name, artists and features of a track from the bundled catalog, else from the journal."""
    from emotune.music.catalog import load_catalog  # the catalog only for this command

    try:
        known = load_catalog().get(track_id)
    except EmotuneError:
        known = None  # a broken catalog must not stop the verdict being stored
    if known is not None:
        features = known.features
        return (
            known.name,
            known.artists,
            None if features is None else features.valence,
            None if features is None else features.energy,
        )
    seen = book.known_song(track_id)
    if seen is not None:
        return seen[0], seen[1], None, None
    return "", (), None, None
