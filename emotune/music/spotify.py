"""Spotify through spotipy: search for a mood, PKCE sign-in, and "save as playlist".

Every function here blocks on the network, so the GUI calls them from a worker thread. Each HTTP
exchange, the token endpoint's included, ends within ``timeout`` (<= 5 s) in total, however slowly
the server trickles its answer (``_DeadlineAdapter``). Failures come back as ``SpotifyError``
subclasses whose message is a one-line status ready to show ("Spotify is rate limiting us: retry
in 2 min"); nothing here sleeps for a Retry-After: after a 429 the client refuses calls until the
wait is over, without touching the network, and the caller falls back to the catalog.

What Spotify still allows a new app in 2026 (guide section 4): search (limit <= 10 per page,
paged with offset), ``GET /tracks/{id}``, the signed-in user's own playlists, and Spotify Connect
playback for Premium users (``emotune.music.playback``). No audio features, recommendations or
editorial playlists.

Secrets: the client secret, tokens and PKCE verifiers never reach logs (a filter redacts
spotipy's debug lines), exceptions or repr(); tokens are cached only in the given token dir, in
files created with mode 600. A token cache is an optimisation: one that cannot be written keeps
the token in memory for the run, and a damaged one is set aside (``<name>.damaged-<time>``) and
counts as signed out. ``EMOTUNE_SPOTIFY_API_URL`` and ``EMOTUNE_SPOTIFY_ACCOUNTS_URL`` point the
client at another server (tests, proxies).
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import math
import os
import re
import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import requests
import spotipy
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import CacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

from emotune import environment
from emotune.config import Settings, atomic_write_text
from emotune.errors import EmotuneError
from emotune.music.tracks import Track, is_track_id
from emotune.text import printable

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
MAX_TIMEOUT_S = 5.0
CALLBACK_READ_TIMEOUT_S = 5.0  # the sign-in redirect's connection: a request must arrive within this
SEARCH_PAGE_LIMIT = 10  # February 2026: more gives 400 "Invalid limit"
PLAYLIST_ADD_LIMIT = 100
# What a signed-in user grants: playback control (Spotify Connect) and private playlists.
USER_SCOPES = ("user-read-playback-state", "user-modify-playback-state", "playlist-modify-private")
USER_SCOPE = " ".join(USER_SCOPES)
APP_TOKEN_FILE = "spotify-app-token.json"
USER_TOKEN_FILE = "spotify-user-token.json"
DEFAULT_RETRY_AFTER_S = 60.0
# A Retry-After beyond a day is a broken header, not a plan: cap what we wait and report.
MAX_RETRY_AFTER_S = 24 * 3600.0
# Since mid-2026 a refresh token lasts six months from sign-in, and refreshing does not extend it.
SIGN_IN_LIFETIME_S = 182 * 24 * 3600.0
SIGN_IN_EARLIEST, SIGN_IN_LATEST = 1_577_836_800, 4_102_444_800  # 2020-01-01 and 2100-01-01 UTC
MAX_TOKEN_FILE_BYTES = 64 * 1024  # a real token file is under 2 KB

T = TypeVar("T")
ClientT = TypeVar("ClientT", bound="SpotifyClient")
log = logging.getLogger(__name__)


class SpotifyError(EmotuneError):
    """Spotify could not answer; ``str()`` is a one-line status for the user."""


class SpotifyAuthError(SpotifyError):
    """Credentials or token refused (401/403, invalid client), or not signed in."""


class SpotifySignInExpiredError(SpotifyAuthError):
    """The refresh token was refused (``invalid_grant``): the user must sign in again."""


class SpotifyRateLimitedError(SpotifyError):
    """429: ``retry_after`` seconds until Spotify takes requests again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SpotifyUnavailableError(SpotifyError):
    """5xx, connection refused, or any other transport failure."""


class SpotifyTimeoutError(SpotifyUnavailableError):
    """No complete answer within the timeout."""


class SpotifyBadResponseError(SpotifyError):
    """An answer that is not what Spotify documents (not JSON, wrong shape)."""


class SpotifyRequestError(SpotifyError):
    """Spotify refused the request itself (400 and other 4xx)."""


class SpotifyNoActiveDeviceError(SpotifyRequestError):
    """404 ``NO_ACTIVE_DEVICE``: no Spotify app is open to play on."""


class SpotifyPremiumRequiredError(SpotifyRequestError):
    """403 ``PREMIUM_REQUIRED``: playback control needs a Premium account."""


