"""PKCE sign-in: open Spotify's consent page, catch its redirect on the loopback port, keep the token.

``sign_in()`` blocks until the user answers (run it off the GUI thread). The redirect catcher
answers only Spotify's answer to our own request (path and state), drops silent connections, and
never logs the query string (it holds the authorization code).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlparse

from emotune.errors import last_line, reason
from emotune.music.spotify.auth import user_manager
from emotune.music.spotify.client import SpotifyClient
from emotune.music.spotify.credentials import Credentials
from emotune.music.spotify.errors import SpotifyAuthError, SpotifyError
from emotune.music.spotify.redaction import redact
from emotune.music.spotify.token_cache import RUN_TOKENS, TokenMemory
from emotune.music.spotify.transport import MAX_TIMEOUT_S, command_deadline
from emotune.text import printable

CALLBACK_READ_TIMEOUT_S = 5.0  # the sign-in redirect's connection: a request must arrive within this

log = logging.getLogger(__package__)  # one logger for the package: "emotune.music.spotify"


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

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection the browser reset or dropped (a preconnect, a closed tab) is no fault of
        # the sign-in, which keeps waiting for the redirect; socketserver would print a traceback
        # on stderr before the command's one line. Anything else is a bug and keeps its traceback.
        if isinstance(sys.exc_info()[1], OSError):
            log.debug("sign-in callback: a connection from %s failed", client_address, exc_info=True)
            return
        super().handle_error(request, client_address)


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
    memory: TokenMemory = RUN_TOKENS,
) -> dict[str, str]:
    """PKCE sign-in: open Spotify's consent page, catch the redirect, cache the user's token.

    Asks for ``USER_SCOPES``. Blocks until the user answers, ``timeout_s`` passes or ``cancel``
    is set: run it off the GUI thread. Returns the user's profile (``id``, ``display_name``).
    When the token cannot be written it is kept in memory for this run (with a warning).
    """
    host, port, path = check_redirect_uri(credentials.redirect_uri)
    manager = user_manager(credentials, token_dir, memory)
    state = secrets.token_urlsafe(16)
    try:
        server = _CallbackServer(host, port, path, state)
    except OSError as exc:
        raise SpotifyAuthError(f"cannot listen on {host}:{port} for the sign-in ({reason(exc)})") from None
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
        refusal = printable(redact(last_line(result.get("error"), "no code")))[:200]
        raise SpotifyAuthError(f"Spotify sign-in was refused ({refusal})")
    client = SpotifyClient(manager, api_url=credentials.api_url, timeout_s=credentials.timeout_s)
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
