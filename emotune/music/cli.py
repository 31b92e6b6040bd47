"""``python -m emotune recommend EMOTION [--limit N] [--offline] [--json]``.

Prints one line per track; with ``--json`` one JSON object per line with exactly the keys id,
name, artists, uri, url, source (guide section 2: a public contract). Without credentials, or
with ``--offline``, the bundled catalog answers; a Spotify failure is reported on stderr and the
catalog answers too, with exit code 0. An unknown emotion lists the valid ones and exits 2.
"""

from __future__ import annotations

import argparse
import sys

from emotune import config
from emotune.errors import EXIT_BAD_INPUT, EmotuneError
from emotune.labels import EMOTIONS
from emotune.music import moods
from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.recommender import RecommendationCache, Recommender
from emotune.music.spotify import Credentials, SpotifyClient, SpotifyError, connect

MAX_LIMIT = 50


class RecommendInputError(EmotuneError):
    """A bad argument to ``recommend``."""


def recommend(args: argparse.Namespace) -> int:
    emotion = str(args.emotion).strip().lower()
    if emotion not in EMOTIONS:
        print(f"emotune: unknown emotion {args.emotion!r}; valid emotions: {', '.join(EMOTIONS)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    limit = int(args.limit)
    if not 1 <= limit <= MAX_LIMIT:
        raise RecommendInputError(f"--limit {limit}: must be between 1 and {MAX_LIMIT}")

    settings = config.effective_settings(config.SettingsStore().load())
    strategy = moods.check_strategy(getattr(args, "strategy", None) or settings.music_strategy)
    overrides = moods.parse_overrides(settings.mood_targets)
    session = CatalogSession(load_catalog(), overrides=overrides)

    spotify: SpotifyClient | None = None
    credentials = Credentials.from_settings(settings)
    if not args.offline:
        try:
            spotify = connect(credentials, config.config_dir())
        except SpotifyError as exc:
            print(f"emotune: {exc}; using the bundled catalog", file=sys.stderr)
    recommender = Recommender(
        session,
        spotify=spotify,
        cache=RecommendationCache(config.cache_dir()),
        cache_max_age_s=settings.recommendations_cache_hours * 3600,
    )
    result = recommender.recommend(emotion, limit, strategy, offline=bool(args.offline))
    if spotify is not None and result.source == "catalog":
        print(f"emotune: {result.status}", file=sys.stderr)

    for track in result.tracks:
        if args.json:
            print(track.json_line())
        else:
            print(f"{track.name} — {', '.join(track.artists)}  {track.url}")
    return 0
