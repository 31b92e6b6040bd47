"""The Emotune desktop window: a thin Tk view over ``emotune.controller.app.AppController``.

``EmotuneApp`` lays out the panels, binds keys, runs the dialogs (``window_actions``), and implements the
controller's ``View`` verbs by telling each panel what to show. The logic (which mood is in
force, when to ask for songs, which answers are stale, sources, settings, sign-in) lives in the
controller, which has no tkinter. The rules kept here:

- Threads never touch Tk. One ``after()`` loop every ``TICK_MS`` calls ``controller.poll()``,
  which drains the worker's messages and the finished tasks, a few per tick.
- Closing cancels the after-id, stops every thread (through the controller) within about a
  second, and destroys the window.

The window never builds its controller: ``emotune.gui.start`` (the composition root) builds the
task runner, the controller and this window, and ``attach`` joins them. ``run_app(args, env)``
there is what ``python -m emotune`` calls.
"""

from __future__ import annotations

import contextlib
import logging
import time
import tkinter as tk
import traceback
from collections.abc import Callable, Sequence
from tkinter import ttk
from types import TracebackType

from emotune.config import Settings
from emotune.controller.app import AppController
from emotune.controller.feedback_link import Verdicts
from emotune.controller.options import AppOptions
from emotune.controller.teaching import TeachingState
from emotune.controller.view import SourceProblem
from emotune.environment import Environment
from emotune.gui.controls import Actions, Controls
from emotune.gui.face_menu import FaceMenu
from emotune.gui.genre_menu import GenreMenu, MoreLike
from emotune.gui.help_view import HelpView
from emotune.gui.journal_view import JournalWindow
from emotune.gui.keys import install_shortcuts
from emotune.gui.mood_panel import MoodPanel
from emotune.gui.os_conventions import install_app_commands, shortcut
from emotune.gui.playlist_panel import PlaylistPanel
from emotune.gui.settings_dialog import SettingsDialog
from emotune.gui.song_feedback import SongFeedback
from emotune.gui.status_bar import StatusBar
from emotune.gui.teach_dialog import TeachDialog
from emotune.gui.theme import apply_theme, set_window_icon, ui_scale
from emotune.gui.tick_stats import Stats
from emotune.gui.video_panel import VideoPanel
from emotune.gui.window_actions import WindowActions
from emotune.gui.window_state import WindowPlacement
from emotune.labels import EMOTIONS
from emotune.music.tracks import Track
from emotune.vision.messages import FrameResult

__all__ = ["AppOptions", "EmotuneApp"]  # the options, for those who build the app (gui/start.py)

log = logging.getLogger(__name__)

TITLE = "Emotune"
TICK_MS = 15
# With nothing arriving for IDLE_AFTER_S (paused, no camera, a video that ended), tick slower, so
# an idle window costs a small fraction of what the fast tick does (docs/figures.md: the window
# with no picture); the next frame or answer is handled within IDLE_TICK_MS and brings the fast
# tick back.
IDLE_TICK_MS = 100
IDLE_AFTER_S = 0.5
TIMELINE_EVERY_S = 0.5
SONG_ROWS_WANTED = 10  # a whole list of songs in view before the mood panel keeps its full size