NO_ACTIVE_DEVICE_MESSAGE = "No active Spotify device: open Spotify on a phone or computer first"
PREMIUM_REQUIRED_MESSAGE = "Playback needs Spotify Premium"
SIGN_IN_EXPIRED_MESSAGE = "Spotify sign-in has expired; sign in again"


def api_url() -> str:
    return environment.current().spotify_api_url


def accounts_url() -> str:
    return environment.current().spotify_accounts_url


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


# --- a total deadline on every HTTP exchange -------------------------------------------------
#
# A requests timeout bounds each socket read, not the call: a server that sends one byte every
# two seconds holds a call for minutes. So each exchange runs on a short-lived worker thread that
# the caller waits for at most the deadline; when it passes, the caller raises ReadTimeout and
# shuts down the sockets the exchange used, which ends the worker's blocked read at once, so no
# thread stays behind on a server that never finishes. The sockets are noted in the worker's
# thread-local exchange by the connection classes of the adapter's pools, as they connect and
# send: the socket itself, because http.client drops ``connection.sock`` once it has read the
# headers of a "Connection: close" answer, while the body is still being read from it.

_exchange_of_thread = threading.local()

# A deadline (time.monotonic()) for every exchange of a whole command, however many it makes
# (``command_deadline``): a token refresh and the request after it share one budget. Process-wide
# on purpose: a command's helper threads (a search) count against it too. The window never sets it.
_command_deadline: float | None = None


@contextlib.contextmanager
def command_deadline(seconds: float) -> Iterator[None]:
    """Within the block, all Spotify exchanges together end within ``seconds`` (command lines)."""
    global _command_deadline
    before = _command_deadline
    _command_deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _command_deadline = before


def _time_left(total_s: float) -> float:
    deadline = _command_deadline
    return total_s if deadline is None else max(0.0, min(total_s, deadline - time.monotonic()))


class _Exchange:
    """The connections and sockets one exchange uses, so that a caller giving up can shut them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: set[Any] = set()
        self.abandoned = False

    def watch(self, thing: Any) -> None:
        with self._lock:
            if not self.abandoned:
                self._watched.add(thing)
                return
        _shut_down(thing)  # the caller has already given up: fail this step at once

    def abandon(self) -> None:
        with self._lock:
            self.abandoned = True
            watched = list(self._watched)
        for thing in watched:
            _shut_down(thing)


def _shut_down(thing: Any) -> None:
    sock = thing if isinstance(thing, socket.socket) else getattr(thing, "sock", None)
    if not isinstance(sock, socket.socket):
        return
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter also drops the TLS object under
    # the worker's feet; shutting the TCP socket is enough to end its blocked read with EOF. A
    # socket closed meanwhile has no descriptor any more (EBADF), so nothing else is hit.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch_in_current_exchange(connection: Any) -> None:
    exchange = getattr(_exchange_of_thread, "exchange", None)
    if exchange is not None:
        exchange.watch(connection)
        if connection.sock is not None:
            exchange.watch(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _watch_in_current_exchange(self)  # given up while connecting: shut as soon as it exists
        super().connect()
        _watch_in_current_exchange(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_in_current_exchange(self)  # a kept-alive connection, reused
        super().request(*args, **kwargs)
        _watch_in_current_exchange(self)  # connected on the way


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _watch_in_current_exchange(self)
        super().connect()
        _watch_in_current_exchange(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_in_current_exchange(self)
        super().request(*args, **kwargs)
        _watch_in_current_exchange(self)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    """An HTTP adapter without retries whose every exchange, body included, ends within ``total_s``.

    (A caller asking to ``stream`` reads the body itself, outside the deadline; spotipy never does.)
    """

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS managers bring their own connection classes: there the deadline still frees the
        # caller, but the worker ends only with the server or the per-read timeout.
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        wait_s = _time_left(self.total_s)
        if wait_s <= 0:
            raise requests.exceptions.ReadTimeout("the command's deadline has passed", request=request)
        exchange = _Exchange()
        outcome: list[requests.Response | BaseException] = []
        done = threading.Event()

        def run() -> None:
            _exchange_of_thread.exchange = exchange
            try:
                response = HTTPAdapter.send(
                    self, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
                )
                if not stream:
                    _ = response.content  # read the body here, under the deadline, not in Session.send
                outcome.append(response)
            except BaseException as exc:  # handed to the caller, who re-raises it
                outcome.append(exc)
            finally:
                _exchange_of_thread.exchange = None
                done.set()

        threading.Thread(target=run, name="emotune-spotify-http", daemon=True).start()
        try:
            finished = done.wait(wait_s)
        except BaseException:  # Ctrl+C while waiting: free the worker too
            exchange.abandon()
            raise
        if not finished:
            exchange.abandon()
            raise requests.exceptions.ReadTimeout(f"no complete answer within {wait_s:g} s", request=request)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result


def _session(total_s: float = MAX_TIMEOUT_S) -> requests.Session:
    # No urllib3 retries at all: with spotipy's own retrying session and retries=0, a 500 or 429
    # surfaces as RetryError, which spotipy reports as a 429 without headers, so the status and
    # Retry-After would be lost.
    session = requests.Session()
    adapter = _DeadlineAdapter(total_s)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- credentials and token cache ----------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What the app knows to reach Spotify. The secret is optional (PKCE needs none)."""

    client_id: str
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    market: str = ""
    timeout_s: float = MAX_TIMEOUT_S

    @classmethod
    def from_settings(cls, settings: Settings) -> Credentials:
        """From effective settings (the environment's SPOTIPY_* already applied)."""
        return cls(
            settings.spotify_client_id.strip(),
            settings.spotify_client_secret.strip(),
            settings.spotify_redirect_uri.strip() or DEFAULT_REDIRECT_URI,
            settings.spotify_market.strip(),
            min(settings.network_timeout_s, MAX_TIMEOUT_S),
        )

    @property
    def can_search_as_app(self) -> bool:
        return bool(self.client_id and self.client_secret)


