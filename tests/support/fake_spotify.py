"""A stand-in Spotify (Web API + accounts service) on 127.0.0.1, for tests. Real HTTP, stdlib only.

It answers the endpoints Emotune uses with bodies shaped like Spotify's documented objects and
enforces the 2026 rules the app must live with: search ``limit`` 1..10 (else 400 "Invalid
limit"), bearer tokens required (else 401), scopes checked for user endpoints, no batch
``/tracks?ids=``, PKCE (S256) on the authorization-code grant, single-use codes, refresh tokens
that can expire (``invalid_grant``), playback only for Premium accounts (403 ``PREMIUM_REQUIRED``)
and only on an active or named device (404 ``NO_ACTIVE_DEVICE``).

Search understands the ``genre:`` field filter (``genre:rock`` or ``genre:"hip hop"``): only
tracks with that genre (``FakeTrack.genres``, the genres of the track's artists at Spotify)
match. ``genre_filter = "refused"`` makes a filtered search a 400, as a service that cannot
filter would answer.

Faults (a status with headers, a delay, a malformed body, an answer trickled one byte at a time)
are queued per path prefix (optionally per method, or for the exact path) and consumed in
order. Every request is recorded; ``played``, ``queued`` and ``playlists`` hold what the app did.

Point the app at it with ``EMOTUNE_SPOTIFY_API_URL=server.api_url`` and
``EMOTUNE_SPOTIFY_ACCOUNTS_URL=server.accounts_url``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import secrets
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from emotune.music.spotify import Credentials

CLIENT_ID = "fake-client-id-0123456789abcdef"
CLIENT_SECRET = "fake-client-secret-s3cr3t-value-42"
USER_ID = "emotune-tester"
USER_NAME = "Emotune Tester"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Everything Emotune asks for at sign-in (playback control and private playlists).
USER_SCOPE = "user-read-playback-state user-modify-playback-state playlist-modify-private"
TRACK_URI_LENGTH = len("spotify:track:") + 22
GENRE_FILTER = re.compile(r'genre:(?:"([^"]*)"|(\S+))')


def fake_id(prefix: str, number: int) -> str:
    """A 22-character base62 ID that reads like what it is in test output."""
    return (prefix + str(number).rjust(22 - len(prefix), "0"))[:22]


def is_track_uri(uri: object) -> bool:
    return (
        isinstance(uri, str)
        and uri.startswith("spotify:track:")
        and len(uri) == TRACK_URI_LENGTH
        and all(c in BASE62 for c in uri[len("spotify:track:") :])
    )


@dataclass(frozen=True)
class FakeTrack:
    id: str
    name: str
    artists: tuple[str, ...]
    genres: tuple[str, ...] = ()


def default_tracks(count: int = 45) -> list[FakeTrack]:
    # Every 9th track shares an artist with the one before it, to exercise de-duplication.
    tracks = []
    for i in range(count):
        artist = f"Fake Artist {i - 1 if i % 9 == 8 else i:02d}"
        tracks.append(FakeTrack(fake_id("FakeTrack", i), f"Fake Song {i:02d}", (artist,)))
    return tracks


def device(name: str, *, active: bool = False, kind: str = "Computer", restricted: bool = False) -> dict[str, Any]:
    """A Spotify Connect device object as ``GET /me/player/devices`` lists it."""
    return {
        "id": "dev-" + hashlib.sha1(name.encode()).hexdigest()[:16],
        "is_active": active,
        "is_private_session": False,
        "is_restricted": restricted,
        "name": name,
        "type": kind,
        "volume_percent": 60,
        "supports_volume": True,
    }


@dataclass
class Fault:
    """What the next request under ``path_prefix`` gets instead of a normal answer."""

    path_prefix: str
    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    then_normal: bool = False  # after the delay, answer normally (a slow but correct answer)
    method: str | None = None  # only for this HTTP method
    exact: bool = False  # only for exactly this path, not the paths below it
    # Send the answer one byte at a time, this many seconds apart (the status line and headers
    # too, unless trickle_body_only), like a server that trickles its answer.
    trickle_s: float = 0.0
    trickle_body_only: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return path == self.path_prefix if self.exact else path.startswith(self.path_prefix)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Played:
    """One accepted ``PUT /me/player/play``: what started, and where."""

    device_id: str
    uris: tuple[str, ...]


class FakeSpotify:
    def __init__(self, tracks: list[FakeTrack] | None = None) -> None:
        self.tracks = tracks if tracks is not None else default_tracks()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.app_tokens: set[str] = set()
        self.user_tokens: dict[str, str] = {}  # access token -> scope
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> scope
        self.codes: dict[str, dict[str, str]] = {}  # authorization code -> authorize params
        self.playlists: dict[str, dict[str, Any]] = {}
        # The signed-in user's account and Spotify Connect world.
        self.premium = True
        self.deny_authorization = False  # the user presses "Cancel" on the consent page
        self.devices: list[dict[str, Any]] = [device("Test Laptop", active=True), device("Kitchen", kind="Speaker")]
        self.genre_filter = "applies"  # or "refused": a search with genre: answers 400
        self.played: list[Played] = []
        self.queued: list[str] = []
        self.now_playing: dict[str, Any] | None = None  # {"device_id", "uris", "index", "is_playing"}
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/v1/"

    @property
    def accounts_url(self) -> str:
        return self.base_url

    def env(self) -> dict[str, str]:
        return {"EMOTUNE_SPOTIFY_API_URL": self.api_url, "EMOTUNE_SPOTIFY_ACCOUNTS_URL": self.accounts_url}

    def credentials(self, client_id: str = CLIENT_ID, client_secret: str = "", **fields: Any) -> Credentials:
        """Credentials that reach this server (``fields``: the other ``Credentials`` fields)."""
        return Credentials(client_id, client_secret, api_url=self.api_url, accounts_url=self.accounts_url, **fields)

    def __enter__(self) -> FakeSpotify:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()

    # --- configuring faults and state -----------------------------------------------------------

    def fail(self, path_prefix: str, status: int = 200, **kwargs: Any) -> None:
        body = kwargs.pop("body", None)
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        with self.lock:
            self.faults.append(Fault(path_prefix, status, body, **kwargs))

    def fail_player(self, status: int, message: str, reason: str, path: str = "/v1/me/player", **kwargs: Any) -> None:
        """A player error as Spotify words it, e.g. (404, "No active device found", "NO_ACTIVE_DEVICE")."""
        body = {"error": {"status": status, "message": f"Player command failed: {message}", "reason": reason}}
        self.fail(path, status, body=body, **kwargs)

    def trickle(self, path_prefix: str, every_s: float, *, body_only: bool = False, **kwargs: Any) -> None:
        """The next answer under ``path_prefix`` comes one byte every ``every_s`` seconds."""
        body = kwargs.pop("body", None) or {"padding": "x" * 400}
        self.fail(path_prefix, kwargs.pop("status", 200), body=body, trickle_s=every_s, trickle_body_only=body_only)

    def expire_sign_ins(self) -> None:
        """Every refresh token stops working (six months have passed): refresh gives invalid_grant."""
        with self.lock:
            self.refresh_tokens.clear()

    def expire_access_tokens(self) -> None:
        """Every user access token stops working (the app must refresh)."""
        with self.lock:
            self.user_tokens.clear()

    def no_active_device(self) -> None:
        """Spotify is open nowhere: no devices at all."""
        with self.lock:
            self.devices = []

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[Recorded]:
        with self.lock:
            return [
                r for r in self.requests if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    def issue_user_token(self, scope: str = USER_SCOPE, expires_in: int = 3600) -> dict[str, Any]:
        """A token_info dict as spotipy caches it, valid on this server (to pre-seed a cache)."""
        access, refresh = "user-" + secrets.token_hex(8), "refresh-" + secrets.token_hex(8)
        with self.lock:
            self.user_tokens[access] = scope
            self.refresh_tokens[refresh] = scope
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "expires_at": int(time.time()) + expires_in,
            "refresh_token": refresh,
            "scope": scope,
        }

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for index, fault in enumerate(self.faults):
                if fault.matches(method, path):
                    return self.faults.pop(index)
        return None

    def search_order(self, query: str) -> list[FakeTrack]:
        """A stable, query-dependent order of the whole library (different queries overlap)."""
        order = list(self.tracks)
        for quoted, bare in GENRE_FILTER.findall(query):
            genre = (quoted or bare).casefold()
            order = [t for t in order if genre in (g.casefold() for g in t.genres)]
        random.Random(query).shuffle(order)
        return order

    def track_by_uri(self, uri: str) -> FakeTrack | None:
        return next((t for t in self.tracks if f"spotify:track:{t.id}" == uri), None)

    def active_device(self) -> dict[str, Any] | None:
        return next((d for d in self.devices if d["is_active"]), None)


def track_object(track: FakeTrack, api_url: str) -> dict[str, Any]:
    """A Spotify track object (Web API reference, 2026: no ``popularity``)."""
    artists = []
    for name in track.artists:
        artist_id = fake_id("Artist", zlib.crc32(name.encode()) % 10**8)
        artists.append(
            {
                "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
                "href": f"{api_url}artists/{artist_id}",
                "id": artist_id,
                "name": name,
                "type": "artist",
                "uri": f"spotify:artist:{artist_id}",
            }
        )
    album_id = fake_id("Album", zlib.crc32(track.id.encode()) % 10**8)
    return {
        "album": {
            "album_type": "album",
            "total_tracks": 10,
            "external_urls": {"spotify": f"https://open.spotify.com/album/{album_id}"},
            "href": f"{api_url}albums/{album_id}",
            "id": album_id,
            "images": [],
            "name": f"Album of {track.name}",
            "release_date": "2021-05-07",
            "release_date_precision": "day",
            "type": "album",
            "uri": f"spotify:album:{album_id}",
            "artists": artists,
        },
        "artists": artists,
        "disc_number": 1,
        "duration_ms": 201000,
        "explicit": False,
        "external_ids": {"isrc": "USFAKE2100001"},
        "external_urls": {"spotify": f"https://open.spotify.com/track/{track.id}"},
        "href": f"{api_url}tracks/{track.id}",
        "id": track.id,
        "is_local": False,
        "name": track.name,
        "track_number": 1,
        "type": "track",
        "uri": f"spotify:track:{track.id}",
    }


def _pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def fake(self) -> FakeSpotify:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing ---------------------------------------------------------------------------

    def _record(self) -> tuple[str, dict[str, str], bytes]:
        parsed = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()}
        with self.fake.lock:
            self.fake.requests.append(Recorded(self.command, parsed.path, query, dict(self.headers.items()), body))
        return parsed.path, query, body

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if raw and not any(name.lower() == "content-type" for name in headers or {}):
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _trickle(self, fault: Fault) -> None:
        raw = fault.body if fault.body is not None else b"{}"
        head = [f"HTTP/1.1 {fault.status} Trickling"]
        head += [f"{name}: {value}" for name, value in fault.headers.items()]
        head += ["Content-Type: application/json", f"Content-Length: {len(raw)}", "Connection: close"]
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode()
        self.close_connection = True
        try:
            if fault.trickle_body_only:
                self.wfile.write(head_bytes)
                self.wfile.flush()
                payload = raw
            else:
                payload = head_bytes + raw
            for index in range(len(payload)):
                self.wfile.write(payload[index : index + 1])
                self.wfile.flush()
                if self.fake.stop_event.wait(fault.trickle_s):
                    return
        except OSError:
            pass  # the client hung up: exactly what a deadline should make it do

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"error": {"status": status, "message": message}}, headers)

    def _player_error(self, status: int, message: str, reason: str) -> None:
        body = {"error": {"status": status, "message": f"Player command failed: {message}", "reason": reason}}
        self._send(status, body)

    def _dispatch(self) -> None:
        path, query, body = self._record()
        fault = self.fake.take_fault(self.command, path)
        if fault is not None:
            if fault.trickle_s:
                self._trickle(fault)
                return
            if fault.delay_s:
                self.fake.stop_event.wait(fault.delay_s)
            if not fault.then_normal:
                self._send(fault.status, fault.body, fault.headers)
                return
        if path == "/api/token" and self.command == "POST":
            self._token(body)
        elif path == "/authorize" and self.command == "GET":
            self._authorize(query)
        elif path.startswith("/v1/"):
            self._api(path[len("/v1/") :], query, body)
        else:
            self._error(404, "Service not found")

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    # --- accounts service ---------------------------------------------------------------------

    def _token(self, body: bytes) -> None:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        grant = form.get("grant_type")
        fake = self.fake
        if grant == "client_credentials":
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self._send(400, {"error": "invalid_client", "error_description": "Invalid client"})
                return
            token = "app-" + secrets.token_hex(8)
            with fake.lock:
                fake.app_tokens.add(token)
            self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
        elif grant == "authorization_code":
            with fake.lock:
                params = fake.codes.pop(form.get("code", ""), None)  # a code works once
            if (
                params is None
                or form.get("client_id") != params["client_id"]
                or form.get("redirect_uri") != params["redirect_uri"]
                or _pkce_challenge(form.get("code_verifier", "")) != params["code_challenge"]
            ):
                self._send(400, {"error": "invalid_grant", "error_description": "Invalid authorization code"})
                return
            info = fake.issue_user_token(params.get("scope", ""))
            self._send(
                200, {k: info[k] for k in ("access_token", "token_type", "expires_in", "refresh_token", "scope")}
            )
        elif grant == "refresh_token":
            if form.get("client_id") != CLIENT_ID:
                self._send(400, {"error": "invalid_client", "error_description": "Invalid client"})
                return
            with fake.lock:
                scope = fake.refresh_tokens.get(form.get("refresh_token", ""))
            if scope is None:
                self._send(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"})
                return
            info = fake.issue_user_token(scope)
            # Spotify may answer without a new refresh token: the old one stays valid.
            self._send(200, {k: info[k] for k in ("access_token", "token_type", "expires_in", "scope")})
        else:
            self._send(400, {"error": "unsupported_grant_type", "error_description": "grant_type invalid"})

    def _authorize(self, query: dict[str, str]) -> None:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            self._send(400, b"INVALID_CLIENT: Invalid client", {"Content-Type": "text/plain"})
            return
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            self._send(400, b"code_challenge required", {"Content-Type": "text/plain"})
            return
        redirect = urlparse(query.get("redirect_uri", ""))
        if redirect.scheme != "http" or redirect.hostname not in ("127.0.0.1", "::1"):
            self._send(400, b"INVALID_CLIENT: Insecure redirect URI", {"Content-Type": "text/plain"})
            return
        state = {"state": query["state"]} if "state" in query else {}
        if self.fake.deny_authorization:
            answer = {"error": "access_denied", **state}
        else:
            code = "code-" + secrets.token_hex(8)
            with self.fake.lock:
                self.fake.codes[code] = dict(query)
            answer = {"code": code, **state}
        self._send(302, None, {"Location": f"{query['redirect_uri']}?{urlencode(answer)}"})

    # --- Web API --------------------------------------------------------------------------------

    def _bearer(self) -> tuple[str, str | None] | None:
        """(token, user scope or None for an app token), or None after answering 401."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            self._error(401, "No token provided")
            return None
        token = header[len("Bearer ") :]
        fake = self.fake
        with fake.lock:
            if token in fake.app_tokens:
                return token, None
            if token in fake.user_tokens:
                return token, fake.user_tokens[token]
        self._error(401, "The access token expired")
        return None

    def _user_with(self, scope: str | None, needed: str) -> bool:
        """True when a user token with ``needed`` made the request; else answers 401/403."""
        if scope is None:
            self._error(401, "Only valid bearer authentication supported")
            return False
        if needed not in scope.split():
            self._error(403, "Permissions missing")
            return False
        return True

    def _api(self, path: str, query: dict[str, str], body: bytes) -> None:
        auth = self._bearer()
        if auth is None:
            return
        _, scope = auth
        command = self.command
        if path == "search" and command == "GET":
            self._search(query)
        elif path.startswith("tracks/") and command == "GET":
            self._track(path[len("tracks/") :])
        elif path in ("me", "me/") and command == "GET":
            if scope is None:
                self._error(401, "Only valid bearer authentication supported")
                return
            self._send(
                200,
                {
                    "id": USER_ID,
                    "display_name": USER_NAME,
                    "product": "premium" if self.fake.premium else "free",
                    "type": "user",
                    "uri": f"spotify:user:{USER_ID}",
                },
            )
        elif path == "me/player/devices" and command == "GET":
            if self._user_with(scope, "user-read-playback-state"):
                with self.fake.lock:
                    self._send(200, {"devices": [dict(d) for d in self.fake.devices]})
        elif path == "me/player" and command == "GET":
            if self._user_with(scope, "user-read-playback-state"):
                self._player_state()
        elif path == "me/player/play" and command == "PUT":
            if self._user_with(scope, "user-modify-playback-state"):
                self._play(query, body)
        elif path == "me/player/queue" and command == "POST":
            if self._user_with(scope, "user-modify-playback-state"):
                self._queue(query)
        elif path == "me/playlists" and command == "POST":
            self._create_playlist(scope, body)
        elif path.startswith("playlists/") and path.endswith("/items") and command == "POST":
            self._add_items(scope, path.split("/")[1], query, body)
        else:
            self._error(404, "Service not found")

    def _search(self, query: dict[str, str]) -> None:
        q, kind = query.get("q", ""), query.get("type", "")
        if not q:
            self._error(400, "No search query")
            return
        if not kind:
            self._error(400, "Missing parameter type")
            return
        try:
            limit = int(query.get("limit", "5"))
            offset = int(query.get("offset", "0"))
        except ValueError:
            self._error(400, "Invalid limit")
            return
        if not 1 <= limit <= 10:
            self._error(400, "Invalid limit")
            return
        if not 0 <= offset <= 1000:
            self._error(400, "Invalid offset")
            return
        if self.fake.genre_filter == "refused" and GENRE_FILTER.search(q):
            self._error(400, "Unsupported field filter: genre")
            return
        api = self.fake.api_url
        found = self.fake.search_order(q)
        page = found[offset : offset + limit]
        base = f"{api}search?{urlencode({'q': q, 'type': kind})}"
        more = offset + limit < len(found)
        self._send(
            200,
            {
                "tracks": {
                    "href": f"{base}&offset={offset}&limit={limit}",
                    "limit": limit,
                    "next": f"{base}&offset={offset + limit}&limit={limit}" if more else None,
                    "offset": offset,
                    "previous": f"{base}&offset={max(0, offset - limit)}&limit={limit}" if offset else None,
                    "total": len(found),
                    "items": [track_object(t, api) for t in page],
                }
            },
        )

    def _track(self, track_id: str) -> None:
        if len(track_id) != 22 or any(c not in BASE62 for c in track_id):
            self._error(400, "Invalid base62 id")
            return
        for track in self.fake.tracks:
            if track.id == track_id:
                self._send(200, track_object(track, self.fake.api_url))
                return
        self._error(404, "Resource not found")

    # --- Spotify Connect ---------------------------------------------------------------------

    def _target_device(self, query: dict[str, str]) -> dict[str, Any] | None:
        """The device a player command goes to, or None after answering 403/404 as Spotify does."""
        fake = self.fake
        if not fake.premium:
            self._player_error(403, "Premium required", "PREMIUM_REQUIRED")
            return None
        with fake.lock:
            wanted = query.get("device_id")
            if wanted:
                target = next((d for d in fake.devices if d["id"] == wanted), None)
                if target is None:
                    self._error(404, "Device not found")
                    return None
                for d in fake.devices:  # a named device becomes the active one
                    d["is_active"] = d is target
                return target
            target = fake.active_device()
        if target is None:
            self._player_error(404, "No active device found", "NO_ACTIVE_DEVICE")
        return target

    def _play(self, query: dict[str, str], body: bytes) -> None:
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            self._error(400, "Malformed json")
            return
        uris = data.get("uris") if isinstance(data, dict) else None
        if uris is not None and (not isinstance(uris, list) or not uris or not all(map(is_track_uri, uris))):
            self._error(400, "Invalid track uri")
            return
        target = self._target_device(query)
        if target is None:
            return
        with self.fake.lock:
            if uris is not None:
                self.fake.played.append(Played(target["id"], tuple(uris)))
                self.fake.now_playing = {"device_id": target["id"], "uris": list(uris), "index": 0}
                self.fake.queued.clear()
            if self.fake.now_playing is not None:
                self.fake.now_playing["is_playing"] = True
        self._send(204)

    def _queue(self, query: dict[str, str]) -> None:
        uri = query.get("uri", "")
        if not is_track_uri(uri):
            self._error(400, "Invalid track uri")
            return
        if self._target_device(query) is None:
            return
        with self.fake.lock:
            self.fake.queued.append(uri)
        self._send(204)

    def _player_state(self) -> None:
        fake = self.fake
        with fake.lock:
            playing = dict(fake.now_playing) if fake.now_playing else None
            target = next((d for d in fake.devices if playing and d["id"] == playing["device_id"]), None)
        if playing is None or target is None:
            self._send(204)  # nothing is playing anywhere
            return
        uri = playing["uris"][playing["index"]]
        # A catalog track the library does not hold still plays: give it a name.
        track = fake.track_by_uri(uri) or FakeTrack(uri.rsplit(":", 1)[1], "A catalog song", ("A catalog artist",))
        self._send(
            200,
            {
                "device": dict(target),
                "repeat_state": "off",
                "shuffle_state": False,
                "context": None,
                "timestamp": int(time.time() * 1000),
                "progress_ms": 42000,
                "is_playing": bool(playing.get("is_playing")),
                "item": track_object(track, fake.api_url),
                "currently_playing_type": "track",
                "actions": {"disallows": {"resuming": True}},
            },
        )

    # --- playlists -----------------------------------------------------------------------------

    def _create_playlist(self, scope: str | None, body: bytes) -> None:
        if scope is None:
            self._error(401, "Only valid bearer authentication supported")
            return
        try:
            data = json.loads(body)
        except ValueError:
            self._error(400, "Error parsing JSON.")
            return
        public = bool(data.get("public", True))
        needed = "playlist-modify-public" if public else "playlist-modify-private"
        if needed not in scope.split():
            self._error(403, "Insufficient client scope")
            return
        if not isinstance(data.get("name"), str) or not data["name"]:
            self._error(400, "Missing required field: name")
            return
        with self.fake.lock:
            playlist_id = fake_id("Playlist", len(self.fake.playlists) + 1)
            playlist = {
                "collaborative": bool(data.get("collaborative", False)),
                "description": data.get("description") or None,
                "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist_id}"},
                "href": f"{self.fake.api_url}playlists/{playlist_id}",
                "id": playlist_id,
                "images": [],
                "name": data["name"],
                "owner": {"id": USER_ID, "display_name": USER_NAME, "type": "user"},
                "public": public,
                "snapshot_id": "snap-0",
                "items": {"href": f"{self.fake.api_url}playlists/{playlist_id}/items", "total": 0},
                "type": "playlist",
                "uri": f"spotify:playlist:{playlist_id}",
                "uris": [],
            }
            self.fake.playlists[playlist_id] = playlist
        self._send(201, {k: v for k, v in playlist.items() if k != "uris"})

    def _add_items(self, scope: str | None, playlist_id: str, query: dict[str, str], body: bytes) -> None:
        playlist = self.fake.playlists.get(playlist_id)
        if scope is None or playlist is None:
            self._error(403 if playlist is not None else 404, "Forbidden" if playlist is not None else "Not found")
            return
        if not {"playlist-modify-private", "playlist-modify-public"} & set(scope.split()):
            self._error(403, "Insufficient client scope")
            return
        try:
            data = json.loads(body) if body else {"uris": query.get("uris", "").split(",")}
        except ValueError:
            self._error(400, "Error parsing JSON.")
            return
        uris = data if isinstance(data, list) else data.get("uris", [])
        if not uris or len(uris) > 100:
            self._error(400, "You can add a maximum of 100 tracks per request.")
            return
        for uri in uris:
            if not is_track_uri(uri):
                self._error(400, f"Invalid track uri: {uri}")
                return
        with self.fake.lock:
            playlist["uris"].extend(uris)
            playlist["snapshot_id"] = f"snap-{len(playlist['uris'])}"
            playlist["items"]["total"] = len(playlist["uris"])
        self._send(201, {"snapshot_id": playlist["snapshot_id"]})


def serve() -> Iterator[FakeSpotify]:
    """Generator for a pytest fixture: a started server, stopped afterwards."""
    with FakeSpotify() as server:
        yield server
