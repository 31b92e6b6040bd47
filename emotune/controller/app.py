"""The app without its window: the state of a running Emotune and the rules that change it.

``AppController`` coordinates: it owns the mood in force and who set it, song requests (one at
a time, stale answers dropped), the playlist (``playlist.Playlist``, which the window draws) and
the music account, and hands the rest to its parts: ``sources`` (the video source, its problems,
the fps line), ``settings_keeper`` and ``sign_in_flow``, ``feedback``, ``journal``, ``playback``
and ``profiles``. It drives a ``View`` through narrow verbs and never touches a toolkit, so it is
unit-tested with a fake view, a fake worker and hand-run tasks, without a display. The window
uses its public surface only; of its parts it is handed ``playlist`` (to draw), ``profiles`` (the
"Your face" menu and the teaching dialog act on it) and ``journal`` (the Journal window's).

Threads: the vision worker posts frozen messages to ``messages``; blocking work (building the
music side, finding songs, opening a track, sign-in) runs through the task runner. ``poll()``, called
by the window's ``after()`` loop on the UI thread, drains both, a few per call, and shows the newest frame.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from emotune.choices import Strategy
from emotune.config import Settings, SettingsStore
from emotune.controller.face_profiles import FaceProfiles
from emotune.controller.factories import MusicFactory, WorkerFactory, build_music_for, vision_worker
from emotune.controller.fair_trial import FairTrial
from emotune.controller.feedback_link import FeedbackLink
from emotune.controller.journal_link import JournalLink
from emotune.controller.mood_choice import MoodChoice
from emotune.controller.music_side import MusicSide
from emotune.controller.opening import OpenHow, TrackOpening
from emotune.controller.options import AppOptions
from emotune.controller.playback import Playback, PlayerFactory, playlist_name, spotify_player
from emotune.controller.playlist import Playlist
from emotune.controller.settings import SettingsKeeper
from emotune.controller.song_requests import SongRequest
from emotune.controller.sources import SourceOpening, Sources
from emotune.controller.spotify_sign_in import SpotifySignIn
from emotune.controller.view import View
from emotune.environment import Environment
from emotune.music import opener
from emotune.music.feedback import Preferences, Verdict
from emotune.music.feedback_store import feedback_path
from emotune.music.tracks import Track
from emotune.tasks import Tasks
from emotune.vision.camera_access import CameraAccess
from emotune.vision.messages import CalibrationSample, FrameResult, MessageQueue, MoodChanged
from emotune.vision.sources import FrameSource

if TYPE_CHECKING:  # spotipy & co. load on the music lane, off the start-up path
    from emotune.music.recommender import Recommendation

MESSAGES_PER_POLL = 6  # a tick stays short even when the worker has posted a burst
TASKS_PER_POLL = 4
SCORES_EVERY_S = 0.1  # bars at 10 Hz: smooth to the eye, cheap for the UI thread
QUEUE_SIZE = 8


class AppController:
    """Everything here runs on the UI thread (the one that calls ``poll()``)."""

    def __init__(
        self,
        view: View,
        options: AppOptions,
        *,
        tasks: Tasks,
        env: Environment,
        store: SettingsStore | None = None,
        worker_factory: WorkerFactory | None = None,
        music_factory: MusicFactory = build_music_for,
        source_factory: Callable[[str], FrameSource] | None = None,
        camera_access: CameraAccess | None = None,
        player_factory: PlayerFactory = spotify_player,
        app_opener: opener.Opener = opener.os_handler,
        browser_opener: opener.Opener = opener.browser,
        clock: Callable[[], float] = time.perf_counter,
        wall_clock: Callable[[], float] = time.time,
        after_music_built: Callable[[], None] = lambda: None,
    ) -> None:
        self.view = view
        self.options = options
        self.tasks = tasks
        self.env = env
        self.clock = clock
        self._worker_factory = worker_factory or vision_worker
        self.messages = MessageQueue(QUEUE_SIZE)
        self.closed = False

        self.settings_keeper = SettingsKeeper(view, env, store)
        self.sign_in_flow = SpotifySignIn(view, tasks, env, self._start_music)
        self.mood = MoodChoice(options.mood)
        self.strategy: Strategy = self.effective.music_strategy
        self.songs = FairTrial(lambda: self.settings.find_what_helps)  # Match or Lift at random, if asked
        self.music = MusicSide(view, tasks.lane("emotune-music"), music_factory, env, after_music_built)
        self.playlist = Playlist()  # the rows as shown; the window draws this same object
        self._started: Track | None = None  # the row the music was started from (kept when trimming)
        # The user's verdicts (read as the music side is built: it needs them) and the mood journal.
        self.feedback = FeedbackLink(view, tasks.lane("emotune-feedback"), feedback_path(env), wall_clock)
        self.journal = JournalLink(view, tasks, env, enabled=self.settings.journal_enabled, clock=wall_clock)
        self.playback = Playback(view, tasks, env.config_dir, player_factory, on_played=self.songs_played)
        self.opening = TrackOpening(view, tasks, self.journal, app_opener, browser_opener)
        # Samples the worker posts while the user teaches Emotune their face; the teaching flow
        # takes them from here each tick (and nothing else produces them).
        self.calibration_samples: list[CalibrationSample] = []
        self._last_scores_at = -1e9
        self.worker = self._worker_factory(self.settings, self.messages)
        opening = SourceOpening.on(env.platform, source_factory, camera_access, app_opener)
        self.sources = Sources(
            view, tasks, self.settings_keeper, lambda: self.worker, opening, clock, self.journal.watching_stopped
        )
        # The person's face profile (the setting chooses it) and the teaching flow.
        folder, picture = env.config_dir / "profiles", lambda: self.sources.problem is None
        remember = self.settings_keeper.remember_profile
        self.profiles = FaceProfiles(view, tasks, folder, lambda: self.worker, remember, clock, picture=picture)

    # -- the parts' state the window and tests read --------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings as the user set them (``settings_keeper``)."""
        return self.settings_keeper.current

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.settings_keeper.current = settings

    @property
    def tracks(self) -> tuple[Track, ...]:
        return self.playlist.tracks

    @property
    def effective(self) -> Settings:
        """The stored settings with the environment's overrides: what is used, never saved."""
        return self.settings_keeper.effective()

    def start(self) -> None:
        """Show the starting state, load the music side and open the first source."""
        for warning in self.settings_keeper.store.warnings:
            self.view.show_note(warning)
        self.view.show_lock(self.mood.locked, self.mood.manual)
        self.view.show_mood(self.mood.in_force, "locked by you" if self.mood.locked else "")
        self.view.show_music_status("loading the catalog…")
        self._start_music()
        self.profiles.start(self.settings.profile_name)
        self.open_source(self.options.source if self.options.source is not None else "0")
        if self.mood.locked:
            self._mood_in_force_changed()
        self.sources.find_cameras(self._note_error)  # after the source opened: a camera in use counts as found

    # -- the drain loop ------------------------------------------------------------------------

    def poll(self) -> bool:
        """Handle what the worker and the tasks have delivered (UI thread, once per tick); whether
        anything had arrived."""
        now = self.clock()
        newest: FrameResult | None = None
        arrived = 0
        for _ in range(MESSAGES_PER_POLL):
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                break
            arrived += 1
            if isinstance(message, FrameResult):
                self.sources.frames_skipped += newest is not None
                newest = message
            elif isinstance(message, MoodChanged):
                self._set_tracked_mood(message.mood)
            elif isinstance(message, CalibrationSample):
                self.calibration_samples.append(message)
            elif message.source == self.sources.name:  # not a late one about a source we left
                self.sources.stopped(message)
        if newest is not None and self.sources.showing(newest):
            self._show_frame(newest, now)
        self.profiles.tick(now, self.calibration_samples)
        arrived += self.tasks.poll(TASKS_PER_POLL)
        self.journal.poll()
        self.playback.tick(now)
        self.sources.tick(now)
        return arrived > 0

    def _show_frame(self, result: FrameResult, now: float) -> None:
        self.view.show_frame(result)
        self.sources.frame_drawn(result, now)
        state = result.mood
        if state.mood is not None:
            self._set_tracked_mood(state.mood)
        self.journal.frame_shown(state, self.mood, self.worker.paused)
        if now - self._last_scores_at >= SCORES_EVERY_S:
            self._last_scores_at = now
            detail = None
            if not self.mood.locked and self.mood.tracked is not None:
                detail = "from your face" if state.face_present else "no face in view (keeping the last mood)"
            self.view.show_reading(state.smoothed, state.reading, detail)

    # -- video source (``sources``) -----------------------------------------------------------

    def open_source(self, spec: str) -> None:
        """Show ``spec`` (camera index or path); a problem shows in the video area, not as an error."""
        self.sources.open(spec)

    def retry_source(self) -> None:
        self.sources.retry()

    def open_privacy_settings(self) -> None:
        self.sources.open_privacy_settings()

    @property
    def paused(self) -> bool:
        return self.worker.paused

    def toggle_pause(self) -> None:
        if self.sources.problem is not None and not self.worker.paused:
            self.view.show_note("Nothing to pause: there is no picture")
            return
        if self.worker.paused:
            self.worker.resume()
        else:
            self.worker.pause()
        self.view.show_paused(self.worker.paused)
        self.journal.paused_changed(self.worker.paused, self.mood)
        self.sources.update_status()

    # -- mood ----------------------------------------------------------------------------------

    @property
    def mood_in_force(self) -> str | None:
        return self.mood.in_force

    def _set_tracked_mood(self, mood: str) -> None:
        if self.profiles.teaching:
            return  # faces made on purpose to teach Emotune are not the person's mood
        if self.mood.set_tracked(mood):
            self._mood_in_force_changed()

    def _mood_in_force_changed(self) -> None:
        mood = self.mood.in_force
        self.view.show_mood(mood, "locked by you" if self.mood.locked else "from your face")
        self.journal.mood_changed(self.mood, self.worker.paused)
        if mood is not None:
            # The face moved the music on: the new songs come in after the list, under nobody's hand.
            self._ask_songs(mood, append=self.mood.origin == "face" and bool(self.playlist.tracks))

    def set_locked(self, locked: bool) -> None:
        if not self.mood.lock(locked):
            self.view.show_note("No mood to lock yet: pick one from the list")
        self.view.show_lock(self.mood.locked, self.mood.manual)
        self._mood_in_force_changed()

    def choose_mood(self, mood: str | None) -> None:
        """A mood picked by hand locks it; ``None`` goes back to reading the face."""
        self.mood.choose(mood)
        self.view.show_lock(self.mood.locked, self.mood.manual)
        self._mood_in_force_changed()

    def set_strategy(self, strategy: Strategy) -> None:
        self.strategy = strategy
        self.settings = self.settings.replace(music_strategy=strategy)
        self._ask_songs(self.mood.in_force, force=True)

    def more_songs(self) -> None:
        self._ask_songs(self.mood.in_force, more=True, force=True)

    def set_genres(self, genres: Sequence[str]) -> None:
        """Keep the song lists to ``genres`` (empty: any genre); remembered in the settings."""
        self.settings = self.settings.replace(genres=list(genres))
        self.settings_keeper.save()
        self._ask_songs(self.mood.in_force, force=True)

    def more_like(self, track: Track) -> None:
        """ "More like this": the next list holds songs near ``track`` that still fit the mood."""
        self._ask_songs(self.mood.in_force, force=True, like=track)

    # -- music ---------------------------------------------------------------------------------

    def _start_music(self) -> None:
        self.playback.set_account(None)
        before = self.music.signed_in if self.music.account is not None else None  # None: first build
        self.music.build(self.effective, self.options.offline, self._verdicts, lambda: self._music_ready(before))

    def _verdicts(self) -> Preferences:
        """On the music lane, as the music side is built: the stored verdicts, and the journal starts."""
        preferences = self.feedback.load()
        self.journal.start()
        return preferences

    def _music_ready(self, signed_in_before: bool | None = None) -> None:
        self.playback.set_account(self.music.credentials(self.effective))
        # A request made meanwhile is queued behind the build; the list stays unless signing in/out changed it.
        same_songs = signed_in_before == self.music.signed_in and bool(self.playlist.tracks)
        if self.mood.in_force is not None and self.songs.running is None and not same_songs:
            self._ask_songs(self.mood.in_force, force=True)

    def _ask_songs(
        self, mood: str | None, more: bool = False, force: bool = False, append: bool = False, like: Track | None = None
    ) -> None:
        if mood is None:
            self.view.show_note("No mood yet: show your face or pick a mood")
            return
        request = self.songs.ask(mood, self.strategy, more=more, force=force, append=append, like=like)
        if request is not None:
            self._submit(request)

    def _submit(self, request: SongRequest) -> None:
        self.view.show_finding_songs(request.mood)
        self.music.ask(
            request,
            self.settings,
            self.options.offline,
            tuple(t.id for t in self.playlist.tracks),
            lambda answer: self._songs_ready(request, answer),
            lambda error: self._songs_failed(request, error),
        )

    def _songs_ready(self, request: SongRequest, answer: Recommendation) -> None:
        fresh, next_request = self.songs.answered(request)
        if fresh:
            heading = self.songs.heading(request, answer)
            if request.append and self.playlist.tracks:
                self._make_room(len(answer.tracks))
                self.playlist.append(answer.tracks, answer.emotion, heading)
                self.view.playlist_changed(appended=True)
                self.view.show_note(f"New songs for {answer.emotion} added at the end of the list")
                self.playback.mood_songs_added(answer.tracks)
            else:
                self.playlist.replace(answer.tracks, answer.emotion, heading)
                self.view.playlist_changed(appended=False)
                if self.playback.playing:
                    # The user asked for this list (a mood picked, Match/Lift, More songs): the
                    # music they hear follows what they see, from its first song.
                    self.playback.play(answer.tracks)
            self.journal.songs_shown(answer.tracks, answer.emotion)
            self.feedback.shown(answer.tracks)
            if answer.pool_restarted:
                self.view.show_note(
                    f"Every song for {answer.emotion} has been shown: starting again from the best fits"
                )
            signed_in = answer.source == "spotify" and self.music.signed_in
            self.view.show_music_status(self.songs.status(request, answer, answer.status, signed_in))
            self.songs.list_shown(request, answer, self.settings.genres, self.journal)
        if next_request is not None:
            self._submit(next_request)

    def _make_room(self, adding: int) -> None:
        """Drop the oldest rows so that ``adding`` more stay within ``playlist.MAX_ROWS``."""
        dropped = self.playlist.make_room(adding, {self.view.selected_row(), self.playlist.index(self._started)})
        if dropped:
            self.view.drop_tracks(dropped)

    def _songs_failed(self, request: SongRequest, error: Exception) -> None:
        fresh, next_request = self.songs.answered(request)
        if fresh:
            self.view.show_no_songs()
            self.view.show_music_status(f"no songs ({error})")
        if next_request is not None:
            self._submit(next_request)

    def activate_track(self, track: Track, how: OpenHow = "default") -> None:
        """Open ``track`` in Spotify (the setting decides app or browser) or, asked so, the browser."""
        self.opening.open(track, how, self.effective.open_with)

    def _note_error(self, error: Exception) -> None:
        self.view.show_note(str(error))

    def play(self, start: int = 0) -> None:
        """Play the list on the user's Spotify, from row ``start`` on (songs never to play left out)."""
        from_here = self.feedback.playable(self.playlist.tracks[max(0, start) :])
        self._started = from_here[0] if from_here else None
        self.playback.play(from_here)

    def save_playlist(self) -> None:
        """Save the list as a Spotify playlist, without the songs the user said never to play."""
        self.playback.save(self.feedback.playable(self.playlist.tracks), playlist_name(self.mood.in_force))

    def songs_played(self, tracks: Sequence[Track], mood: str | None = None) -> None:
        """Songs started on a player (for the journal; ``mood``: their list's, when not the one shown)."""
        self.journal.songs_played(tracks, mood)

    def give_feedback(self, track: Track, verdict: Verdict | None) -> None:
        """Like, dislike or never again (``never_track``/``never_artist``) a track; None clears it.
        The next lists honour it; the rows shown stay, marked."""
        mood = self.playlist.mood_of(track) or self.mood.in_force
        self.feedback.give(track, verdict, mood, self.playlist.tracks)

    # -- settings and sign-in ------------------------------------------------------------------

    def spotify_state(self) -> str:
        return self.sign_in_flow.state()

    def apply_settings(self, settings: Settings) -> Settings:
        """Store and use ``settings``; the old settings are returned (the view applies its part)."""
        old = self.settings_keeper.replace(settings)
        settings = self.settings
        self.sources.show_again()
        tracking = ("detector", "mood_smoothing_s", "music_pace")
        if any(getattr(settings, name) != getattr(old, name) for name in tracking):
            self._restart_worker()
        spotify_fields = ("spotify_client_id", "spotify_client_secret", "spotify_redirect_uri", "mood_targets")
        if any(getattr(settings, name) != getattr(old, name) for name in spotify_fields):
            self._start_music()
        self.journal.apply(settings)
        return old

    def _restart_worker(self) -> None:
        # The old worker is stopped off the UI thread (it may take half a second); the new one
        # starts on the same source once the old one has let go of the camera.
        old = self.worker
        self.worker = self._worker_factory(self.settings, self.messages)
        self.profiles.worker_replaced()

        def started(_stopped: bool) -> None:
            # A video that had ended stays ended (with Play again): a setting saved is not a replay.
            if not self.closed and (self.sources.problem is None or self.sources.problem.kind != "ended"):
                self.open_source(self.sources.spec or "0")

        self.tasks.run_in_thread(lambda: old.stop(), started, self._note_error, name="emotune-restart")

    def sign_in(self, settings: Settings) -> None:
        self.apply_settings(settings)
        self.sign_in_flow.sign_in(self.effective)

    def sign_out(self) -> None:
        self.sign_in_flow.sign_out()

    def save_settings(self) -> None:
        self.settings_keeper.save()

    def remember_window(self, geometry: str, zoomed: bool) -> None:
        self.settings = self.settings.replace(window_geometry=geometry, window_zoomed=zoomed)  # for the next start

    # -- closing -------------------------------------------------------------------------------

    def close(self, timeout: float = 1.0) -> bool:
        """Save the settings and stop every thread; True when none of the app's is left."""
        if self.closed:
            return True
        self.closed = True
        self.save_settings()
        self.sign_in_flow.cancel()
        deadline = time.monotonic() + timeout
        self.journal.stop(0.0)  # asked now: the writer closes the segment while the others stop
        stopped = self.worker.stop(timeout / 2)
        # The verdicts just given reach the disk before the lanes stop (they drop what is queued).
        self.feedback.flush(max(0.05, deadline - time.monotonic()))
        stopped &= self.tasks.shutdown(max(0.05, deadline - time.monotonic()))
        stopped &= self.journal.stop(max(0.05, deadline - time.monotonic()))
        return stopped
