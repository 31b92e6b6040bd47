"""The app's rules without a window: mood selection, song requests (merging, stale answers),
sources and their problems, pause, settings. A recording view, a fake worker and tasks the
test finishes by hand stand in for Tk and the threads; the mood and song logic is real."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emotune.config import Settings
from emotune.controller.app import AppController
from emotune.controller.mood_choice import MoodChoice
from emotune.controller.options import AppOptions
from emotune.controller.playlist import MAX_ROWS
from emotune.controller.song_requests import SongRequest, SongRequests
from emotune.environment import Environment
from emotune.labels import EMOTIONS
from emotune.music.catalog import load_catalog
from emotune.music.feedback import Preferences
from emotune.music.service import Music, MusicAccount
from emotune.vision.messages import FrameResult, MessageQueue, MoodChanged, MoodState, SourceEnded, SourceError
from emotune.vision.sources import FrameSourceError
from tests.support.controller_fakes import (
    FakePlayer,
    FakeRecommender,
    FakeWorker,
    ManualTasks,
    NamedSource,
    RecordingView,
    problem_kinds,
)


def source_factory(spec: str) -> NamedSource:
    if spec == "missing.mp4":
        raise FrameSourceError("missing.mp4: no such file, folder or camera")
    return NamedSource(f"camera {spec}" if spec.isdigit() else spec)


class Harness:
    def __init__(self, tmp_path: Path, options: AppOptions) -> None:
        self.view = RecordingView()
        self.tasks = ManualTasks()
        self.workers: list[FakeWorker] = []
        self.recommender = FakeRecommender(load_catalog().tracks[:200])
        env = Environment(tmp_path / "config", tmp_path / "cache", tmp_path / "data")

        def make_worker(_settings: Settings, _messages: MessageQueue) -> FakeWorker:
            self.workers.append(FakeWorker())
            return self.workers[-1]

        self.account = MusicAccount("offline")
        self.player = FakePlayer()

        def make_music(_settings: Settings, _env: Environment, _offline: bool, _feedback: Preferences) -> Music:
            return Music(self.recommender, self.account, None)  # type: ignore[arg-type]

        self.controller = AppController(
            self.view,
            options,
            tasks=self.tasks,
            env=env,
            worker_factory=make_worker,
            music_factory=make_music,
            source_factory=source_factory,
            player_factory=lambda _credentials, _dir: self.player,
            clock=lambda: self.now,
        )
        self.view.watch(self.controller.playlist)  # as the window is given it
        self.now = 0.0
        OPEN.append(self)

    def post_frame(self, mood: str | None, source: str = "camera 0", face: bool = True) -> None:
        state = MoodState(mood, face, tuple(1.0 / len(EMOTIONS) for _ in EMOTIONS), mood, False, self.now)
        self.controller.messages.post(FrameResult(0, self.now, (), state, source=source))
        self.now += 0.2
        self.controller.poll()

    def headings(self) -> list[str]:
        return [args[3] for name, args in self.view.calls if name == "playlist_changed"]

    def list_changes(self) -> list[tuple[str, str]]:
        """("new" or "appended", mood) for each list shown or appended to."""
        changes = [args for name, args in self.view.calls if name == "playlist_changed"]
        return [("appended" if appended else "new", mood) for appended, _tracks, mood, _heading in changes]


OPEN: list[Harness] = []  # closed after each test: the journal's writer is a thread


@pytest.fixture(autouse=True)
def close_harnesses() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().controller.close()


@pytest.fixture()
def harness(tmp_path: Path) -> Callable[..., Harness]:
    def make(**options: object) -> Harness:
        h = Harness(tmp_path, AppOptions(**options))  # type: ignore[arg-type]
        h.controller.start()
        h.tasks.finish([name for name, *_ in h.tasks.jobs].index("emotune-cameras"))  # the camera probe
        return h

    return make


def test_mood_choice_face_lock_and_pick() -> None:
    choice = MoodChoice()
    assert choice.in_force is None and not choice.lock(True)  # nothing to lock yet
    assert choice.set_tracked("happy") and choice.in_force == "happy" and choice.origin == "face"
    assert not choice.set_tracked("happy")  # same mood: no change
    assert choice.lock(True) and choice.in_force == "happy" and choice.origin == "user"
    assert not choice.set_tracked("sad")  # locked: the face does not change the mood in force
    assert choice.in_force == "happy"
    choice.choose("fear")
    assert choice.in_force == "fear" and choice.locked
    choice.choose(None)
    assert choice.in_force == "sad" and not choice.locked


def test_song_requests_merge_while_busy_and_drop_stale_answers() -> None:
    requests = SongRequests()
    first = requests.ask("happy", "match")
    assert first is not None and first.generation == 1
    assert requests.ask("happy", "match") is None  # the list is already for happy
    assert requests.ask("sad", "match") is None  # busy: waits
    assert requests.ask("sad", "match", more=True, force=True) is None  # merged into the same pending
    assert requests.pending is not None and requests.pending.more and requests.pending.mood == "sad"
    fresh, next_request = requests.answered(first)
    assert not fresh  # newer requests were made since: the happy answer is stale
    assert next_request is not None and next_request.generation == 3 and next_request.more
    fresh, after = requests.answered(next_request)
    assert fresh and after is None and requests.running is None


def test_the_face_sets_the_mood_and_one_list_is_asked_for(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    assert h.workers[0].sources == ["camera 0"]
    h.tasks.finish()  # the music side is built
    assert h.view.last("show_music_status") == ("bundled catalog (offline)",)
    for _ in range(5):
        h.post_frame("happy")
    assert h.controller.mood_in_force == "happy"
    assert h.view.last("show_mood") == ("happy", "from your face")
    assert h.view.last("show_finding_songs") == ("happy",)
    h.tasks.finish_all()
    assert h.headings() == ["Songs to match happy"]
    assert h.recommender.asked == [("happy", "match")]  # frames of the same mood ask for nothing more
    assert h.view.last("show_reading") is not None


def test_a_stale_answer_is_dropped_and_the_newest_mood_wins(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    h.tasks.finish()
    h.post_frame("happy")  # asks for happy
    h.controller.choose_mood("sad")  # while happy is being found: waits
    h.controller.choose_mood("fear")  # replaces the waiting request
    assert [name for name, *_ in h.tasks.jobs] == ["emotune-music"]
    h.tasks.finish()  # the happy answer arrives: stale, dropped; fear is asked next
    assert h.headings() == []
    h.tasks.finish()
    assert h.headings() == ["Songs to match fear"]
    assert [mood for mood, _ in h.recommender.asked] == ["happy", "fear"]
    assert h.view.last("show_lock") == (True, "fear")


def test_more_songs_and_strategy_force_a_new_list(harness: Callable[..., Harness]) -> None:
    h = harness(source="0", mood="neutral")
    assert h.view.last("show_mood") == ("neutral", "locked by you")
    h.tasks.finish_all()
    h.controller.more_songs()
    h.tasks.finish_all()
    h.controller.set_strategy("lift")
    h.tasks.finish_all()
    assert h.headings() == ["Songs to match neutral", "Songs to match neutral", "Songs to brighten a neutral mood"]
    assert h.controller.settings.music_strategy == "lift"


def test_no_mood_yet_says_so_instead_of_asking(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    h.tasks.finish_all()
    h.controller.more_songs()
    assert h.view.last("show_note") == ("No mood yet: show your face or pick a mood",)
    assert h.recommender.asked == []
    h.controller.set_locked(True)
    assert h.view.last("show_note") == ("No mood to lock yet: pick one from the list",)
    assert not h.controller.mood.locked


def test_source_problems_end_and_late_messages(harness: Callable[..., Harness]) -> None:
    h = harness(source="missing.mp4")
    assert problem_kinds(h.view) == ["cannot read"]
    assert h.workers[0].sources == []
    h.controller.toggle_pause()  # no picture: nothing to pause, and the button does not flip
    assert h.view.last("show_note") == ("Nothing to pause: there is no picture",)
    assert h.view.count("show_paused") == 0 and not h.workers[0].paused
    h.controller.retry_source()
    assert h.view.last("show_note") == ("Trying missing.mp4 again…",) and problem_kinds(h.view)[-1] == "cannot read"
    h.controller.open_source("clip.mp4")
    assert h.view.last("hide_source_problem") == ()
    h.controller.messages.post(SourceError("camera 9", "camera 9: unplugged"))  # about a source we left
    h.controller.messages.post(SourceEnded("clip.mp4", 42))
    h.controller.poll()
    assert problem_kinds(h.view) == ["cannot read", "cannot read", "ended"]
    problem = h.view.last("show_source_problem")
    assert problem is not None and problem[0].retry_label == "Play again" and "42 frames" in problem[0].message
    h.post_frame("happy", source="clip.mp4")
    assert h.view.count("show_frame") == 0  # the video ended: the panel stays until a retry
    h.controller.retry_source()
    h.post_frame("happy", source="clip.mp4")
    assert h.view.count("show_frame") == 1
    h.post_frame("happy", source="old.mp4")  # a frame of a source we left is not drawn
    assert h.view.count("show_frame") == 1


def test_mood_changed_messages_and_frames_of_an_old_source(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    h.controller.messages.post(MoodChanged("surprise", None, 1.0, 30))
    h.controller.poll()
    assert h.controller.mood_in_force == "surprise"


def test_pause_resumes_on_a_new_source_and_status_says_it(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    h.controller.toggle_pause()
    assert h.workers[0].paused and h.view.last("show_paused") == (True,)
    assert h.view.last("show_video_status") == ("Camera 0 · paused",)
    h.controller.open_source("clip.mp4")
    assert not h.workers[0].paused and h.view.last("show_paused") == (False,)
    assert h.controller.settings.last_source == "clip.mp4"
    cameras = h.controller.sources.cameras
    assert cameras is not None and 0 in cameras  # camera 0 was in use: it counts as found
    assert h.view.last("show_sources") == ("clip.mp4", cameras, ("clip.mp4",))
    h.controller.open_source("other.mp4")
    h.controller.open_source("clip.mp4")
    assert h.controller.settings.recent_sources == ["clip.mp4", "other.mp4"]  # newest first, no repeats


def test_settings_restart_the_worker_and_close_stops_everything(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    old = h.controller.settings
    h.controller.apply_settings(old.replace(detector="haar", mirror=False))
    assert h.view.last("show_source") == ("0", False)
    assert len(h.workers) == 2
    h.tasks.finish_all()  # the old worker stops off the UI thread, then the source reopens
    assert h.workers[0].stopped and h.workers[1].sources == ["camera 0"]
    assert h.controller.close() and h.tasks.shut and h.workers[1].stopped
    assert (h.controller.env.config_dir / "settings.json").is_file()


def test_a_mood_change_from_the_face_appends_the_new_songs_a_users_choice_replaces(
    harness: Callable[..., Harness],
) -> None:
    h = harness(source="0")
    h.tasks.finish()
    h.post_frame("happy")
    h.tasks.finish_all()
    h.post_frame("sad")  # the music mood moved on by itself: the new songs come in after the list
    h.tasks.finish_all()
    assert h.list_changes() == [("new", "happy"), ("appended", "sad")]
    assert len(h.controller.tracks) == 20
    assert h.view.last("show_note") == ("New songs for sad added at the end of the list",)
    h.controller.choose_mood("fear")  # the user's own choice: a new list
    h.tasks.finish_all()
    h.controller.more_songs()
    h.tasks.finish_all()
    assert h.list_changes()[2:] == [("new", "fear"), ("new", "fear")]
    assert len(h.controller.tracks) == 10
    merged = SongRequests()
    running = merged.ask("happy", "match", append=True)
    merged.ask("sad", "match", append=True)
    merged.ask("fear", "match", force=True)  # a replacing request merged with appending ones replaces
    assert running is not None and merged.answered(running)[1] == SongRequest(3, "fear", "match", False, False)


def test_playback_plays_from_the_selected_row_queues_the_new_mood_and_reports_faults(
    harness: Callable[..., Harness],
) -> None:
    from emotune.music.spotify import SpotifyNoActiveDeviceError

    h = harness(source="0")
    h.account = MusicAccount("signed-in")
    h.controller.play()
    assert h.view.last("show_note") == ("Sign in to Spotify (Settings) to play the list there",)
    h.tasks.finish()  # the music side: signed in, so playback is offered
    assert h.view.last("show_player") == (True, "")
    h.post_frame("happy")
    h.tasks.finish_all()
    played: list[list[str]] = []
    h.controller.journal.songs_played = lambda tracks, mood=None: played.append([t.id for t in tracks])  # type: ignore[method-assign]
    h.controller.play(start=4)
    h.tasks.finish_all()
    assert h.player.played == [[t.uri for t in h.controller.tracks[4:]]]
    assert played == [[t.id for t in h.controller.tracks[4:]]]  # the journal records what was started
    assert h.view.last("show_note") == ("Playing 6 songs",)
    h.post_frame("sad")  # the music mood turns while playing: its first songs are queued
    h.tasks.finish_all()
    assert h.player.queued == [t.uri for t in h.controller.tracks[10:13]]
    h.now += 10.0
    h.controller.poll()  # what plays is polled gently, off the UI thread
    h.tasks.finish_all()
    assert h.view.last("show_player") == (True, "Playing “Song” on Test Laptop")
    h.controller.save_playlist()
    h.tasks.finish_all()
    assert h.player.saved and h.player.saved[0][0].startswith("Emotune: sad (") and h.player.saved[0][1] == 20
    h.player.fail = SpotifyNoActiveDeviceError("No active Spotify device: open Spotify on a phone or computer first")
    h.controller.play()
    h.tasks.finish_all()
    assert h.view.last("show_note") == ("No active Spotify device: open Spotify on a phone or computer first",)
    assert len(h.controller.tracks) == 20  # the list stays


def test_without_sign_in_play_and_save_say_how_to_get_them(harness: Callable[..., Harness]) -> None:
    h = harness(source="0", mood="happy")
    h.tasks.finish_all()
    assert h.view.last("show_player") == (False, "Sign in to Spotify to play here")
    h.controller.save_playlist()
    assert h.view.last("show_note") == ("Sign in to Spotify (Settings) to save the list as a playlist",)
    assert h.player.played == [] and h.player.saved == []


def test_more_songs_says_when_the_moods_pool_was_used_up(tmp_path: Path) -> None:
    from emotune.music.catalog import CatalogSession
    from emotune.music.recommender import Recommender

    h = Harness(tmp_path, AppOptions(source="0", mood="sad", offline=True))
    h.recommender = Recommender(CatalogSession(load_catalog(), seed=1, pool_size=30))  # type: ignore[assignment]
    h.controller.start()
    h.tasks.finish_all()
    notes = []
    for _ in range(4):
        h.controller.more_songs()
        h.tasks.finish_all()
        notes.append(h.view.last("show_note"))
    assert ("Every song for sad has been shown: starting again from the best fits",) in notes


def test_the_genre_choice_is_stored_and_every_list_keeps_to_it(harness: Callable[..., Harness]) -> None:
    h = harness(source="0", mood="sad")
    h.tasks.finish_all()
    assert h.recommender.genres == [()]  # any genre by default
    h.controller.set_genres(["rock", "pop"])
    h.tasks.finish_all()
    h.controller.more_songs()
    h.tasks.finish_all()
    assert h.recommender.genres == [(), ("rock", "pop"), ("rock", "pop")]
    assert Settings().replace(genres=["rock", "pop"]).genres == h.controller.settings_keeper.store.load().genres
    # A settings dialog opened before the choice does not undo it when saved.
    h.controller.apply_settings(Settings(playlist_length=12))
    assert h.controller.settings.genres == ["rock", "pop"] and h.controller.settings.playlist_length == 12


def test_more_like_this_asks_for_songs_near_the_track_and_says_so(harness: Callable[..., Harness]) -> None:
    h = harness(source="0")
    h.tasks.finish_all()
    seed = load_catalog().tracks[5]
    h.controller.more_like(seed)
    assert h.view.last("show_note") == ("No mood yet: show your face or pick a mood",)
    h.controller.choose_mood("happy")
    h.tasks.finish_all()
    h.controller.set_genres(["latin"])
    h.tasks.finish_all()
    shown = tuple(t.id for t in h.controller.tracks)
    h.controller.more_like(seed)
    h.tasks.finish_all()
    assert h.recommender.like == [(seed.id, shown)]  # the list on screen is not repeated
    assert h.recommender.genres[-1] == ("latin",)
    assert h.headings()[-1] == f"Songs like “{seed.name}” for happy"


def test_the_playlist_keeps_at_most_its_cap_dropping_the_oldest_rows_but_the_selected_and_playing(
    harness: Callable[..., Harness],
) -> None:
    h = harness(source="0")
    h.tasks.finish()
    h.post_frame("happy")
    h.tasks.finish_all()
    first = list(h.controller.tracks)
    h.view.selected = 3  # the user looks at the fourth song of the first list
    moods = ["sad", "fear", "surprise", "angry", "disgust", "neutral", "happy"]
    for change in range(40):  # a day of face-driven mood changes, ten rows each
        h.post_frame(moods[change % len(moods)])
        h.tasks.finish_all()
        if change == 5:
            h.controller.play(1)  # music started from the second row
    assert len(h.controller.tracks) == MAX_ROWS
    assert h.controller.tracks[0] == first[1] and h.controller.tracks[1] == first[3]
    drops = [args[0] for name, args in h.view.calls if name == "drop_tracks"]
    assert drops[0] == [0, 2, 4, 5, 6, 7, 8, 9, 10, 11]  # rows 1 (playing) and 3 (selected) stay
    # The view was told exactly what the controller holds: every row shown, less every row dropped.
    shown = sum(len(args[1]) for name, args in h.view.calls if name == "playlist_changed")
    assert shown - sum(len(d) for d in drops) == MAX_ROWS


def test_saving_a_setting_neither_replays_an_ended_video_nor_replaces_the_list(
    harness: Callable[..., Harness],
) -> None:
    h = harness(source="clip.mp4")
    h.tasks.finish()
    h.post_frame("happy", source="clip.mp4")
    h.tasks.finish_all()
    assert h.list_changes() == [("new", "happy")]
    h.controller.messages.post(SourceEnded("clip.mp4", 42))
    h.controller.poll()
    old = h.controller.settings
    h.controller.apply_settings(old.replace(music_pace="quickly"))  # the worker restarts for it
    h.tasks.finish_all()
    assert len(h.workers) == 2 and h.workers[1].sources == []  # the ended video is not played again
    assert h.controller.sources.problem is not None and h.controller.sources.problem.kind == "ended"
    # A client ID with no sign-in: the songs still come from the catalog, so the list stays.
    h.controller.apply_settings(h.controller.settings.replace(spotify_client_id="0123456789abcdef0123456789abcdef"))
    h.tasks.finish_all()
    assert h.list_changes() == [("new", "happy")]
    h.controller.retry_source()  # Play again plays it
    assert h.workers[1].sources == ["clip.mp4"]


def test_trying_again_gives_way_to_the_picture_once_it_plays(harness: Callable[..., Harness]) -> None:
    h = harness(source="ka_teach.mp4")
    h.controller.messages.post(SourceEnded("ka_teach.mp4", 42))
    h.controller.poll()
    h.controller.retry_source()
    assert h.view.last("show_note") == ("Trying ka_teach.mp4 again…",)
    h.post_frame("happy", source="ka_teach.mp4")
    assert h.view.last("show_note") == ("ka_teach.mp4 plays again",)
    notes = h.view.count("show_note")
    h.post_frame("happy", source="ka_teach.mp4")
    assert h.view.count("show_note") == notes  # said once
