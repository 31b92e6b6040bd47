"""The Settings dialog: Spotify credentials and sign in/out, face detector, mood smoothing, mirror
view, theme, whether tracks open in the Spotify app or the browser, and the mood journal.

Not modal (the video keeps playing). "Save" hands a checked ``Settings`` to the app, which
stores and applies it; a bad value is shown in the dialog instead, a Spotify field's under that
field (``emotune.controller.settings_fields`` says what is wrong). Sign-in blocks on the
browser, so the dialog only asks the app to start it (the app runs it off the Tk thread).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Mapping
from tkinter import ttk

from emotune.choices import DETECTORS
from emotune.config import Settings, SettingsError
from emotune.controller.settings_fields import client_id_problem, redirect_uri_problem

ERROR_COLOUR = "#c0392b"
CLIENT_ID_HELP = (
    "To use your Spotify account: create an app at developer.spotify.com/dashboard, add the\n"
    "redirect URI below to it, and paste its Client ID here. Then Sign in. Without one,\n"
    "songs come from the bundled catalog."
)
FIND_WHAT_HELPS = "Find out what helps me (Match or Lift at random when my mood is low)"


class SettingsDialog(tk.Toplevel):
    def __init__(
        self,
        master: tk.Misc,
        settings: Settings,
        spotify_state: str,
        on_save: Callable[[Settings], None],
        on_sign_in: Callable[[Settings], None],
        on_sign_out: Callable[[], None],
        overrides: Mapping[str, tuple[str, object]] | None = None,
    ) -> None:
        """``overrides``: setting name -> (environment variable, value) for the settings the
        environment sets; they show the value in use, cannot be edited here, and say why."""
        super().__init__(master)
        self.title("Emotune settings")
        self.settings = settings
        self.overrides = dict(overrides or {})
        self._on_save = on_save
        self._on_sign_in = on_sign_in
        self._on_sign_out = on_sign_out
        body = ttk.Frame(self, padding=16)
        body.pack(fill="both", expand=True)
        body.columnconfigure(1, weight=1)

        self.client_id = tk.StringVar(value=settings.spotify_client_id)
        self.client_secret = tk.StringVar(value=settings.spotify_client_secret)
        self.redirect_uri = tk.StringVar(value=settings.spotify_redirect_uri)
        self.detector = tk.StringVar(value=settings.detector)
        self.smoothing = tk.DoubleVar(value=settings.mood_smoothing_s)
        self.mirror = tk.BooleanVar(value=settings.mirror)
        self.open_with = tk.StringVar(value=settings.open_with)
        self.theme = tk.StringVar(value=settings.theme)
        self.pace = tk.StringVar(value=settings.music_pace)
        self.journal = tk.BooleanVar(value=settings.journal_enabled)
        self.find_what_helps = tk.BooleanVar(value=settings.find_what_helps)

        row = 0
        ttk.Label(body, text="Spotify", style="Heading.TLabel").grid(row=row, column=0, columnspan=3, sticky="w")
        row += 1
        ttk.Label(body, text=CLIENT_ID_HELP, style="Muted.TLabel", justify="left").grid(
            row=row, column=0, columnspan=3, sticky="w", pady=(2, 6)
        )
        self.entries: dict[str, ttk.Entry] = {}
        self.field_errors: dict[str, ttk.Label] = {}  # under the field, in the error colour, while it is wrong
        for label, name, variable, show in (
            ("Client ID", "spotify_client_id", self.client_id, ""),
            ("Client secret (optional)", "spotify_client_secret", self.client_secret, "•"),
            ("Redirect URI", "spotify_redirect_uri", self.redirect_uri, ""),
        ):
            row += 1
            ttk.Label(body, text=label).grid(row=row, column=0, sticky="w", pady=2)
            entry = ttk.Entry(body, textvariable=variable, show=show, width=40)
            entry.grid(row=row, column=1, columnspan=2, sticky="ew", pady=2)
            self.entries[name] = entry
            if name != "spotify_client_secret":
                row += 1
                error = ttk.Label(body, text="", foreground=ERROR_COLOUR, wraplength=420, justify="left")
                error.grid(row=row, column=1, columnspan=2, sticky="w")
                error.grid_remove()
                self.field_errors[name] = error
                entry.bind("<FocusOut>", lambda _e: self.check_fields(), add="+")
            if name in self.overrides:
                env_name, value = self.overrides[name]
                variable.set(str(value))
                entry.state(["disabled"])
                row += 1
                ttk.Label(body, text=f"set by {env_name} in the environment", style="Muted.TLabel").grid(
                    row=row, column=1, columnspan=2, sticky="w"
                )
        row += 1
        self.spotify_state = ttk.Label(body, text=spotify_state, style="Muted.TLabel")
        self.spotify_state.grid(row=row, column=0, columnspan=2, sticky="w", pady=(4, 8))
        buttons = ttk.Frame(body)
        buttons.grid(row=row, column=2, sticky="e")
        ttk.Button(buttons, text="Sign in", command=self._sign_in).pack(side="left", padx=2)
        ttk.Button(buttons, text="Sign out", command=on_sign_out).pack(side="left", padx=2)

        row += 1
        ttk.Label(body, text="Video and mood", style="Heading.TLabel").grid(
            row=row, column=0, columnspan=3, sticky="w", pady=(8, 0)
        )
        row += 1
        ttk.Label(body, text="Face detector").grid(row=row, column=0, sticky="w", pady=2)
        ttk.Combobox(body, textvariable=self.detector, values=DETECTORS, state="readonly", width=10).grid(
            row=row, column=1, sticky="w"
        )
        row += 1
        ttk.Label(body, text="Mood smoothing (s)").grid(row=row, column=0, sticky="w", pady=2)
        ttk.Spinbox(body, textvariable=self.smoothing, from_=0.0, to=5.0, increment=0.1, width=8).grid(
            row=row, column=1, sticky="w"
        )
        row += 1
        radio_row(
            body,
            row,
            "Music follows my mood",
            self.pace,
            (("Calmly", "calmly"), ("Normally", "normally"), ("Quickly", "quickly")),
        )
        row += 1
        ttk.Checkbutton(body, text="Mirror the camera view", variable=self.mirror).grid(
            row=row, column=0, columnspan=2, sticky="w", pady=2
        )
        row += 1
        radio_row(body, row, "Open tracks with", self.open_with, (("Spotify app", "app"), ("Browser", "browser")))
        row += 1
        radio_row(body, row, "Theme", self.theme, (("Light", "light"), ("Dark", "dark")))
        row += 1
        # Off stops recording; what is recorded stays until "Forget today…"/"Forget everything…" (Journal).
        ttk.Checkbutton(body, text="Keep a mood journal on this computer", variable=self.journal).grid(
            row=row, column=0, columnspan=3, sticky="w", pady=(8, 2)
        )
        row += 1  # the n-of-1 comparison (emotune.controller.fair_trial); its answer is in the Journal
        ttk.Checkbutton(body, text=FIND_WHAT_HELPS, variable=self.find_what_helps).grid(
            row=row, column=0, columnspan=3, sticky="w", pady=2
        )

        row += 1
        self.error = ttk.Label(body, text="", foreground=ERROR_COLOUR, wraplength=420)
        self.error.grid(row=row, column=0, columnspan=3, sticky="w", pady=(8, 0))
        row += 1
        actions = ttk.Frame(body)
        actions.grid(row=row, column=0, columnspan=3, sticky="e", pady=(12, 0))
        ttk.Button(actions, text="Cancel", command=self.destroy).pack(side="right")
        ttk.Button(actions, text="Save", command=self.save).pack(side="right", padx=6)
        self.bind("<Escape>", lambda _e: self.destroy())
        self.transient(master.winfo_toplevel())

    def collected(self) -> Settings:
        """The settings as entered (SettingsError if a value is bad)."""
        try:
            smoothing = float(self.smoothing.get())
        except (tk.TclError, ValueError):
            raise SettingsError("Mood smoothing must be a number of seconds, from 0 to 5") from None
        if not 0.0 <= smoothing <= 5.0:
            raise SettingsError(f"Mood smoothing must be from 0 to 5 seconds (not {smoothing:g})")
        stored = self.settings

        def entered(name: str, variable: tk.StringVar) -> str:
            # A value the environment sets is shown, not saved: the stored one stays.
            return str(getattr(stored, name)) if name in self.overrides else variable.get().strip()

        return self.settings.replace(
            spotify_client_id=entered("spotify_client_id", self.client_id),
            spotify_client_secret=entered("spotify_client_secret", self.client_secret),
            spotify_redirect_uri=entered("spotify_redirect_uri", self.redirect_uri),
            detector=self.detector.get(),
            mood_smoothing_s=smoothing,
            music_pace=self.pace.get(),
            mirror=bool(self.mirror.get()),
            open_with=self.open_with.get(),
            theme=self.theme.get(),
            journal_enabled=bool(self.journal.get()),
            find_what_helps=bool(self.find_what_helps.get()),
        )

    def check_fields(self) -> bool:
        """Say by each Spotify field what is wrong with it; True when nothing is."""
        client_id = self.client_id.get()
        problems = {
            "spotify_client_id": client_id_problem(client_id),
            "spotify_redirect_uri": redirect_uri_problem(self.redirect_uri.get(), client_id),
        }
        for name, problem in problems.items():
            problem = "" if name in self.overrides else problem  # the environment's value: not the dialog's
            label, entry = self.field_errors[name], self.entries[name]
            label.configure(text=problem)
            if problem:
                label.grid()
            else:
                label.grid_remove()
            if name not in self.overrides:
                entry.state(["invalid"] if problem else ["!invalid"])
        return not any(label.cget("text") for label in self.field_errors.values())

    def save(self) -> None:
        if not self.check_fields():
            return
        try:
            settings = self.collected()
        except SettingsError as exc:
            self.error.configure(text=str(exc))
            return
        self._on_save(settings)
        self.destroy()

    def _sign_in(self) -> None:
        if not self.check_fields():
            return
        try:
            settings = self.collected()
        except SettingsError as exc:
            self.error.configure(text=str(exc))
            return
        self.spotify_state.configure(text="Waiting for Spotify in your browser…")
        self._on_sign_in(settings)

    def set_spotify_state(self, text: str) -> None:
        self.spotify_state.configure(text=text)


def radio_row(
    parent: ttk.Frame, row: int, label: str, variable: tk.StringVar, choices: tuple[tuple[str, str], ...]
) -> None:
    """A label and a row of radio buttons (text, value) for ``variable`` in grid row ``row``."""
    ttk.Label(parent, text=label).grid(row=row, column=0, sticky="w", pady=2)
    buttons = ttk.Frame(parent)
    buttons.grid(row=row, column=1, sticky="w")
    for i, (text, value) in enumerate(choices):
        ttk.Radiobutton(buttons, text=text, value=value, variable=variable).pack(side="left", padx=(8 if i else 0, 0))
