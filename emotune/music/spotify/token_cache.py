"""Spotify tokens on disk: the cache spotipy reads and writes, and what it says about the sign-in.

A token cache is an optimisation: one that cannot be written keeps the token in memory for the
run (``TokenMemory``), and a damaged one is set aside (``emotune.files.set_aside``) and counts as
signed out. Files are created with mode 600 in the token dir the caller gives (the config dir).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from pathlib import Path
from typing import Any

from spotipy.cache_handler import CacheHandler

from emotune.errors import reason
from emotune.files import DamagedFileError, atomic_write_text, read_json_file, set_aside
from emotune.music.spotify.errors import SpotifyError

APP_TOKEN_FILE = "spotify-app-token.json"
USER_TOKEN_FILE = "spotify-user-token.json"
# What a signed-in user grants: playback control (Spotify Connect) and private playlists.
USER_SCOPES = ("user-read-playback-state", "user-modify-playback-state", "playlist-modify-private")
USER_SCOPE = " ".join(USER_SCOPES)
# Since mid-2026 a refresh token lasts six months from sign-in, and refreshing does not extend it.
SIGN_IN_LIFETIME_S = 182 * 24 * 3600.0
SIGN_IN_EARLIEST, SIGN_IN_LATEST = 1_577_836_800, 4_102_444_800  # 2020-01-01 and 2100-01-01 UTC
MAX_TOKEN_FILE_BYTES = 64 * 1024  # a real token file is under 2 KB

log = logging.getLogger(__package__)  # one logger for the package: "emotune.music.spotify"


class TokenMemory:
    """What a run knows about token files beyond their content: the tokens whose file could not
    be written (by path), kept so that a read-only config dir costs a sign-in at the next start,
    never the music now; and which warnings were already given, so each is given once.

    Every cache of the same path must share one (``RUN_TOKENS`` unless a caller passes its own).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._unsaved: dict[str, dict[str, Any]] = {}
        self._warned: set[tuple[str, str]] = set()

    def unsaved(self, path: Path) -> dict[str, Any] | None:
        with self._lock:
            token = self._unsaved.get(str(path))
        return None if token is None else dict(token)

    def keep(self, path: Path, token: dict[str, Any]) -> None:
        with self._lock:
            self._unsaved[str(path)] = dict(token)

    def drop(self, path: Path) -> None:
        with self._lock:
            self._unsaved.pop(str(path), None)

    def warn_once(self, path: Path, kind: str, message: str) -> None:
        with self._lock:
            if (str(path), kind) in self._warned:
                return
            self._warned.add((str(path), kind))
        log.warning("%s", message)


# The memory of this process's run, for callers that pass none: a sign-in (``sign_in``) and the
# checks after it (``is_signed_in``, ``sign_in_is_saved``) are separate calls that must agree.
RUN_TOKENS = TokenMemory()


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

    Reading and saving never raise: an unwritable file keeps the token in ``memory`` for the run
    (one warning; every cache of that path sharing the memory sees it); a damaged one (not JSON,
    too deep, wrong encoding or shape) is set aside as ``<name>.damaged-<time>`` with one warning
    and reads as no token, so the next sign-in or token request starts clean.
    """

    def __init__(self, path: Path, *, needs_refresh_token: bool = False, memory: TokenMemory = RUN_TOKENS) -> None:
        self.path = path
        self.needs_refresh_token = needs_refresh_token
        self.memory = memory

    def __repr__(self) -> str:
        return f"TokenFileCache({str(self.path)!r})"

    def get_cached_token(self) -> dict[str, Any] | None:
        unsaved = self.memory.unsaved(self.path)
        if unsaved is not None:
            return unsaved
        try:
            data = read_json_file(self.path, MAX_TOKEN_FILE_BYTES)
        except (FileNotFoundError, NotADirectoryError):
            return None  # never signed in, or the config dir is not a folder: no token either way
        except OSError as exc:
            self.memory.warn_once(self.path, "read", f"cannot read the Spotify token cache {self.path} ({reason(exc)})")
            return None
        except DamagedFileError as exc:
            problem: str | None = str(exc)
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
            self.memory.keep(self.path, token_info)
            self.memory.warn_once(
                self.path,
                "write",
                f"cannot save the Spotify token to {self.path} ({reason(exc)}); it is kept in memory for this run",
            )
            return
        self.memory.drop(self.path)

    def forget(self, only_refresh_token: str | None = None) -> None:
        """Delete the cached token (only if it still holds ``only_refresh_token``, when given).

        Raises SpotifyError when the file exists and cannot be deleted.
        """
        if only_refresh_token is not None:
            cached = self.get_cached_token()
            if cached is None or cached.get("refresh_token") != only_refresh_token:
                return  # another sign-in or refresh has replaced it since
        self.memory.drop(self.path)
        try:
            self.path.unlink(missing_ok=True)
        except NotADirectoryError:
            pass  # the config dir is a file: there is no token file to delete
        except OSError as exc:
            raise SpotifyError(f"cannot delete the Spotify sign-in {self.path} ({reason(exc)})") from None

    def _set_aside(self, problem: str) -> None:
        try:
            aside = set_aside(self.path)
        except OSError as exc:
            self.memory.warn_once(
                self.path,
                "damaged",
                f"Spotify token cache {self.path} is damaged ({problem}) and cannot be moved aside "
                f"({reason(exc)}); ignoring it",
            )
            return
        log.warning("Spotify token cache %s was damaged (%s); moved it to %s", self.path, problem, aside.name)


def user_token_path(token_dir: Path) -> Path:
    return token_dir / USER_TOKEN_FILE


def user_cache(token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> TokenFileCache:
    return TokenFileCache(user_token_path(token_dir), needs_refresh_token=True, memory=memory)


def is_signed_in(token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> bool:
    """True when a user token (from PKCE sign-in) with every scope Emotune asks for is cached."""
    token = user_cache(token_dir, memory).get_cached_token()
    if not token:
        return False
    # A token from an older sign-in without the playback scopes does not count: sign in again.
    return set(USER_SCOPES) <= set(str(token.get("scope", "")).split())


def sign_in_expires_at(token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> float | None:
    """When the cached sign-in stops working (epoch seconds), or None when unknown or signed out."""
    token = user_cache(token_dir, memory).get_cached_token()
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


def sign_in_is_saved(token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> bool:
    """False when the user's token lives only in memory (its file could not be written)."""
    return memory.unsaved(user_token_path(token_dir)) is None


def sign_out(token_dir: Path, memory: TokenMemory = RUN_TOKENS) -> None:
    """Delete the signed-in user's token. SpotifyError when it cannot be deleted."""
    user_cache(token_dir, memory).forget()
