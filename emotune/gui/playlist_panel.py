"""The playlist panel: a ``ttk.Treeview`` of tracks (number, title, artist, and the mood each
song was chosen for). When the music mood changes, the new songs are appended: the rows the user
is looking at, the selection and the scroll position never move under their hand. A marker row
("New songs for happy") opens each appended block, the heading names the block at the top of the
view, and a "New songs ↓" button (or N) counts the songs of every block not seen yet and goes to
the first of them (``new_songs``); the list scrolls there by itself only when nobody has touched
it for ``SCROLL_BY_ITSELF_AFTER_S``. Long titles, artists and headings end in "…" (whole on
hover, ``song_columns``); the buttons beside the heading keep their size. The scrollbar shows
only when needed; a border shows when the list has the keyboard focus. Double click, Enter and
the context menu act on the selected song (``song_menu``); other modules add their commands, a
mark column and buttons beside the heading through the panel's methods, never its widgets.

The rows are the controller's ``Playlist`` (``emotune.controller.playlist``): the panel draws it
(row iid = the track's index, marker rows ``new-N`` open block N) and keeps no list of its own.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

from emotune.colours import mood_colour
from emotune.controller.playlist import Block, Playlist
from emotune.gui.elide import ElidingLabel
from emotune.gui.new_songs import SeenBlocks
from emotune.gui.song_columns import MarkColumn, SongColumns
from emotune.gui.song_menu import How, SongMenu
from emotune.gui.theme import ui_scale
from emotune.gui.tooltip import Tooltip
from emotune.music.tracks import Track
from emotune.platforms import Platform

__all__ = ["How", "PlaylistPanel"]

COLUMNS = ("n", "title", "artist", "mood")
# Scrolling to new songs by itself is only polite when the user is not using the list.
SCROLL_BY_ITSELF_AFTER_S = 30.0
MARKER_PREFIX = "new-"


def marker_of(number: int) -> str | None:
    """The marker row that opens block ``number`` (the first block of a list has none)."""
    return f"{MARKER_PREFIX}{number}" if number > 0 else None


class PlaylistPanel(ttk.Frame):
    def __init__(
        self,
        master: tk.Misc,
        on_activate: Callable[[Track, How], None],
        on_play: Callable[[int], None],
        on_save: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
        playlist: Playlist | None = None,
        *,
        platform: Platform,
    ) -> None:
        super().__init__(master, padding=(12, 4))
        self._clock = clock
        self.playlist = playlist if playlist is not None else Playlist()  # the app's: its controller changes it
        self._drawn_blocks = 0  # how many blocks the tree shows
        self._touched_at = clock()  # the last time the user used the list (key, click, wheel)
        self.seen = SeenBlocks()  # the blocks that have been in view
        self._drawn_starts: list[int] = []  # the first row of each block the tree shows
        self._follow_id: str | None = None
        self._status_heading = ""  # "Finding songs…" or "No songs" while there is no list to describe
        self.header = header = ttk.Frame(self)
        header.grid(row=0, column=0, columnspan=2, sticky="ew", pady=(0, 4))
        # The heading takes the room the buttons beside it leave, and ends in "…" when that is short.
        self.heading = ElidingLabel(header, text="Songs", style="Heading.TLabel")
        self.heading.pack(side="left", fill="x", expand=True)
        self.tree = ttk.Treeview(self, columns=COLUMNS, show="headings", selectmode="browse", height=10)
        scale = ui_scale(self)  # column widths are pixels: grow them with the fonts at 150-200 %
        for column, text, width, stretch in (
            ("n", "#", 36, False),
            ("title", "Title", 220, True),
            ("artist", "Artist", 160, True),
            ("mood", "For", 70, False),
        ):
            self.tree.heading(column, text=text, anchor="w")
            self.tree.column(column, width=int(width * scale), minwidth=int(30 * scale), stretch=stretch, anchor="w")
        self.scroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=self._on_scrolled, takefocus=True)
        # A ring around the list while it has the keyboard focus (the tree itself shows none).
        self.ring = tk.Frame(self, highlightthickness=2, borderwidth=0)
        self.ring.grid(row=1, column=0, sticky="nsew")
        self.tree.grid(in_=self.ring, row=0, column=0, sticky="nsew")
        self.tree.lift(self.ring)  # made before the ring, the tree would be drawn under it
        # Under the list (made after it, so Tab reaches it next), only while new songs wait unseen.
        self.jump_button = ttk.Button(self, text="", style="Accent.TButton", command=self.jump_to_new)
        self.ring.columnconfigure(0, weight=1)
        self.ring.rowconfigure(0, weight=1)
        self.scroll.grid(row=1, column=1, sticky="ns")
        # The scrollbar's room is kept when it hides, or the whole column would shift as it comes and goes.
        self.columnconfigure(1, minsize=self.scroll.winfo_reqwidth())
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self.columns = SongColumns(self.tree)
        self._full, self._marker_words = self.columns.full, self.columns.marker_words
        self.tooltip = Tooltip(self.tree, self.columns.tooltip_text)
        self.tree.bind("<Configure>", lambda _e: self.after_idle(self._fit_columns), add="+")
        self.tree.bind("<ButtonRelease-1>", lambda _e: self.after_idle(self._elide_all), add="+")  # column drags
        self.tree.bind("<FocusOut>", lambda _e: self._show_focus(False), add="+")
        self.set_focus_colour("#3a78c2")

        # Spotify playback (signed in): play the list from the selected row, save it, what plays.
        player = ttk.Frame(self)
        player.grid(row=3, column=0, columnspan=2, sticky="ew", pady=(6, 0))
        self.play_button = ttk.Button(player, text="Play on Spotify", command=lambda: on_play(self.selected_index()))
        self.play_button.pack(side="left")
        self.save_button = ttk.Button(player, text="Save as playlist", command=on_save)
        self.save_button.pack(side="left", padx=(6, 0))
        self.now_playing = ttk.Label(self, text="", style="Muted.TLabel")
        self.now_playing.grid(row=4, column=0, columnspan=2, sticky="w", pady=(4, 0))

        self.song_menu = SongMenu(self.tree, self.selected, on_activate, self._is_song, platform)
        self.menu = self.song_menu.menu
        self.marks = MarkColumn(self.tree)  # what other modules mark on each row (song feedback)
        self.tree.bind("<FocusIn>", self._on_focus, add="+")
        self.tree.bind("<<TreeviewSelect>>", self._on_select, add="+")
        for sequence in ("<KeyPress>", "<ButtonPress>", "<MouseWheel>"):
            self.tree.bind(sequence, self._on_touch, add="+")
        for key in ("n", "N"):
            self.tree.bind(f"<KeyPress-{key}>", lambda _e: self.jump_to_new(), add="+")
        self._selected_before = ""

    def set_heading(self, heading: str) -> None:
        """A heading about the list's state ("Finding songs for sad…", "No songs") until the next list."""
        self._status_heading = heading
        self.heading.set_text(heading)

    @property
    def tracks(self) -> tuple[Track, ...]:
        return self.playlist.tracks

    @property
    def blocks(self) -> list[Block]:
        return self.playlist.blocks

    def set_tracks(self, tracks: Sequence[Track], mood: str, heading: str) -> None:
        """A new list (the user asked for it): the first row is selected."""
        self.playlist.replace(tracks, mood, heading)
        self.show_list()

    def append_tracks(self, tracks: Sequence[Track], mood: str, heading: str) -> None:
        """More rows at the end, after a marker row naming them; the selection, the focus and the
        scroll position stay."""
        self.playlist.append(tracks, mood, heading)
        self.show_appended()

    def show_list(self) -> None:
        """Draw the playlist anew (it was replaced): the first row is selected."""
        self.seen.reset()
        self._redraw()
        if self.tracks:
            self.tree.selection_set("0")
            self.tree.focus("0")
            self.tree.see("0")

    def show_appended(self) -> None:
        """Draw the blocks appended to the playlist since it was last drawn."""
        while self._drawn_blocks < len(self.blocks):
            self._draw_block(self._drawn_blocks, follow=True)

    def _redraw(self) -> None:
        self._full.clear()
        self._marker_words.clear()
        self.tree.delete(*self.tree.get_children())
        self._drawn_blocks = 0
        self._drawn_starts.clear()
        for number in range(len(self.blocks)):
            self._draw_block(number, follow=False)

    def _draw_block(self, number: int, *, follow: bool) -> None:
        self._status_heading = ""
        block, marker = self.blocks[number], marker_of(number)
        if marker is not None:
            tag = f"marker-{block.mood}"
            self.tree.tag_configure(tag, foreground=mood_colour(block.mood), font=self.columns.marker_font)
            self._marker_words[marker] = f"New songs for {block.mood}"
            self.tree.insert(
                "", "end", iid=marker, values=("", self.columns.elided_marker(marker), "", block.mood), tags=(tag,)
            )
        for i in range(block.start, self.playlist.end_of(number)):
            track = self.tracks[i]
            self._full[str(i)] = (track.name, ", ".join(track.artists))
            self.tree.insert("", "end", iid=str(i), values=(i + 1, *self.columns.elided(str(i)), block.mood))
        self._drawn_blocks = number + 1
        self._drawn_starts.append(block.start)
        self.after_idle(self._view_changed)
        if marker is not None and follow:
            self._follow_later()

    # -- what is in view: the heading, the jump to new songs, scrolling there by itself -------------

    def rows_in_view(self) -> list[str]:
        """The rows (songs and markers) drawn in the list now, top first."""
        return [row for row in self.tree.get_children() if self.tree.bbox(row)]

    def block_of(self, row: str) -> Block | None:
        index = self._index_after(row)
        found = None
        for block in self.blocks:
            if block.start <= index:
                found = block
        return found

    def _index_after(self, row: str) -> int:
        """The track index of ``row``, or for a marker row the index of the first song after it."""
        if row.startswith(MARKER_PREFIX):
            return self.blocks[int(row[len(MARKER_PREFIX) :])].start
        return int(row)

    def _view_changed(self) -> None:
        if not self.winfo_exists():
            return
        in_view = self.rows_in_view()
        if self._status_heading:
            self.heading.set_text(self._status_heading)
        elif in_view:
            top = self.block_of(in_view[0])
            if top is not None:
                self.heading.set_text(top.heading)
        # A block counts as seen once one of its rows has been in view.
        self.seen.saw(self._block_index(row) for row in in_view)
        waiting = self.seen.button_text(self.playlist)
        if waiting:
            self.jump_button.configure(text=waiting)
            self.jump_button.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(4, 0))
        else:
            self.jump_button.grid_remove()

    def _block_index(self, row: str) -> int:
        return self.playlist.block_at(self._index_after(row))

    def jump_to_new(self) -> str:
        """Show the first block not seen yet (else the newest) at the top of the list and select
        its first song."""
        if len(self.blocks) < 2:
            return "break"
        number = next(iter(self.seen.unseen(self.playlist)), len(self.blocks) - 1)
        block, marker = self.blocks[number], marker_of(number)
        first = str(block.start)
        if marker is not None and self.tree.exists(first):
            self.tree.selection_set(first)
            self.tree.focus(first)
            children = self.tree.get_children()
            self.tree.yview_moveto(children.index(marker) / max(1, len(children)))
            # Asking the view where it stands makes the tree take the move in; ``see`` right after
            # a move, without it, worked from the old position and ended at the bottom of the list.
            self.tree.yview()
            self.tree.see(first)
        self.seen.saw((number,))
        self.after_idle(self._view_changed)
        return "break"

    def _on_touch(self, _event: tk.Event[tk.Misc]) -> None:
        self._touched_at = self._clock()

    def _follow_later(self) -> None:
        """Scroll to the new songs once the list has been left alone long enough (now, if it has)."""
        if self._follow_id is not None:
            self.after_cancel(self._follow_id)
            self._follow_id = None
        idle = self._clock() - self._touched_at
        if idle >= SCROLL_BY_ITSELF_AFTER_S:
            if self.seen.unseen(self.playlist):
                self.jump_to_new()
            return
        self._follow_id = self.after(int((SCROLL_BY_ITSELF_AFTER_S - idle) * 1000) + 50, self._follow_due)

    def _follow_due(self) -> None:
        self._follow_id = None
        self._follow_later()

    def _on_select(self, _event: tk.Event[tk.Misc]) -> None:
        # A marker row is a label, not a song: the selection steps over it the way it was moving.
        selection = self.tree.selection()
        if selection and selection[0].startswith(MARKER_PREFIX):
            marker = selection[0]
            before = self._selected_before
            forward = not before or self._index_after(before) < self._index_after(marker)
            step = self.tree.next(marker) if forward else self.tree.prev(marker)
            step = step or self.tree.prev(marker) or self.tree.next(marker)
            if step:
                self.tree.selection_set(step)
                self.tree.focus(step)
                self.tree.see(step)
            return
        if selection:
            self._selected_before = selection[0]

    def height_for_rows(self, rows: int) -> int:
        """The panel's height with ``rows`` rows of songs in view."""
        row = int(ttk.Style(self).lookup("Treeview", "rowheight") or 20)
        shown = int(self.tree.cget("height"))
        return self.winfo_reqheight() - (shown - rows) * row

    def drop_rows(self, rows: Sequence[int]) -> None:
        """Remove rows (the list's cap, ``emotune.controller.playlist``); the others keep their
        order, their block (mood, heading, marker) and the selection. Rows are renumbered from 1."""
        self.playlist.drop(rows)
        self.show_dropped(rows)

    def show_dropped(self, rows: Sequence[int]) -> None:
        """Draw the playlist after ``rows`` (indexes before the drop) left it; the selection stays."""
        gone = set(rows)
        selection = self.tree.selection()
        selected = self._index_after(selection[0]) if selection else None
        self.seen.after_drop(list(self._drawn_starts), len(self._full), gone)
        self._redraw()
        if selected is not None and selected not in gone:
            row = str(selected - sum(1 for r in gone if r < selected))
            self.tree.selection_set(row)
            self.tree.focus(row)
            self.tree.see(row)

    def set_focus_colour(self, colour: str) -> None:
        self._focus_colour = colour
        self._show_focus(self.focus_get() is self.tree)

    def _show_focus(self, focused: bool) -> None:
        # Unfocused, the ring takes the theme's background, so it is invisible in light and dark.
        background = str(ttk.Style(self).lookup("TFrame", "background")) or str(self.ring.cget("background"))
        colour = self._focus_colour if focused else background
        self.ring.configure(background=background, highlightbackground=colour, highlightcolor=colour)

    def _on_scrolled(self, first: str | float, last: str | float) -> None:
        # The scrollbar only when there is something to scroll to.
        if float(first) <= 0.0 and float(last) >= 1.0:
            self.scroll.grid_remove()
        else:
            self.scroll.grid()
        self.scroll.set(first, last)
        self.after_idle(self._view_changed)

    def _fit_columns(self) -> None:
        if self.winfo_exists():
            self.columns.fit()
            self._view_changed()

    def _elide_all(self) -> None:
        self.columns.elide_all()

    def set_player(self, can_play: bool, now_playing: str) -> None:
        state = "!disabled" if can_play else "disabled"
        self.play_button.state([state])
        self.save_button.state([state])
        self.now_playing.configure(text=now_playing)

    def selected_index(self) -> int:
        selection = self.tree.selection()
        return self._index_after(selection[0]) if selection else 0

    def selected(self) -> Track | None:
        selection = self.tree.selection()
        if not selection:
            return None
        index = self._index_after(selection[0])
        return self.tracks[index] if 0 <= index < len(self.tracks) else None

    def _is_song(self, row: str) -> bool:
        return not row.startswith(MARKER_PREFIX)

    # -- for the modules that add to the list (commands and keys: ``add_command``; marks: ``marks``) --

    def add_command(
        self, label: str, key: str, command: Callable[[], None], *, on_key: Callable[[], None] | None = None
    ) -> None:
        """A command on the selected song: in the context menu, and on ``key`` (``SongMenu.add_command``)."""
        self.song_menu.add_command(label, key, command, on_key=on_key)

    def add_separator(self) -> None:
        self.song_menu.add_separator()

    def add_header_frame(self) -> ttk.Frame:
        """A frame beside the heading, for buttons: it gets its room first, a long heading is cut."""
        frame = ttk.Frame(self.header)
        frame.pack(side="right", before=self.heading)
        return frame

    def focus_list(self) -> None:
        self.tree.focus_set()

    def _on_focus(self, _event: tk.Event[ttk.Treeview]) -> None:
        self._show_focus(True)
        # Tabbing in must leave a row focused, or the arrow keys would have nothing to move from.
        if not self.tree.focus() and self.tracks:
            self.tree.focus("0")
            self.tree.selection_set("0")
