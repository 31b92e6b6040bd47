"""Writing test inputs, and reading what a command line said."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS

# The one line ``--self-test`` prints when all is well (the source and the bundle alike).
SELF_TEST_SUMMARY = re.compile(
    r"^emotune \S+ self-test OK: models loaded; 1 face in astronaut\.png -> "
    rf"({'|'.join(EMOTIONS)}) \((?:0\.\d\d|1\.00)\); "
    r"5 catalog tracks for \1 \(of \d+\); GUI modules present; \d+\.\d\d s$"
)


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
