"""Spotify through spotipy: search for a mood, PKCE sign-in, and "save as playlist".

Every function here blocks on the network (each request at most ``timeout`` <= 5 s), so the GUI
calls them from a worker thread. Failures come back as ``SpotifyError`` subclasses whose message
is a one-line status ready to show ("Spotify is rate limiting us: retry in 2 min"); nothing here
sleeps for a Retry-After: after a 429 the client refuses calls until the wait is over, without
touching the network, and the caller falls back to the catalog.

What Spotify still allows a new app in 2026 (guide section 4): search (limit <= 10 per page,
paged with offset), ``GET /tracks/{id}``, and the signed-in user's own playlists. No audio
features, recommendations or editorial playlists.

Secrets: the client secret, tokens and PKCE verifiers never reach logs (a filter redacts
spotipy's debug lines), exceptions or repr(); tokens are cached only in the user config dir,
in files created with mode 600. ``EMOTUNE_SPOTIFY_API_URL`` and ``EMOTUNE_SPOTIFY_ACCOUNTS_URL``
point the client at another server (tests, proxies).
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import requests
import spotipy
from spotipy.cache_handler import CacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError

from emotune.config import Settings, atomic_write_text
from emotune.errors import EmotuneError
from emotune.music.tracks import Track, is_track_id

DEFAULT_API_URL = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"
MAX_TIMEOUT_S = 5.0
SEARCH_PAGE_LIMIT = 10  # February 2026: more gives 400 "Invalid limit"
PLAYLIST_ADD_LIMIT = 100
USER_SCOPE = "playlist-modify-private"
APP_TOKEN_FILE = "spotify-app-token.json"
USER_TOKEN_FILE = "spotify-user-token.json"
DEFAULT_RETRY_AFTER_S = 60.0

T = TypeVar("T")


class SpotifyError(EmotuneError):
    """Spotify could not answer; ``str()`` is a one-line status for the user."""


class SpotifyAuthError(SpotifyError):
    """Credentials or token refused (401/403, invalid client), or not signed in."""


class SpotifyRateLimitedError(SpotifyError):
    """429: ``retry_after`` seconds until Spotify takes requests again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SpotifyUnavailableError(SpotifyError):
    """5xx, connection refused, or any other transport failure."""


class SpotifyTimeoutError(SpotifyUnavailableError):
    """No answer within the timeout."""


class SpotifyBadResponseError(SpotifyError):
    """An answer that is not what Spotify documents (not JSON, wrong shape)."""


class SpotifyRequestError(SpotifyError):
    """Spotify refused the request itself (400 and other 4xx)."""


def api_url() -> str:
    url = os.environ.get("EMOTUNE_SPOTIFY_API_URL") or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def accounts_url() -> str:
    return (os.environ.get("EMOTUNE_SPOTIFY_ACCOUNTS_URL") or DEFAULT_ACCOUNTS_URL).rstrip("/")


# --- keeping secrets out of logs -----------------------------------------------------------

_SECRET_PATTERNS = (
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 ***"),
    (
        re.compile(
            r"(['\"]?(?:access_token|refresh_token|code_verifier|code|client_secret)['\"]?\s*[:=]\s*)['\"][^'\"]*['\"]"
        ),
        r"\1'***'",
    ),
)


def redact(text: str) -> str:
    """``text`` with bearer/basic credentials and token-like fields replaced by ***."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class _RedactSecrets(logging.Filter):
    # spotipy logs request headers (Basic client secret, Bearer token) and PKCE bodies at DEBUG.
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


for _name in ("spotipy.client", "spotipy.oauth2", "spotipy.cache_handler"):
    logging.getLogger(_name).addFilter(_RedactSecrets())
# spotipy logs every HTTP error at ERROR level, and warns that it "will retry" a 429 (it does not:
# retries are off). With no logging configured, Python would print those on stderr next to our own
# status line; a NullHandler stops that while an app-configured root handler still receives them.
logging.getLogger("spotipy").addHandler(logging.NullHandler())


# --- credentials and token cache ----------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What the app knows to reach Spotify. The secret is optional (PKCE needs none)."""

    client_id: str
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = "http://127.0.0.1:8765/callback"
    market: str = ""
    timeout_s: float = MAX_TIMEOUT_S

    @classmethod
    def from_settings(cls, settings: Settings) -> Credentials:
        """From effective settings (the environment's SPOTIPY_* already applied)."""
        return cls(
            settings.spotify_client_id.strip(),
            settings.spotify_client_secret.strip(),
            settings.spotify_redirect_uri.strip(),
            settings.spotify_market.strip(),
            min(settings.network_timeout_s, MAX_TIMEOUT_S),
        )

    @property
    def can_search_as_app(self) -> bool:
        return bool(self.client_id and self.client_secret)


