"""Where the repository and the shared data are (the data is never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FER_ZIP = SHARED / "data" / "fer2013.zip"
JAFFE = SHARED / "data" / "people" / "jaffe"
ASTRONAUT = REPO / "assets" / "astronaut.png"  # public domain, shipped with the app


def jaffe_people() -> list[str]:
    """The JAFFE people's folder names; none without ../shared (the tests that use them are marked
    ``data``, and the test run stops at collection with one line saying what is missing)."""
    return sorted(p.name for p in JAFFE.iterdir() if p.is_dir()) if JAFFE.is_dir() else []
