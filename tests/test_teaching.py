"""Teaching Emotune a face without a window: the flow's steps on a hand-run clock, its warnings,
and the face profiles of a running app (build, save, apply, load at start, forget).

Samples are the shipped model's real outputs on one JAFFE person's photos (read in place from
../shared, never copied), as the worker would post them; the view, the worker and the tasks are
the controller tests' plain stand-ins.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from emotune.config import Settings, SettingsStore
from emotune.controller.app import AppController
from emotune.controller.face_profiles import FaceProfiles
from emotune.controller.options import AppOptions
from emotune.controller.teaching import (
    CAPTURE_S,
    COUNTDOWN_S,
    MIN_SAMPLES,
    NO_FACE,
    NO_PICTURE,
    SEVERAL_FACES,
    STEPS,
    TeachingFlow,
)
from emotune.environment import Environment
from emotune.labels import EMOTIONS
from emotune.music.feedback import Preferences
from emotune.music.service import Music
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.messages import CalibrationSample, MessageQueue, MoodChanged
from emotune.vision.pipeline import FacePipeline
from emotune.vision.profile import Profile, ProfileBuilder
from emotune.vision.profile_cli import largest_face_crop
from emotune.vision.sources import read_image
from testbed.paths import JAFFE
from tests.support.controller_fakes import FakeWorker, ManualTasks, NamedSource, RecordingView

pytestmark = pytest.mark.data

PERSON = "KA"
TAUGHT = ("neutral", "happy", "surprise", "sad")
TICK = 0.1  # the worker posts about ten readings a second

Outputs = dict[str, list[CalibrationSample]]


@pytest.fixture(scope="module")
def samples() -> Outputs:
    """Per expression, one sample per photo of the person: the model's own outputs of the crop."""
    pipeline = FacePipeline()
    pipeline.load()
    found: Outputs = {}
    for label in TAUGHT:
        crops = []
        for path in sorted((JAFFE / PERSON / label).glob("*.png")):
            crop, faces = largest_face_crop(read_image(path), pipeline)
            assert crop is not None and faces == 1, f"{path}: no single face"
            crops.append(crop)
        probabilities, embeddings = pipeline.classifier.model_outputs(crops)
        found[label] = [CalibrationSample(label, 1, p, e) for p, e in zip(probabilities, embeddings, strict=True)]
    return found


class Feed:
    """Drives a flow like the controller does: a tick every 0.1 s with the readings since the last."""

    def __init__(self, flow: TeachingFlow, samples: Outputs) -> None:
        self.flow, self.samples, self.now, self.n = flow, samples, 0.0, 0

    def sample(self, faces: int = 1) -> CalibrationSample:
        label = self.flow.capture_label or "neutral"
        if faces != 1:
            return CalibrationSample(label, faces)
        shots = self.samples[label]
        self.n += 1
        return shots[self.n % len(shots)]

    def run(self, seconds: float, faces: int | None = 1) -> None:
        """``seconds`` of ticks, each with one reading of ``faces`` faces (None: no reading)."""
        for _ in range(round(seconds / TICK)):
            self.now = round(self.now + TICK, 6)
            self.flow.tick(self.now, [] if faces is None else [self.sample(faces)])

    def step_through(self) -> None:
        """The countdown, then a capture with one face until the step is done."""
        step = self.flow.step
        self.run(COUNTDOWN_S)
        assert self.flow.phase == "capture"
        for _ in range(100):
            if self.flow.step != step:
                return
            self.run(TICK)
        raise AssertionError(f"step {step} never ended")