class TokenFileCache(CacheHandler):  # type: ignore[misc]
    """spotipy token cache in one JSON file, written atomically and created with mode 600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"TokenFileCache({str(self.path)!r})"

    def get_cached_token(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        atomic_write_text(self.path, json.dumps(token_info), mode=0o600)


SIGN_IN_REQUIRED = "sign_in_required"


class _NoPromptPKCE(spotipy.SpotifyPKCE):  # type: ignore[misc]
    """SpotifyPKCE that never asks for a code on the console.

    Without a usable cached token, spotipy's ``get_access_token`` starts an interactive sign-in
    (``input()`` on the console): that would hang a worker thread. Sign-in happens only through
    ``sign_in()``, which passes the code explicitly.
    """

    def get_authorization_code(self, response: str | None = None) -> str:
        if response:
            return str(super().get_authorization_code(response))
        raise SpotifyOauthError("sign-in required", error=SIGN_IN_REQUIRED)


def user_token_path(token_dir: Path) -> Path:
    return token_dir / USER_TOKEN_FILE


def is_signed_in(token_dir: Path) -> bool:
    """True when a user token (from PKCE sign-in) is cached."""
    token = TokenFileCache(user_token_path(token_dir)).get_cached_token()
    if not token or not token.get("refresh_token") or not token.get("access_token"):
        return False
    # A token from an older sign-in without the playlist scope does not count.
    return USER_SCOPE in str(token.get("scope", "")).split()


def sign_out(token_dir: Path) -> None:
    user_token_path(token_dir).unlink(missing_ok=True)


def _session() -> requests.Session:
    # A plain session: no urllib3 retries at all. With spotipy's own retrying session and
    # retries=0, a 500 or 429 surfaces as RetryError, which spotipy reports as a 429 without
    # headers, so the status and Retry-After would be lost.
    return requests.Session()


def _pkce_manager(credentials: Credentials, token_dir: Path) -> spotipy.SpotifyPKCE:
    if not credentials.client_id:
        raise SpotifyAuthError("Spotify sign-in needs a client ID (settings or SPOTIPY_CLIENT_ID)")
    manager = _NoPromptPKCE(
        client_id=credentials.client_id,
        redirect_uri=credentials.redirect_uri,
        scope=USER_SCOPE,
        requests_timeout=min(credentials.timeout_s, MAX_TIMEOUT_S),
        requests_session=_session(),
        open_browser=False,
        cache_handler=TokenFileCache(user_token_path(token_dir)),
    )
    manager.OAUTH_TOKEN_URL = accounts_url() + "/api/token"
    manager.OAUTH_AUTHORIZE_URL = accounts_url() + "/authorize"
    return manager


# --- the client ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Playlist:
    id: str
    name: str
    url: str
    tracks_added: int


class SpotifyClient:
    """Search and playlists, as the app (client credentials) or as the signed-in user (PKCE)."""

    def __init__(
        self,
        auth_manager: Any,
        *,
        timeout_s: float = MAX_TIMEOUT_S,
        market: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._market = market or None
        self._timeout_s = min(timeout_s, MAX_TIMEOUT_S)
        self._clock = clock
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self._sp = spotipy.Spotify(
            auth_manager=auth_manager,
            requests_session=_session(),
            requests_timeout=self._timeout_s,
            retries=0,
            status_retries=0,
            status_forcelist=(500, 502, 503, 504),
        )
        self._sp.prefix = api_url()

    def __repr__(self) -> str:
        return f"SpotifyClient(api={self._sp.prefix!r}, timeout_s={self._timeout_s})"

    @classmethod
    def as_app(cls, credentials: Credentials, token_dir: Path, **kwargs: Any) -> SpotifyClient:
        """Client-credentials flow: search and tracks, no user data."""
        if not credentials.can_search_as_app:
            raise SpotifyAuthError("Spotify search needs a client ID and secret (settings or SPOTIPY_*)")
        manager = spotipy.SpotifyClientCredentials(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            requests_timeout=min(credentials.timeout_s, MAX_TIMEOUT_S),
            requests_session=_session(),
            cache_handler=TokenFileCache(token_dir / APP_TOKEN_FILE),
        )
        manager.OAUTH_TOKEN_URL = accounts_url() + "/api/token"
        kwargs.setdefault("timeout_s", credentials.timeout_s)
        kwargs.setdefault("market", credentials.market)
        return cls(manager, **kwargs)

    @classmethod
    def as_user(cls, credentials: Credentials, token_dir: Path, **kwargs: Any) -> SpotifyClient:
        """The signed-in user (after ``sign_in``); SpotifyAuthError if nobody is signed in."""
        if not is_signed_in(token_dir):
            raise SpotifyAuthError("not signed in to Spotify")
        kwargs.setdefault("timeout_s", credentials.timeout_s)
        kwargs.setdefault("market", credentials.market)
        return cls(_pkce_manager(credentials, token_dir), **kwargs)

    @property
    def retry_after(self) -> float:
        """Seconds until Spotify takes requests again after a 429 (0 when it does now)."""
        return max(0.0, self._blocked_until - self._clock())

    def _call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        wait = self.retry_after
        if wait > 0:
            raise SpotifyRateLimitedError(f"Spotify is rate limiting us: retry in {_duration(wait)}", wait)
        try:
            result = function(*args, **kwargs)
        except SpotifyException as exc:
            raise self._http_error(exc) from None
        except SpotifyOauthError as exc:
            # error is Spotify's code ("invalid_client"); the message never holds the secret.
            code = getattr(exc, "error", None) or "error"
            if code == SIGN_IN_REQUIRED:
                raise SpotifyAuthError("not signed in to Spotify (sign in again)") from None
            raise SpotifyAuthError(f"Spotify refused the credentials ({code})") from None
        except requests.exceptions.Timeout:
            raise SpotifyTimeoutError(f"Spotify did not answer within {self._timeout_s:g} s") from None
        except requests.exceptions.JSONDecodeError:
            raise SpotifyBadResponseError("Spotify's sign-in server sent an answer that is not JSON") from None
        except requests.exceptions.RequestException as exc:
            raise SpotifyUnavailableError(f"cannot reach Spotify ({type(exc).__name__})") from None
        except (KeyError, TypeError, ValueError):
            raise SpotifyBadResponseError("Spotify sent an answer of an unexpected shape") from None
        if result is None:
            raise SpotifyBadResponseError("Spotify sent an answer that is not JSON")
        return result

    def _http_error(self, exc: SpotifyException) -> SpotifyError:
        status = int(exc.http_status)
        detail = _first_line(exc.msg)
        if status == 429:
            wait = _retry_after_seconds((exc.headers or {}).get("Retry-After"))
            with self._lock:
                self._blocked_until = max(self._blocked_until, self._clock() + wait)
            return SpotifyRateLimitedError(f"Spotify is rate limiting us: retry in {_duration(wait)}", wait)
        if status in (401, 403):
            return SpotifyAuthError(f"Spotify refused access (HTTP {status}: {detail})")
        if status >= 500:
            return SpotifyUnavailableError(f"Spotify is having trouble (HTTP {status})")
        return SpotifyRequestError(f"Spotify refused the request (HTTP {status}: {detail})")

    def search_tracks(self, query: str, count: int, offset: int = 0) -> list[Track]:
        """Up to ``count`` tracks for ``query``, paged 10 at a time from ``offset``."""
        found: list[Track] = []
        market = self._market
        while len(found) < count:
            limit = min(SEARCH_PAGE_LIMIT, count - len(found))
            page = self._call(self._sp.search, q=query, limit=limit, offset=offset, type="track", market=market)
            items, has_next = _search_page(page)
            found.extend(track for track in (_track_from(item) for item in items) if track is not None)
            offset += len(items)
            if len(items) < limit or not has_next:
                break
        return found[:count]

    def track(self, track_id: str) -> Track:
        item = self._call(self._sp.track, track_id)
        track = _track_from(item)
        if track is None:
            raise SpotifyBadResponseError("Spotify sent a track without a valid ID")
        return track

    def current_user(self) -> dict[str, str]:
        me = self._call(self._sp.current_user)
        if not isinstance(me, dict) or not isinstance(me.get("id"), str):
            raise SpotifyBadResponseError("Spotify sent a user profile without an ID")
        name = me.get("display_name")
        return {"id": me["id"], "display_name": name if isinstance(name, str) and name else me["id"]}

    def save_playlist(self, name: str, tracks: Sequence[Track], description: str = "") -> Playlist:
        """A new private playlist in the signed-in user's account holding ``tracks``, in order."""
        created = self._call(self._sp.current_user_playlist_create, name, False, False, description)
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise SpotifyBadResponseError("Spotify sent a playlist without an ID")
        playlist_id = created["id"]
        urls = created.get("external_urls")
        url = urls.get("spotify") if isinstance(urls, dict) else None
        uris = [track.uri for track in tracks]
        for start in range(0, len(uris), PLAYLIST_ADD_LIMIT):
            self._call(self._sp.playlist_add_items, playlist_id, uris[start : start + PLAYLIST_ADD_LIMIT])
        return Playlist(
            playlist_id,
            name,
            url if isinstance(url, str) else f"https://open.spotify.com/playlist/{playlist_id}",
            len(uris),
        )


