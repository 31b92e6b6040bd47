"""Errors the app reports to the user as one line (what, and what is wrong with it)."""

from __future__ import annotations


class EmotuneError(Exception):
    """Base class: the message names the thing and the problem, ready to show as is."""


class ModelError(EmotuneError):
    """A model file is missing, corrupt or not the model we expect."""


class ImageError(EmotuneError):
    """An image file is missing or cannot be decoded."""
