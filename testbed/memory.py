"""Peak memory of a command, for the tests' memory bounds and the benchmarks' figures alike."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# Runs argv[2:] and writes its peak RSS (KiB, Linux) to the file argv[1]. A small process of its
# own in between, because Linux counts a child's peak from its parent's memory at fork time: run
# straight from a large pytest process, a small command would report the test run's memory.
_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measuring_memory(
    command: Sequence[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300.0
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``command`` and return its result and its peak resident memory in MB (Linux: the
    kernel's own count for that one process, through wait4)."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        result = subprocess.run(
            [sys.executable, "-c", _MEASURE, str(report), *command],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=timeout,
        )
        return result, int(report.read_text()) / 1024  # KiB to MB
