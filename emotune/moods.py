"""Emotion -> music: the one table that says which region of feature space fits each emotion.

Two strategies (setting ``music_strategy``):

- ``match`` mirrors the mood: one target point per emotion.
- ``lift`` follows the "iso principle" of music therapy: start near the mood, then move. A list
  is laid out along a path of waypoints, so for sad, angry, fearful and disgusted moods it starts
  calm and low and ends brighter (higher valence) and, for angry, quieter. Happy and surprise
  already sit where lift wants to go, so lift equals match for them.

Features are Spotify's audio features: valence, energy, danceability, acousticness (0..1) and
tempo (BPM). A waypoint names only the features that matter for it; the others do not count.

| emotion  | match                              | lift: start -> end                                   |
| -------- | ---------------------------------- | ---------------------------------------------------- |
| angry    | v .25, e .90, ac .05, tempo 140    | v .35, e .60, ac .20 -> v .65, e .40, ac .50          |
| disgust  | v .25, e .70, dance .45            | v .40, e .55 -> v .70, e .50                          |
| fear     | v .20, e .40, ac .50               | v .40, e .30, ac .70 -> v .70, e .40, ac .60          |
| happy    | v .85, e .80, dance .75            | (as match)                                           |
| neutral  | v .50, e .45                       | v .55, e .45 -> v .75, e .55                          |
| sad      | v .15, e .25, ac .75               | v .25, e .25, ac .70 -> v .65, e .45, ac .50          |
| surprise | v .70, e .85, dance .65            | (as match)                                           |

Users override rows in their settings file (``mood_targets``), e.g.
``{"lift": {"sad": [{"valence": 0.3, "energy": 0.2}, {"valence": 0.8, "energy": 0.5}]}}``.
``SEARCH_TERMS`` are the Spotify search queries for each row (Spotify no longer serves audio
features or recommendations to new apps, so words are all a live search can go on).

A track *fits* a mood when its weighted feature distance to the mood's path is at most
``FIT_DISTANCE``: the recommender keeps Spotify results the catalog knows only then, and
``tools/build_catalog.py`` counts the fits of every mood x genre with the same rule.

Genres: ``GENRES`` are the top-level genres a user can choose (the bundled catalog's ``genre``
column holds one of them, or nothing where the source gave none); ``check_genres`` turns what a
user typed (any case, a few aliases such as ``rnb``) into them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from emotune.choices import STRATEGIES, Strategy
from emotune.errors import EmotuneError
from emotune.labels import EMOTIONS

FEATURE_NAMES = ("valence", "energy", "danceability", "acousticness", "tempo")
# How much one unit of each feature counts in the distance. Valence and energy define the mood;
# the others refine it. Tempo is compared in units of 200 BPM (see ``normalise``).
FEATURE_WEIGHTS = {"valence": 1.0, "energy": 1.0, "danceability": 0.5, "acousticness": 0.5, "tempo": 0.5}
TEMPO_SCALE = 200.0
# A track this close to a mood's path fits the mood (same units as ``Catalog.distances``; the
# nearest 200 catalog tracks of a mood lie within about 0.15 of it).
FIT_DISTANCE = 0.35

GENRES = ("edm", "latin", "pop", "r&b", "rap", "rock")
GENRE_ALIASES = {"rnb": "r&b", "r and b": "r&b", "hip hop": "rap", "hip-hop": "rap", "electronic": "edm"}

Waypoint = Mapping[str, float]
Path = tuple[Waypoint, ...]

_MATCH: dict[str, Path] = {
    "angry": ({"valence": 0.25, "energy": 0.90, "acousticness": 0.05, "tempo": 140.0},),
    "disgust": ({"valence": 0.25, "energy": 0.70, "danceability": 0.45},),
    "fear": ({"valence": 0.20, "energy": 0.40, "acousticness": 0.50},),
    "happy": ({"valence": 0.85, "energy": 0.80, "danceability": 0.75},),
    "neutral": ({"valence": 0.50, "energy": 0.45},),
    "sad": ({"valence": 0.15, "energy": 0.25, "acousticness": 0.75},),
    "surprise": ({"valence": 0.70, "energy": 0.85, "danceability": 0.65},),
}
_LIFT: dict[str, Path] = {
    "angry": (
        {"valence": 0.35, "energy": 0.60, "acousticness": 0.20},
        {"valence": 0.65, "energy": 0.40, "acousticness": 0.50},
    ),
    "disgust": ({"valence": 0.40, "energy": 0.55}, {"valence": 0.70, "energy": 0.50}),
    "fear": (
        {"valence": 0.40, "energy": 0.30, "acousticness": 0.70},
        {"valence": 0.70, "energy": 0.40, "acousticness": 0.60},
    ),
    "happy": _MATCH["happy"],
    "neutral": ({"valence": 0.55, "energy": 0.45}, {"valence": 0.75, "energy": 0.55}),
    "sad": (
        {"valence": 0.25, "energy": 0.25, "acousticness": 0.70},
        {"valence": 0.65, "energy": 0.45, "acousticness": 0.50},
    ),
    "surprise": _MATCH["surprise"],
}
MOOD_TARGETS: dict[Strategy, dict[str, Path]] = {"match": _MATCH, "lift": _LIFT}

SEARCH_TERMS: dict[Strategy, dict[str, tuple[str, ...]]] = {
    "match": {
        "angry": ("angry rock", "rage metal", "aggressive rap"),
        "disgust": ("grunge", "dark industrial", "punk rage"),
        "fear": ("dark ambient", "haunting", "tense soundtrack"),
        "happy": ("happy upbeat", "feel good pop", "sunny dance"),
        "neutral": ("chill", "indie easy listening", "lofi"),
        "sad": ("sad songs", "melancholy acoustic", "heartbreak ballad"),
        "surprise": ("euphoric", "party anthems", "energetic dance"),
    },
    "lift": {
        "angry": ("calm down", "chill acoustic", "peaceful"),
        "disgust": ("mellow soul", "feel good chill", "smooth"),
        "fear": ("comforting", "reassuring acoustic", "warm folk"),
        "happy": ("happy upbeat", "feel good pop", "sunny dance"),
        "neutral": ("good vibes", "upbeat indie", "feel good"),
        "sad": ("hopeful acoustic", "uplifting", "healing songs"),
        "surprise": ("euphoric", "party anthems", "energetic dance"),
    },
}


class MoodTableError(EmotuneError):
    """A mood target override in the settings is malformed."""


def check_strategy(value: str) -> Strategy:
    for strategy in STRATEGIES:
        if value == strategy:
            return strategy
    raise MoodTableError(f"music strategy {value!r} is not one of {', '.join(STRATEGIES)}")


class GenreError(EmotuneError):
    """A genre name that is not one of ``GENRES``."""


def check_genres(values: Sequence[str]) -> tuple[str, ...]:
    """The genres named in ``values`` (case and aliases folded, repeats dropped, order kept).

    An empty sequence means "any genre". GenreError names the first unknown one and lists the valid ones.
    """
    chosen: list[str] = []
    for value in values:
        key = " ".join(str(value).strip().casefold().split())
        genre = GENRE_ALIASES.get(key, key)
        if genre not in GENRES:
            raise GenreError(f"unknown genre {value!r}; valid genres: {', '.join(GENRES)}")
        if genre not in chosen:
            chosen.append(genre)
    return tuple(chosen)


def parse_overrides(raw: object) -> dict[Strategy, dict[str, Path]]:
    """Validate the settings' ``mood_targets`` value; raise MoodTableError naming the bad part."""
    if not isinstance(raw, Mapping):
        raise MoodTableError('mood_targets must be an object like {"lift": {"sad": [{...}, ...]}}')
    parsed: dict[Strategy, dict[str, Path]] = {}
    for strategy_name, rows in raw.items():
        strategy = check_strategy(str(strategy_name))
        if not isinstance(rows, Mapping):
            raise MoodTableError(f"mood_targets.{strategy}: expected an object of emotion -> waypoints")
        for emotion, waypoints in rows.items():
            where = f"mood_targets.{strategy}.{emotion}"
            if emotion not in EMOTIONS:
                raise MoodTableError(f"{where}: unknown emotion (valid: {', '.join(EMOTIONS)})")
            if not isinstance(waypoints, Sequence) or isinstance(waypoints, str) or not 1 <= len(waypoints) <= 4:
                raise MoodTableError(f"{where}: expected a list of 1 to 4 waypoints")
            parsed.setdefault(strategy, {})[emotion] = tuple(_parse_waypoint(w, where) for w in waypoints)
    return parsed


