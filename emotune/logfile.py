"""The log file of the windowed app: ``emotune.log`` in the user cache folder.

A windowed program has nowhere to print (on Windows ``sys.stderr`` is None), so ``emotune-gui``
sends its warnings and errors here as well as to stderr when there is one. The file rotates at
``MAX_BYTES`` with one older copy, so it never grows past about half a megabyte. Secrets are kept
out twice over: nothing below WARNING is written (spotipy logs request headers at DEBUG), and each
line, traceback included, is passed through the Spotify redaction (bearer/basic credentials, token
fields) and has the environment's client secret masked.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from emotune.environment import Environment
from emotune.music.spotify.redaction import redact

LOG_FILE = "emotune.log"
MAX_BYTES = 256 * 1024
BACKUPS = 1
_SECRET_VARIABLES = ("SPOTIPY_CLIENT_SECRET",)


class _RedactingFormatter(logging.Formatter):
    """Formats the whole line, traceback included, then masks what must not be kept."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = redact(super().format(record))
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def log_path(env: Environment) -> Path:
    return env.cache_dir / LOG_FILE


def start_logging(env: Environment) -> logging.Handler | None:
    """Send WARNING and above from every logger to the log file (and to stderr when the process
    has one, as ``emotune: message``); the file's handler, or None when the cache folder cannot
    be written (the app still runs: a log is no reason to stop it)."""
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    secrets = tuple(value for variable, _, value in env.setting_overrides if variable in _SECRET_VARIABLES)
    if sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(_RedactingFormatter("emotune: %(message)s", secrets))
        root.addHandler(console)
    try:
        env.cache_dir.mkdir(parents=True, exist_ok=True)
        # delay: the file appears with the first line, so a run with nothing to say leaves no trace
        # (the self-test promises that).
        handler = RotatingFileHandler(
            log_path(env), maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root.addHandler(handler)
    return handler
