""" "Find out what helps me": Match or Lift drawn at random when the music mood turns low, and what
the running app records for the answer (the lists begun and the 30-s face series). A recording
view, a fake worker and hand-run tasks stand in for Tk and the threads; the journal (SQLite, its
writer thread) and the catalog are real."""

from __future__ import annotations

import json
import random
from pathlib import Path
from types import SimpleNamespace

import pytest

from emotune.config import Settings
from emotune.controller.app import AppController
from emotune.controller.fair_trial import DRAWN_NOTE, TRIAL_NOTE, FairTrial
from emotune.controller.options import AppOptions
from emotune.environment import Environment
from emotune.journal import series
from emotune.journal.store import DB_FILE, Journal
from emotune.labels import EMOTIONS
from emotune.vision.messages import FrameResult, MessageQueue, MoodState
from tests.support.controller_fakes import FakeWorker, ManualTasks, NamedSource, RecordingView


def test_low_moods_get_a_fair_coin_and_the_rest_the_persons_choice() -> None:
    on = True
    trial = FairTrial(lambda: on, random.Random(4))
    drawn = []
    for _ in range(400):
        request = trial.ask("sad", "match")
        assert request is not None and trial.drawn(request)
        drawn.append(request.strategy)
        trial.answered(request)
        assert trial.ask("happy", "match") is not None and trial.running is not None
        assert not trial.drawn(trial.running) and trial.running.strategy == "match"
        trial.answered(trial.running)
    assert 170 <= drawn.count("lift") <= 230  # a fair coin, not the person's "match"


def test_more_songs_keep_the_draw_and_pressing_match_or_lift_overrides_it() -> None:
    trial = FairTrial(lambda: True, random.Random(0))
    first = trial.ask("angry", "match")
    assert first is not None and trial.drawn(first)
    trial.answered(first)
    more = trial.ask("angry", "match", more=True, force=True)
    assert more is not None and more.strategy == first.strategy and trial.drawn(more)
    trial.answered(more)
    other = "match" if first.strategy == "lift" else "lift"
    pressed = trial.ask("angry", other, force=True)  # the person's press
    assert pressed is not None and pressed.strategy == other and not trial.drawn(pressed)
    trial.answered(pressed)
    again = trial.ask("angry", other, more=True, force=True)
    assert again is not None and again.strategy == other and not trial.drawn(again)


def test_with_the_setting_off_nothing_is_drawn() -> None:
    trial = FairTrial(lambda: False, random.Random(0))
    for mood in ("sad", "fear", "disgust", "angry"):
        request = trial.ask(mood, "lift")
        assert request is not None and request.strategy == "lift" and not trial.drawn(request)
        trial.answered(request)
        answer = SimpleNamespace(emotion=mood, strategy="lift")
        assert trial.status(request, answer, "catalog", False) == "catalog"
        assert trial.status(request, answer, "catalog", True) == "catalog · signed in"


def music_lines(running: App) -> list[tuple[object, ...]]:
    return [args for name, args in running.view.calls if name == "show_music_status"]


class App:
    def __init__(self, folder: Path, settings: dict[str, object]) -> None:
        self.view = RecordingView()
        self.tasks = ManualTasks()
        self.worker = FakeWorker()
        self.env = Environment(folder / "config", folder / "cache", folder / "data")
        self.env.config_dir.mkdir(parents=True, exist_ok=True)
        (self.env.config_dir / "settings.json").write_text(json.dumps(settings), encoding="utf-8")

        def make_worker(_settings: Settings, _messages: MessageQueue) -> FakeWorker:
            return self.worker

        self.now, self.wall = 0.0, 1_700_000_000.0
        self.controller = AppController(
            self.view,
            AppOptions(source="0", offline=True),
            tasks=self.tasks,
            env=self.env,
            worker_factory=make_worker,
            source_factory=lambda spec: NamedSource(f"camera {spec}"),
            clock=lambda: self.now,
            wall_clock=lambda: self.wall,
        )
        self.view.watch(self.controller.playlist)  # as the window is given it
        self.controller.start()

    def frames(self, mood: str, seconds: float, happy: float) -> None:
        scores = tuple(happy if label == "happy" else (1 - happy) / 6 for label in EMOTIONS)
        for _ in range(int(seconds / 0.2)):
            state = MoodState(mood, True, scores, mood, False, self.now)
            self.controller.messages.post(FrameResult(0, self.now, (), state, source="camera 0"))
            self.now += 0.2
            self.wall += 0.2
            self.controller.poll()
            self.tasks.finish_all()

    def close(self) -> None:
        self.tasks.finish_all()
        assert self.controller.close()


def test_the_app_records_the_lists_drawn_and_a_coarse_face_series(tmp_path: Path) -> None:
    running = App(tmp_path, {"find_what_helps": True, "genres": ["pop"]})
    assert isinstance(running.controller.songs, FairTrial)
    running.controller.songs.rng = random.Random(2)
    running.tasks.finish_all()
    running.frames("neutral", 40.0, 0.5)
    running.frames("sad", 70.0, 0.1)
    shown = [args for name, args in running.view.calls if name == "playlist_changed"]
    sad_heading = shown[-1][3]
    assert sad_heading in ("Songs to match sad", "Songs to lift a sad mood")
    assert any(f"{DRAWN_NOTE} · {TRIAL_NOTE}" in str(args[0]) for args in music_lines(running))
    played = running.controller.tracks[0]
    running.controller.songs_played([played])
    running.frames("sad", 35.0, 0.1)
    assert str(running.view.last("show_music_status")[0]).endswith(f"· {TRIAL_NOTE}")  # type: ignore[index]
    running.close()

    with Journal.open(running.env.data_dir / DB_FILE) as journal:
        begun = series.lists(journal)
        samples = series.samples(journal)
    assert [(b.mood, b.randomised, b.genres) for b in begun] == [("neutral", False, ("pop",)), ("sad", True, ("pop",))]
    assert begun[1].played == played.id and ("Lift" in sad_heading or "lift" in sad_heading) == (
        begun[1].strategy == "lift"
    )
    # About 30 s a row, means only: 145 s of face make five rows, not 725 frames.
    assert 4 <= len(samples) <= 6 and sum(s.readings for s in samples) == 725
    assert samples[0].list_id == begun[0].id and samples[-1].list_id == begun[1].id
    assert samples[-1].played == played.id
    assert samples[-1].brightness == pytest.approx(0.1 - 4 * 0.9 / 6, abs=1e-3)


def test_with_the_setting_off_the_persons_choice_is_recorded_as_such(tmp_path: Path) -> None:
    running = App(tmp_path, {"music_strategy": "lift"})
    running.tasks.finish_all()
    running.frames("fear", 5.0, 0.1)
    assert not str(running.view.last("show_music_status")[0]).endswith(TRIAL_NOTE)  # type: ignore[index]
    running.close()
    with Journal.open(running.env.data_dir / DB_FILE) as journal:
        assert [(b.mood, b.strategy, b.randomised) for b in series.lists(journal)] == [("fear", "lift", False)]


def test_journal_off_records_no_lists_and_no_series(tmp_path: Path) -> None:
    running = App(tmp_path, {"find_what_helps": True, "journal_enabled": False})
    running.tasks.finish_all()
    running.frames("sad", 40.0, 0.1)
    running.close()
    path = running.env.data_dir / DB_FILE
    with Journal.open(path) as journal:
        assert series.lists(journal) == [] and series.samples(journal) == []
    assert any(DRAWN_NOTE in str(args[0]) for args in music_lines(running))  # the coin still decides
