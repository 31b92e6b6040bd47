"""Checks of the Spotify fields as the Settings dialog has them, each answered in a sentence the
dialog shows by its field ("" when the value is fine). No toolkit.

- A client ID is what the Spotify developer dashboard shows: 32 hexadecimal characters. Empty is
  fine: songs then come from the bundled catalog.
- Spotify sends the browser back to the redirect URI after sign-in, and Emotune listens for it on
  this computer, so it must be a loopback address with a port: ``http://127.0.0.1:PORT/...`` or
  ``http://[::1]:PORT/...``. Spotify no longer accepts ``localhost``.
"""

from __future__ import annotations

import string
from urllib.parse import urlsplit

from emotune.config import Settings

CLIENT_ID_LENGTH = 32
EXAMPLE_URI = Settings().spotify_redirect_uri
LOOPBACK = ("127.0.0.1", "::1")


def client_id_problem(text: str) -> str:
    value = text.strip()
    if not value:
        return ""
    if any(c not in string.hexdigits for c in value):
        return "A client ID has only the digits 0-9 and the letters a-f: copy it from the Spotify dashboard"
    if len(value) != CLIENT_ID_LENGTH:
        return f"A client ID is {CLIENT_ID_LENGTH} characters long; this one has {len(value)}"
    return ""


def redirect_uri_problem(text: str, client_id: str = "x") -> str:
    """``client_id``: the one entered (without one Spotify is not used, so no URI is needed)."""
    value = text.strip()
    if not value:
        return f"Spotify needs a redirect URI, such as {EXAMPLE_URI}" if client_id.strip() else ""
    parts = urlsplit(value)
    host = parts.hostname or ""
    if host == "localhost":
        return f"Spotify does not accept localhost: use 127.0.0.1, as in {EXAMPLE_URI}"
    if parts.scheme != "http" or host not in LOOPBACK:
        return f"Use this computer's address, as in {EXAMPLE_URI}: Emotune hears Spotify's answer there"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if not port:
        return f"Give a port from 1 to 65535 after the address, as in {EXAMPLE_URI}"
    return ""
