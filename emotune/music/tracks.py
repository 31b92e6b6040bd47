"""The one track type every music source returns, and its public JSON form.

``Track.to_json()`` is the contract of ``python -m emotune recommend --json`` (guide section 2):
exactly the keys id, name, artists, uri, url, source. Keep it stable. ``Track.text_line()`` is the
human-readable line, with control characters from names made harmless (``printable``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Source = Literal["catalog", "spotify"]
TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
TRACK_LINK = re.compile(r"(?:spotify:track:|https?://open\.spotify\.com/(?:[\w-]+/)?track/)([^?#/\s]+)")
JSON_KEYS = ("id", "name", "artists", "uri", "url", "source")


# Characters a terminal acts on rather than shows. Cc: C0/C1 controls (ESC starts colour and
# cursor sequences, CR overwrites the line, BEL rings); bidi embeddings and isolates reorder
# what follows (U+202A-U+202E, U+2066-U+2069). Other format characters (the zero-width joiner
# in emoji) are left alone.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\t\n\r\v\f\x85\u2028\u2029")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: line breaks and tabs become spaces, other control
    characters U+FFFD. For human-readable output only; JSON output stays exact."""
    if text.isprintable():
        return text
    return "".join(
        " " if ch in _LINE_BREAKS else "\ufffd" if ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc" else ch
        for ch in text
    )


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
