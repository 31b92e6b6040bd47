"""The one place that reads the process environment (httpie's ``Environment`` idea).

``Environment.from_os()`` reads every variable Emotune honours once; the rest of the app asks
this object instead of ``os.environ``, and tests build one with the values they want.

Variables:
- ``EMOTUNE_CONFIG_DIR``, ``EMOTUNE_CACHE_DIR``, ``EMOTUNE_DATA_DIR``: move the user's settings
  (and tokens), caches, and the journal (defaults: platformdirs' per-user folders).
- ``SPOTIPY_CLIENT_ID``, ``SPOTIPY_CLIENT_SECRET``, ``SPOTIPY_REDIRECT_URI`` (spotipy's own),
  ``EMOTUNE_OPEN_WITH`` (app | browser), ``EMOTUNE_MUSIC_STRATEGY`` (match | lift): override the
  stored settings for this run (``apply``), never written back.
- ``EMOTUNE_SPOTIFY_API_URL``, ``EMOTUNE_SPOTIFY_ACCOUNTS_URL``: where Spotify is (tests, proxies).
- ``EMOTUNE_SELF_TEST_MODELS_DIR``: models for ``--self-test`` to check instead of the shipped ones.
- ``TZ`` (the C library's, not ours, so not in ``VARIABLES``): only quoted, when the journal
  cannot use the local time zone it names.

Read once, by the entry points (``emotune.__main__``, ``emotune.gui.start``), and handed to each
command and part from there (httpie's ``main(args, env)``): a test builds the one it wants.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from emotune.platforms import Platform, platform_of

APP_NAME = "emotune"
DEFAULT_API_URL = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"

# Variable -> the settings field it overrides (see ``emotune.config.Settings``).
SETTING_OVERRIDES: dict[str, str] = {
    "SPOTIPY_CLIENT_ID": "spotify_client_id",
    "SPOTIPY_CLIENT_SECRET": "spotify_client_secret",
    "SPOTIPY_REDIRECT_URI": "spotify_redirect_uri",
    "EMOTUNE_OPEN_WITH": "open_with",
    "EMOTUNE_MUSIC_STRATEGY": "music_strategy",
}
# Every variable this module reads: tests clear them all so the developer's own cannot leak in.
VARIABLES: tuple[str, ...] = (
    "EMOTUNE_CONFIG_DIR",
    "EMOTUNE_CACHE_DIR",
    "EMOTUNE_DATA_DIR",
    "EMOTUNE_SPOTIFY_API_URL",
    "EMOTUNE_SPOTIFY_ACCOUNTS_URL",
    "EMOTUNE_SELF_TEST_MODELS_DIR",
    *SETTING_OVERRIDES,
)


@dataclass(frozen=True)
class Environment:
    config_dir: Path
    cache_dir: Path
    data_dir: Path
    spotify_api_url: str = DEFAULT_API_URL
    spotify_accounts_url: str = DEFAULT_ACCOUNTS_URL
    self_test_models_dir: Path | None = None
    # The OS the app runs on (``emotune.platforms``): tests pass "windows" or "macos" to drive
    # those branches on Linux.
    platform: Platform = field(default_factory=platform_of)
    # (variable, settings field, value) for each override set; repr=False: it may hold a secret.
    setting_overrides: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)
    time_zone: str | None = None  # TZ as set (None: unset), for the journal's one line about it

    @classmethod
    def from_os(cls, environ: Mapping[str, str] | None = None, platform: Platform | None = None) -> Environment:
        env = os.environ if environ is None else environ

        def folder(variable: str, default: str) -> Path:
            value = env.get(variable, "").strip()
            return Path(value).expanduser() if value else Path(default)

        api = env.get("EMOTUNE_SPOTIFY_API_URL", "").strip() or DEFAULT_API_URL
        accounts = env.get("EMOTUNE_SPOTIFY_ACCOUNTS_URL", "").strip() or DEFAULT_ACCOUNTS_URL
        self_test_models = env.get("EMOTUNE_SELF_TEST_MODELS_DIR", "").strip()
        return cls(
            config_dir=folder("EMOTUNE_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            cache_dir=folder("EMOTUNE_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            data_dir=folder("EMOTUNE_DATA_DIR", platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            spotify_api_url=api if api.endswith("/") else api + "/",
            spotify_accounts_url=accounts.rstrip("/"),
            self_test_models_dir=Path(self_test_models).expanduser() if self_test_models else None,
            platform=platform or platform_of(),
            setting_overrides=tuple(
                (variable, name, env[variable].strip())
                for variable, name in SETTING_OVERRIDES.items()
                if env.get(variable, "").strip()
            ),
            time_zone=env.get("TZ"),
        )
