"""Keeping secrets out of logs: ``redact()`` and the filter on spotipy's loggers.

spotipy logs request headers (a Basic client secret, a Bearer token) and PKCE bodies at DEBUG;
importing this module (the package does) puts a redacting filter on those loggers.
"""

from __future__ import annotations

import logging
import re

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
