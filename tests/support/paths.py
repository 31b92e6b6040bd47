"""Where the repository and the shared data are (the data is never copied into the repository)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FER_ZIP = SHARED / "data" / "fer2013.zip"
JAFFE = SHARED / "data" / "people" / "jaffe"


@dataclass(frozen=True)
class UserFolders:
    """The per-test user folders the autouse fixture ``user_dirs`` points Emotune at."""

    config: Path
    cache: Path
    data: Path
