"""Shared fixtures. Helpers live in ``tests/support/`` (imported from there, never from here).

Every test runs with the user's folders pointed at temporary ones and every Emotune/Spotify
variable cleared (``user_dirs``), so no test reads or writes the developer's own
settings, tokens, caches or journal, and a variable set in the shell cannot change a result.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.environment import VARIABLES
from emotune.labels import EMOTIONS
from tests.support.paths import FER_ZIP, UserFolders


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> UserFolders:
    """Config, cache and data folders in a fresh temporary folder; no EMOTUNE_*/SPOTIPY_* set."""
    for name in list(os.environ):
        if name.startswith(("EMOTUNE_", "SPOTIPY_")) or name in VARIABLES:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("user")
    folders = UserFolders(home / "config", home / "cache", home / "data")
    monkeypatch.setenv("EMOTUNE_CONFIG_DIR", str(folders.config))
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(folders.cache))
    monkeypatch.setenv("EMOTUNE_DATA_DIR", str(folders.data))
    return folders


@pytest.fixture(scope="session")
def fer_zip() -> Path:
    assert FER_ZIP.is_file(), f"{FER_ZIP} is missing: the tests need ../shared beside the checkout"
    return FER_ZIP


@pytest.fixture(scope="session")
def val_faces(fer_zip: Path) -> dict[str, list[NDArray[np.uint8]]]:
    """Five real 48x48 val faces per emotion, decoded from the zip."""
    faces: dict[str, list[NDArray[np.uint8]]] = {name: [] for name in EMOTIONS}
    with zipfile.ZipFile(fer_zip) as archive:
        for member in sorted(archive.namelist()):
            parts = member.split("/")
            if len(parts) == 3 and parts[0] == "val" and len(faces[parts[1]]) < 5:
                image = cv2.imdecode(np.frombuffer(archive.read(member), np.uint8), cv2.IMREAD_GRAYSCALE)
                faces[parts[1]].append(image)
    return faces
