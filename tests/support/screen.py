"""Tests that see the screen: what a person would see of a Tk window, not what its widgets hold.

- ``screenshot(window, name)``: the window as drawn on the X display (Pillow's X11 grab, the
  same pixels ``import -window root`` gives), saved as ``test-screens/<name>.png`` so a person
  can open every picture the tests looked at after a run.
- ``read_text(image)``: the words on it, read by Tesseract OCR (``apt-get install tesseract-ocr``).
- ``covered_controls(window)``: every mapped control whose centre is drawn by another widget
  (``winfo_containing``), i.e. stacked under something.

OCR reads small UI text best enlarged and dark on light, so ``read_text`` takes each pixel's
darkest channel (inverted on a dark theme) and scales the picture 3x first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tkinter as tk
from io import BytesIO
from pathlib import Path
from tkinter import ttk

from PIL import Image, ImageChops, ImageGrab, ImageOps

from tests.support.paths import REPO

SCREENS = Path(os.environ.get("EMOTUNE_TEST_SCREENS", REPO / "test-screens"))
TESSERACT_HELP = "the screen tests need Tesseract OCR: apt-get install -y tesseract-ocr"
CONTROLS = (ttk.Button, ttk.Checkbutton, ttk.Radiobutton, ttk.Combobox, ttk.Menubutton, ttk.Entry, ttk.Treeview)


def screenshot(window: tk.Misc, name: str) -> Image.Image:
    """The pixels of ``window``'s toplevel as the X server shows them, kept as a PNG."""
    top = window.winfo_toplevel()
    top.update_idletasks()
    top.update()
    x, y = top.winfo_rootx(), top.winfo_rooty()
    box = (x, y, x + top.winfo_width(), y + top.winfo_height())
    image = ImageGrab.grab(bbox=box, xdisplay=os.environ["DISPLAY"])
    SCREENS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENS / f"{name}.png")
    return image


def read_text(image: Image.Image, *, sparse: bool = True) -> str:
    """The text Tesseract reads on ``image`` (``sparse``: scattered UI text, not a page)."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise AssertionError(TESSERACT_HELP)
    rgb = image.convert("RGB")
    if _mean(ImageOps.grayscale(rgb)) < 128:  # light text on a dark theme: Tesseract reads dark on light
        rgb = ImageOps.invert(rgb)
    # The darkest channel of each pixel: coloured text (an orange headline) stays dark on white.
    grey = ImageChops.darker(ImageChops.darker(*rgb.split()[:2]), rgb.split()[2])
    big = grey.resize((grey.width * 3, grey.height * 3), Image.Resampling.LANCZOS)
    result = subprocess.run(
        [tesseract, "stdin", "stdout", "--psm", "11" if sparse else "6"],
        input=_png_bytes(big),
        capture_output=True,
        timeout=120,
        check=True,
    )
    return result.stdout.decode("utf-8", "replace")


def words(text: str) -> str:
    """``text`` lower-cased with runs of non-letters as one space: OCR and expected text compare."""
    return " " + re.sub(r"[^0-9a-z]+", " ", text.lower()).strip() + " "


def readable(expected: str, seen: str) -> bool:
    """Whether every word of ``expected`` was read, in order, in ``seen`` (OCR text)."""
    return words(expected).strip() in words(seen)


def covered_controls(window: tk.Misc) -> list[str]:
    """Each visible control (button, entry, list...) whose centre shows another widget."""
    top = window.winfo_toplevel()
    top.update()
    covered = []
    for widget in _descendants(top):
        if not isinstance(widget, CONTROLS) or not widget.winfo_viewable():
            continue
        x = widget.winfo_rootx() + widget.winfo_width() // 2
        y = widget.winfo_rooty() + widget.winfo_height() // 2
        if not _inside(top, x, y):
            continue  # cut off by the window's edge: sizes are checked elsewhere
        found = top.winfo_containing(x, y)
        if found is None or not _is_within(found, widget):
            covered.append(f"{widget} ({_label(widget)}) under {found}")
    return covered


def _descendants(widget: tk.Misc) -> list[tk.Misc]:
    found = []
    for child in widget.winfo_children():
        found.append(child)
        found.extend(_descendants(child))
    return found


def _inside(top: tk.Misc, x: int, y: int) -> bool:
    left, upper = top.winfo_rootx(), top.winfo_rooty()
    return left <= x < left + top.winfo_width() and upper <= y < upper + top.winfo_height()


def _is_within(found: tk.Misc, widget: tk.Misc) -> bool:
    return str(found) == str(widget) or str(found).startswith(f"{widget}.")


def _label(widget: tk.Misc) -> str:
    try:
        return str(widget.cget("text"))
    except tk.TclError:
        return type(widget).__name__


def _mean(image: Image.Image) -> float:
    histogram = image.histogram()
    return sum(i * n for i, n in enumerate(histogram)) / max(1, sum(histogram))


def _png_bytes(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
