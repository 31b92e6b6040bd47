"""The one place that builds the music side: catalog, Spotify client, recommender, and how the
music is reached (the account state), for the window and the command line alike.

``build_music(settings, env, offline=...)`` blocks (the catalog loads from disk, a Spotify app
token may be fetched), so the window calls it on its music lane. It never raises for Spotify
trouble: a Spotify that cannot be reached leaves ``Music.spotify`` empty and says why in
``Music.account``; only a broken bundled catalog raises (``CatalogError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from emotune import moods
from emotune.config import Settings
from emotune.environment import Environment
from emotune.music.catalog import CatalogSession, load_catalog
from emotune.music.feedback import Preferences
from emotune.music.recommender import Recommender
from emotune.music.spotify import Credentials, SpotifyClient, SpotifyError, connect, is_signed_in

AccountKind = Literal["offline", "catalog", "spotify", "signed-in"]


@dataclass(frozen=True)
class MusicAccount:
    """How songs are found: ``kind``, and for the catalog the reason Spotify is not used."""

    kind: AccountKind
    reason: str = ""  # why the catalog answers alone (kind "catalog")

    @property
    def signed_in(self) -> bool:
        return self.kind == "signed-in"

    def describe(self) -> str:
        """The status bar's words for it."""
        if self.kind == "offline":
            return "bundled catalog (offline)"
        if self.kind == "catalog":
            return f"bundled catalog ({self.reason or 'Spotify not connected'})"
        return "Spotify (signed in)" if self.signed_in else "Spotify"


@dataclass(frozen=True)
class Music:
    recommender: Recommender
    account: MusicAccount
    spotify: SpotifyClient | None


def build_music(settings: Settings, env: Environment, *, offline: bool, feedback: Preferences | None = None) -> Music:
    """Everything that finds songs, from effective settings (``config.effective_settings``) and
    the user's song feedback (``emotune.music.feedback``; None: lists as without feedback)."""
    overrides = moods.parse_overrides(settings.mood_targets)
    session = CatalogSession(load_catalog(), overrides=overrides, feedback=feedback)
    spotify: SpotifyClient | None = None
    account = MusicAccount("offline")
    if not offline:
        try:
            spotify = connect(Credentials.from_settings(settings, env), env.config_dir)
        except SpotifyError as exc:
            account = MusicAccount("catalog", str(exc))
        else:
            if spotify is None:
                account = MusicAccount("catalog")
            else:
                account = MusicAccount("signed-in" if is_signed_in(env.config_dir) else "spotify")
    recommender = Recommender(session, spotify=spotify)
    return Music(recommender, account, spotify)
