"""Windows at 125-200 %: the process declares DPI awareness before Tk's root exists (with the
ctypes calls injected, so this runs on Linux), and the window scales its fonts, bars and sizes
with the dpi Tk then reports (``tk scaling`` set as Tk sets it at 144 dpi, 150 %)."""

from __future__ import annotations

import gc
import logging
import tkinter as tk
from collections.abc import Callable, Iterator
from tkinter import font as tkfont
from tkinter import ttk

import pytest

from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.gui.dpi import E_ACCESSDENIED, DpiCalls, open_root
from emotune.gui.theme import SV_BODY_FONT, ui_scale
from emotune.platforms import Platform
from tests.support.gui import Running, pump_for
from tests.support.screen import covered_controls, read_text, readable, screenshot

pytestmark = pytest.mark.gui

E_INVALIDARG = -2147024809


class Calls:
    """The Windows calls as a test sets them up: what each returns or raises, and the order made."""

    def __init__(self, per_monitor: int | Exception, system: int | Exception = 1) -> None:
        self.made: list[str] = []
        self.answers = {"per-monitor": per_monitor, "system": system}

    def call(self, name: str) -> int:
        self.made.append(name)
        answer = self.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def dpi_calls(self) -> DpiCalls:
        return DpiCalls(per_monitor=lambda: self.call("per-monitor"), system=lambda: self.call("system"))

    def open(self, platform: Platform) -> None:
        def create(name: str) -> tk.Tk:
            self.made.append("root")
            return tk.Tk(className=name)

        root = open_root(platform, "Emotune", dpi_calls=self.dpi_calls(), create=create)
        assert root.winfo_exists()
        root.destroy()
        del root
        # Collected here, on the thread that made it: a later worker thread's collection would
        # delete Tk objects from the wrong thread, which aborts the process.
        gc.collect()


@pytest.mark.parametrize(
    ("per_monitor", "made"),
    [
        (0, ["per-monitor", "root"]),
        (E_ACCESSDENIED, ["per-monitor", "root"]),  # already aware (the executable's manifest)
        (E_INVALIDARG, ["per-monitor", "system", "root"]),
        (OSError("shcore.dll not found"), ["per-monitor", "system", "root"]),  # before Windows 8.1
    ],
)
def test_dpi_awareness_is_declared_before_the_root_is_made_windows(
    display: str, per_monitor: int | Exception, made: list[str]
) -> None:
    calls = Calls(per_monitor)
    calls.open("windows")
    assert calls.made == made


def test_a_refused_dpi_declaration_is_logged_and_the_window_still_opens_windows(
    display: str, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls(OSError("shcore.dll not found"), system=AttributeError("function 'SetProcessDPIAware' not found"))
    with caplog.at_level(logging.INFO, logger="emotune.gui.dpi"):
        calls.open("windows")
    assert calls.made == ["per-monitor", "system", "root"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "cannot declare DPI awareness (function 'SetProcessDPIAware' not found): "
        "the window may look blurry above 100 % scaling"
    ]


def test_no_dpi_call_macos(display: str) -> None:
    calls = Calls(0)
    calls.open("macos")  # Cocoa draws Tk sharp on Retina by itself
    assert calls.made == ["root"]


def test_no_dpi_call_on_linux(display: str) -> None:
    calls = Calls(0)
    calls.open("linux")
    assert calls.made == ["root"]


def sizes(run: Running) -> dict[str, float]:
    app, root = run.app, run.root
    body = tkfont.nametofont(SV_BODY_FONT, root)
    return {
        "scale": ui_scale(root),
        "font px": -int(body.cget("size")),
        "row": float(ttk.Style(root).lookup("Treeview", "rowheight")),
        "bar pitch": float(app.mood_panel._row),
        "bar thickness": float(app.mood_panel._rows[0][1] - app.mood_panel._rows[0][0]),
        "min width": root.minsize()[0],
        "title column": float(app.playlist.tree.column("title", "width")),
    }


def scaling_of_the_display(new: float | None = None) -> float:
    root = tk.Tk()
    if new is not None:
        root.tk.call("tk", "scaling", new)
    scaling = float(root.tk.call("tk", "scaling"))
    root.destroy()
    del root
    gc.collect()
    return scaling


@pytest.fixture
def keep_scaling(display: str) -> Iterator[None]:
    """Tk keeps ``tk scaling`` per display, shared by every root of the process: put it back."""
    before = scaling_of_the_display()
    yield
    scaling_of_the_display(before)


def test_at_150_percent_fonts_bars_and_sizes_grow_by_half_windows(
    keep_scaling: None, start: Callable[..., Running]
) -> None:
    windows = Environment.from_os(platform="windows")
    options = AppOptions(source="99", offline=True, mood="happy")
    plain = start(options, env=windows, prepare_root=lambda root: root.tk.call("tk", "scaling", 96 / 72))
    at_100 = sizes(plain)
    plain.app.close()
    # Tk's scaling at 144 dpi, as Tk sets it on a DPI-aware process at 150 %.
    run = start(options, env=windows, prepare_root=lambda root: root.tk.call("tk", "scaling", 2.0))
    at_150 = sizes(run)
    run.until(lambda: len(run.playlist_rows()) > 2, "a playlist")
    pump_for(run.root, 0.3)  # the titles are cut to their columns once the list is laid out
    seen = read_text(screenshot(run.root, "ui-scale-150"))
    assert readable("Music for: happy", seen) and readable("Songs to match happy", seen), seen
    assert covered_controls(run.root) == []
    assert at_100["scale"] == pytest.approx(1.0, rel=0.01) and at_150["scale"] == pytest.approx(1.5, rel=0.01)
    for name in ("font px", "row", "bar pitch", "bar thickness", "min width", "title column"):
        assert at_150[name] == pytest.approx(1.5 * at_100[name], rel=0.1), name
    # Each title, as cut, fits its column in the font the list draws with.
    tree = run.app.playlist.tree
    drawn = tkfont.nametofont(str(ttk.Style(run.root).lookup("Treeview", "font")), run.root)
    for row in run.playlist_rows():
        title = tree.item(row, "values")[1]
        assert drawn.measure(title) <= tree.column("title", "width"), title
