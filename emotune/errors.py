"""Errors the app reports to the user as one line (what, and what is wrong with it), and the
exit status of every command line."""

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
