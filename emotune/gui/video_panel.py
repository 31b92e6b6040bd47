"""The video panel: the newest camera/video frame, scaled to the panel with its aspect ratio kept,
boxes around faces labelled with emotion and confidence, optional mirror view; and, in the same
place, a friendly panel when there is no picture (no camera, a busy or unplugged one, a file
that ended or cannot be read) with buttons to get one.

One ``ImageTk.PhotoImage`` is kept and updated in place with ``paste()``; a new one is made only
when the panel's size changes. Nothing here runs off the Tk thread or blocks.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageTk

from emotune.colours import mood_rgb
from emotune.gui.theme import Palette
from emotune.vision import scaling
from emotune.vision.messages import FrameResult

DEFAULT_SIZE = (640, 480)
Button = tuple[str, Callable[[], None]]
Reading = tuple[str, float]  # the face reading: its leading label and that label's smoothed score
OTHER_FACE = (200, 200, 200)  # faces the mood does not follow: a plain light box
REDRAW_STILL_AFTER_S = 0.1  # a picture older than this is not about to be replaced by the next frame


def fit_size(frame_size: tuple[int, int], area: tuple[int, int]) -> tuple[int, int]:
    """The largest (width, height) with the frame's aspect ratio that fits in ``area``."""
    fw, fh = frame_size
    aw, ah = area
    scale = min(aw / fw, ah / fh)
    return max(1, int(fw * scale)), max(1, int(fh * scale))


def render_frame(
    result: FrameResult, size: tuple[int, int], mirror: bool, reading: Reading | None = None
) -> NDArray[np.uint8]:
    """The frame of ``result`` as RGB at ``size``, mirrored if asked, with its faces boxed. The
    largest face (the one the mood follows) is labelled with ``reading``, the smoothed reading the
    bars show, so the two never disagree; other faces get a plain box."""
    assert result.image is not None
    image = result.image
    height, width = image.shape[:2]
    w, h = size
    scaled = scaling.resize(image, (w, h)) if (w, h) != (width, height) else image
    if mirror:
        scaled = np.asarray(cv2.flip(scaled, 1), dtype=np.uint8)
    rgb = np.ascontiguousarray(cv2.cvtColor(scaled, cv2.COLOR_BGR2RGB))
    sx, sy = w / width, h / height
    thickness = max(2, round(min(w, h) / 240))
    font_scale = max(0.45, min(w, h) / 800)
    primary = max(result.faces, key=lambda f: f.area, default=None)
    for face in result.faces:
        x, y, bw, bh = face.box
        left = int((width - x - bw) * sx) if mirror else int(x * sx)
        top, right, bottom = int(y * sy), left + int(bw * sx), int(y * sy) + int(bh * sy)
        labelled = face is primary and reading is not None
        colour = mood_rgb(reading[0]) if labelled and reading is not None else OTHER_FACE
        cv2.rectangle(rgb, (left, top), (right, bottom), colour, thickness, cv2.LINE_AA)
        if not labelled or reading is None:
            continue
        text = f"{reading[0]} {reading[1]:.0%}"
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
        label_top = max(0, top - th - base - 6)
        cv2.rectangle(rgb, (left, label_top), (left + tw + 8, label_top + th + base + 6), colour, -1)
        cv2.putText(
            rgb,
            text,
            (left + 4, label_top + th + 3),
            cv2.FONT_HERSHEY_SIMPLEX,
            font_scale,
            (255, 255, 255),
            1,
            cv2.LINE_AA,
        )
    return np.asarray(rgb, dtype=np.uint8)


