"""What the app knows to reach Spotify: client ID (and maybe secret), redirect, market, timeout,
and where Spotify is (``EMOTUNE_SPOTIFY_API_URL``/``_ACCOUNTS_URL`` via ``Environment``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from emotune import environment
from emotune.config import Settings
from emotune.music.spotify.transport import MAX_TIMEOUT_S

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"


def _process_api_url() -> str:
    return environment.current().spotify_api_url


def _process_accounts_url() -> str:
    return environment.current().spotify_accounts_url


@dataclass(frozen=True)
class Credentials:
    """What the app knows to reach Spotify. The secret is optional (PKCE needs none).

    The app builds one with ``from_settings(settings, env)``; one built by hand without the two
    URLs takes them from the process's ``Environment`` (tests point them at a local server).
    """

    client_id: str
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    market: str = ""
    timeout_s: float = MAX_TIMEOUT_S
    api_url: str = field(default_factory=_process_api_url)  # ends with "/"
    accounts_url: str = field(default_factory=_process_accounts_url)  # no "/" at the end

    @classmethod
    def from_settings(cls, settings: Settings, env: environment.Environment) -> Credentials:
        """From effective settings (the environment's SPOTIPY_* already applied) and ``env``'s URLs."""
        return cls(
            settings.spotify_client_id.strip(),
            settings.spotify_client_secret.strip(),
            settings.spotify_redirect_uri.strip() or DEFAULT_REDIRECT_URI,
            settings.spotify_market.strip(),
            min(settings.network_timeout_s, MAX_TIMEOUT_S),
            env.spotify_api_url,
            env.spotify_accounts_url,
        )

    @property
    def can_search_as_app(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def token_url(self) -> str:
        return self.accounts_url + "/api/token"

    @property
    def authorize_url(self) -> str:
        return self.accounts_url + "/authorize"
