"""Spotify through spotipy: search for a mood, PKCE sign-in, and "save as playlist".

Every function here blocks on the network, so the GUI calls them from a worker thread. Each HTTP
exchange, the token endpoint's included, ends within ``timeout`` (<= 5 s) in total, however slowly
the server trickles its answer. Failures come back as ``SpotifyError`` subclasses whose message
is a one-line status ready to show; nothing here sleeps for a Retry-After.

What Spotify still allows a new app in 2026 (docs/spotify.md): search (limit <= 10 per page,
paged with offset), ``GET /tracks/{id}``, the signed-in user's own playlists, and Spotify Connect
playback for Premium users (``emotune.music.playback``). No audio features, recommendations or
editorial playlists.

Secrets: the client secret, tokens and PKCE verifiers never reach logs (a filter redacts
spotipy's debug lines), exceptions or repr(); tokens are cached only in the given token dir, in
files created with mode 600. ``Credentials.from_settings(settings, env)`` takes where Spotify is
from the ``Environment`` (``EMOTUNE_SPOTIFY_API_URL``, ``EMOTUNE_SPOTIFY_ACCOUNTS_URL``: tests,
proxies).

The modules, each importing only those listed after it (``lint-imports`` checks it):
- ``signin``: the PKCE sign-in and its loopback redirect catcher;
- ``client``: ``SpotifyClient`` (search, tracks, playlists), ``connect``, Spotify's answers as errors;
- ``auth``: spotipy's auth managers, app (client credentials) and user (PKCE), set up our way;
- ``token_cache``: token files, the run's memory of unsaved ones, and the sign-in state they hold;
- ``transport``: the session without retries whose exchanges have a deadline; ``command_deadline``;
- ``credentials``, ``errors``, ``redaction``: what to reach Spotify with, what can go wrong, and
  keeping secrets out of logs.
"""

from __future__ import annotations

from emotune.music.spotify import errors
from emotune.music.spotify.client import (
    PLAYLIST_ADD_LIMIT,
    SEARCH_PAGE_LIMIT,
    Playlist,
    SpotifyClient,
    connect,
    track_from_object,
    with_genre,
)
from emotune.music.spotify.credentials import DEFAULT_REDIRECT_URI, Credentials
from emotune.music.spotify.errors import *  # noqa: F403  # every error class, as listed in errors.__all__
from emotune.music.spotify.redaction import redact
from emotune.music.spotify.signin import check_redirect_uri, sign_in
from emotune.music.spotify.token_cache import (
    RUN_TOKENS,
    USER_SCOPE,
    USER_SCOPES,
    TokenFileCache,
    TokenMemory,
    is_signed_in,
    sign_in_expires_at,
    sign_in_is_saved,
    sign_out,
    user_token_path,
)
from emotune.music.spotify.transport import MAX_TIMEOUT_S, command_deadline

__all__ = [
    "DEFAULT_REDIRECT_URI",
    "MAX_TIMEOUT_S",
    "PLAYLIST_ADD_LIMIT",
    "RUN_TOKENS",
    "SEARCH_PAGE_LIMIT",
    "USER_SCOPE",
    "USER_SCOPES",
    "Credentials",
    "Playlist",
    "SpotifyClient",
    "TokenFileCache",
    "TokenMemory",
    "check_redirect_uri",
    "command_deadline",
    "connect",
    "is_signed_in",
    "redact",
    "sign_in",
    "sign_in_expires_at",
    "sign_in_is_saved",
    "sign_out",
    "track_from_object",
    "user_token_path",
    "with_genre",
]
__all__ += errors.__all__