def _parse_waypoint(raw: object, where: str) -> Waypoint:
    if not isinstance(raw, Mapping) or not raw:
        raise MoodTableError(f"{where}: a waypoint must be a non-empty object of feature -> value")
    point: dict[str, float] = {}
    for name, value in raw.items():
        if name not in FEATURE_NAMES:
            raise MoodTableError(f"{where}: unknown feature {name!r} (valid: {', '.join(FEATURE_NAMES)})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MoodTableError(f"{where}.{name}: expected a number, got {value!r}")
        high = 250.0 if name == "tempo" else 1.0
        if not 0.0 <= float(value) <= high:
            raise MoodTableError(f"{where}.{name}: {value} is outside 0..{high:g}")
        point[name] = float(value)
    return point


def target_path(
    emotion: str, strategy: Strategy, overrides: Mapping[Strategy, Mapping[str, Path]] | None = None
) -> Path:
    """The waypoints for ``emotion`` under ``strategy``, user overrides first."""
    if overrides and emotion in overrides.get(strategy, {}):
        return overrides[strategy][emotion]
    return MOOD_TARGETS[strategy][emotion]


def normalise(feature: str, value: float) -> float:
    """Put every feature on a roughly 0..1 scale before distances are taken."""
    return value / TEMPO_SCALE if feature == "tempo" else value


def points_along(path: Path, count: int) -> list[dict[str, float]]:
    """``count`` evenly spaced targets from the first waypoint to the last (all equal for one)."""
    names = [name for name in FEATURE_NAMES if any(name in point for point in path)]
    # A feature missing from a waypoint takes the value of the nearest waypoint that has it.
    filled = []
    for index, point in enumerate(path):
        full = {}
        for name in names:
            if name in point:
                full[name] = point[name]
            else:
                order = sorted(range(len(path)), key=lambda j: abs(j - index))
                full[name] = next(path[j][name] for j in order if name in path[j])
        filled.append(full)
    if len(filled) == 1 or count == 1:
        return [dict(filled[0]) for _ in range(count)]
    segments = len(filled) - 1
    result = []
    for i in range(count):
        position = i / (count - 1) * segments
        segment = min(int(position), segments - 1)
        fraction = position - segment
        a, b = filled[segment], filled[segment + 1]
        result.append({name: a[name] + (b[name] - a[name]) * fraction for name in names})
    return result