class EmotuneApp(WindowActions):
    """The main window. Everything here runs on the Tk thread."""

    def __init__(self, root: tk.Tk, env: Environment, *, clock: Callable[[], float] = time.perf_counter) -> None:
        """The window's shell: no panels yet, nothing running. ``attach`` gives it its controller."""
        self.root = root
        self.env = env  # read once by the entry point: the platform, the folders Help names
        self.clock = clock
        self.stats = Stats(started=clock())
        self.closed = False
        self._after_id: str | None = None
        self._last_timeline_at = 0.0
        self._arrived_at = clock()  # when the controller last had something to handle
        self._settings_dialog: SettingsDialog | None = None
        self._journal_window: JournalWindow | None = None
        self._teach_dialog: TeachDialog | None = None
        self._help_view: HelpView | None = None
        # What the controller last told of the sources (``show_source``, ``show_sources``).
        self.source_spec = ""
        self.cameras_found: Sequence[int] | None = None

    def attach(self, controller: AppController) -> None:
        """Build the panels for ``controller``, start it and the drain loop.

        The controller and the window need each other: the controller shows through its ``View``,
        this window, and the panels' buttons call the controller. So the composition root
        (``emotune.gui.start.build_app``) builds this shell first, the controller with the shell
        as its view (its constructor shows nothing yet), then attaches the one to the other;
        the first verb arrives from ``controller.start()``, once the panels are here to show it.
        """
        self.controller = controller
        self._build_window(controller.settings)
        controller.start()
        self._after_id = self.root.after(TICK_MS, self._tick)

    # -- window --------------------------------------------------------------------------------

    def _build_window(self, settings: Settings) -> None:
        root = self.root
        root.title(TITLE)
        self.palette = apply_theme(root, settings.theme)
        self._icon = set_window_icon(root)
        # Sizes in 96-dpi pixels, scaled like the fonts, so the window fits its content at 100-200 %.
        scale = ui_scale(root)
        platform = self.env.platform
        self.placement = WindowPlacement(root, platform)
        minimum, default = (int(760 * scale), int(520 * scale)), (int(1180 * scale), int(720 * scale))
        self.placement.restore(settings.window_geometry, settings.window_zoomed, minimum, default)
        root.report_callback_exception = self._report_callback_exception
        install_app_commands(root, platform, close=self.close, preferences=self.open_settings, show_help=self.open_help)

        control = self.controller
        self.controls = Controls(
            root,
            Actions(
                toggle_pause=control.toggle_pause,
                use_camera=lambda index: control.open_source(str(index)),
                choose_camera=self.choose_camera,
                open_file=self.choose_file,
                open_path=control.open_source,
                set_locked=control.set_locked,
                choose_mood=control.choose_mood,
                set_strategy=self.set_strategy,
                more_songs=control.more_songs,
                open_settings=self.open_settings,
                open_journal=self.open_journal,
                open_help=self.open_help,
                focus_home=self.focus_home,
            ),
            control.strategy,
            platform=platform,
        )
        self.controls.grid(row=0, column=0, columnspan=2, sticky="ew")
        self.video = VideoPanel(root, self.palette)
        self.video.grid(row=1, column=0, sticky="nsew", padx=(10, 0), pady=(0, 6))
        side = ttk.Frame(root)
        side.grid(row=1, column=1, sticky="nsew", padx=(0, 4))
        self.mood_panel = MoodPanel(side, self.palette, platform=platform)
        self.mood_panel.pack(fill="x")
        self.playlist = PlaylistPanel(
            side, self.activate_track, control.play, control.save_playlist, playlist=control.playlist, platform=platform
        )
        self.playlist.pack(fill="both", expand=True)
        self.song_feedback = SongFeedback(self.playlist, control.give_feedback, self.palette)
        self.more_like = MoreLike(self.playlist, control.more_like)
        rows = SONG_ROWS_WANTED  # asked at each resize: the panel's own height changes with what it shows
        side.bind("<Configure>", lambda e: self.mood_panel.fit(e.height, self.playlist.height_for_rows(rows)), add="+")
        self.status = StatusBar(root)
        self.face_menu = FaceMenu(self.status, control.profiles)
        self.status.add_menu(self.face_menu)
        self.genre_menu = GenreMenu(self.status, control.settings.genres, control.set_genres)
        self.status.add_menu(self.genre_menu)
        self.status.grid(row=2, column=0, columnspan=2, sticky="ew")
        root.columnconfigure(0, weight=3)
        root.columnconfigure(1, weight=2, minsize=int(380 * scale))
        root.rowconfigure(1, weight=1)

        install_shortcuts(
            root,
            {
                "<space>": control.toggle_pause,
                "<KeyPress-r>": control.more_songs,
                "<KeyPress-R>": control.more_songs,
                shortcut(platform, "o"): self.choose_file,
                shortcut(platform, "j"): self.open_journal,
                "<F1>": self.open_help,
                shortcut(platform, "q"): self.close,
            },
        )
        self.focus_home()  # the keyboard's home: Down then Enter opens a song at once

    def focus_home(self) -> None:
        self.playlist.focus_list()

    def _report_callback_exception(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        # An error in a Tk callback must not pass silently, nor take the window down.
        log.error("error in a Tk callback", exc_info=(kind, value, tb))
        traceback.print_exception(kind, value, tb)
        self.status.set_note(f"Internal error: {value}")

    # -- the drain loop ------------------------------------------------------------------------

    def _tick(self) -> None:
        self._after_id = None
        now = self.clock()
        self.stats.tick_started(now)
        if self.controller.poll():
            self._arrived_at = now
        if now - self._last_timeline_at >= TIMELINE_EVERY_S:
            self._last_timeline_at = now
            self.mood_panel.draw_timeline()
        self.stats.max_tick_work = max(self.stats.max_tick_work, self.clock() - now)
        if not self.closed:
            delay = TICK_MS if now - self._arrived_at < IDLE_AFTER_S else IDLE_TICK_MS
            self._after_id = self.root.after(delay, self._tick)

    # -- the controller's View verbs ------------------------------------------------------------

    def show_source(self, spec: str, mirror: bool) -> None:
        self.source_spec = spec  # what "Choose camera…" marks as playing
        self.video.mirror = mirror

    def show_frame(self, result: FrameResult) -> None:
        if self.root.state() in ("iconic", "withdrawn"):
            return  # a minimised or hidden window draws nothing; the music still follows the face
        self.video.show(result)
        self.stats.frames_drawn += 1
        if self.stats.first_frame is None:
            self.stats.first_frame = self.clock()

    def show_reading(self, scores: Sequence[float], reading: str | None, detail: str | None) -> None:
        self.mood_panel.set_scores(scores)
        self.mood_panel.set_reading(reading)
        # The box on the face shows the very reading the bars show ("Your face now").
        score = scores[EMOTIONS.index(reading)] if reading in EMOTIONS and len(scores) == len(EMOTIONS) else 0.0
        self.video.set_reading((reading, score) if reading else None)
        if detail is not None:
            self.mood_panel.set_detail(detail)

    def show_mood(self, mood: str | None, detail: str) -> None:
        self.mood_panel.set_mood(mood, detail)

    def show_lock(self, locked: bool, mood: str | None) -> None:
        self.controls.show_lock(locked, mood)

    def show_sources(self, current: str, cameras: Sequence[int] | None, recent: Sequence[str]) -> None:
        self.cameras_found = cameras  # what "Choose camera…" offers
        self.controls.show_sources(current, cameras, recent)

    def show_paused(self, paused: bool) -> None:
        self.controls.show_paused(paused)
        if not self.video.problem_visible:
            self.mood_panel.set_live(not paused, "paused")

    def show_source_problem(self, problem: SourceProblem) -> None:
        buttons = [(problem.retry_label, self.controller.retry_source)]
        if problem.settings_page:  # the system's camera privacy page: where a refused camera is allowed
            buttons.append(("Camera privacy settings", self.controller.open_privacy_settings))
        buttons += [("Choose camera…", self.choose_camera), ("Open video file…", self.choose_file)]
        self.video.show_problem(problem.title, problem.message, buttons)
        self.controls.pause_button.state(["disabled"])  # nothing to pause without a picture
        still = {"ended": "the video ended", "cannot read": "no picture", "waiting for access": "asking for the camera"}
        self.mood_panel.set_live(False, still.get(problem.kind, "no camera"))

    def hide_source_problem(self) -> None:
        self.video.hide_problem()
        self.controls.pause_button.state(["!disabled"])
        self.mood_panel.set_live(True)

    def show_video_status(self, text: str) -> None:
        self.status.set_video(text)

    def show_finding_songs(self, mood: str) -> None:
        self.playlist.set_heading(f"Finding songs for {mood}…")

    def playlist_changed(self, *, appended: bool) -> None:
        # The panel was given the controller's one Playlist: it redraws from there.
        if appended:
            self.playlist.show_appended()
        else:
            self.playlist.show_list()

    def drop_tracks(self, rows: Sequence[int]) -> None:
        self.playlist.show_dropped(rows)
        self.song_feedback.set_marks(dict(self.song_feedback.marks))  # the rows were made anew

    def selected_row(self) -> int | None:
        return self.playlist.selected_index() if self.playlist.selected() is not None else None

    def show_verdicts(self, verdicts: Verdicts) -> None:
        self.song_feedback.set_marks(verdicts)

    def show_no_songs(self) -> None:
        self.playlist.set_heading("No songs")

    def show_music_status(self, text: str) -> None:
        self.status.set_music(text)

    def show_note(self, text: str) -> None:
        self.status.set_note(text)

    def show_open_failed(self, track: Track, reason: str) -> None:
        self.status.offer(reason, "Copy link", lambda: self.activate_track(track, "copy"))

    def show_player(self, can_play: bool, now_playing: str) -> None:
        self.playlist.set_player(can_play, now_playing)

    def show_spotify_state(self, text: str) -> None:
        if self._settings_dialog is not None and self._settings_dialog.winfo_exists():
            self._settings_dialog.set_spotify_state(text)

    def show_profile(self, name: str | None) -> None:
        self.status.set_profile(name)

    def show_teaching(self, state: TeachingState | None) -> None:
        sources = (("Choose camera…", self.choose_camera), ("Open video file…", self.choose_file))
        self._teach_dialog = TeachDialog.follow(self._teach_dialog, self.root, state, self.controller.profiles, sources)

    # -- closing -------------------------------------------------------------------------------

    def close(self) -> bool:
        """Stop everything and destroy the window; True when no thread of the app is left."""
        if self.closed:
            return True
        self.closed = True
        if self._after_id is not None:
            self.root.after_cancel(self._after_id)
            self._after_id = None
        with contextlib.suppress(tk.TclError):
            self.controller.remember_window(*self.placement.to_save())
        stopped = self.controller.close()
        self.root.destroy()
        return stopped
