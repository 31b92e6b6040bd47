"""The status bar's "Your face" menu: it opens "Teach Emotune your face" (``teach_dialog``),
lists the saved profiles (one per person) to choose the one that reads faces, and has "Forget my
face", which asks first. What a choice does is the controller's business (``FaceChoices``).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import messagebox, ttk
from typing import Protocol

from emotune.gui.teach_dialog import TITLE
from emotune.gui.theme import MENU_STYLE, flat_style, visible_marks

# The "No profile" entry's value: Tk never marks a radio entry whose value is the empty string.
NO_PROFILE = "\u2205none"
FORGET_LABEL = "Forget my face…"


class FaceChoices(Protocol):
    """What the "Your face" menu needs (``FaceProfiles`` has it)."""

    @property
    def chosen_stem(self) -> str: ...

    def names(self) -> list[str]: ...

    def teach(self) -> None: ...

    def choose(self, name: str | None) -> None: ...

    def forget(self) -> None: ...


class FaceMenu(ttk.Menubutton):
    """ "Your face": teach Emotune, choose whose profile reads faces, forget the face in use."""

    def __init__(self, master: tk.Misc, faces: FaceChoices) -> None:
        flat_style(master)
        super().__init__(master, text="Your face", style=MENU_STYLE)
        self.faces = faces
        self.bind("<<ThemeChanged>>", self._theme_changed, add="+")
        self.chosen = tk.StringVar(value=NO_PROFILE)
        # Asks before the profile is deleted (tests answer in its place).
        self.ask: Callable[[str, str], bool] = lambda title, text: messagebox.askyesno(title, text, parent=self)
        self.menu = tk.Menu(self, tearoff=False, postcommand=self.refresh)
        visible_marks(self.menu)
        self.configure(menu=self.menu)
        self.refresh()

    def _theme_changed(self, _event: object) -> None:
        flat_style(self)  # a layout belongs to one theme: define it in the new one, and use it again
        self.configure(style=MENU_STYLE)

    def refresh(self) -> None:
        """Rebuild the entries from the saved profiles (each time the menu opens)."""
        menu, faces = self.menu, self.faces
        menu.delete(0, "end")
        menu.add_command(label=f"{TITLE}…", command=faces.teach)
        menu.add_separator()
        self.chosen.set(faces.chosen_stem or NO_PROFILE)
        menu.add_radiobutton(
            label="No profile (the plain model)",
            variable=self.chosen,
            value=NO_PROFILE,
            command=lambda: faces.choose(None),
        )
        for name in faces.names():
            menu.add_radiobutton(
                label=name,
                variable=self.chosen,
                value=name,
                command=lambda n=name: faces.choose(n),  # type: ignore[misc]
            )
        menu.add_separator()
        menu.add_command(label=FORGET_LABEL, command=self.forget, state="normal" if faces.chosen_stem else "disabled")

    def forget(self) -> None:
        """Forget my face, once the person says yes: the profile cannot be brought back."""
        name = self.faces.chosen_stem
        question = f"Delete the face profile “{name}” from this computer? Emotune then reads faces as it did before."
        if name and self.ask("Forget my face", question):
            self.faces.forget()