def connect(credentials: Credentials, token_dir: Path) -> SpotifyClient | None:
    """The best client the credentials allow: the app (ID + secret), else the signed-in user.

    None when neither is available: the catalog answers alone. A packaged app ships no secret,
    so for most users search runs on their own PKCE token.
    """
    if credentials.can_search_as_app:
        return SpotifyClient.as_app(credentials, token_dir)
    if credentials.client_id and is_signed_in(token_dir):
        return SpotifyClient.as_user(credentials, token_dir)
    return None


def _search_page(page: Any) -> tuple[list[Any], bool]:
    tracks = page.get("tracks") if isinstance(page, dict) else None
    items = tracks.get("items") if isinstance(tracks, dict) else None
    if not isinstance(items, list):
        raise SpotifyBadResponseError("Spotify sent a search answer without tracks.items")
    assert isinstance(tracks, dict)
    return items, bool(tracks.get("next"))


def _track_from(item: Any) -> Track | None:
    """A Track from a Spotify track object; None for entries without a valid ID (local files)."""
    if item is None:
        return None  # Spotify pads some pages with nulls
    if not isinstance(item, dict):
        raise SpotifyBadResponseError("Spotify sent a track that is not an object")
    track_id, name, artists = item.get("id"), item.get("name"), item.get("artists")
    if not isinstance(track_id, str) or not is_track_id(track_id):
        return None
    if not isinstance(name, str) or not isinstance(artists, list):
        raise SpotifyBadResponseError("Spotify sent a track without a name or artists")
    names = tuple(a["name"] for a in artists if isinstance(a, dict) and isinstance(a.get("name"), str))
    return Track(track_id, name, names or ("Unknown artist",), "spotify")