# Tokens whose file could not be written, by path: kept for the rest of the run, so that a
# read-only config dir costs a sign-in at the next start, never the music now.
_unsaved_tokens: dict[str, dict[str, Any]] = {}
_warned: set[tuple[str, str]] = set()
_cache_lock = threading.Lock()


def _warn_once(path: Path, kind: str, message: str) -> None:
    with _cache_lock:
        if (str(path), kind) in _warned:
            return
        _warned.add((str(path), kind))
    log.warning("%s", message)


def _token_problem(data: Any, needs_refresh_token: bool) -> str | None:
    """What makes ``data`` unusable as a cached token, or None when it looks like one."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if not isinstance(data.get("access_token"), str) or not data["access_token"]:
        return "no access token"
    expires_at = data.get("expires_at")
    if isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)) or not math.isfinite(expires_at):
        return "no expiry time"
    for key in ("refresh_token", "scope", "token_type"):
        if key in data and not isinstance(data[key], str):
            return f"{key} is not text"
    if needs_refresh_token and not data.get("refresh_token"):
        return "no refresh token"
    return None


class TokenFileCache(CacheHandler):  # type: ignore[misc]
    """spotipy token cache in one JSON file, written atomically and created with mode 600.

    Reading and saving never raise: an unwritable file keeps the token in memory for the run
    (one warning; every cache of that path in the process sees it); a damaged one
    (not JSON, too deep, wrong encoding or shape) is renamed to ``<name>.damaged-<time>`` with one
    warning and reads as no token, so the next sign-in or token request starts clean.
    """

    def __init__(self, path: Path, *, needs_refresh_token: bool = False) -> None:
        self.path = path
        self.needs_refresh_token = needs_refresh_token

    def __repr__(self) -> str:
        return f"TokenFileCache({str(self.path)!r})"

    @property
    def _key(self) -> str:
        return str(self.path)

    def get_cached_token(self) -> dict[str, Any] | None:
        with _cache_lock:
            unsaved = _unsaved_tokens.get(self._key)
        if unsaved is not None:
            return dict(unsaved)
        try:
            if self.path.stat().st_size > MAX_TOKEN_FILE_BYTES:
                self._set_aside("far too large")
                return None
            raw = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None  # never signed in, or the config dir is not a folder: no token either way
        except OSError as exc:
            _warn_once(self.path, "read", f"cannot read the Spotify token cache {self.path} ({_reason(exc)})")
            return None
        try:
            # utf-8 explicitly: json.loads(bytes) would also guess UTF-16 and UTF-32.
            data = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            problem: str | None = "not UTF-8 text"
        except RecursionError:
            problem = "nested too deeply"
        except ValueError:
            problem = "not JSON"
        else:
            problem = _token_problem(data, self.needs_refresh_token)
        if problem is not None:
            self._set_aside(problem)
            return None
        return dict(data)

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        token_info = dict(token_info)
        previous = self.get_cached_token()
        if previous is not None:
            # A refresh answer may leave out the scope; the sign-in time must survive refreshes
            # because refreshing does not extend the sign-in.
            for key in ("scope", "signed_in_at"):
                if key not in token_info and key in previous:
                    token_info[key] = previous[key]
        try:
            atomic_write_text(self.path, json.dumps(token_info), mode=0o600)
        except OSError as exc:
            with _cache_lock:
                _unsaved_tokens[self._key] = token_info
            _warn_once(
                self.path,
                "write",
                f"cannot save the Spotify token to {self.path} ({_reason(exc)}); it is kept in memory for this run",
            )
            return
        with _cache_lock:
            _unsaved_tokens.pop(self._key, None)

    def forget(self, only_refresh_token: str | None = None) -> None:
        """Delete the cached token (only if it still holds ``only_refresh_token``, when given).

        Raises SpotifyError when the file exists and cannot be deleted.
        """
        if only_refresh_token is not None:
            cached = self.get_cached_token()
            if cached is None or cached.get("refresh_token") != only_refresh_token:
                return  # another sign-in or refresh has replaced it since
        with _cache_lock:
            _unsaved_tokens.pop(self._key, None)
        try:
            self.path.unlink(missing_ok=True)
        except NotADirectoryError:
            pass  # the config dir is a file: there is no token file to delete
        except OSError as exc:
            raise SpotifyError(f"cannot delete the Spotify sign-in {self.path} ({_reason(exc)})") from None

    def _set_aside(self, problem: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            _warn_once(
                self.path,
                "damaged",
                f"Spotify token cache {self.path} is damaged ({problem}) and cannot be moved aside "
                f"({_reason(exc)}); ignoring it",
            )
            return
        log.warning("Spotify token cache %s was damaged (%s); moved it to %s", self.path, problem, aside.name)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


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


def user_token_path(token_dir: Path) -> Path:
    return token_dir / USER_TOKEN_FILE


def _user_cache(token_dir: Path) -> TokenFileCache:
    return TokenFileCache(user_token_path(token_dir), needs_refresh_token=True)


def is_signed_in(token_dir: Path) -> bool:
    """True when a user token (from PKCE sign-in) with every scope Emotune asks for is cached."""
    token = _user_cache(token_dir).get_cached_token()
    if not token:
        return False
    # A token from an older sign-in without the playback scopes does not count: sign in again.
    return set(USER_SCOPES) <= set(str(token.get("scope", "")).split())


def sign_in_expires_at(token_dir: Path) -> float | None:
    """When the cached sign-in stops working (epoch seconds), or None when unknown or signed out."""
    token = _user_cache(token_dir).get_cached_token()
    signed_in_at = token.get("signed_in_at") if token else None
    # A damaged or hand-edited file may hold any number (1e300): only a time since 2020 and before
    # 2100 is a sign-in; anything else counts as unknown.
    if (
        isinstance(signed_in_at, (int, float))
        and not isinstance(signed_in_at, bool)
        and SIGN_IN_EARLIEST <= signed_in_at <= SIGN_IN_LATEST
    ):
        return float(signed_in_at) + SIGN_IN_LIFETIME_S
    return None


def sign_in_is_saved(token_dir: Path) -> bool:
    """False when the user's token lives only in memory (its file could not be written)."""
    with _cache_lock:
        return str(user_token_path(token_dir)) not in _unsaved_tokens


