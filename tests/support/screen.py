"""Tests that see the screen: what a person would see of a Tk window, not what its widgets hold.

- ``screenshot(window, name)``: the window as drawn on the X display (Pillow's X11 grab, the
  same pixels ``import -window root`` gives), saved as ``test-screens/<name>.png`` so a person
  can open every picture the tests looked at after a run.
- ``read_text(image)``: the words on it, read by Tesseract OCR (``apt-get install tesseract-ocr``).
- ``control_text(image, widget)``: what OCR reads where one control is drawn.
- ``covered_controls(window)``: every mapped control whose centre is drawn by another widget
  (``winfo_containing``), i.e. stacked under something.
- ``unread_labels(image, controls)``: the controls whose own text OCR cannot read where they are drawn.
- ``check_window(window, name, expected)``: all of it for one window: nothing covered, the
  ``expected`` texts read, every button's label read on the button.

OCR reads small UI text best enlarged and dark on light, so ``read_text`` takes each pixel's
darkest channel (inverted on a dark theme) and scales the picture 3x first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tkinter as tk
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from tkinter import ttk

from PIL import Image, ImageChops, ImageGrab, ImageOps

from testbed.paths import REPO

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


def read_text(image: Image.Image, *, sparse: bool = True, line: bool = False) -> str:
    """The text Tesseract reads on ``image`` (``sparse``: scattered UI text, not a page;
    ``line``: one line of text)."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise AssertionError(TESSERACT_HELP)
    rgb = image.convert("RGB")
    if _mean(ImageOps.grayscale(rgb)) < 128:  # light text on a dark theme: Tesseract reads dark on light
        rgb = ImageOps.invert(rgb)
    # The darkest channel of each pixel: coloured text (an orange headline) stays dark on white.
    red, green, blue = rgb.split()
    darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
    # A second pass for white text on a coloured patch (the selected row, a mood label): only the
    # near-white pixels, drawn black on white.
    light = ImageOps.grayscale(image.convert("RGB")).point(lambda v: 0 if v >= 200 else 255)
    passes = [
        picture.resize((picture.width * 3, picture.height * 3), Image.Resampling.LANCZOS)
        for picture in (darkest, light)
    ]
    mode = "7" if line else "11" if sparse else "6"
    return "\n".join(_tesseract(tesseract, picture, mode) for picture in passes)


def _tesseract(tesseract: str, image: Image.Image, mode: str) -> str:
    result = subprocess.run(
        [tesseract, "stdin", "stdout", "--psm", mode],
        input=_png_bytes(image),
        capture_output=True,
        timeout=120,
        check=True,
    )
    return result.stdout.decode("utf-8", "replace")


def control_text(image: Image.Image, widget: tk.Misc) -> str:
    """What OCR reads where ``widget`` is drawn on ``image`` (a screenshot of its toplevel): one
    line, as a button's or a label's text is."""
    top = widget.winfo_toplevel()
    left, upper = widget.winfo_rootx() - top.winfo_rootx(), widget.winfo_rooty() - top.winfo_rooty()
    crop = image.crop((left, upper, left + widget.winfo_width(), upper + widget.winfo_height()))
    framed = ImageOps.expand(crop, border=12, fill=crop.getpixel((1, 1)))
    return read_text(framed, sparse=False, line=True)


def words(text: str) -> str:
    """``text`` lower-cased with runs of non-letters as one space: OCR and expected text compare."""
    return " " + re.sub(r"[^0-9a-z]+", " ", text.lower()).strip() + " "


def readable(expected: str, seen: str) -> bool:
    """Whether every word of ``expected`` was read, in order, in ``seen`` (OCR text)."""
    return words(expected).strip() in words(seen)


def unread_labels(image: Image.Image, controls: Iterable[tk.Misc]) -> list[str]:
    """The texts of ``controls`` that OCR does not read where each control is drawn on ``image``."""
    return [
        label
        for control in controls
        if not readable(label := str(control.cget("text")).rstrip("…"), control_text(image, control))
    ]


def buttons_in(window: tk.Misc) -> list[ttk.Button]:
    """The visible buttons with a text in ``window`` (not in its other toplevels)."""
    pending, found = [window], []
    while pending:
        widget = pending.pop()
        pending.extend(child for child in widget.winfo_children() if not isinstance(child, tk.Toplevel))
        if isinstance(widget, ttk.Button) and widget.winfo_viewable() and str(widget.cget("text")).strip():
            found.append(widget)
    return found


def check_window(window: tk.Misc, name: str, expected: Iterable[str] = ()) -> str:
    """Nothing covers a control, the ``expected`` texts are read, and each button's label is read
    where the button is drawn; returns what OCR read on the whole window."""
    assert covered_controls(window) == [], name
    image = screenshot(window, name)
    seen = read_text(image)
    for text in expected:
        assert readable(text, seen), f"{text!r} not read in {name}: {seen}"
    assert unread_labels(image, buttons_in(window)) == [], f"button labels not read in {name}"
    return seen


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
