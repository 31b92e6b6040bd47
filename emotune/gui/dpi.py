"""Sharp text at 125-200 % on Windows: the process declares itself DPI-aware before Tk makes its
first window.

Without the declaration Windows tells Tk the screen has 96 dpi and stretches the finished window
as a bitmap, so text is blurry and ``theme.ui_scale`` stays 1.0 (python/cpython#119459,
pyinstaller/pyinstaller#6729). It must come before ``tk.Tk()``: Tk reads the screen's dpi once,
when it starts. Per-monitor awareness (``shcore.SetProcessDpiAwareness(2)``, Windows 8.1 and
later) where it exists, else system awareness (``user32.SetProcessDPIAware()``). The calls are
injected (``DpiCalls``), so a test on Linux checks which are made and in what order; a failure
is logged, never raised: a blurry window beats none.
"""

from __future__ import annotations

import ctypes
import logging
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emotune.platforms import Platform, is_windows

log = logging.getLogger(__name__)

PROCESS_PER_MONITOR_DPI_AWARE = 2
S_OK = 0
# The awareness was already set (by the executable's manifest, or an earlier call): nothing to do.
E_ACCESSDENIED = -2147024891  # 0x80070005 as the signed 32-bit HRESULT ctypes returns


@dataclass(frozen=True)
class DpiCalls:
    per_monitor: Callable[[], int]  # SetProcessDpiAwareness(2): an HRESULT
    system: Callable[[], int]  # SetProcessDPIAware(): nonzero when done


def windows_dpi_calls() -> DpiCalls:
    """The real calls (``ctypes.windll`` exists only on Windows: elsewhere each raises OSError)."""

    def windll() -> Any:
        dlls = getattr(ctypes, "windll", None)
        if dlls is None:
            raise OSError("no Windows DLLs on this system")
        return dlls

    def per_monitor() -> int:
        return int(windll().shcore.SetProcessDpiAwareness(PROCESS_PER_MONITOR_DPI_AWARE))

    def system() -> int:
        return int(windll().user32.SetProcessDPIAware())

    return DpiCalls(per_monitor, system)


def declare_dpi_awareness(platform: Platform, calls: DpiCalls | None = None) -> bool:
    """On Windows, declare the process DPI-aware; whether it is. Elsewhere nothing to do (False)."""
    if not is_windows(platform):
        return False
    calls = calls or windows_dpi_calls()
    try:
        result = calls.per_monitor()
        if result in (S_OK, E_ACCESSDENIED):
            return True
        log.info("per-monitor DPI awareness refused (HRESULT %#x); trying system awareness", result & 0xFFFFFFFF)
    except (OSError, AttributeError) as exc:  # no shcore.dll (before Windows 8.1), or no such function
        log.info("per-monitor DPI awareness unavailable (%s); trying system awareness", exc)
    try:
        if calls.system():
            return True
        log.warning("Windows refused DPI awareness: the window may look blurry above 100 %% scaling")
    except (OSError, AttributeError) as exc:
        log.warning("cannot declare DPI awareness (%s): the window may look blurry above 100 %% scaling", exc)
    return False


def open_root(
    platform: Platform,
    class_name: str,
    *,
    dpi_calls: DpiCalls | None = None,
    create: Callable[[str], tk.Tk] = lambda name: tk.Tk(className=name),
) -> tk.Tk:
    """The app's Tk root, made after the process has declared what it must first (DPI awareness)."""
    declare_dpi_awareness(platform, dpi_calls)
    return create(class_name)