def sign_out(token_dir: Path) -> None:
    """Delete the signed-in user's token. SpotifyError when it cannot be deleted."""
    _user_cache(token_dir).forget()


def _pkce_manager(credentials: Credentials, token_dir: Path) -> spotipy.SpotifyPKCE:
    if not credentials.client_id:
        raise SpotifyAuthError("Spotify sign-in needs a client ID (settings or SPOTIPY_CLIENT_ID)")
    timeout_s = min(credentials.timeout_s, MAX_TIMEOUT_S)
    manager = _NoPromptPKCE(
        client_id=credentials.client_id,
        redirect_uri=credentials.redirect_uri,
        scope=USER_SCOPE,
        requests_timeout=timeout_s,
        requests_session=_session(timeout_s),
        open_browser=False,
        cache_handler=_user_cache(token_dir),
    )
    manager.OAUTH_TOKEN_URL = accounts_url() + "/api/token"
    manager.OAUTH_AUTHORIZE_URL = accounts_url() + "/authorize"
    return manager


# --- the client ----------------------------------------------------------------------------


def with_genre(query: str, genre: str) -> str:
    """``query`` narrowed by Spotify's ``genre:`` field filter (documented for track and artist
    searches; it matches the genres of a track's artists)."""
    return f'{query} genre:"{genre}"'


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
            requests_session=_session(self._timeout_s),
            requests_timeout=self._timeout_s,
            retries=0,
            status_retries=0,
            status_forcelist=(500, 502, 503, 504),
        )
        self._sp.prefix = api_url()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api={self._sp.prefix!r}, timeout_s={self._timeout_s})"

    @classmethod
    def as_app(cls: type[ClientT], credentials: Credentials, token_dir: Path, **kwargs: Any) -> ClientT:
        """Client-credentials flow: search and tracks, no user data."""
        if not credentials.can_search_as_app:
            raise SpotifyAuthError("Spotify search needs a client ID and secret (settings or SPOTIPY_*)")
        timeout_s = min(credentials.timeout_s, MAX_TIMEOUT_S)
        manager = spotipy.SpotifyClientCredentials(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            requests_timeout=timeout_s,
            requests_session=_session(timeout_s),
            cache_handler=TokenFileCache(token_dir / APP_TOKEN_FILE),
        )
        manager.OAUTH_TOKEN_URL = accounts_url() + "/api/token"
        kwargs.setdefault("timeout_s", credentials.timeout_s)
        kwargs.setdefault("market", credentials.market)
        return cls(manager, **kwargs)

    @classmethod
    def as_user(cls: type[ClientT], credentials: Credentials, token_dir: Path, **kwargs: Any) -> ClientT:
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
        """``function(*args, **kwargs)`` with every failure as a SpotifyError; an empty answer is one."""
        result = self._call_allowing_empty(function, *args, **kwargs)
        if result is None:
            raise SpotifyBadResponseError("Spotify sent an answer that is not JSON")
        return result

    def _call_allowing_empty(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Like ``_call``, for endpoints that answer 204 No Content (spotipy gives None)."""
        wait = self.retry_after
        if wait > 0:
            raise SpotifyRateLimitedError(f"Spotify is rate limiting us: retry in {_duration(wait)}", wait)
        try:
            return function(*args, **kwargs)
        except SpotifyException as exc:
            raise self._http_error(exc) from None
        except SpotifyOauthError as exc:
            raise self._oauth_error(exc) from None
        except requests.exceptions.Timeout:
            raise SpotifyTimeoutError(f"Spotify did not answer within {self._timeout_s:g} s") from None
        except requests.exceptions.JSONDecodeError:
            raise SpotifyBadResponseError("Spotify's sign-in server sent an answer that is not JSON") from None
        except requests.exceptions.RequestException as exc:
            raise SpotifyUnavailableError(f"cannot reach Spotify ({type(exc).__name__})") from None
        except (KeyError, TypeError, ValueError):
            raise SpotifyBadResponseError("Spotify sent an answer of an unexpected shape") from None

    def _rate_limited(self, retry_after_header: object) -> SpotifyRateLimitedError:
        wait = _retry_after_seconds(retry_after_header)
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + wait)
        return SpotifyRateLimitedError(f"Spotify is rate limiting us: retry in {_duration(wait)}", wait)

    def _http_error(self, exc: SpotifyException) -> SpotifyError:
        status = int(exc.http_status)
        detail = _first_line(exc.msg)
        reason = getattr(exc, "reason", None)
        if status == 429:
            return self._rate_limited((exc.headers or {}).get("Retry-After"))
        if status == 404 and reason == "NO_ACTIVE_DEVICE":
            return SpotifyNoActiveDeviceError(NO_ACTIVE_DEVICE_MESSAGE)
        if status == 403 and reason == "PREMIUM_REQUIRED":
            return SpotifyPremiumRequiredError(PREMIUM_REQUIRED_MESSAGE)
        if status in (401, 403):
            return SpotifyAuthError(f"Spotify refused access (HTTP {status}: {detail})")
        if status >= 500:
            return SpotifyUnavailableError(f"Spotify is having trouble (HTTP {status})")
        return SpotifyRequestError(f"Spotify refused the request (HTTP {status}: {detail})")

    def _oauth_error(self, exc: SpotifyOauthError) -> SpotifyError:
        """A token-endpoint failure: the service's own trouble is not a refusal of our credentials."""
        code = getattr(exc, "error", None)
        if code == SIGN_IN_REQUIRED:
            return SpotifyAuthError("not signed in to Spotify (sign in again)")
        if code == SIGN_IN_EXPIRED:
            return SpotifySignInExpiredError(SIGN_IN_EXPIRED_MESSAGE)
        response = _http_response_behind(exc)
        status = response.status_code if response is not None else None
        if status == 429 and response is not None:
            return self._rate_limited(response.headers.get("Retry-After"))
        if status is not None and status >= 500:
            return SpotifyUnavailableError(f"Spotify's sign-in service is having trouble (HTTP {status})")
        # Spotify's codes are short snake_case words; anything else (an HTML page) is not shown.
        if isinstance(code, str) and re.fullmatch(r"[a-z_]{1,40}", code):
            return SpotifyAuthError(f"Spotify refused the credentials ({code})")
        return SpotifyAuthError(f"Spotify refused the credentials (HTTP {status or 'error'})")

    def search_tracks(self, query: str, count: int, offset: int = 0) -> list[Track]:
        """Up to ``count`` tracks for ``query``, paged 10 at a time from ``offset``."""
        found: list[Track] = []
        market = self._market
        while len(found) < count:
            limit = min(SEARCH_PAGE_LIMIT, count - len(found))
            page = self._call(self._sp.search, q=query, limit=limit, offset=offset, type="track", market=market)
            items, has_next = _search_page(page)
            found.extend(track for track in (track_from_object(item) for item in items) if track is not None)
            offset += len(items)
            if len(items) < limit or not has_next:
                break
        return found[:count]

    def current_user(self) -> dict[str, str]:
        me = self._call(self._sp.current_user)
        if not isinstance(me, dict) or not isinstance(me.get("id"), str):
            raise SpotifyBadResponseError("Spotify sent a user profile without an ID")
        name = me.get("display_name")
        return {"id": me["id"], "display_name": name if isinstance(name, str) and name else me["id"]}

    def save_playlist(self, name: str, tracks: Sequence[Track], description: str = "") -> Playlist:
        """A new private playlist in the signed-in user's account holding ``tracks``, in order.

        ``POST /me/playlists`` then ``POST /playlists/{id}/items`` (the 2026 endpoints, which
        spotipy 2.26 calls), at most 100 tracks per request.
        """
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


def _http_response_behind(exc: BaseException) -> requests.Response | None:
    """The HTTP response of the requests.HTTPError spotipy turned into ``exc``, if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, requests.exceptions.HTTPError) and cause.response is not None:
            return cause.response
        cause = cause.__cause__ or cause.__context__
    return None


def _search_page(page: Any) -> tuple[list[Any], bool]:
    tracks = page.get("tracks") if isinstance(page, dict) else None
    items = tracks.get("items") if isinstance(tracks, dict) else None
    if not isinstance(items, list):
        raise SpotifyBadResponseError("Spotify sent a search answer without tracks.items")
    assert isinstance(tracks, dict)
    return items, bool(tracks.get("next"))


def track_from_object(item: Any) -> Track | None:
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
    """Retry-After as seconds in [0, a day]: a number or an HTTP date; a missing or odd value gives a minute."""
    if value is None:
        return DEFAULT_RETRY_AFTER_S
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError, IndexError):
            return DEFAULT_RETRY_AFTER_S
        return min(max(0.0, seconds), MAX_RETRY_AFTER_S)
    # "1e400" is inf and "nan" is nan: no sane server means either, so they count as garbage.
    if not math.isfinite(seconds) or seconds < 0:
        return DEFAULT_RETRY_AFTER_S
    return min(seconds, MAX_RETRY_AFTER_S)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


# --- PKCE sign-in ----------------------------------------------------------------------------


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer
    # Per connection: a socket that sends no complete request within this many seconds is
    # dropped (a browser's preconnect opens one and sends nothing). Each connection has a thread
    # of its own, so a silent one never holds up the redirect that follows it.
    timeout = CALLBACK_READ_TIMEOUT_S

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        # Only Spotify's answer to our own request counts: another page poking the loopback port
        # (wrong path or state) is turned away and the sign-in keeps waiting.
        if url.path != self.server.expected_path or query.get("state") != self.server.expected_state:
            self.send_error(404 if url.path != self.server.expected_path else 400)
            return
        if not ("code" in query or "error" in query):
            self.send_error(400)
            return
        body = (
            "<html><body><h1>Emotune is connected to Spotify.</h1>You can close this window.</body></html>"
            if "code" in query
            else "<html><body><h1>Spotify sign-in was cancelled.</h1>You can close this window.</body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        # Only now: the sign-in goes on (and may end the process) once the browser has its page.
        self.server.result = query

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the query string holds the authorization code


class _CallbackServer(ThreadingMixIn, HTTPServer):
    daemon_threads = True  # a silent connection's thread ends with its read deadline, or with us
    block_on_close = False

    def __init__(self, host: str, port: int, expected_path: str, expected_state: str) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _CallbackHandler)
        self.expected_path = expected_path
        self.expected_state = expected_state
        self.result: dict[str, str] | None = None


def check_redirect_uri(uri: str) -> tuple[str, int, str]:
    """(host, port, path) of a loopback redirect URI, or SpotifyAuthError saying what Spotify requires."""
    parsed = urlparse(uri)
    try:
        port = parsed.port
    except ValueError:
        port = None
    if parsed.scheme != "http" or parsed.hostname not in ("127.0.0.1", "::1") or not port:
        raise SpotifyAuthError(
            f"redirect URI {uri!r} must look like http://127.0.0.1:PORT/callback (Spotify rejects 'localhost')"
        )
    return str(parsed.hostname), port, parsed.path or "/"


def sign_in(
    credentials: Credentials,
    token_dir: Path,
    *,
    open_url: Callable[[str], object] = webbrowser.open,
    timeout_s: float = 300.0,
    cancel: threading.Event | None = None,
) -> dict[str, str]:
    """PKCE sign-in: open Spotify's consent page, catch the redirect, cache the user's token.

    Asks for ``USER_SCOPES``. Blocks until the user answers, ``timeout_s`` passes or ``cancel``
    is set: run it off the GUI thread. Returns the user's profile (``id``, ``display_name``).
    When the token cannot be written it is kept in memory for this run (with a warning).
    """
    host, port, path = check_redirect_uri(credentials.redirect_uri)
    manager = _pkce_manager(credentials, token_dir)
    state = secrets.token_urlsafe(16)
    try:
        server = _CallbackServer(host, port, path, state)
    except OSError as exc:
        raise SpotifyAuthError(f"cannot listen on {host}:{port} for the sign-in ({_reason(exc)})") from None
    try:
        server.timeout = 0.25  # handle_request() returns this often to check the deadline and cancel
        # On its own thread: webbrowser runs a BROWSER command (or "firefox URL" when no browser
        # is open yet) and waits for it to exit, which may be after the redirect we must catch.
        url = manager.get_authorize_url(state)

        def open_browser() -> None:
            try:
                open_url(url)
            except Exception as exc:  # no traceback from a helper thread; the URL lets the user go on
                log.warning("cannot open a browser for the Spotify sign-in (%s); open %s", exc, url)

        threading.Thread(target=open_browser, name="emotune-sign-in-browser", daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while server.result is None:
            if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
                raise SpotifyAuthError("Spotify sign-in was not completed")
            server.handle_request()
    finally:
        server.server_close()
    result = server.result
    if "code" not in result:
        refusal = printable(_first_line(result.get("error", "no code")))[:200]
        raise SpotifyAuthError(f"Spotify sign-in was refused ({refusal})")
    client = SpotifyClient(manager, timeout_s=credentials.timeout_s)
    cache = manager.cache_handler
    # Exchanging the code and checking whose token it is share one deadline. A token that could
    # not be checked (a 429, an outage, a timeout) is not kept: the command says the sign-in
    # failed, so nothing may look signed in afterwards.
    with command_deadline(min(credentials.timeout_s, MAX_TIMEOUT_S)):
        client._call(manager.get_access_token, code=result["code"], check_cache=False)
        try:
            user = client.current_user()
        except SpotifyError:
            with contextlib.suppress(SpotifyError):
                cache.forget()
            raise
    token = cache.get_cached_token()
    if token is not None:
        # Spotify ends a sign-in six months after it began, whatever the refreshes: remember when.
        token["signed_in_at"] = time.time()
        cache.save_token_to_cache(token)
    return user
