"""Emotune: music for your face."""

__version__ = "0.1.0"