def test_a_step_counts_down_captures_with_progress_and_moves_on(samples: Outputs) -> None:
    flow = TeachingFlow(0.0, "kay")
    feed = Feed(flow, samples)
    state = flow.state(0.0)
    assert (state.phase, state.step, state.prompt, state.seconds_left) == (
        "countdown",
        0,
        "Get ready: show a neutral face",
        3,
    )
    assert flow.capture_label == "neutral"  # the countdown's readings feed the warnings
    feed.run(1.0)
    assert flow.state(feed.now).seconds_left == 2 and flow.kept("neutral") == 0
    feed.run(COUNTDOWN_S - 1.0)
    state = flow.state(feed.now)
    assert (state.phase, state.prompt, state.progress) == ("capture", "Show a neutral face", 0.0)
    progress = [state.progress]
    while flow.step == 0:
        feed.run(TICK)
        progress.append(flow.state(feed.now).progress)
    assert progress[:-1] == sorted(progress[:-1]) and progress[-2] >= 0.9 and progress[-1] == 0.0, progress
    assert feed.now == pytest.approx(COUNTDOWN_S + CAPTURE_S, abs=2 * TICK)
    state = flow.state(feed.now)
    assert (state.step, state.phase, state.prompt) == (1, "countdown", "Get ready: smile")
    assert state.steps[0].status == "taught" and state.steps[0].samples >= CAPTURE_S / TICK - 2
    assert state.steps[1].status == "current" and state.steps[2].status == "waiting"
    assert flow.capture_label == "happy"


def test_skip_redo_back_and_finish(samples: Outputs) -> None:
    flow = TeachingFlow(0.0)
    feed = Feed(flow, samples)
    feed.step_through()  # neutral
    feed.run(COUNTDOWN_S + 1.5)  # half of the smile
    assert flow.phase == "capture" and flow.kept("happy") >= 10
    flow.redo(feed.now)  # the smile again: what it had is dropped
    assert (flow.step, flow.phase, flow.kept("happy")) == (1, "countdown", 0)
    assert flow.kept("neutral") >= MIN_SAMPLES  # the other steps keep theirs
    feed.step_through()  # happy
    flow.skip(feed.now)  # surprise
    state = flow.state(feed.now)
    assert state.steps[2].status == "skipped" and (state.step, state.prompt) == (3, "Get ready: look sad")
    assert "surprise" not in flow.builder.counts()

    flow.back(feed.now)  # from sad back to surprise, which is taught this time
    assert (flow.step, flow.phase, flow.capture_label) == (2, "countdown", "surprise")
    assert flow.state(feed.now).steps[3].status == "waiting"
    feed.step_through()
    assert flow.step == 3 and flow.kept("surprise") >= MIN_SAMPLES  # on to sad again

    flow.finish(feed.now)
    state = flow.state(feed.now)
    assert state.phase == "review" and state.can_save and not state.can_change_step
    assert state.taught == ("neutral", "happy", "surprise") and flow.capture_label is None
    assert state.prompt == "Name your profile and save it"
    assert flow.start_saving("   ") is None and "name" in flow.state(feed.now).error
    assert flow.start_saving("  Kay   Ada ") == "Kay Ada"
    assert flow.state(feed.now).phase == "saving" and flow.state(feed.now).error == ""


def test_no_face_and_several_faces_are_warned_and_stop_the_capture(samples: Outputs) -> None:
    flow = TeachingFlow(0.0)
    feed = Feed(flow, samples)
    feed.run(0.5, faces=0)
    assert flow.state(feed.now).warning == NO_FACE  # already while counting down
    feed.run(COUNTDOWN_S, faces=1)
    assert flow.phase == "capture" and flow.state(feed.now).warning == ""
    feed.run(1.0)
    before = flow.state(feed.now).progress
    kept = flow.kept("neutral")
    assert 0.3 < before < 0.7

    feed.run(2.0, faces=0)
    state = flow.state(feed.now)
    assert state.warning == NO_FACE and state.progress == before and flow.kept("neutral") == kept
    feed.run(2.0, faces=2)
    state = flow.state(feed.now)
    assert state.warning == SEVERAL_FACES and state.progress == before and flow.kept("neutral") == kept
    feed.run(1.5, faces=None)  # no reading at all (a paused or ended video)
    assert flow.state(feed.now).warning == NO_FACE

    feed.run(TICK)  # one face again: the capture goes on where it was
    assert flow.state(feed.now).warning == "" and flow.kept("neutral") == kept + 1
    feed.run(CAPTURE_S)
    assert flow.step == 1 and flow.state(feed.now).steps[0].status == "taught"


