"""``python -m emotune journal ...``.

Contracts (docs/cli.md):

- ``journal [--since DATE] [--until DATE] [--json] [--csv FILE] [--png FILE] [--clear]`` shows the
  mood segments overlapping the range; with ``--json`` one object per line per segment:
  ``{"start": ISO-8601, "end": ISO-8601, "mood": label, "source": "face"|"user",
  "duration_s": float, "scores": {label: mean}}``. ``--csv``/``--png`` write those files;
  ``--clear`` then forgets the range's mood and song history (all of it without a range; song
  feedback stays). DATE: ``2026-03-01`` (``--until``: that whole day), ``2026-03-01T14:30``,
  ``today`` or ``yesterday``, local time. The genres of the songs opened per mood come from
  ``genre_words``, which the entry point hands in (they are music's: the journal does not import it).

Bad input raises an ``EmotuneError`` subclass with one line; the entry point prints it and exits 2.
Reading never creates a journal file. Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

from emotune.environment import Environment
from emotune.errors import ExitStatus, UsageError
from emotune.journal.store import Journal, Segment, SongCount, journal_path
from emotune.journal.words import duration_words
from emotune.text import printable

# (track ID, times opened) of one mood's songs -> their genres in words ("rock 3, pop 1")
GenreWords = Callable[[Iterable[tuple[str, int]]], str]
SHOWN_SONGS = 5  # a mood's songs opened most often, named in the text summary
DATE_HELP = "2026-03-01, 2026-03-01T14:30, today or yesterday (local time)"


class JournalInputError(UsageError):
    """A bad argument to ``journal``."""


def add_journal_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``journal`` on the main parser's subcommands."""
    journal_parser = commands.add_parser(
        "journal", help="your mood history and the songs you opened (kept only on this computer)"
    )
    journal_parser.add_argument("--since", metavar="DATE", help=f"from this day or time: {DATE_HELP}")
    journal_parser.add_argument("--until", metavar="DATE", help="up to the end of this day, or this time")
    journal_parser.add_argument("--json", action="store_true", help="one JSON object per mood segment")
    journal_parser.add_argument("--csv", metavar="FILE", type=Path, help="write the segments as CSV")
    journal_parser.add_argument("--png", metavar="FILE", type=Path, help="draw the mood timeline as PNG")
    journal_parser.add_argument(
        "--helped", action="store_true", help="did the music help? Lift and Match after low moods, with figures"
    )
    journal_parser.add_argument(
        "--clear",
        action="store_true",
        help="then forget the mood and song history in the range (all of it without --since/--until)",
    )


# Dates the journal reads: local midnight of the first and the day after the last must be times
# the platform can convert both ways (year 1 or 9999 overflow; before 1970 fails on Windows).
FIRST_DAY, LAST_DAY = date(1970, 1, 2), date(9998, 12, 30)


def check_time_zone(zone: str | None) -> None:
    """JournalInputError when the local time zone cannot be used (``TZ=XXX-99``: a UTC offset of a
    day or more, which Python's datetime refuses), so no journal command fails halfway. ``zone``:
    the TZ variable as set (``Environment.time_zone``), quoted in the line."""
    try:
        datetime.now().astimezone()
    except (ValueError, OverflowError, OSError):
        named = f"TZ={zone!r}" if zone is not None else "the local time zone"
        raise JournalInputError(
            f"{named} cannot be used for dates (its UTC offset is a day or more); set a real zone, e.g. TZ=Europe/Paris"
        ) from None


def parse_when(text: str, flag: str, *, end_of_day: bool, now: float | None = None) -> float:
    """DATE as Unix seconds: a day means its start (its end with ``end_of_day``), local time."""
    value = text.strip()
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    words = {"today": today, "yesterday": today - timedelta(days=1)}
    day: date | None = words.get(value.lower())
    moment: datetime | None = None
    if day is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise JournalInputError(f"{flag} {text!r}: expected a date or time like {DATE_HELP}") from None
        day = moment.date()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise JournalInputError(f"{flag} {text!r}: the journal reads dates from {FIRST_DAY} to {LAST_DAY}")
    try:
        if moment is not None:
            return (moment if moment.tzinfo else moment.astimezone()).timestamp()
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, day_time()).astimezone().timestamp()
    except (ValueError, OverflowError, OSError) as exc:
        raise JournalInputError(f"{flag} {text!r}: cannot be read as a local time ({exc})") from None


