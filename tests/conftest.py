"""Shared fixtures: real FER2013 faces from ../shared (never copied into the repository)."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.labels import EMOTIONS

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FER_ZIP = SHARED / "data" / "fer2013.zip"


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


def write_png(path: Path, image: NDArray[np.uint8]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, buf = cv2.imencode(path.suffix or ".png", image)
    assert ok
    path.write_bytes(buf.tobytes())
    return path


def one_error_line(result: subprocess.CompletedProcess[str], prefix: str = "") -> str:
    """The single stderr line of a command that refused bad input (exit 2, no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix) and "Traceback" not in result.stderr
    return lines[0]