class VideoPanel(ttk.Frame):
    """Shows frames (``show``) or a problem with buttons (``show_problem``)."""

    def __init__(self, master: tk.Misc, palette: Palette) -> None:
        super().__init__(master)
        self.mirror = True
        self.frames_drawn = 0
        self.columnconfigure(0, weight=1)
        self.rowconfigure(0, weight=1)
        # A plain frame that does not grow to its content: the picture follows the window, never
        # the other way round (a label sized by its image would push the window bigger).
        self.screen = tk.Frame(self, width=DEFAULT_SIZE[0], height=DEFAULT_SIZE[1], background=palette.video_background)
        self.screen.grid(row=0, column=0, sticky="nsew")
        self.screen.grid_propagate(False)
        self.picture = tk.Label(self.screen, background=palette.video_background, borderwidth=0, highlightthickness=0)
        self.picture.place(relx=0.5, rely=0.5, anchor="center")
        self._photo: ImageTk.PhotoImage | None = None
        self._photo_size = (0, 0)
        self._last: FrameResult | None = None  # redrawn at the new size when the panel is resized
        self._last_drawn_at = 0.0
        self.reading: Reading | None = None
        self.screen.bind("<Configure>", self._on_resize)
        self.waiting = ttk.Label(self.screen, text="Starting the camera…", style="Muted.TLabel")
        self.waiting.place(relx=0.5, rely=0.5, anchor="center")

        self.problem = ttk.Frame(self.screen, padding=24)
        self.problem_title = ttk.Label(self.problem, text="", style="Heading.TLabel")
        self.problem_title.pack(anchor="center", pady=(0, 6))
        self.problem_text = ttk.Label(self.problem, text="", wraplength=420, justify="center")
        self.problem_text.pack(anchor="center", pady=(0, 12))
        self.problem_buttons = ttk.Frame(self.problem)
        self.problem_buttons.pack(anchor="center")
        self.problem_visible = False

    def area(self) -> tuple[int, int]:
        width, height = self.screen.winfo_width(), self.screen.winfo_height()
        if width <= 1 or height <= 1:  # not laid out yet
            return DEFAULT_SIZE
        return width, height

    def show(self, result: FrameResult) -> None:
        """Draw ``result``'s frame into the one PhotoImage (paste in place when the size holds)."""
        if result.image is None:
            return
        self._last = result
        height, width = result.image.shape[:2]
        size = fit_size((width, height), self.area())
        image = Image.fromarray(render_frame(result, size, self.mirror, self.reading))
        self._last_drawn_at = time.monotonic()
        if self._photo is not None and self._photo_size == size:
            self._photo.paste(image)
        else:
            self._photo = ImageTk.PhotoImage(image)
            self._photo_size = size
            self.picture.configure(image=self._photo)
        if self.frames_drawn == 0:
            self.waiting.place_forget()
        self.frames_drawn += 1

    def set_reading(self, reading: Reading | None) -> None:
        """The label of the followed face from now on; a still picture (paused, ended) is redrawn
        at once, a moving one takes it with the next frame."""

        def shown(r: Reading | None) -> tuple[str, str] | None:
            return (r[0], f"{r[1]:.0%}") if r else None

        unchanged = shown(reading) == shown(self.reading)
        self.reading = reading
        if unchanged:
            return
        last = self._last
        if last is not None and time.monotonic() - self._last_drawn_at > REDRAW_STILL_AFTER_S:
            self.frames_drawn -= 1  # a redraw, not a new frame
            self.show(last)

    def _fit_problem(self) -> None:
        """The problem's text and buttons within the panel: the text wraps to the width, and the
        buttons stand in a column when a row of them would be cut at the edges."""
        width = self.area()[0]
        self.problem_text.configure(wraplength=max(160, min(420, width - 80)))
        buttons = [child for child in self.problem_buttons.winfo_children() if isinstance(child, ttk.Button)]
        in_a_row = sum(button.winfo_reqwidth() + 8 for button in buttons) <= width - 56
        for i, button in enumerate(buttons):
            if in_a_row:
                button.grid(row=0, column=i, padx=4, pady=0, sticky="ew")
            else:
                button.grid(row=i, column=0, padx=0, pady=2, sticky="ew")

    def _on_resize(self, _event: tk.Event[tk.Misc]) -> None:
        if self.problem_visible:
            self._fit_problem()
        # A paused, ended or slow source sends no new frame: draw the last one at the new size.
        last = self._last
        if last is not None and last.image is not None:
            height, width = last.image.shape[:2]
            if fit_size((width, height), self.area()) != self._photo_size:
                self.frames_drawn -= 1  # a redraw, not a new frame
                self.show(last)

    def show_problem(self, title: str, message: str, buttons: Sequence[Button]) -> None:
        self.problem_title.configure(text=title)
        self.problem_text.configure(text=message)
        for child in self.problem_buttons.winfo_children():
            child.destroy()
        for text, command in buttons:
            ttk.Button(self.problem_buttons, text=text, command=command)
        self._fit_problem()
        self.waiting.place_forget()
        self.problem.place(relx=0.5, rely=0.5, anchor="center")
        self.problem.lift()
        self.problem_visible = True

    def hide_problem(self) -> None:
        if self.problem_visible:
            self.problem.place_forget()
            self.problem_visible = False

    def problem_button_texts(self) -> list[str]:
        return [str(child.cget("text")) for child in self.problem_buttons.winfo_children()]
