"""Errors the app reports to the user as one line (what, and what is wrong with it)."""

from __future__ import annotations

# Exit status of every command line for bad input (a missing file, a corrupt model, ...).
EXIT_BAD_INPUT = 2


class EmotuneError(Exception):
    """Base class: the message names the thing and the problem, ready to show as is."""


class ModelError(EmotuneError):
    """A model file is missing, corrupt or not the model we expect."""
