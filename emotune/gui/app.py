"""The Emotune desktop app: one Tk window with the video, the mood and a playlist you can click.

``EmotuneApp`` wires the panels to the vision worker (``emotune.vision.pipeline.VisionWorker``)
and the recommender. The rules it keeps:

- Threads never touch Tk. The vision worker posts frozen messages to a bounded queue; blocking
  work (catalog loading, Spotify, opening a track, sign-in) runs through ``TaskRunner``. The Tk
  thread drains both in one ``after()`` loop every ``TICK_MS``, a few messages per tick, and
  draws only the newest frame.
- Recommendations are asked for when the mood in force changes (tracked by the face, or chosen
  by the user) or on request ("More songs", match/lift), never per frame.
- Closing cancels the after-ids and stops every thread within about a second.

``run_app(args)`` is what ``python -m emotune`` calls (args: source, camera, offline, mood).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import queue
import threading
import time
import tkinter as tk
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from tkinter import filedialog, simpledialog, ttk
from types import TracebackType
from typing import TYPE_CHECKING, Any

from emotune import config
from emotune.config import Settings, SettingsStore
from emotune.errors import EmotuneError
from emotune.gui.controls import Actions, Controls
from emotune.gui.mood_panel import MoodPanel
from emotune.gui.playlist_panel import How, PlaylistPanel
from emotune.gui.settings_dialog import SettingsDialog
from emotune.gui.status_bar import StatusBar
from emotune.gui.theme import apply_theme, ui_scale
from emotune.gui.threads import TaskRunner
from emotune.gui.video_panel import VideoPanel
from emotune.labels import EMOTIONS
from emotune.music import moods, opener
from emotune.music.opener import Opened, Opener, OpenerError, open_track
from emotune.music.recommender import Recommendation
from emotune.music.tracks import Track
from emotune.resources import resource_path
from emotune.vision.messages import FrameResult, MessageQueue, MoodChanged, SourceEnded, SourceError
from emotune.vision.mood import MoodTracker
from emotune.vision.pipeline import FacePipeline, PipelineSettings, VisionWorker
from emotune.vision.sources import FrameSource, FrameSourceError, is_camera, make_source

if TYPE_CHECKING:  # imported for real on the music lane: spotipy & co. stay off the start-up path
    from emotune.music.recommender import Recommender

log = logging.getLogger(__name__)

TITLE = "Emotune"
TICK_MS = 15
MESSAGES_PER_TICK = 6  # a tick stays short even when the worker has posted a burst
TASKS_PER_TICK = 4
SCORES_EVERY_S = 0.1  # bars at 10 Hz: smooth to the eye, cheap for the Tk thread
STATUS_EVERY_S = 0.5
FPS_WINDOW_S = 2.0
QUEUE_SIZE = 8


@dataclass(frozen=True)
class AppOptions:
    source: str | None = None
    offline: bool = False
    mood: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> AppOptions:
        source = getattr(args, "source", None)
        camera = getattr(args, "camera", None)
        if source is None and camera is not None:
            source = str(camera)
        mood = getattr(args, "mood", None)
        return cls(source, bool(getattr(args, "offline", False)), mood if mood in EMOTIONS else None)


@dataclass
class Stats:
    """What the benchmark reads: when the app started and drew its first frame, tick gaps."""

    started: float
    first_frame: float | None = None
    frames_drawn: int = 0
    frames_skipped: int = 0  # frame results replaced by a newer one before they were drawn
    ticks: int = 0
    last_tick: float | None = None
    max_tick_gap: float = 0.0
    # The most recent gaps only (about two minutes of ticks): the app may run for days.
    tick_gaps: deque[float] = field(default_factory=lambda: deque(maxlen=8192))
    max_tick_work: float = 0.0  # the longest time one tick itself took (the rest of a gap is waiting for the CPU)


def source_label(spec: str) -> str:
    return f"Camera {spec.strip()}" if is_camera(spec) else Path(spec).name


class EmotuneApp:
    """The main window. Everything here runs on the Tk thread."""

    def __init__(
        self,
        root: tk.Tk,
        options: AppOptions,
        *,
        store: SettingsStore | None = None,
        source_factory: Callable[[str], FrameSource] = make_source,
        app_opener: Opener = opener.os_handler,
        browser_opener: Opener = opener.browser,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.root = root
        self.options = options
        self.clock = clock
        self.stats = Stats(started=clock())
        self.store = store or SettingsStore()
        self.settings = self.store.load()
        self._source_factory = source_factory
        self._app_opener = app_opener
        self._browser_opener = browser_opener
        self.tasks = TaskRunner()
        self.messages = MessageQueue(QUEUE_SIZE)
        self.closed = False
        self._after_id: str | None = None

        # Mood state. The mood in force is the locked one, else the one read from the face.
        self.tracked_mood: str | None = None
        self.locked = options.mood is not None
        self.manual_mood: str | None = options.mood
        self.shown_mood: str | None = None  # the mood the playlist was last asked for
        self.strategy: moods.Strategy = moods.check_strategy(config.effective_settings(self.settings).music_strategy)

        # Music state: the recommender lives on its own lane (its catalog session is not thread-safe).
        self._music_lane = self.tasks.lane("emotune-music")
        self._recommender: Recommender | None = None  # touched only on the music lane
        self._request_serial = 0
        self._request_busy = False
        self._request_again: bool | None = None  # None: nothing pending; else "more" of the pending request
        self.recommendation: Recommendation | None = None
        self.opened: list[Opened] = []
        self._sign_in_cancel = threading.Event()
        self._settings_dialog: SettingsDialog | None = None

        # Video state.
        self.source_spec = ""
        self._source_name = ""  # the name the worker's messages carry for the current source
        self.source_problem: str | None = None
        self.paused = False
        self._draw_times: deque[float] = deque(maxlen=120)
        self._last_scores_at = 0.0
        self._last_status_at = 0.0
        self._latest: FrameResult | None = None

        self._build_window()
        self.worker = self._make_worker()
        self._start_music()
        self.open_source(options.source if options.source is not None else "0")
        if self.locked:
            self._mood_in_force_changed()
        self._after_id = self.root.after(TICK_MS, self._tick)

    # -- window --------------------------------------------------------------------------------

    def _build_window(self) -> None:
        root = self.root
        root.title(TITLE)
        self.palette = apply_theme(root, self.settings.theme)
        icon = resource_path("assets", "icon.png")
        if icon.is_file():
            self._icon = tk.PhotoImage(master=root, file=str(icon))
            root.iconphoto(True, self._icon)
        # Sizes in 96-dpi pixels, scaled like the fonts, so the window fits its content at 100-200 %.
        scale = ui_scale(root)
        root.minsize(int(760 * scale), int(520 * scale))
        if self.settings.window_geometry:
            try:
                root.geometry(self.settings.window_geometry)
            except tk.TclError:
                log.warning("ignoring the saved window geometry %r", self.settings.window_geometry)
        else:
            root.geometry(f"{int(1180 * scale)}x{int(720 * scale)}")
        root.report_callback_exception = self._report_callback_exception
        root.protocol("WM_DELETE_WINDOW", self.close)

        self.controls = Controls(
            root,
            Actions(
                toggle_pause=self.toggle_pause,
                use_camera=lambda index: self.open_source(str(index)),
                choose_camera=self.choose_camera,
                open_file=self.choose_file,
                set_locked=self.set_locked,
                choose_mood=self.choose_mood,
                set_strategy=self.set_strategy,
                more_songs=self.more_songs,
                open_settings=self.open_settings,
            ),
            self.strategy,
        )
        self.controls.grid(row=0, column=0, columnspan=2, sticky="ew")
        self.video = VideoPanel(root, self.palette)
        self.video.grid(row=1, column=0, sticky="nsew", padx=(10, 0), pady=(0, 6))
        side = ttk.Frame(root)
        side.grid(row=1, column=1, sticky="nsew", padx=(0, 4))
        self.mood_panel = MoodPanel(side, self.palette)
        self.mood_panel.pack(fill="x")
        self.playlist = PlaylistPanel(side, self.activate_track)
        self.playlist.pack(fill="both", expand=True)
        self.status = StatusBar(root)
        self.status.grid(row=2, column=0, columnspan=2, sticky="ew")
        root.columnconfigure(0, weight=3)
        root.columnconfigure(1, weight=2, minsize=int(380 * scale))
        root.rowconfigure(1, weight=1)
        self.controls.show_lock(self.locked, self.manual_mood)
        self.mood_panel.set_mood(self.manual_mood, "locked by you" if self.locked else "")
        self.status.set_music("loading the catalog…")
        for settings_warning in self.store.warnings:
            self.status.set_note(settings_warning)

        root.bind("<space>", lambda e: self._shortcut(e, self.toggle_pause))
        root.bind("<KeyPress-r>", lambda e: self._shortcut(e, self.more_songs))
        root.bind("<KeyPress-R>", lambda e: self._shortcut(e, self.more_songs))
        root.bind("<Control-o>", lambda _e: self.choose_file())
        root.bind("<Control-q>", lambda _e: self.close())

    def _shortcut(self, event: tk.Event[tk.Misc], action: Callable[[], None]) -> str | None:
        # Space on a focused button presses it, and letters belong to text fields: leave those.
        widget = event.widget
        typing_classes = {"TButton", "TCheckbutton", "TRadiobutton", "TEntry", "TCombobox", "TSpinbox", "TMenubutton"}
        if isinstance(widget, tk.Misc) and widget.winfo_class() in typing_classes:
            return None
        action()
        return "break"

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
        stats = self.stats
        if stats.last_tick is not None:
            gap = now - stats.last_tick
            stats.tick_gaps.append(gap)
            stats.max_tick_gap = max(stats.max_tick_gap, gap)
        stats.last_tick = now
        stats.ticks += 1

        newest: FrameResult | None = None
        for _ in range(MESSAGES_PER_TICK):
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                break
            if isinstance(message, FrameResult):
                if newest is not None:
                    stats.frames_skipped += 1
                newest = message
            elif isinstance(message, MoodChanged):
                self._set_tracked_mood(message.mood)
            elif isinstance(message, SourceError):
                self._source_failed(message)
            elif isinstance(message, SourceEnded):
                self._source_ended(message)
        if newest is not None and newest.source == self._source_name:
            self._show_frame(newest, now)
        self.tasks.poll(TASKS_PER_TICK)
        if now - self._last_status_at >= STATUS_EVERY_S:
            self._last_status_at = now
            self._update_status()
            self.mood_panel.draw_timeline()
        stats.max_tick_work = max(stats.max_tick_work, self.clock() - now)
        if not self.closed:
            self._after_id = self.root.after(TICK_MS, self._tick)

    def _show_frame(self, result: FrameResult, now: float) -> None:
        if self.source_problem is not None:
            return
        self.video.show(result)
        self._latest = result
        self.stats.frames_drawn += 1
        if self.stats.first_frame is None:
            self.stats.first_frame = now
        self._draw_times.append(now)
        state = result.mood
        if state.mood is not None and state.mood != self.tracked_mood:
            self._set_tracked_mood(state.mood)
        if now - self._last_scores_at >= SCORES_EVERY_S:
            self._last_scores_at = now
            self.mood_panel.set_scores(state.smoothed)
            if not self.locked:
                detail = "from your face" if state.face_present else "no face in view (keeping the last mood)"
                if self.mood_panel.detail.cget("text") != detail and self.tracked_mood is not None:
                    self.mood_panel.detail.configure(text=detail)

    def drawn_fps(self) -> float | None:
        times = self._draw_times
        now = self.clock()
        recent = [t for t in times if now - t <= FPS_WINDOW_S]
        if len(recent) < 2:
            return None
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)

    def _update_status(self) -> None:
        label = source_label(self.source_spec) if self.source_spec else "No source"
        if self.source_problem is not None:
            self.status.set_video(f"{label} · {self.source_problem}", None)
        else:
            self.status.set_video(label, self.drawn_fps(), self.paused)

    # -- video source --------------------------------------------------------------------------

    def _make_worker(self) -> VisionWorker:
        pipeline = FacePipeline(PipelineSettings(detector=self.settings.detector))
        tracker = MoodTracker(smoothing_s=self.settings.mood_smoothing_s, hold_s=self.settings.mood_hold_s)
        return VisionWorker(
            pipeline, self.messages, tracker, realtime=True, include_images=True, source_factory=self._source_factory
        )

    def open_source(self, spec: str) -> None:
        """Show ``spec`` (camera index or path); a problem shows in the video panel, not as an error."""
        self.source_spec = spec
        # A mirror is what people expect of a camera looking at them; a film stays the right way round.
        self.video.mirror = self.settings.mirror and is_camera(spec)
        self.video.hide_problem()
        self.source_problem = None
        try:
            source = self._source_factory(spec)
        except FrameSourceError as exc:
            self._show_source_problem(spec, str(exc))
            self._source_name = ""
            return
        self._source_name = source.name
        if not is_camera(spec):
            self.settings = self.settings.replace(last_source=spec)
        if self.worker.running:
            self.worker.switch_source(source)
        else:
            self.worker.start(source)
        if self.paused:
            self.paused = False
            self.worker.resume()
            self.controls.show_paused(False)
        self._draw_times.clear()
        self._update_status()

    def retry_source(self) -> None:
        self.open_source(self.source_spec or "0")

    def choose_camera(self) -> None:
        current = int(self.source_spec) if is_camera(self.source_spec) else 0
        index = simpledialog.askinteger(
            "Choose camera",
            "Camera number (0 is the built-in one):",
            parent=self.root,
            initialvalue=current,
            minvalue=0,
            maxvalue=63,
        )
        if index is not None:
            self.open_source(str(index))

    def choose_file(self) -> None:
        last = self.settings.last_source
        folder = str(Path(last).parent) if last and not is_camera(last) else str(Path.home())
        path = filedialog.askopenfilename(
            parent=self.root,
            title="Open video file",
            initialdir=folder,
            filetypes=[
                ("Videos", "*.mp4 *.avi *.mkv *.mov *.webm *.m4v"),
                ("Images", "*.png *.jpg *.jpeg"),
                ("All files", "*"),
            ],
        )
        if path:
            self.open_source(path)

    def _source_failed(self, message: SourceError) -> None:
        if message.source != self._source_name:
            return  # a late message about a source we already left
        self._show_source_problem(self.source_spec, message.message)

    def _show_source_problem(self, spec: str, text: str) -> None:
        camera = is_camera(spec)
        title = "No picture from the camera" if camera else "This video cannot be shown"
        hint = (
            "Check that a camera is connected and not in use by another program, then retry. " if camera else ""
        ) + "You can still pick a mood by hand above and get songs for it."
        self.source_problem = "no camera" if camera else "cannot read"
        self.video.show_problem(
            title,
            f"{text}\n\n{hint}",
            [
                ("Retry", self.retry_source),
                ("Choose camera…", self.choose_camera),
                ("Open video file…", self.choose_file),
            ],
        )
        self._update_status()

    def _source_ended(self, message: SourceEnded) -> None:
        if message.source != self._source_name:
            return
        self.source_problem = "ended"
        self.video.show_problem(
            "End of the video",
            f"{source_label(self.source_spec)} has ended ({message.frames} frames).",
            [
                ("Play again", self.retry_source),
                ("Choose camera…", self.choose_camera),
                ("Open video file…", self.choose_file),
            ],
        )
        self._update_status()

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self.worker.pause()
        else:
            self.worker.resume()
        self.controls.show_paused(self.paused)
        self._update_status()

    # -- mood ----------------------------------------------------------------------------------

    @property
    def mood_in_force(self) -> str | None:
        return self.manual_mood if self.locked else self.tracked_mood

    def _set_tracked_mood(self, mood: str) -> None:
        if mood == self.tracked_mood:
            return
        self.tracked_mood = mood
        if not self.locked:
            self._mood_in_force_changed()

    def _mood_in_force_changed(self) -> None:
        mood = self.mood_in_force
        detail = "locked by you" if self.locked else "from your face"
        self.mood_panel.set_mood(mood, detail)
        if mood is not None and mood != self.shown_mood:
            self.request_songs(more=False)

    def set_locked(self, locked: bool) -> None:
        if locked and self.manual_mood is None:
            self.manual_mood = self.tracked_mood
        if locked and self.manual_mood is None:
            locked = False  # nothing to lock to yet
            self.status.set_note("No mood to lock yet: pick one from the list")
        self.locked = locked
        if not locked:
            self.manual_mood = None
        self.controls.show_lock(self.locked, self.manual_mood)
        self._mood_in_force_changed()

    def choose_mood(self, mood: str | None) -> None:
        """A mood picked by hand locks it; ``None`` goes back to reading the face."""
        self.manual_mood = mood
        self.locked = mood is not None
        self.controls.show_lock(self.locked, self.manual_mood)
        self._mood_in_force_changed()

    def set_strategy(self, strategy: str) -> None:
        self.strategy = moods.check_strategy(strategy)
        self.settings = self.settings.replace(music_strategy=self.strategy)
        self.request_songs(more=False, force=True)

    def more_songs(self) -> None:
        self.request_songs(more=True, force=True)

    # -- music ---------------------------------------------------------------------------------

    def _start_music(self) -> None:
        settings = config.effective_settings(self.settings)
        offline = self.options.offline

        def build() -> str:
            from emotune.music.catalog import CatalogSession, load_catalog
            from emotune.music.recommender import RecommendationCache, Recommender
            from emotune.music.spotify import Credentials, SpotifyError, connect, is_signed_in

            session = CatalogSession(load_catalog(), overrides=moods.parse_overrides(settings.mood_targets))
            spotify = None
            note = "bundled catalog (offline)" if offline else "bundled catalog (Spotify not connected)"
            if not offline:
                try:
                    spotify = connect(Credentials.from_settings(settings), config.config_dir())
                except SpotifyError as exc:
                    note = f"bundled catalog ({exc})"
                if spotify is not None:
                    signed_in = is_signed_in(config.config_dir())
                    note = "Spotify (signed in)" if signed_in else "Spotify"
            self._recommender = Recommender(
                session,
                spotify=spotify,
                cache=RecommendationCache(config.cache_dir()),
                cache_max_age_s=settings.recommendations_cache_hours * 3600,
            )
            return note

        self._music_lane.submit(build, self._music_ready)

    def _music_ready(self, ok: bool, value: Any) -> None:
        if not ok:
            self.status.set_music(f"unavailable ({value})")
            return
        self.status.set_music(str(value))
        self.status.music_account = str(value)
        # The catalog's ~150k objects live as long as the app: keep the collector's full passes,
        # which run on whichever thread allocates (often this one), from walking them each time
        # (a 34 ms pause of the Tk loop was measured without this).
        gc.freeze()
        # A request made while the catalog loaded is already queued behind it on the lane.
        if self.mood_in_force is not None and not self._request_busy:
            self.request_songs(more=False, force=True)

    def request_songs(self, more: bool, force: bool = False) -> None:
        """Ask for a list for the mood in force (off the Tk thread); one request at a time, and
        a request made while one runs is done next, for the mood in force by then."""
        mood = self.mood_in_force
        if mood is None:
            self.status.set_note("No mood yet: show your face or pick a mood")
            return
        if not force and mood == self.shown_mood:
            return
        if self._request_busy:
            self._request_again = more or bool(self._request_again)
            return
        self._request_busy = True
        self._request_serial += 1
        serial = self._request_serial
        self.shown_mood = mood
        limit = self.settings.playlist_length
        strategy = self.strategy
        offline = self.options.offline

        def recommend() -> Recommendation:
            if self._recommender is None:
                raise EmotuneError("the music catalog is not loaded")
            return self._recommender.recommend(mood, limit, strategy, offline=offline)

        self.playlist.heading.configure(text=f"Finding songs for {mood}…")
        self._music_lane.submit(recommend, lambda ok, value: self._songs_ready(serial, ok, value))

    def _songs_ready(self, serial: int, ok: bool, value: Any) -> None:
        self._request_busy = False
        if ok and isinstance(value, Recommendation):
            self.recommendation = value
            verb = "lift" if value.strategy == "lift" else "match"
            self.playlist.set_tracks(value.tracks, f"Songs to {verb} {value.emotion}")
            signed_in = value.source == "spotify" and self.status.music_account == "Spotify (signed in)"
            self.status.set_music(f"{value.status} · signed in" if signed_in else value.status)
        else:
            self.playlist.heading.configure(text="No songs")
            self.status.set_music(f"no songs ({value})")
        pending = self._request_again
        self._request_again = None
        if pending is not None:
            self.request_songs(more=pending, force=True)
        elif self.mood_in_force != self.shown_mood and self.mood_in_force is not None:
            self.request_songs(more=False)

    def activate_track(self, track: Track, how: How) -> None:
        if how == "copy":
            self.root.clipboard_clear()
            self.root.clipboard_append(track.url)
            self.status.set_note(f"Copied {track.url}")
            return
        setting = self.settings.open_with
        app_opener, browser_opener = self._app_opener, self._browser_opener

        def do_open() -> Opened:
            if how == "browser":
                if browser_opener(track.url):
                    return Opened("browser", track.url)
                raise OpenerError(f"cannot open {track.url}: no web browser answered")
            return open_track(track, setting, app_opener=app_opener, browser_opener=browser_opener)

        self.status.set_note(f"Opening “{track.name}”…")
        self.tasks.run_in_thread(do_open, self._track_opened, name="emotune-open")

    def _track_opened(self, ok: bool, value: Any) -> None:
        if ok and isinstance(value, Opened):
            self.opened.append(value)
            self.status.set_note("Opened in Spotify" if value.how == "app" else "Opened in the browser")
        else:
            self.status.set_note(str(value))

    # -- settings ------------------------------------------------------------------------------

    def spotify_state(self) -> str:
        from emotune.music.spotify import is_signed_in

        if is_signed_in(config.config_dir()):
            return "Signed in to Spotify"
        return "Not signed in (the bundled catalog is used)"

    def open_settings(self) -> None:
        if self._settings_dialog is not None and self._settings_dialog.winfo_exists():
            self._settings_dialog.lift()
            return
        self._settings_dialog = SettingsDialog(
            self.root, self.settings, self.spotify_state(), self.apply_settings, self.sign_in, self.sign_out
        )

    def apply_settings(self, settings: Settings) -> None:
        old = self.settings
        self.settings = settings
        self._save_settings()
        self.video.mirror = settings.mirror and is_camera(self.source_spec)
        if settings.theme != old.theme:
            self.palette = apply_theme(self.root, settings.theme)
            self.mood_panel.set_palette(self.palette)
        if (settings.detector, settings.mood_smoothing_s) != (old.detector, old.mood_smoothing_s):
            self._restart_worker()
        spotify_fields = ("spotify_client_id", "spotify_client_secret", "spotify_redirect_uri", "mood_targets")
        if any(getattr(settings, name) != getattr(old, name) for name in spotify_fields):
            self._start_music()

    def _restart_worker(self) -> None:
        # The old worker is stopped off the Tk thread (it may take half a second); the new one
        # starts on the same source once the old one has let go of the camera.
        old = self.worker
        self.worker = self._make_worker()

        def started(_ok: bool, _value: Any) -> None:
            if not self.closed:
                self.open_source(self.source_spec or "0")

        self.tasks.run_in_thread(old.stop, started, name="emotune-restart")

    def sign_in(self, settings: Settings) -> None:
        from emotune.music.spotify import Credentials, sign_in

        self.apply_settings(settings)
        credentials = Credentials.from_settings(config.effective_settings(settings))
        self._sign_in_cancel.clear()
        cancel = self._sign_in_cancel

        def run() -> dict[str, str]:
            return sign_in(credentials, config.config_dir(), cancel=cancel)

        self.tasks.run_in_thread(run, self._signed_in, name="emotune-sign-in")

    def _signed_in(self, ok: bool, value: Any) -> None:
        text = f"Signed in as {value.get('display_name') or value.get('id')}" if ok else str(value)
        if self._settings_dialog is not None and self._settings_dialog.winfo_exists():
            self._settings_dialog.set_spotify_state(text)
        self.status.set_note(text)
        if ok:
            self._start_music()

    def sign_out(self) -> None:
        from emotune.music.spotify import sign_out

        sign_out(config.config_dir())
        if self._settings_dialog is not None and self._settings_dialog.winfo_exists():
            self._settings_dialog.set_spotify_state(self.spotify_state())
        self._start_music()

    def _save_settings(self) -> None:
        try:
            self.store.save(self.settings)
        except OSError as exc:
            self.status.set_note(f"Settings not saved: {exc.strerror}")

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
            self.settings = self.settings.replace(window_geometry=self.root.geometry())
        self._save_settings()
        self._sign_in_cancel.set()
        deadline = time.monotonic() + 1.0
        stopped = self.worker.stop(0.5)
        stopped &= self.tasks.shutdown(max(0.05, deadline - time.monotonic()))
        self.root.destroy()
        return stopped


def run_app(args: argparse.Namespace) -> int:
    """Start the app and run until the window closes; the exit code."""
    logging.basicConfig(level=logging.WARNING, format="emotune: %(message)s")
    try:
        root = tk.Tk(className=TITLE)
    except tk.TclError as exc:
        raise EmotuneError(f"cannot open the window ({exc}); is a display available?") from None
    EmotuneApp(root, AppOptions.from_args(args))
    root.mainloop()
    return 0
