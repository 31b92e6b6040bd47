"""The per-test user folders (where the repository and the shared data are: ``testbed.paths``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class UserFolders:
    """The per-test user folders the autouse fixture ``user_dirs`` points Emotune at."""

    config: Path
    cache: Path
    data: Path
