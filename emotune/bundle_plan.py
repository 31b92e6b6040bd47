"""What ``emotune.spec`` builds on each system, as plain values the spec and its tests share.

PyInstaller cannot build for another system, so the choices that differ between Windows, macOS
and Linux are made here, from a ``Platform`` argument, where tests on Linux can check each
system's plan. Imports nothing but the standard library and ``emotune.platforms``: the spec
loads it before anything of the app is analysed.
"""

from __future__ import annotations

import re
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata

from emotune.platforms import Platform, is_macos

CONSOLE_NAME = "emotune"
GUI_NAME = "emotune-gui"
# Scripts beside the package's own modules (paths relative to the repository root).
CONSOLE_SCRIPT = "emotune/__main__.py"
GUI_SCRIPT = "emotune/window.py"

# A macOS tag as wheels write it (macosx_14_0_arm64) and as sysconfig reports the
# interpreter's own target (macosx-11.0-arm64).
_MACOS_TAG = re.compile(r"macosx[_-](\d+)[_.](\d+)[_-]")


@dataclass(frozen=True)
class Executable:
    name: str
    script: str
    console: bool


# The windowed one first: the spec gives it to macOS's .app. Windows shows no
# output of a windowed program, not even in a terminal, so the command line needs its own console
# executable; the window's, started by a double click, must not open a console beside it. On Linux
# the flag changes nothing; the same two everywhere keep one layout for the docs and scripts.
EXECUTABLES = (
    Executable(GUI_NAME, GUI_SCRIPT, console=False),
    Executable(CONSOLE_NAME, CONSOLE_SCRIPT, console=True),
)


def check_onefile(platform: Platform, onefile: bool) -> None:
    """Refuse a one-file build on macOS: it unpacks unsigned code into a temporary folder on every
    start, which Gatekeeper and notarisation reject; PyInstaller 6 warns that it becomes an error
    in v7."""
    if onefile and is_macos(platform):
        raise SystemExit(
            "emotune.spec: no one-file build on macOS (PyInstaller deprecates it and Gatekeeper "
            "blocks it); build the folder and Emotune.app instead (drop --onefile / EMOTUNE_ONEFILE)"
        )


def macos_minimum(tags: Iterable[str]) -> str:
    """The newest macOS version any of ``tags`` requires ("14.0"), "10.9" when none names one.

    A bundle runs only where every wheel inside it runs: onnxruntime's arm64 wheels are built for
    macOS 14, its last x86_64 ones (before 1.24) for 13, numpy's current x86_64 ones for 14."""
    versions = [(int(m[1]), int(m[2])) for tag in tags if (m := _MACOS_TAG.search(tag))]
    major, minor = max(versions, default=(10, 9))
    return f"{major}.{minor}"


def installed_tags() -> list[str]:
    """The platform tags of every installed wheel (their WHEEL files) and of the interpreter."""
    tags = [sysconfig.get_platform()]
    for distribution in metadata.distributions():
        wheel = distribution.read_text("WHEEL") or ""
        tags += [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    return tags
