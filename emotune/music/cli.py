"""``python -m emotune recommend EMOTION [--limit N] [--offline] [--genre G ...] [--json]``.

Prints one line per track (the user's song feedback honoured, read from ``feedback.sqlite3``);
with ``--json`` one JSON object per line with exactly the keys id, name, artists, uri, url,
source (a public contract: docs/cli.md). Without credentials, or
with ``--offline``, the bundled catalog answers; a Spotify failure is reported on stderr and the
catalog answers too, with exit code 0. An unknown emotion lists the valid ones and exits 2.
``--genre`` (repeatable; ``args.genres``, checked by ``emotune.__main__``) limits the songs to
those genres; without it any genre goes. ``--like TRACK`` (an ID, URI or link of a catalog track)
lists "more like this": songs near that one that still fit the emotion.
"""

from __future__ import annotations

import argparse
import sys

from emotune import config, moods
from emotune.environment import Environment
from emotune.errors import ExitStatus, UsageError
from emotune.labels import EMOTIONS
from emotune.music.feedback_cli import stored_preferences
from emotune.music.recommender import Recommender
from emotune.music.service import build_music
from emotune.music.tracks import Track, track_id_in

MAX_LIMIT = 50


def liked_track(args: argparse.Namespace, recommender: Recommender) -> Track | None:
    """The catalog track ``--like`` names (None without it); UsageError for one it cannot use."""
    given = getattr(args, "like", None)
    if given is None:
        return None
    track_id = track_id_in(str(given))
    if track_id is None:
        raise UsageError(f"--like {given!r}: not a Spotify track ID, URI or link")
    track = recommender.catalog.get(track_id)
    if track is None:
        raise UsageError(f"--like {given!r}: the bundled catalog does not know this track, so nothing is near it")
    return track


def recommend(args: argparse.Namespace, env: Environment) -> int:
    """The ``recommend`` command, with ``env``'s settings, overrides, feedback and Spotify."""
    emotion = str(args.emotion).strip().lower()
    if emotion not in EMOTIONS:
        print(f"emotune: unknown emotion {args.emotion!r}; valid emotions: {', '.join(EMOTIONS)}", file=sys.stderr)
        return ExitStatus.BAD_INPUT
    limit = int(args.limit)
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit {limit}: must be between 1 and {MAX_LIMIT}")

    settings = config.effective_settings(config.SettingsStore(env.config_dir).load(), env)
    strategy = moods.check_strategy(getattr(args, "strategy", None) or settings.music_strategy)
    music = build_music(settings, env, offline=bool(args.offline), feedback=stored_preferences(env))
    if music.account.kind == "catalog" and music.account.reason:
        print(f"emotune: {music.account.reason}; using the bundled catalog", file=sys.stderr)
    genres = tuple(getattr(args, "genres", ()))
    like = liked_track(args, music.recommender)
    if like is not None:
        result = music.recommender.more_like(like, emotion, limit, strategy, genres=genres)
    else:
        result = music.recommender.recommend(emotion, limit, strategy, offline=bool(args.offline), genres=genres)
    if music.spotify is not None and result.source == "catalog":
        print(f"emotune: {result.status}", file=sys.stderr)

    for track in result.tracks:
        if args.json:
            print(track.json_line())
        else:
            print(track.text_line())
    return ExitStatus.OK
