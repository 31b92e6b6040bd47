"""The one track type every music source returns, and its public JSON form.

``Track.to_json()`` is the contract of ``python -m emotune recommend --json`` (docs/cli.md):
exactly the keys id, name, artists, uri, url, source. Keep it stable. ``Track.text_line()`` is the
human-readable line, with control characters from names made harmless (``emotune.text.printable``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from emotune.text import printable

Source = Literal["catalog", "spotify"]
TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
TRACK_LINK = re.compile(r"(?:spotify:track:|https?://open\.spotify\.com/(?:[\w-]+/)?track/)([^?#/\s]+)")
JSON_KEYS = ("id", "name", "artists", "uri", "url", "source")


def is_track_id(value: str) -> bool:
    """True for a 22-character base62 Spotify track ID."""
    return TRACK_ID.fullmatch(value) is not None


def track_id_in(text: str) -> str | None:
    """The track ID in an ID, a ``spotify:track:ID`` URI or an open.spotify.com link; None if none."""
    value = text.strip()
    link = TRACK_LINK.match(value)
    candidate = link.group(1) if link else value
    return candidate if is_track_id(candidate) else None


@dataclass(frozen=True)
class Features:
    """Spotify audio features, 0..1 except tempo (beats per minute)."""

    valence: float
    energy: float
    danceability: float
    acousticness: float
    tempo: float


@dataclass(frozen=True)
class Track:
    """A track that can be opened in Spotify. ``features`` and ``genre`` (one of ``moods.GENRES``,
    empty when unknown; ``subgenre`` finer, e.g. "hard rock") are known for catalog tracks only."""

    id: str
    name: str
    artists: tuple[str, ...]
    source: Source
    features: Features | None = None
    genre: str = ""
    subgenre: str = ""

    def __post_init__(self) -> None:
        if not is_track_id(self.id):
            raise ValueError(f"not a Spotify track ID: {self.id!r}")

    @property
    def uri(self) -> str:
        return f"spotify:track:{self.id}"

    @property
    def url(self) -> str:
        return f"https://open.spotify.com/track/{self.id}"

    def artist_keys(self) -> frozenset[str]:
        """Normalised artist names, for the "no artist twice in one list" rule."""
        return frozenset(artist.casefold().strip() for artist in self.artists)

    def text_line(self) -> str:
        """``name — artists  url`` for a terminal (``recommend`` and ``play`` without --json)."""
        return f"{printable(self.name)} — {printable(', '.join(self.artists))}  {self.url}"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "artists": list(self.artists),
            "uri": self.uri,
            "url": self.url,
            "source": self.source,
        }

    def json_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)