def _first_line(message: object) -> str:
    text = str(message or "").strip().splitlines()
    return redact(text[-1].strip() if text else "no details")


def _retry_after_seconds(value: object) -> float:
    """Retry-After as seconds: a number, or an HTTP date; a missing or odd value gives a minute."""
    if value is None:
        return DEFAULT_RETRY_AFTER_S
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_S
    return max(0.0, when.timestamp() - time.time())


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


# --- PKCE sign-in ----------------------------------------------------------------------------


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        if urlparse(self.path).path != self.server.expected_path or not ("code" in query or "error" in query):
            self.send_error(404)
            return
        self.server.result = {key: values[0] for key, values in query.items()}
        ok = "code" in query
        body = (
            "<html><body><h1>Emotune is connected to Spotify.</h1>You can close this window.</body></html>"
            if ok
            else "<html><body><h1>Spotify sign-in was cancelled.</h1>You can close this window.</body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the query string holds the authorization code


class _CallbackServer(HTTPServer):
    def __init__(self, port: int, expected_path: str) -> None:
        super().__init__(("127.0.0.1", port), _CallbackHandler)
        self.expected_path = expected_path
        self.result: dict[str, str] | None = None


def check_redirect_uri(uri: str) -> tuple[int, str]:
    """(port, path) of a loopback redirect URI, or SpotifyAuthError saying what Spotify requires."""
    parsed = urlparse(uri)
    if parsed.scheme != "http" or parsed.hostname != "127.0.0.1" or not parsed.port:
        raise SpotifyAuthError(
            f"redirect URI {uri!r} must look like http://127.0.0.1:PORT/callback (Spotify rejects 'localhost')"
        )
    return parsed.port, parsed.path or "/"


def sign_in(
    credentials: Credentials,
    token_dir: Path,
    *,
    open_url: Callable[[str], object] = webbrowser.open,
    timeout_s: float = 300.0,
    cancel: threading.Event | None = None,
) -> dict[str, str]:
    """PKCE sign-in: open Spotify's consent page, catch the redirect, cache the user's token.

    Blocks until the user answers, ``timeout_s`` passes or ``cancel`` is set: run it off the GUI
    thread. Returns the user's profile (``id``, ``display_name``).
    """
    port, path = check_redirect_uri(credentials.redirect_uri)
    manager = _pkce_manager(credentials, token_dir)
    state = secrets.token_urlsafe(16)
    try:
        server = _CallbackServer(port, path)
    except OSError as exc:
        raise SpotifyAuthError(f"cannot listen on 127.0.0.1:{port} for the sign-in ({exc.strerror})") from None
    try:
        server.timeout = 0.25  # handle_request() returns this often to check the deadline and cancel
        open_url(manager.get_authorize_url(state))
        deadline = time.monotonic() + timeout_s
        while server.result is None:
            if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
                raise SpotifyAuthError("Spotify sign-in was not completed")
            server.handle_request()
    finally:
        server.server_close()
    result = server.result
    if result.get("state") != state:
        raise SpotifyAuthError("Spotify sign-in answer did not match the request (state); try again")
    if "code" not in result:
        raise SpotifyAuthError(f"Spotify sign-in was refused ({result.get('error', 'no code')})")
    client = SpotifyClient(manager, timeout_s=credentials.timeout_s)
    client._call(manager.get_access_token, code=result["code"], check_cache=False)
    return client.current_user()
