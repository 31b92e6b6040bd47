"""What the app knows to reach Spotify: client ID (and maybe secret), redirect, market, timeout,
and where Spotify is (``EMOTUNE_SPOTIFY_API_URL``/``_ACCOUNTS_URL`` via ``Environment``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from emotune.config import Settings
from emotune.environment import Environment
from emotune.music.spotify.transport import MAX_TIMEOUT_S

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"


@dataclass(frozen=True)
class Credentials:
    """What the app knows to reach Spotify. The secret is optional (PKCE needs none).

    The app builds one with ``from_settings(settings, env)``; one built by hand names the two
    URLs (tests point them at a local server): this reads no environment.
    """

    client_id: str
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    market: str = ""
    timeout_s: float = MAX_TIMEOUT_S
    api_url: str = field(kw_only=True)  # ends with "/"
    accounts_url: str = field(kw_only=True)  # no "/" at the end

    @classmethod
    def from_settings(cls, settings: Settings, env: Environment) -> Credentials:
        """From effective settings (the environment's SPOTIPY_* already applied) and ``env``'s URLs."""
        return cls(
            settings.spotify_client_id.strip(),
            settings.spotify_client_secret.strip(),
            settings.spotify_redirect_uri.strip() or DEFAULT_REDIRECT_URI,
            settings.spotify_market.strip(),
            min(settings.network_timeout_s, MAX_TIMEOUT_S),
            api_url=env.spotify_api_url,
            accounts_url=env.spotify_accounts_url,
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
