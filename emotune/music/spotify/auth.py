"""spotipy's auth managers, set up our way: the app's (client credentials) and the user's (PKCE).

Both go through ``transport.session`` (no retries, whole-exchange deadline), cache tokens in a
``TokenFileCache`` and talk to ``credentials.accounts_url``. Neither ever prompts on a console.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import spotipy
from spotipy.exceptions import SpotifyOauthError

from emotune.music.spotify.credentials import Credentials
from emotune.music.spotify.errors import SpotifyAuthError, SpotifyError
from emotune.music.spotify.token_cache import (
    APP_TOKEN_FILE,
    RUN_TOKENS,
    USER_SCOPE,
    TokenFileCache,
    TokenMemory,
    user_cache,
)
from emotune.music.spotify.transport import MAX_TIMEOUT_S, session

# The error codes our PKCE manager raises, which the client turns into one-line statuses.
SIGN_IN_REQUIRED = "sign_in_required"
SIGN_IN_EXPIRED = "sign_in_expired"


class _NoPromptPKCE(spotipy.SpotifyPKCE):  # type: ignore[misc]
    """SpotifyPKCE that never asks for a code on the console, and knows an expired sign-in.

    Without a usable cached token, spotipy's ``get_access_token`` starts an interactive sign-in
    (``input()`` on the console): that would hang a worker thread. Sign-in happens only through
    ``sign_in()``, which passes the code explicitly.
    """

    def get_authorization_code(self, response: str | None = None) -> str:
        if response:
            return str(super().get_authorization_code(response))
        raise SpotifyOauthError("sign-in required", error=SIGN_IN_REQUIRED)

    def refresh_access_token(self, refresh_token: str) -> dict[str, Any]:
        try:
            return dict(super().refresh_access_token(refresh_token))
        except SpotifyOauthError as exc:
            if getattr(exc, "error", None) != "invalid_grant":
                raise
        # The refresh token expired or was revoked: the cached sign-in is dead for good, so it
        # goes (unless a newer sign-in has replaced it meanwhile) and the status says why.
        cache = self.cache_handler
        if isinstance(cache, TokenFileCache):
            with contextlib.suppress(SpotifyError):
                cache.forget(only_refresh_token=refresh_token)
        raise SpotifyOauthError("sign-in expired", error=SIGN_IN_EXPIRED)


def user_manager(credentials: Credentials, token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> spotipy.SpotifyPKCE:
    """The signed-in user's auth manager (PKCE: no secret), its token cached in ``token_dir``."""
    if not credentials.client_id:
        raise SpotifyAuthError("Spotify sign-in needs a client ID (settings or SPOTIPY_CLIENT_ID)")
    timeout_s = min(credentials.timeout_s, MAX_TIMEOUT_S)
    manager = _NoPromptPKCE(
        client_id=credentials.client_id,
        redirect_uri=credentials.redirect_uri,
        scope=USER_SCOPE,
        requests_timeout=timeout_s,  # auth managers default to no timeout at all
        requests_session=session(timeout_s),
        open_browser=False,
        cache_handler=user_cache(token_dir, memory),
    )
    manager.OAUTH_TOKEN_URL = credentials.token_url
    manager.OAUTH_AUTHORIZE_URL = credentials.authorize_url
    return manager


def app_manager(
    credentials: Credentials, token_dir: Path, memory: TokenMemory = RUN_TOKENS
) -> spotipy.SpotifyClientCredentials:
    """The app's own auth manager (client ID and secret: search and tracks, no user data)."""
    if not credentials.can_search_as_app:
        raise SpotifyAuthError("Spotify search needs a client ID and secret (settings or SPOTIPY_*)")
    timeout_s = min(credentials.timeout_s, MAX_TIMEOUT_S)
    manager = spotipy.SpotifyClientCredentials(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        requests_timeout=timeout_s,
        requests_session=session(timeout_s),
        cache_handler=TokenFileCache(token_dir / APP_TOKEN_FILE, memory=memory),
    )
    manager.OAUTH_TOKEN_URL = credentials.token_url
    return manager