def test_several_faces_in_every_reading_never_finish_a_step(samples: Outputs) -> None:
    flow = TeachingFlow(0.0)
    feed = Feed(flow, samples)
    feed.run(COUNTDOWN_S + 4 * CAPTURE_S, faces=3)
    assert (flow.step, flow.phase, flow.kept("neutral")) == (0, "capture", 0)
    assert flow.state(feed.now).warning == SEVERAL_FACES


# -- the profiles of a running app ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_jobs(tasks: ManualTasks, name: str = "emotune-profile") -> int:
    """Run the queued jobs called ``name`` (the music lane's stay queued)."""
    ran = 0
    while any(job[0] == name for job in tasks.jobs):
        tasks.finish(next(i for i, job in enumerate(tasks.jobs) if job[0] == name))
        ran += 1
    return ran


def teach(profiles: FaceProfiles, clock: Clock, samples: Outputs, labels: tuple[str, ...]) -> list[float]:
    """Teach ``labels`` (skipping the others) through ``FaceProfiles`` as the controller's ticks
    would; returns the progress values the view was shown."""
    progress: list[float] = []
    view = profiles.view
    assert isinstance(view, RecordingView)
    n = 0
    for _ in range(2000):
        flow = profiles.flow
        if flow is None or flow.phase not in ("countdown", "capture"):
            break
        label = flow.steps[flow.step].label
        if label not in labels:
            profiles.skip()
            continue
        clock.now = round(clock.now + TICK, 6)
        n += 1
        batch = [samples[label][n % len(samples[label])]]
        profiles.tick(clock.now, batch)
        assert batch == []  # taken
        state = view.last("show_teaching")
        if state is not None and state[0] is not None and state[0].phase == "capture":
            progress.append(state[0].progress)
    return progress


def test_teaching_builds_saves_and_applies_a_profile(tmp_path: Path, samples: Outputs) -> None:
    view, tasks, worker, clock = RecordingView(), ManualTasks(), FakeWorker(), Clock()
    remembered: list[str] = []
    profiles = FaceProfiles(
        view, tasks, tmp_path / "profiles", lambda: worker, remembered.append, clock, user_name=lambda: "kay"
    )
    profiles.teach()
    first = view.last("show_teaching")
    assert first is not None and first[0].prompt == "Get ready: show a neutral face"
    assert first[0].default_name == "kay" and worker.capturing == "neutral" and profiles.teaching

    progress = teach(profiles, clock, samples, ("neutral", "happy", "surprise"))
    assert progress and max(progress) >= 0.9 and min(progress) < 0.2
    state = view.last("show_teaching")
    assert state is not None and state[0].phase == "review" and state[0].can_save
    assert worker.capturing is None and not profiles.teaching  # review: nothing captured

    profiles.save("Kay")
    assert view.last("show_teaching")[0].phase == "saving"
    assert run_jobs(tasks) == 1
    assert view.last("show_teaching") == (None,)  # the dialog closes
    path = tmp_path / "profiles" / "Kay.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(data["expressions"]) == ["happy", "neutral", "surprise"]
    assert path.stat().st_size < 20_000  # numbers only: a few KB, no picture
    assert isinstance(worker.profile, Profile) and worker.profile.name == "Kay"
    assert view.last("show_profile") == ("Kay",) and remembered == ["Kay"] and profiles.chosen == "Kay"
    assert any("Saved Kay's face profile" in args[0] for name, args in view.calls if name == "show_note")

    # It is a working profile for this model: it moves the person's own readings.
    classifier = EmotionClassifier()
    loaded = Profile.load(path)
    loaded.check_model(classifier.fingerprint())
    probs = np.stack([s.probabilities for s in samples["sad"] if s.probabilities is not None])
    emb = np.stack([s.embedding for s in samples["sad"] if s.embedding is not None])
    assert not np.allclose(loaded.apply(probs, emb), probs, atol=1e-3)

    # Forget my face: the file goes, the plain model reads faces.
    profiles.forget()
    assert not path.exists() and worker.profile is None and profiles.chosen == ""
    assert view.last("show_profile") == (None,) and remembered == ["Kay", ""]


