"""Song feedback on the playlist: like, dislike and "never again" on each row, and the marks.

``SongFeedback`` adds to a ``PlaylistPanel`` (so the panel stays about showing and opening songs):

- a narrow mark column at the left of the list: ♥ liked, ✕ disliked, ⊘ never again (the track,
  or every track by its artist). Rows that will not come back are greyed, never removed: the
  list does not move under the user's hand; the next lists leave those songs out;
- keys L and D while the list has the focus: like or dislike the selected row (pressing the same
  key again clears the verdict);
- the context menu: Like, Dislike, Never play this track, Never play this artist, Clear;
- "Like" and "Dislike" buttons in the panel's header, for the selected row.

What a verdict does is the app's business (``on_verdict``); this module only reports which
track and which verdict, and shows the marks it is told (``set_marks``).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Mapping
from tkinter import ttk

from emotune.gui.playlist_panel import PlaylistPanel
from emotune.gui.theme import Palette, ui_scale
from emotune.music.feedback import Verdict
from emotune.music.tracks import Track

MARKS: dict[str, str] = {"like": "♥", "dislike": "✕", "never_track": "⊘", "never_artist": "⊘"}
LIKED_COLOUR = "#c2185b"
TAG_PREFIX = "verdict-"
ACCELERATORS = {"like": "L", "dislike": "D"}
MENU_ITEMS: tuple[tuple[str, Verdict | None], ...] = (
    ("Like", "like"),
    ("Dislike", "dislike"),
    ("Never play this track", "never_track"),
    ("Never play this artist", "never_artist"),
    ("Clear", None),
)


class SongFeedback:
    def __init__(
        self, panel: PlaylistPanel, on_verdict: Callable[[Track, Verdict | None], None], palette: Palette
    ) -> None:
        self.panel = panel
        self._on_verdict = on_verdict
        self.marks: dict[str, Verdict | None] = {}  # track ID -> the mark its rows show
        tree = panel.tree
        tree.configure(show=("tree", "headings"))
        tree.heading("#0", text="")
        width = int(40 * ui_scale(tree))
        tree.column("#0", width=width, minwidth=width, stretch=False, anchor="center")
        self.set_palette(palette)

        buttons = ttk.Frame(panel.header)
        # Packed before the heading, the buttons get their room first: a long heading is cut, not them.
        buttons.pack(side="right", before=panel.heading)
        self.like_button = ttk.Button(buttons, text="Like", width=7, command=lambda: self.give_selected("like"))
        self.like_button.pack(side="left")
        self.dislike_button = ttk.Button(
            buttons, text="Dislike", width=7, command=lambda: self.give_selected("dislike")
        )
        self.dislike_button.pack(side="left", padx=(4, 0))

        panel.menu.add_separator()
        for label, verdict in MENU_ITEMS:
            panel.menu.add_command(
                label=label,
                accelerator=ACCELERATORS.get(verdict or "", ""),  # the key that does it in the list
                command=lambda v=verdict: self.give_selected(v),  # type: ignore[misc]
            )
        keys: tuple[tuple[str, Verdict], ...] = (("l", "like"), ("d", "dislike"))
        for key, verdict_key in keys:
            for name in (key, key.upper()):
                tree.bind(f"<KeyPress-{name}>", self._key_handler(verdict_key), add="+")

    def set_palette(self, palette: Palette) -> None:
        tree = self.panel.tree
        tree.tag_configure(f"{TAG_PREFIX}like", foreground=LIKED_COLOUR)
        for verdict in ("dislike", "never_track", "never_artist"):
            tree.tag_configure(f"{TAG_PREFIX}{verdict}", foreground=palette.muted)

    def give_selected(self, verdict: Verdict | None) -> None:
        track = self.panel.selected()
        if track is not None:
            self._on_verdict(track, verdict)

    def _key_handler(self, verdict: Verdict) -> Callable[[tk.Event[ttk.Treeview]], str]:
        def on_key(_event: tk.Event[ttk.Treeview]) -> str:
            track = self.panel.selected()
            if track is not None:
                # The same key again takes the verdict back.
                self._on_verdict(track, None if self.marks.get(track.id) == verdict else verdict)
            return "break"

        return on_key

    def set_marks(self, verdicts: Mapping[str, Verdict | None]) -> None:
        """Mark every row of these track IDs (None: no mark)."""
        self.marks.update(verdicts)
        tree = self.panel.tree
        for index, track in enumerate(self.panel.tracks):
            if track.id not in verdicts or not tree.exists(str(index)):
                continue
            verdict = verdicts[track.id]
            kept = [tag for tag in tree.item(str(index), "tags") or () if not str(tag).startswith(TAG_PREFIX)]
            tags = [*kept, f"{TAG_PREFIX}{verdict}"] if verdict else kept
            tree.item(str(index), text=MARKS.get(verdict or "", ""), tags=tags)

    def mark_of(self, row: str) -> str:
        """The mark a row shows (for tests and screen readers)."""
        return str(self.panel.tree.item(row, "text"))
