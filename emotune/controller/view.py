"""What the controller asks of a view: narrow verbs, each about one thing on screen.

The Tk window implements ``View``; controller tests use a recording fake. Nothing here knows a
toolkit: values are strings, tuples, tracks and frozen vision messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from emotune.controller.teaching import TeachingState
from emotune.music.feedback import Verdict
from emotune.music.tracks import Track
from emotune.vision.messages import FrameResult

ProblemKind = Literal["no camera", "cannot read", "ended", "waiting for access", "no camera access"]


@dataclass(frozen=True)
class SourceProblem:
    """Why there is no picture, in the words the video area shows, and how to try again."""

    kind: ProblemKind
    title: str
    message: str
    retry_label: str  # "Retry" or "Play again"; the view adds "Choose camera…" and "Open video file…"
    # The system's camera privacy page (a URL its handler opens); the view offers a button for it.
    settings_page: str | None = None


class View(Protocol):
    def show_source(self, spec: str, mirror: bool) -> None:
        """A new source (camera index or path) is about to play; ``mirror`` flips its picture."""

    def show_frame(self, result: FrameResult) -> None: ...

    def show_reading(self, scores: Sequence[float], reading: str | None, detail: str | None) -> None:
        """The face reading: smoothed scores and their leader (None: no face); ``detail``
        replaces the music mood's detail line when not None."""

    def show_mood(self, mood: str | None, detail: str) -> None: ...

    def show_lock(self, locked: bool, mood: str | None) -> None: ...

    def show_paused(self, paused: bool) -> None: ...

    def show_sources(self, current: str, cameras: Sequence[int] | None, recent: Sequence[str]) -> None:
        """What the source menu offers: the source playing, the cameras found (None: still
        looking) and the recent files, newest first."""

    def show_source_problem(self, problem: SourceProblem) -> None: ...

    def hide_source_problem(self) -> None: ...

    def show_video_status(self, text: str) -> None: ...

    def show_finding_songs(self, mood: str) -> None: ...

    # The song list is the controller's ``Playlist`` (``emotune.controller.playlist``), the one
    # object a view was given to draw (row N is ``tracks[N]``): these verbs come after it changed,
    # saying how, and the view redraws from it; they carry no songs of their own.

    def playlist_changed(self, *, appended: bool) -> None:
        """The list changed. ``appended``: a block was added after the rows drawn (the selection
        and the scroll position stay); else it is a new list the user asked for (drawn anew, from
        its first row)."""

    def drop_tracks(self, rows: Sequence[int]) -> None:
        """These rows (indexes before, ascending) left the list; the others keep their order, moods,
        selection."""

    def selected_row(self) -> int | None:
        """The index of the selected row, if one is."""

    def show_verdicts(self, verdicts: Mapping[str, Verdict | None]) -> None:
        """Mark the rows of these track IDs with the user's verdict (None: no mark); rows stay."""

    def show_no_songs(self) -> None: ...

    def show_music_status(self, text: str) -> None: ...

    def show_note(self, text: str) -> None: ...

    def show_open_failed(self, track: Track, reason: str) -> None:
        """Opening ``track`` failed (``reason`` says so in a sentence): say it, and offer to copy its link."""

    def show_player(self, can_play: bool, now_playing: str) -> None:
        """Whether "Play" and "Save as playlist" can work (signed in), and what Spotify plays."""

    def show_spotify_state(self, text: str) -> None:
        """The sign-in state, where the view shows it (the settings dialog, when open)."""

    def show_profile(self, name: str | None) -> None:
        """Whose face profile reads faces ("calibrated for <name>"); None: the plain model."""

    def show_teaching(self, state: TeachingState | None) -> None:
        """The "Teach Emotune your face" flow as it stands (the dialog follows it); None: closed."""