def _range(args: argparse.Namespace) -> tuple[float | None, float | None]:
    since = None if not args.since else parse_when(str(args.since), "--since", end_of_day=False)
    until = None if not args.until else parse_when(str(args.until), "--until", end_of_day=True)
    if since is not None and until is not None and since >= until:
        raise JournalInputError(f"--since {args.since!r} is not before --until {args.until!r}")
    return since, until


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _print_summary(book: Journal, since: float | None, until: float | None, genre_words: GenreWords) -> None:
    """The text summary: one line per segment (streamed), the time per mood, the songs opened."""
    any_segment = False
    for segment in book.iter_segments(since, until):
        any_segment = True
        end = datetime.fromtimestamp(segment.end).strftime("%H:%M:%S")
        print(
            f"{_clock(segment.start)} - {end}  {printable(segment.mood):<8}  {duration_words(segment.duration):>10}"
            f"  ({segment.source})"
        )
    if not any_segment:
        print(f"No moods recorded in this range (journal: {printable(str(book.path))})")
        return
    totals = book.time_per_mood(since, until)
    print("Time per mood: " + ", ".join(f"{printable(mood)} {duration_words(s)}" for mood, s in totals.items()))
    # Streamed, mood by mood: a million songs opened would not fit in memory as one table.
    for mood, pairs in itertools.groupby(book.iter_song_counts(since, until), key=lambda pair: pair[0]):
        first: list[SongCount] = []
        counts = _keeping_first(pairs, first)
        genres = genre_words(counts)  # from the catalog, at report time
        collections.deque(counts, maxlen=0)  # what it left unread still fills the first few
        listed = "; ".join(printable(f"{s.name} - {', '.join(s.artists)}") + f" ({s.count}x)" for s in first)
        print(f"Opened while {printable(mood) or 'no mood'} ({genres}): {listed}")


def _keeping_first(pairs: Iterable[tuple[str, SongCount]], first: list[SongCount]) -> Iterator[tuple[str, int]]:
    """(track ID, times) of each song of one mood; the first SHOWN_SONGS songs are kept in ``first``."""
    for _, song in pairs:
        if len(first) < SHOWN_SONGS:
            first.append(song)
        yield song.track_id, song.count


def _export_path(value: Path | str | None, flag: str) -> Path | None:
    if value is None:
        return None
    if not str(value) or str(value) == ".":  # argparse gives Path("") as "."
        raise JournalInputError(f"{flag}: no file name given")
    return Path(value)


def journal(args: argparse.Namespace, env: Environment, genre_words: GenreWords) -> int:
    """The ``journal`` command; see the module docstring. Reads stream: a journal of a million
    segments prints, exports or clears in flat memory."""
    check_time_zone(env.time_zone)
    since, until = _range(args)
    csv_path = _export_path(getattr(args, "csv", None), "--csv")
    png_path = _export_path(getattr(args, "png", None), "--png")
    path = journal_path(env)
    if getattr(args, "helped", False):
        from emotune.journal.helped_cli import print_helped  # numpy only when the answer is asked for

        mixed = [flag for flag in ("clear", "csv", "png") if getattr(args, flag, None)]
        return print_helped(path, bool(args.json), since, until, [f"--{flag}" for flag in mixed])
    exporting = csv_path is not None or png_path is not None
    reading = bool(args.json) or exporting or not args.clear
    book: Journal | None = Journal.open(path) if path.exists() and reading else None
    try:
        segments: Callable[[], Iterable[Segment]] = (
            (lambda: book.iter_segments(since, until)) if book is not None else (lambda: ())
        )
        if args.json:
            for segment in segments():
                print(json.dumps(segment.to_json(), ensure_ascii=False))
        elif not exporting and not args.clear:
            if book is None:
                print(f"No moods recorded in this range (journal: {printable(str(path))})")
            else:
                _print_summary(book, since, until, genre_words)
        if exporting:
            from emotune.journal import export  # Pillow only when a picture is asked for

            if csv_path is not None:
                count = export.write_csv(segments(), csv_path, env)
                print(f"emotune: wrote {count} segments to {printable(str(csv_path))}", file=sys.stderr)
            if png_path is not None:
                export.write_png(segments(), png_path, env, since, until)
                print(f"emotune: drew the mood timeline in {printable(str(png_path))}", file=sys.stderr)
    finally:
        if book is not None:
            skipped = book.skipped_warning()
            book.close()
            if skipped:
                print(f"emotune: {printable(skipped)}", file=sys.stderr)
    if args.clear:
        if path.exists():
            with Journal.open(path) as writable:
                gone = writable.forget(since, until)
            print(
                f"emotune: forgot {gone.segments} mood segments and {gone.songs} song events"
                + (f", and cut {gone.trimmed} at the range's edges" if gone.trimmed else ""),
                file=sys.stderr,
            )
        else:
            print("emotune: there is no journal yet; nothing to forget", file=sys.stderr)
    return ExitStatus.OK
