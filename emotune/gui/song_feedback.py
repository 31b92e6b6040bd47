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

from collections.abc import Callable, Mapping
from tkinter import ttk

from emotune.gui.playlist_panel import PlaylistPanel
from emotune.gui.theme import Palette
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
        panel.marks.show(40)
        self.set_palette(palette)

        buttons = panel.add_header_frame()
        self.like_button = ttk.Button(buttons, text="Like", width=7, command=lambda: self.give_selected("like"))
        self.like_button.pack(side="left")
        self.dislike_button = ttk.Button(
            buttons, text="Dislike", width=7, command=lambda: self.give_selected("dislike")
        )
        self.dislike_button.pack(side="left", padx=(4, 0))

        panel.add_separator()
        for label, verdict in MENU_ITEMS:
            # Its key (L, D) in the list toggles: pressing it again takes the verdict back.
            key = ACCELERATORS.get(verdict or "", "")
            on_key = self._toggle(verdict) if verdict is not None and key else None
            panel.add_command(label, key, lambda v=verdict: self.give_selected(v), on_key=on_key)  # type: ignore[misc]

    def set_palette(self, palette: Palette) -> None:
        self.panel.marks.style(f"{TAG_PREFIX}like", LIKED_COLOUR)
        for verdict in ("dislike", "never_track", "never_artist"):
            self.panel.marks.style(f"{TAG_PREFIX}{verdict}", palette.muted)

    def give_selected(self, verdict: Verdict | None) -> None:
        track = self.panel.selected()
        if track is not None:
            self._on_verdict(track, verdict)

    def _toggle(self, verdict: Verdict) -> Callable[[], None]:
        def on_key() -> None:
            track = self.panel.selected()
            if track is not None:
                self._on_verdict(track, None if self.marks.get(track.id) == verdict else verdict)

        return on_key

    def set_marks(self, verdicts: Mapping[str, Verdict | None]) -> None:
        """Mark every row of these track IDs (None: no mark)."""
        self.marks.update(verdicts)
        for index, track in enumerate(self.panel.tracks):
            if track.id in verdicts:
                verdict = verdicts[track.id]
                self.panel.marks.mark(
                    index, MARKS.get(verdict or "", ""), f"{TAG_PREFIX}{verdict}" if verdict else None
                )

    def mark_of(self, row: str) -> str:
        """The mark a row shows (for tests and screen readers)."""
        return self.panel.marks.of(row)