def test_cancel_closes_the_dialog_and_keeps_nothing(tmp_path: Path, samples: Outputs) -> None:
    view, tasks, worker, clock = RecordingView(), ManualTasks(), FakeWorker(), Clock()
    profiles = FaceProfiles(view, tasks, tmp_path / "profiles", lambda: worker, lambda _n: None, clock)
    profiles.teach()
    teach(profiles, clock, samples, ("neutral",))
    profiles.cancel()
    assert profiles.flow is None and worker.capturing is None and view.last("show_teaching") == (None,)
    late = [samples["neutral"][0]]
    profiles.tick(clock.now + 1, late)
    assert late == [] and profiles.names() == [] and tasks.jobs == []


# -- at start, through the controller -------------------------------------------------------------


class App:
    """An ``AppController`` with the stand-ins, the user's folders under ``tmp_path``."""

    def __init__(self, tmp_path: Path) -> None:
        self.view, self.tasks, self.clock = RecordingView(), ManualTasks(), Clock()
        self.env = Environment(tmp_path / "config", tmp_path / "cache", tmp_path / "data")
        self.workers: list[FakeWorker] = []

        def make_worker(_settings: Settings, _messages: MessageQueue) -> FakeWorker:
            self.workers.append(FakeWorker())
            return self.workers[-1]

        def make_music(_s: Settings, _e: Environment, _o: bool, _f: Preferences) -> Music:
            raise AssertionError("the music side is not built in these tests")

        self.controller = AppController(
            self.view,
            AppOptions(source="0", offline=True),
            tasks=self.tasks,
            env=self.env,
            worker_factory=make_worker,
            music_factory=make_music,
            source_factory=NamedSource,
            clock=self.clock,
        )

    def notes(self) -> list[str]:
        return [args[0] for name, args in self.view.calls if name == "show_note"]


@pytest.fixture()
def make_app(tmp_path: Path) -> Iterator[Callable[[], App]]:
    """Apps on the same user folders (a second one is the next start); closed after the test."""
    made: list[App] = []

    def make() -> App:
        made.append(App(tmp_path))
        return made[-1]

    yield make
    for app in made:
        app.controller.close()


def saved_profile(folder: Path, name: str, samples: Outputs, sha256: str | None = None) -> Path:
    builder = ProfileBuilder()
    for label in ("neutral", "happy"):
        for s in samples[label]:
            assert s.probabilities is not None and s.embedding is not None
            builder.add(label, s.probabilities, s.embedding)
    classifier = EmotionClassifier()
    profile = builder.build(classifier.embedding_reference(), sha256 or classifier.fingerprint(), name=name)
    path = (folder / f"{name}.json").resolve()
    profile.save(path)
    return path


