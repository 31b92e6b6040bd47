"""The fast loop's markers: a checkout without ../shared beside it gets one line, not a cascade.

The tests and testbed/ are copied into a temporary checkout (the app itself is the installed
one, training/ a link), so ../shared is missing there, and pytest collects a few modules that
read it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testbed.paths import REPO

# Modules that read ../shared at collection time or in every test.
NEEDING_SHARED = ("tests/test_data.py", "tests/test_vision_cli.py", "tests/test_profile_faults.py")


def pytest_in(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=checkout, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("elsewhere") / "checkout"
    for folder in ("tests", "testbed"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "setup.cfg", root / "setup.cfg")
    (root / "training").symlink_to(REPO / "training")  # imported from the checkout, not installed
    assert not (root.parent / "shared").exists()
    return root


def test_without_shared_a_run_of_data_tests_stops_with_one_line(checkout: Path) -> None:
    result = pytest_in(checkout, *NEEDING_SHARED)
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[0].startswith("no tests ran"), output
    assert lines[1] == (
        "ERROR: the tests marked data need ../shared beside the checkout "
        f'({checkout.parent / "shared"} is missing; see README, "Run the tests"); '
        "run pytest -m 'not data' without it"
    ), output


def test_without_shared_not_data_collects_the_rest(checkout: Path) -> None:
    result = pytest_in(checkout, "--collect-only", "-m", "not data", *NEEDING_SHARED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deselected" in result.stdout and "error" not in result.stdout.lower(), result.stdout
