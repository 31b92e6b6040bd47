"""The Spotify client: search, tracks and playlists, as the app or as the signed-in user.

Every method blocks on the network (run it off the GUI thread) and fails with a ``SpotifyError``
whose message is a one-line status. Nothing here sleeps for a Retry-After: after a 429 the
client refuses calls until the wait is over, without touching the network, and the caller falls
back to the catalog. Playback (Spotify Connect) builds on this in ``emotune.music.playback``.
"""

from __future__ import annotations

import email.utils
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
import spotipy
from spotipy.exceptions import SpotifyException, SpotifyOauthError

from emotune.errors import last_line
from emotune.music.spotify.auth import SIGN_IN_EXPIRED, SIGN_IN_REQUIRED, app_manager, user_manager
from emotune.music.spotify.credentials import Credentials
from emotune.music.spotify.errors import (
    NO_ACTIVE_DEVICE_MESSAGE,
    PREMIUM_REQUIRED_MESSAGE,
    SIGN_IN_EXPIRED_MESSAGE,
    SpotifyAuthError,
    SpotifyBadResponseError,
    SpotifyError,
    SpotifyNoActiveDeviceError,
    SpotifyPremiumRequiredError,
    SpotifyRateLimitedError,
    SpotifyRequestError,
    SpotifySignInExpiredError,
    SpotifyTimeoutError,
    SpotifyUnavailableError,
)
from emotune.music.spotify.redaction import redact
from emotune.music.spotify.token_cache import RUN_TOKENS, TokenMemory, is_signed_in
from emotune.music.spotify.transport import MAX_TIMEOUT_S, session, waited_at_most
from emotune.music.tracks import Track, is_track_id

SEARCH_PAGE_LIMIT = 10  # February 2026: more gives 400 "Invalid limit"
PLAYLIST_ADD_LIMIT = 100
DEFAULT_RETRY_AFTER_S = 60.0
# A Retry-After beyond a day is a broken header, not a plan: cap what we wait and report.
MAX_RETRY_AFTER_S = 24 * 3600.0

T = TypeVar("T")
ClientT = TypeVar("ClientT", bound="SpotifyClient")


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
        api_url: str,
        timeout_s: float = MAX_TIMEOUT_S,
        market: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._market = market or None
        self._timeout_s = min(timeout_s, MAX_TIMEOUT_S)
        self._clock = clock
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        # spotipy's retry arguments (retries, status_retries, status_forcelist, backoff_factor)
        # only shape the retrying session it builds for itself, which it never builds when handed
        # a session: ours has no retries at all, and a 429 is ours to handle (``_rate_limited``).
        self._sp = spotipy.Spotify(
            auth_manager=auth_manager,
            requests_session=session(self._timeout_s),
            requests_timeout=self._timeout_s,
        )
        self._sp.prefix = api_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api={self._sp.prefix!r}, timeout_s={self._timeout_s})"

    @classmethod
    def as_app(
        cls: type[ClientT], credentials: Credentials, token_dir: Path, memory: TokenMemory = RUN_TOKENS, **kwargs: Any
    ) -> ClientT:
        """Client-credentials flow: search and tracks, no user data."""
        manager = app_manager(credentials, token_dir, memory)
        return cls(manager, **_client_options(credentials, kwargs))

    @classmethod
    def as_user(
        cls: type[ClientT], credentials: Credentials, token_dir: Path, memory: TokenMemory = RUN_TOKENS, **kwargs: Any
    ) -> ClientT:
        """The signed-in user (after ``sign_in``); SpotifyAuthError if nobody is signed in."""
        if not is_signed_in(token_dir, memory):
            raise SpotifyAuthError("not signed in to Spotify")
        return cls(user_manager(credentials, token_dir, memory), **_client_options(credentials, kwargs))

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
            raise SpotifyRateLimitedError(f"Spotify is rate limiting us: retry in {duration(wait)}", wait)
        try:
            return function(*args, **kwargs)
        except SpotifyException as exc:
            raise self._http_error(exc) from None
        except SpotifyOauthError as exc:
            raise self._oauth_error(exc) from None
        except requests.exceptions.Timeout:
            # A command's share of its budget (``play``'s search) may be shorter than the timeout.
            waited = waited_at_most(self._timeout_s)
            raise SpotifyTimeoutError(f"Spotify did not answer within {waited:.2g} s") from None
        except requests.exceptions.JSONDecodeError:
            raise SpotifyBadResponseError("Spotify's sign-in server sent an answer that is not JSON") from None
        except requests.exceptions.RequestException as exc:
            raise SpotifyUnavailableError(f"cannot reach Spotify ({type(exc).__name__})") from None
        except (KeyError, TypeError, ValueError):
            raise SpotifyBadResponseError("Spotify sent an answer of an unexpected shape") from None

    def _rate_limited(self, retry_after_header: object) -> SpotifyRateLimitedError:
        wait = retry_after_seconds(retry_after_header)
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + wait)
        return SpotifyRateLimitedError(f"Spotify is rate limiting us: retry in {duration(wait)}", wait)

    def _http_error(self, exc: SpotifyException) -> SpotifyError:
        status = int(exc.http_status)
        detail = redact(last_line(exc.msg, "no details"))
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


def _client_options(credentials: Credentials, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` for ``SpotifyClient()``, the credentials' API, timeout and market filled in."""
    return {"api_url": credentials.api_url, "timeout_s": credentials.timeout_s, "market": credentials.market} | options


def connect(credentials: Credentials, token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> SpotifyClient | None:
    """The best client the credentials allow: the app (ID + secret), else the signed-in user.

    None when neither is available: the catalog answers alone. A packaged app ships no secret,
    so for most users search runs on their own PKCE token.
    """
    if credentials.can_search_as_app:
        return SpotifyClient.as_app(credentials, token_dir, memory)
    if credentials.client_id and is_signed_in(token_dir, memory):
        return SpotifyClient.as_user(credentials, token_dir, memory)
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


def retry_after_seconds(value: object) -> float:
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


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