def test_a_saved_profile_is_used_from_the_start(make_app: Callable[[], App], samples: Outputs) -> None:
    app = make_app()
    saved_profile(app.env.config_dir / "profiles", "ada", samples)
    SettingsStore(app.env.config_dir).save(Settings(profile_name="ada"))
    app = make_app()
    app.controller.start()
    assert run_jobs(app.tasks) == 1
    worker = app.workers[-1]
    assert isinstance(worker.profile, Profile) and worker.profile.name == "ada"
    assert app.view.last("show_profile") == ("ada",) and app.notes() == []
    assert app.controller.profiles.names() == ["ada"] and app.controller.profiles.chosen_stem == "ada"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"format": "emotune-profile", "version": 1, "name": "ada", "labels": [', "damaged profile"),
        ('{"hello": "world"}', "not an Emotune profile"),
        (None, "an older emotion model"),
        ("NaN", "damaged profile (blend.match_threshold: not all numbers are finite)"),
    ],
)
def test_a_damaged_foreign_or_mismatched_profile_gives_one_note_and_the_plain_model(
    make_app: Callable[[], App], samples: Outputs, content: str | None, problem: str
) -> None:
    first = make_app()
    folder = first.env.config_dir / "profiles"
    if content is None:
        saved_profile(folder, "ada", samples, sha256="0" * 64)
    elif content == "NaN":  # a sound profile with one impossible number: never "calibrated for ada"
        path = saved_profile(folder, "ada", samples)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["blend"]["match_threshold"] = float("nan")
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        folder.mkdir(parents=True)
        (folder / "ada.json").write_text(content, encoding="utf-8")
    SettingsStore(first.env.config_dir).save(Settings(profile_name="ada"))

    app = make_app()
    app.controller.start()
    run_jobs(app.tasks)
    app.clock.now += 1.0
    app.controller.poll()
    if content is None:  # every profile after a new model ships: in words that fit the status bar
        notes = [note for note in app.notes() if "ada" in note]
        assert notes == ["ada's face profile is for an older emotion model: teach your face again"], app.notes()
    else:
        notes = [note for note in app.notes() if "ada.json" in note]
        assert len(notes) == 1 and problem in notes[0] and "plain model" in notes[0], app.notes()
    assert app.workers[-1].profile is None and app.view.last("show_profile") == (None,)
    assert app.controller.settings.profile_name == "ada"  # the choice stays; the file can be rebuilt

    # Forget my face removes even a file that could not be read.
    app.controller.profiles.forget()
    assert not (folder / "ada.json").exists() and app.controller.settings.profile_name == ""
    assert SettingsStore(app.env.config_dir).load().profile_name == ""


def test_the_controller_hands_samples_to_the_flow_and_holds_the_music_mood(
    make_app: Callable[[], App], samples: Outputs
) -> None:
    app = make_app()
    app.controller.start()
    control = app.controller
    control.messages.post(MoodChanged("happy", None, 0.0, 0))
    control.poll()
    assert control.mood_in_force == "happy"

    control.profiles.teach()
    worker = app.workers[-1]
    assert worker.capturing == "neutral"
    for k in range(4):
        control.messages.post(samples["neutral"][k % 3])
    control.messages.post(MoodChanged("sad", "happy", 0.5, 5))  # a face made on purpose
    control.poll()
    assert control.calibration_samples == [] and control.mood_in_force == "happy"
    app.clock.now = COUNTDOWN_S + 0.1
    control.poll()
    for k in range(4):
        control.messages.post(samples["neutral"][k % 3])
    control.poll()
    assert control.profiles.flow is not None and control.profiles.flow.kept("neutral") == 4

    # A new worker (settings changed) gets the capture in force.
    control.apply_settings(control.settings.replace(detector="haar"))
    assert app.workers[-1] is not worker and app.workers[-1].capturing == "neutral"
    control.profiles.cancel()
    assert app.workers[-1].capturing is None


def test_steps_cover_the_seven_labels_neutral_first() -> None:
    assert STEPS[0].label == "neutral" and sorted(s.label for s in STEPS) == sorted(EMOTIONS)


def test_without_a_picture_the_flow_says_so_instead_of_no_face() -> None:
    flow = TeachingFlow(now=0.0)
    state = flow.state(5.0, picture=False)
    assert state.warning == NO_PICTURE and state.no_picture
    assert flow.state(5.0).warning == NO_FACE and not flow.state(5.0).no_picture
