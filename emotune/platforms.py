"""Which operating system the app runs on, as a value that code takes as an argument.

Every branch for Windows or macOS takes a ``Platform`` (usually from ``Environment.platform``)
instead of reading ``sys.platform`` where it stands, so the tests on Linux drive each branch by
passing the platform in (Thonny keeps such checks in one place, ``misc_utils.py``).
"""

from __future__ import annotations

import sys
from typing import Literal

Platform = Literal["windows", "macos", "linux"]
PLATFORMS: tuple[Platform, ...] = ("windows", "macos", "linux")


def platform_of(sys_platform: str | None = None) -> Platform:
    """The platform for a ``sys.platform`` value (this process's by default); any other Unix
    counts as Linux (it has the same X11 Tk, xdg-open and V4L2-or-nothing camera)."""
    value = sys.platform if sys_platform is None else sys_platform
    if value in ("win32", "cygwin"):
        return "windows"
    if value == "darwin":
        return "macos"
    return "linux"


def is_windows(platform: Platform) -> bool:
    return platform == "windows"


def is_macos(platform: Platform) -> bool:
    return platform == "macos"
