"""The "Teach Emotune your face" dialog (the status bar's "Your face" menu, which opens it, is
``emotune.gui.face_menu``).

``TeachDialog`` shows the teaching flow's state as the controller computes it
(``emotune.controller.teaching.TeachingState``): the step and its prompt, the countdown (from the
controller's clock, never a timer of its own), the capture's progress bar, the warning about no
face or several faces (or no picture at all, with buttons to open a camera or a video),
which expressions are taught, and at the end the profile's name and
"Save". Its buttons only forward clicks (Back, Redo, Skip, Finish, Cancel, Save); the flow's
rules live in the controller. Not modal: the video behind it is what the person watches.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk
from typing import Protocol

from emotune.controller.teaching import StepState, TeachingState

TITLE = "Teach Emotune your face"
INTRO = (
    "Emotune learns how your face shows each expression: a few seconds each, neutral first. "
    "It keeps numbers only, never pictures, on this computer."
)
WARNING_COLOUR = "#c0392b"
MARKS = {"taught": "✓", "skipped": "–", "current": "▸", "waiting": "·"}


class TeachActions(Protocol):
    """What the dialog's buttons call (``FaceProfiles`` has them)."""

    def skip(self) -> None: ...

    def redo(self) -> None: ...

    def back(self) -> None: ...

    def finish(self) -> None: ...

    def cancel(self) -> None: ...

    def save(self, name: str) -> None: ...


def steps_line(steps: tuple[StepState, ...]) -> str:
    """What is taught, skipped, current and to come: "✓ neutral (28)   ▸ happy   · surprise …"."""
    parts = []
    for step in steps:
        count = f" ({step.samples})" if step.status == "taught" else ""
        parts.append(f"{MARKS[step.status]} {step.label}{count}")
    return "   ".join(parts)


SourceButtons = Sequence[tuple[str, Callable[[], None]]]  # "Choose camera…", "Open video file…"


class TeachDialog(tk.Toplevel):
    def __init__(self, master: tk.Misc, actions: TeachActions, default_name: str, sources: SourceButtons = ()) -> None:
        super().__init__(master)
        self.title(TITLE)
        self.actions = actions
        self.resizable(False, False)
        body = ttk.Frame(self, padding=16)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text=INTRO, style="Muted.TLabel", wraplength=460, justify="left").pack(anchor="w")
        self.step_label = ttk.Label(body, text="", style="Muted.TLabel")
        self.step_label.pack(anchor="w", pady=(12, 0))
        self.prompt = ttk.Label(body, text="", style="Heading.TLabel")
        self.prompt.pack(anchor="w", pady=(2, 0))
        self.countdown = ttk.Label(body, text="", style="Mood.TLabel", anchor="center")
        self.countdown.pack(fill="x", pady=(6, 0))
        self.progress = ttk.Progressbar(body, orient="horizontal", mode="determinate", maximum=1.0, length=460)
        self.progress.pack(fill="x", pady=(6, 0))
        self.warning = ttk.Label(body, text="", foreground=WARNING_COLOUR, wraplength=460)
        self.warning.pack(anchor="w", pady=(6, 0))
        # Shown only while no camera or video plays: without a picture the steps would wait forever.
        self.sources_row = ttk.Frame(body)
        self.source_buttons = [ttk.Button(self.sources_row, text=label, command=command) for label, command in sources]
        for button in self.source_buttons:
            button.pack(side="left", padx=(0, 6))
        self.steps = ttk.Label(body, text="", style="Muted.TLabel", wraplength=460, justify="left")
        self.steps.pack(anchor="w", pady=(6, 0))

        self.name_row = ttk.Frame(body)  # shown once the steps are done
        ttk.Label(self.name_row, text="Profile name").pack(side="left")
        self.name = tk.StringVar(value=default_name)
        self.name_entry = ttk.Entry(self.name_row, textvariable=self.name, width=28)
        self.name_entry.pack(side="left", padx=(8, 0), fill="x", expand=True)
        self.name_entry.bind("<Return>", lambda _e: self._save())
        self.error = ttk.Label(body, text="", foreground=WARNING_COLOUR, wraplength=460)

        self.buttons = ttk.Frame(body)
        self.buttons.pack(fill="x", pady=(14, 0))
        self.back_button = ttk.Button(self.buttons, text="Back", command=actions.back)
        self.redo_button = ttk.Button(self.buttons, text="Redo", command=actions.redo)
        self.skip_button = ttk.Button(self.buttons, text="Skip", command=actions.skip)
        self.finish_button = ttk.Button(self.buttons, text="Finish", command=actions.finish)
        for button in (self.back_button, self.redo_button, self.skip_button, self.finish_button):
            button.pack(side="left", padx=(0, 6))
        self.save_button = ttk.Button(self.buttons, text="Save", command=self._save)
        self.save_button.pack(side="right")
        self.cancel_button = ttk.Button(self.buttons, text="Cancel", command=actions.cancel)
        self.cancel_button.pack(side="right", padx=(0, 6))
        self.protocol("WM_DELETE_WINDOW", actions.cancel)
        self.bind("<Escape>", lambda _e: actions.cancel())
        self.transient(master.winfo_toplevel())
        self.state_shown: TeachingState | None = None

    def _save(self) -> None:
        self.actions.save(self.name.get())

    def show(self, state: TeachingState) -> None:
        """Show ``state``: everything on screen comes from it."""
        self.state_shown = state
        total = len(state.steps)
        naming = state.phase in ("review", "saving")
        self.step_label.configure(text="All steps done" if naming else f"Step {state.step + 1} of {total}")
        self.prompt.configure(text=state.prompt)
        # A space, not "", when there is no countdown: the row keeps its height and nothing jumps.
        self.countdown.configure(text=str(state.seconds_left) if state.phase == "countdown" else " ")
        self.progress.configure(value=state.progress)
        self.warning.configure(text=state.warning)
        if state.no_picture and not self.sources_row.winfo_manager():
            self.sources_row.pack(anchor="w", pady=(6, 0), after=self.warning)
        elif not state.no_picture and self.sources_row.winfo_manager():
            self.sources_row.pack_forget()
        self.steps.configure(text=steps_line(state.steps))
        self.error.configure(text=state.error)
        if naming and not self.name_row.winfo_ismapped():
            self.name_row.pack(anchor="w", fill="x", pady=(10, 0), before=self.buttons)
            self.error.pack(anchor="w", pady=(4, 0), before=self.buttons)
            self.name_entry.focus_set()
        elif not naming and self.name_row.winfo_manager():
            self.name_row.pack_forget()
            self.error.pack_forget()
        enable(self.back_button, state.can_back)
        enable(self.redo_button, state.can_change_step)
        enable(self.skip_button, state.can_change_step)
        enable(self.finish_button, state.can_finish)
        enable(self.save_button, state.can_save)
        enable(self.name_entry, state.phase == "review")

    @classmethod
    def follow(
        cls,
        dialog: TeachDialog | None,
        master: tk.Misc,
        state: TeachingState | None,
        actions: TeachActions,
        sources: SourceButtons = (),
    ) -> TeachDialog | None:
        """The view's ``show_teaching``: open the dialog on the first state, update it, close it on None."""
        alive = dialog is not None and dialog.winfo_exists()
        if state is None:
            if dialog is not None and alive:
                dialog.destroy()
            return None
        if dialog is None or not alive:
            dialog = cls(master, actions, state.default_name, sources)
        dialog.show(state)
        return dialog


def enable(widget: ttk.Widget, on: bool) -> None:
    widget.state(["!disabled"] if on else ["disabled"])
