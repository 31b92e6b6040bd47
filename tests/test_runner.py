"""The task runner (``Makefile``): CI runs the README's test command, and that command runs every
check. Make is asked what it would run (``make -n``), with the installed environment taken as
up to date (``-o``), so nothing is installed or run twice here; ``.ci/run`` runs it for real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from testbed.paths import REPO

INSTALLED = ".venv/.installed-all"
# Run from `make test`, the make below would inherit its parent's flags and print "make[1]:
# Entering directory" lines.
ALONE = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEFILES")}


def readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, f'README has no section "{title}"'
    return match.group(1)


def first_command(section: str) -> str:
    block = re.search(r"```bash\n(.*?)\n```", section, re.S)
    assert block, "no bash block"
    return block.group(1).strip()


def would_run(*targets: str) -> list[str]:
    make = shutil.which("make")
    assert make, "GNU Make is needed (apt-get install make)"
    result = subprocess.run(
        [make, "-n", "--no-print-directory", "-o", INSTALLED, *targets],
        cwd=REPO,
        env=ALONE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_ci_runs_the_readme_test_command() -> None:
    command = first_command(readme_section("Run the tests"))
    ci = [line for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert ci[-1] == command == "make check"


def test_readme_start_command_installs_and_starts_the_app() -> None:
    assert first_command(readme_section("Start it")) == "make run"
    assert would_run("run")[-1] == ".venv/bin/python -m emotune"


def test_check_runs_lint_types_contracts_workflow_and_every_test() -> None:
    lines = would_run("check")
    expected = [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        ".venv/bin/lint-imports",
        '/.venv/bin:$PATH" .venv/bin/actionlint .github/workflows/release.yml',
        "apt-get install -y -qq xvfb tesseract-ocr",
        ".venv/bin/pytest",
    ]
    found = [next((i for i, line in enumerate(lines) if e in line), -1) for e in expected]
    assert -1 not in found and found == sorted(found), lines
    assert lines[-1] == ".venv/bin/pytest"  # plain pytest: every test, the slow ones too


@pytest.mark.parametrize(
    ("target", "last"),
    [
        ("lint", ".venv/bin/ruff format --check ."),
        ("types", ".venv/bin/mypy"),
        ("contracts", ".venv/bin/lint-imports"),
        ("test-fast", '.venv/bin/pytest -m "not slow"'),
        ("bundle", "dist/emotune/emotune-gui --self-test"),
    ],
)
def test_each_task_has_its_target(target: str, last: str) -> None:
    assert would_run(target)[-1] == last


def test_a_fresh_checkout_installs_every_extra_once() -> None:
    # Without the installed marker, the first task installs; the next ones reuse it.
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "-W", "setup.cfg", "lint", "types", "test"],
        cwd=REPO,
        env=ALONE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    installs = [line for line in result.stdout.splitlines() if "pip install" in line]
    assert installs == ['.venv/bin/pip install -q -e ".[train,test,build]"'], result.stdout
