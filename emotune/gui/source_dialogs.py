"""Asking for a source: a camera number (a small themed dialog, not Tk's plain one) and a video
file (the platform's file dialog). Both return None when the user cancels."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Sequence
from pathlib import Path
from tkinter import filedialog, ttk

from emotune.vision.sources import MAX_CAMERA_INDEX, is_camera

VIDEO_TYPES = [
    ("Videos", "*.mp4 *.avi *.mkv *.mov *.webm *.m4v"),
    ("Images", "*.png *.jpg *.jpeg"),
    ("All files", "*"),
]


class CameraDialog(tk.Toplevel):
    """Camera number, 0 to MAX_CAMERA_INDEX; Enter chooses, Escape cancels."""

    def __init__(self, master: tk.Misc, current: int, found: Sequence[int] | None) -> None:
        super().__init__(master)
        self.title("Choose camera")
        self.chosen: int | None = None
        body = ttk.Frame(self, padding=16)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text="Camera number (0 is usually the built-in one):").grid(row=0, column=0, sticky="w")
        self.number = tk.StringVar(value=str(current))
        self.entry = ttk.Spinbox(body, from_=0, to=MAX_CAMERA_INDEX, textvariable=self.number, width=6)
        self.entry.grid(row=0, column=1, padx=(8, 0))
        seen = "none found" if found is not None and not found else ", ".join(map(str, found or ())) or "looking…"
        ttk.Label(body, text=f"Cameras found: {seen}", style="Muted.TLabel").grid(row=1, column=0, sticky="w")
        self.error = ttk.Label(body, text="", foreground="#c0392b")
        self.error.grid(row=2, column=0, columnspan=2, sticky="w")
        buttons = ttk.Frame(body)
        buttons.grid(row=3, column=0, columnspan=2, sticky="e", pady=(10, 0))
        ttk.Button(buttons, text="Cancel", command=self.destroy).pack(side="right")
        ttk.Button(buttons, text="Use camera", command=self.choose).pack(side="right", padx=(0, 6))
        self.bind("<Return>", lambda _e: self.choose())
        self.bind("<Escape>", lambda _e: self.destroy())
        self.transient(master.winfo_toplevel())
        self.entry.focus_set()
        self.entry.selection_range(0, "end")

    def choose(self) -> None:
        text = self.number.get().strip()
        if not (is_camera(text) and int(text) <= MAX_CAMERA_INDEX):
            self.error.configure(text=f"A number from 0 to {MAX_CAMERA_INDEX}, please")
            return
        self.chosen = int(text)
        self.destroy()


def ask_camera(master: tk.Misc, current_spec: str, found: Sequence[int] | None) -> int | None:
    dialog = CameraDialog(master, int(current_spec) if is_camera(current_spec) else 0, found)
    dialog.grab_set()
    dialog.wait_window()
    return dialog.chosen


def ask_video_file(master: tk.Misc, last_source: str) -> str | None:
    folder = str(Path(last_source).parent) if last_source and not is_camera(last_source) else str(Path.home())
    path = filedialog.askopenfilename(parent=master, title="Open video file", initialdir=folder, filetypes=VIDEO_TYPES)
    return path or None
