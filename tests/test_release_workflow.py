"""The release workflow (``.github/workflows/release.yml``) as GitHub would run it: actionlint has
nothing to say about it (no action left on a retired Node runtime, runner labels that exist,
expressions and shell scripts that check out), and it builds for Intel Macs with an onnxruntime
that still has x86_64 wheels, limits the Windows self-test, and signs only where secrets are set.

It has not run on GitHub's runners from here (README, "Build the app"): these checks are what
can be known before it does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from testbed.paths import REPO

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"


def tool(name: str) -> str:
    """A tool of the test extra, from the environment this test runs in (or the PATH)."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert found, f"{name} not found: install the test extra (pip install -e '.[test]')"
    return found


@pytest.fixture(scope="module")
def steps() -> dict[str, dict[str, Any]]:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    return {step.get("name", step.get("uses")): step for step in workflow["jobs"]["bundle"]["steps"]}


def test_actionlint_reports_nothing() -> None:
    # actionlint runs shellcheck on each `run:` script when it finds it on the PATH.
    folder = str(Path(tool("shellcheck")).parent)
    environment = {**os.environ, "PATH": os.pathsep.join([folder, os.environ.get("PATH", "")])}
    result = subprocess.run(
        [tool("actionlint"), "-no-color", str(WORKFLOW.relative_to(REPO))],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actions_run_on_node24(steps: dict[str, dict[str, Any]]) -> None:
    # The first majors whose action.yml says `using: node24` (upload-artifact v5 still said node20).
    minimum = {"actions/checkout": 5, "actions/setup-python": 6, "actions/upload-artifact": 6}
    used = [step["uses"] for step in steps.values() if "uses" in step]
    assert {name.split("@")[0] for name in used} == set(minimum)
    for name in used:
        action, version = name.split("@")
        assert int(version.removeprefix("v").split(".")[0]) >= minimum[action], name


def test_intel_mac_job_pins_an_onnxruntime_with_x86_64_wheels_macos() -> None:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    matrix = workflow["jobs"]["bundle"]["strategy"]["matrix"]["include"]
    [intel] = [entry for entry in matrix if "intel" in entry["os"]]
    assert intel["extra"] == "onnxruntime>=1.17,<1.24"
    assert {entry["os"] for entry in matrix} >= {"ubuntu-latest", "windows-latest", "macos-latest"}


def test_self_test_has_a_time_limit_windows(steps: dict[str, dict[str, Any]]) -> None:
    step = steps["Self-test (Windows)"]
    assert 0 < step["timeout-minutes"] <= 10
    assert "emotune.exe --self-test" in step["run"] and "emotune-gui.exe" in step["run"]


@pytest.mark.parametrize(
    ("step", "flag", "secrets"),
    [
        ("Sign and notarise (macOS)", "MACOS_SIGNING", ("MACOS_CERTIFICATE", "MACOS_NOTARY_APPLE_ID")),
        ("Sign (Windows)", "WINDOWS_SIGNING", ("WINDOWS_CERTIFICATE",)),
    ],
    ids=["macos", "windows"],
)
def test_signing_runs_only_with_its_secrets(
    steps: dict[str, dict[str, Any]], step: str, flag: str, secrets: tuple[str, ...]
) -> None:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    job_env = workflow["jobs"]["bundle"]["env"]
    # The job knows only whether the secrets are set; the values reach the signing step alone.
    assert all(f"secrets.{name} != ''" in job_env[flag] for name in secrets)
    assert f"env.{flag} == 'true'" in steps[step]["if"]
    for name in secrets:
        assert steps[step]["env"][name] == f"${{{{ secrets.{name} }}}}"
    unsigned = [name for name, s in steps.items() if not name.startswith("Sign") and "secrets." in str(s)]
    assert unsigned == []
