"""Errors the app reports to the user as one line (what, and what is wrong with it), the exit
status of every command line, and the wording of a failure's cause inside such a line."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What every ``python -m emotune`` command returns."""

    OK = 0
    FAILED = 1  # the command ran and its check failed (--self-test)
    BAD_INPUT = 2  # a missing file, a corrupt model, a bad flag, a refused action: one line on stderr
    INTERRUPTED = 130  # Ctrl+C, as shells report SIGINT
    # The reader of our output went away (`... | head -1`): 128 + SIGPIPE, what a shell reports for
    # Unix tools killed by the signal, so `set -o pipefail` scripts see the same as with `cat`.
    BROKEN_PIPE = 141


class EmotuneError(Exception):
    """Base class: the message names the thing and the problem, ready to show as is."""


class UsageError(EmotuneError):
    """A command-line flag has a value the command cannot use."""


class ModelError(EmotuneError):
    """A model file is missing, corrupt or not the model we expect."""


REASON_LIMIT = 160  # a cause longer than this (an SQLite integrity report) is cut


def one_line(text: object, limit: int | None = None) -> str:
    """``text`` on one line (runs of whitespace and line breaks as one space), cut to ``limit``
    characters (ending in "...") when given."""
    flat = " ".join(str(text).split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 3] + "..."


def last_line(text: object, default: str) -> str:
    """The last line of ``text`` that is not blank, stripped (where tracebacks and servers put the
    point), or ``default`` when there is none (``None`` included)."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[-1] if lines else default


def reason(exc: BaseException) -> str:
    """Why ``exc`` happened, short enough for the parentheses of a one-line message: the system's
    words for an ``OSError`` ("Permission denied"), else its message on one line, else its type."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return one_line(exc, REASON_LIMIT) or type(exc).__name__
