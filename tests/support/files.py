"""Writing test inputs, and reading what a command line said."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def write_blank_png(path: Path, width: int, height: int) -> Path:
    """A valid black 8-bit grey PNG of any size, written row by row: a 30000x30000 one (900
    megapixels) is a 0.9 MB file made in a few seconds without ever holding the image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    rows_per_block = max(1, 2**22 // (width + 1))
    block = bytes((width + 1) * rows_per_block)  # each row: filter type 0, then the pixels
    parts = [compressor.compress(block) for _ in range(height // rows_per_block)]
    parts += [compressor.compress(bytes((width + 1) * (height % rows_per_block))), compressor.flush()]
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")
    )
    return path


def run_into_closed_pipe(command: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with its stdout a pipe whose reader has already gone (``... | head -0``,
    or ``head -1`` after its line): every write to stdout fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(list(command), stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=cwd, timeout=300)
    finally:
        os.close(write_end)


def run_emotune(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120.0, **popen: Any
) -> subprocess.CompletedProcess[str]:
    """``python -m emotune ARGS`` in a child process, from the repository, with the test's
    environment (the user folders the autouse fixture set) plus ``env``."""
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "emotune", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env=merged,
        timeout=timeout,
        **popen,
    )
