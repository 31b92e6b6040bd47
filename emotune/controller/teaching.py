"""Teaching Emotune a person's face, and the face profiles of the people using the computer.

``TeachingFlow`` is the guided "Teach Emotune your face" flow as a state machine on the
controller's clock: neutral first, then smile, surprise, sad, angry, fear, disgust. Each step is
a countdown ("Get ready: show a neutral face", ``COUNTDOWN_S``), then a capture that lasts until
``CAPTURE_S`` seconds with exactly one face in view have given at least ``MIN_SAMPLES`` readings;
capture time stops while no face or several faces are seen, and the state says so. Any step can
be skipped, redone, or gone back to; "Finish" ends early (one taught expression is enough). The
flow keeps the model's outputs (probabilities and embeddings, numbers only) in a
``ProfileBuilder``, never a picture.

``FaceProfiles`` is what the ``AppController`` owns: the profile in use (the setting
``profile_name`` chooses it, one file per person in ``<config dir>/profiles``, mode 600), the
flow while it runs, and the worker's capture. It loads the chosen profile at start off the UI
thread (a damaged, foreign or mismatched one: one note, and the plain model reads faces), builds
and saves a taught profile off the UI thread and applies it at once, switches between profiles,
and forgets one (deletes its file). The view hears ``show_teaching(state)`` while the flow runs
and ``show_profile(name)`` when the profile in use changes.

Everything here runs on the UI thread except the jobs handed to ``run_in_thread``. No toolkit.
"""

from __future__ import annotations

import getpass
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from emotune.errors import EmotuneError
from emotune.tasks import OnError, T
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.messages import CalibrationSample
from emotune.vision.profile import MAX_NAME_LENGTH, Profile, ProfileBuilder, ProfileError, ProfileStore

Phase = Literal["countdown", "capture", "review", "saving"]
StepStatus = Literal["waiting", "current", "taught", "skipped"]

COUNTDOWN_S = 3.0
CAPTURE_S = 3.0  # seconds of capture with exactly one face in view
MIN_SAMPLES = 5  # one-face readings a step needs at least (the worker gives about ten a second)
FACE_GAP_S = 0.5  # capture time runs only while the last one-face reading is at most this old
NO_READING_S = 1.0  # no reading for this long: nothing to read a face from
NO_FACE = "No face in view"
SEVERAL_FACES = "Several faces: only you in front of the camera, please"
PLAIN_MODEL = "the plain model reads faces"


@dataclass(frozen=True)
class Step:
    label: str
    action: str  # what the person is asked to do, in lower case


STEPS: tuple[Step, ...] = (
    Step("neutral", "show a neutral face"),
    Step("happy", "smile"),
    Step("surprise", "look surprised"),
    Step("sad", "look sad"),
    Step("angry", "look angry"),
    Step("fear", "look afraid"),
    Step("disgust", "look disgusted"),
)


@dataclass(frozen=True)
class StepState:
    label: str
    status: StepStatus
    samples: int  # one-face readings kept for this expression


@dataclass(frozen=True)
class TeachingState:
    """What the teaching dialog shows; it changes only through ``TeachingFlow``."""

    phase: Phase
    step: int  # index into ``steps``; len(steps) once every step is done (review, saving)
    prompt: str  # "Get ready: show a neutral face", "Show a neutral face", "Name your profile…"
    seconds_left: int  # the countdown's whole seconds to go (3, 2, 1); 0 in other phases
    progress: float  # the capture's progress, 0..1 (two decimals)
    warning: str  # NO_FACE, SEVERAL_FACES or ""
    steps: tuple[StepState, ...]
    default_name: str
    error: str = ""  # why the last "Save" failed

    @property
    def taught(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.steps if s.status == "taught")

    @property
    def can_back(self) -> bool:
        return self.phase != "saving" and self.step > 0

    @property
    def can_change_step(self) -> bool:
        """Skip and Redo: while a step is counting down or capturing."""
        return self.phase in ("countdown", "capture")

    @property
    def can_finish(self) -> bool:
        return self.can_change_step and bool(self.taught)

    @property
    def can_save(self) -> bool:
        return self.phase == "review" and bool(self.taught)


class TeachingFlow:
    """The steps, their timing and their samples. Time comes in as ``now`` (controller clock)."""

    def __init__(self, now: float, default_name: str = "", steps: tuple[Step, ...] = STEPS) -> None:
        self.steps = steps
        self.default_name = default_name
        self.builder = ProfileBuilder()
        self.status: list[StepStatus] = ["waiting"] * len(steps)
        self.step = 0
        self.phase: Phase = "countdown"
        self.error = ""
        self._phase_started = now
        self._captured_s = 0.0
        self._last_tick = now
        self._last_reading_at = now  # the first readings take a moment: no warning before then
        self._last_good_at = -math.inf
        self._last_faces: int | None = None
        self._enter(0, now)

    # -- what the worker should capture, and what the dialog shows -----------------------------

    @property
    def capturing(self) -> bool:
        return self.phase in ("countdown", "capture")

    @property
    def capture_label(self) -> str | None:
        """The expression the worker posts samples for (the countdown's feed only the warnings)."""
        return self.steps[self.step].label if self.capturing else None

    def kept(self, label: str) -> int:
        return self.builder.counts().get(label, 0)

    def state(self, now: float) -> TeachingState:
        counts = self.builder.counts()
        steps = tuple(StepState(s.label, self.status[i], counts.get(s.label, 0)) for i, s in enumerate(self.steps))
        seconds_left, progress = 0, 0.0
        if self.phase == "countdown":
            action = self.steps[self.step].action
            prompt = f"Get ready: {action}"
            seconds_left = max(1, math.ceil(COUNTDOWN_S - (now - self._phase_started) - 1e-9))
        elif self.phase == "capture":
            action = self.steps[self.step].action
            prompt = action[0].upper() + action[1:]
            label = self.steps[self.step].label
            progress = min(1.0, self._captured_s / CAPTURE_S, counts.get(label, 0) / MIN_SAMPLES)
        elif self.phase == "saving":
            prompt, progress = "Saving your profile…", 1.0
        elif any(s == "taught" for s in self.status):
            prompt, progress = "Name your profile and save it", 1.0
        else:
            prompt = "Nothing taught yet: go back to a step, or cancel"
        return TeachingState(
            phase=self.phase,
            step=self.step,
            prompt=prompt,
            seconds_left=seconds_left,
            progress=round(progress, 2),
            warning=self.warning(now),
            steps=steps,
            default_name=self.default_name,
            error=self.error,
        )

    def warning(self, now: float) -> str:
        if not self.capturing:
            return ""
        if now - self._last_reading_at > NO_READING_S or self._last_faces == 0:
            return NO_FACE
        if self._last_faces is not None and self._last_faces > 1:
            return SEVERAL_FACES
        return ""

    # -- time passing ---------------------------------------------------------------------------

    def tick(self, now: float, samples: list[CalibrationSample]) -> None:
        """Take the worker's samples that arrived since the last tick, then let time pass."""
        for sample in samples:
            self._take(sample, now)
        dt = max(0.0, now - self._last_tick)
        self._last_tick = now
        if self.phase == "countdown" and now - self._phase_started >= COUNTDOWN_S:
            self.phase, self._phase_started, self._captured_s = "capture", now, 0.0
        elif self.phase == "capture":
            if self._last_faces == 1 and now - self._last_good_at <= FACE_GAP_S:
                self._captured_s += dt
            label = self.steps[self.step].label
            if self._captured_s >= CAPTURE_S and self.kept(label) >= MIN_SAMPLES:
                self.status[self.step] = "taught"
                self._next(now)

    def _take(self, sample: CalibrationSample, now: float) -> None:
        self._last_reading_at = now
        self._last_faces = sample.faces
        if sample.faces != 1:
            return  # no face, or several: which one is the person teaching?
        self._last_good_at = now
        if (
            self.phase == "capture"
            and sample.label == self.steps[self.step].label
            and sample.probabilities is not None
            and sample.embedding is not None
        ):
            self.builder.add(sample.label, sample.probabilities, sample.embedding)

    # -- the person's buttons -------------------------------------------------------------------

    def skip(self, now: float) -> None:
        """Leave the current expression out of the profile and go on."""
        if self.capturing:
            self.builder.clear(self.steps[self.step].label)
            self.status[self.step] = "skipped"
            self._next(now)

    def redo(self, now: float) -> None:
        """Start the current step again: its samples so far are dropped."""
        if self.capturing:
            self._enter(self.step, now)

    def back(self, now: float) -> None:
        """Teach the previous expression again (its samples are dropped when its step starts)."""
        if self.phase == "saving" or self.step == 0:
            return
        if self.capturing:
            self.builder.clear(self.steps[self.step].label)
            self.status[self.step] = "waiting"
        self._enter(self.step - 1, now)

    def finish(self, now: float) -> None:
        """Stop teaching here (the current step's samples are dropped) and name the profile."""
        if self.capturing and "taught" in self.status:
            self.builder.clear(self.steps[self.step].label)
            self.status[self.step] = "waiting"
            self._review()

    def start_saving(self, name: str) -> str | None:
        """The cleaned name to save under, or None (and ``error`` says why) when it cannot be."""
        name = " ".join(name.split())
        if self.phase != "review":
            return None
        if "taught" not in self.status:
            self.error = "Nothing taught yet: go back to a step first"
        elif not name:
            self.error = "Give the profile a name (yours, for example)"
        elif len(name) > MAX_NAME_LENGTH:
            self.error = f"A name of at most {MAX_NAME_LENGTH} characters, please"
        else:
            self.error, self.phase = "", "saving"
            return name
        return None

    def save_failed(self, error: str) -> None:
        self.phase, self.error = "review", error

    # -- steps ----------------------------------------------------------------------------------

    def _enter(self, index: int, now: float) -> None:
        self.step = index
        self.builder.clear(self.steps[index].label)
        self.status[index] = "current"
        self.phase, self._phase_started, self._captured_s = "countdown", now, 0.0

    def _next(self, now: float) -> None:
        # On to the next step not yet done; after going back, the steps already done stay done.
        for index in range(self.step + 1, len(self.steps)):
            if self.status[index] == "waiting":
                self._enter(index, now)
                return
        self._review()

    def _review(self) -> None:
        self.step, self.phase = len(self.steps), "review"


# -- the profiles of a running app ----------------------------------------------------------------


class ProfilesView(Protocol):
    """The view verbs used here (``emotune.controller.view.View`` has them)."""

    def show_note(self, text: str) -> None: ...

    def show_profile(self, name: str | None) -> None: ...

    def show_teaching(self, state: TeachingState | None) -> None: ...


class ProfileWorker(Protocol):
    """What is used of the vision worker: its calibration capture and its classifier's profile."""

    def capture(self, label: str | None) -> None: ...

    def set_profile(self, profile: Profile | None) -> None: ...


class Model(Protocol):
    """What building a profile needs of the emotion model (``EmotionClassifier`` has it)."""

    @property
    def flip_average(self) -> bool: ...

    def embedding_reference(self) -> NDArray[np.float32]: ...

    def fingerprint(self) -> str: ...


class Runner(Protocol):
    def run_in_thread(
        self, fn: Callable[[], T], on_ok: Callable[[T], None], on_error: OnError, name: str = ...
    ) -> object: ...


def os_user_name() -> str:
    """The name the person logged in with: the default name of a new profile."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment nor the user database
        return ""


class FaceProfiles:
    """The profile in use, the teaching flow, and the people's saved profiles (UI thread)."""

    def __init__(
        self,
        view: ProfilesView,
        tasks: Runner,
        folder: Path,
        worker: Callable[[], ProfileWorker],
        remember: Callable[[str], None],
        clock: Callable[[], float],
        *,
        model: Callable[[], Model] = EmotionClassifier,
        user_name: Callable[[], str] = os_user_name,
    ) -> None:
        self.view = view
        self.tasks = tasks
        self.store = ProfileStore(folder)
        self._worker = worker
        self._remember = remember  # stores the ``profile_name`` setting
        self._clock = clock
        self._model_factory = model
        self._model: Model | None = None
        self._model_lock = threading.Lock()
        self._user_name = user_name
        self.chosen = ""  # the setting: the profile chosen, even when it could not be used
        self.active: Profile | None = None  # the profile the classifier applies
        self.flow: TeachingFlow | None = None
        self._shown: TeachingState | None = None
        self._capturing: str | None = None
        self._loads = 0  # numbers the loads, so an answer overtaken by a newer choice is dropped

    # -- choosing a profile ----------------------------------------------------------------------

    def start(self, name: str) -> None:
        """Load the profile the settings choose (none: the plain model)."""
        if name:
            self.chosen = name
            self._load(name, at_start=True)

    def names(self) -> list[str]:
        """The saved profiles (file names without ``.json``)."""
        return self.store.names()

    @property
    def chosen_stem(self) -> str:
        """The file stem of the chosen profile (as ``names()`` lists it), or ""."""
        return self.store.path_for(self.chosen).stem if self.chosen else ""

    def choose(self, name: str | None) -> None:
        """Read faces with the profile ``name`` from now on, or with the plain model (None)."""
        if not name:
            self._loads += 1
            self._use(None, "")
            self.view.show_note(f"No face profile: {PLAIN_MODEL}")
            return
        self._load(name, at_start=False)

    def forget(self) -> None:
        """Forget my face: delete the chosen profile's file and go back to the plain model."""
        if not self.chosen:
            self.view.show_note("No face profile is in use: nothing to forget")
            return
        name = self.active.name if self.active is not None and self.active.name else self.chosen
        try:
            deleted = self.store.delete(self.chosen)
        except ProfileError as exc:
            self.view.show_note(str(exc))
            return
        self._loads += 1
        self._use(None, "")
        self.view.show_note(f"Forgot {name}'s face: {PLAIN_MODEL}" if deleted else f"No saved profile: {PLAIN_MODEL}")

    def worker_replaced(self) -> None:
        """A new worker (settings changed): it gets the profile and the capture in force."""
        worker = self._worker()
        try:
            worker.set_profile(self.active)
        except ProfileError as exc:
            self._use(None, self.chosen, apply=False)
            self.view.show_note(f"{exc}; {PLAIN_MODEL}")
        worker.capture(self._capturing)

    def _load(self, name: str, at_start: bool) -> None:
        self._loads += 1
        serial, store = self._loads, self.store

        def read() -> Profile:
            profile = store.load(name)
            profile.check_model(self.model().fingerprint())  # not made for this model: refused
            return profile

        def loaded(profile: Profile) -> None:
            if serial != self._loads:
                return
            if self._use(profile, store.path_for(name).stem) and not at_start:
                self.view.show_note(f"Emotune now reads faces with {profile.name or name}'s profile")

        def failed(error: Exception) -> None:
            if serial != self._loads:
                return
            if at_start:  # nothing else was in use: the plain model, and the setting stays
                self._use(None, name)
            self.view.show_note(f"Face profile not used: {error}; {PLAIN_MODEL}")

        self.tasks.run_in_thread(read, loaded, failed, name="emotune-profile")

    def _use(self, profile: Profile | None, chosen: str, apply: bool = True) -> bool:
        """Make ``profile`` the one in use; False (and a note) when the classifier refuses it."""
        if apply:
            try:
                self._worker().set_profile(profile)
            except ProfileError as exc:
                self.view.show_note(f"Face profile not used: {exc}; {PLAIN_MODEL}")
                return False
        self.active = profile
        if chosen != self.chosen:
            self.chosen = chosen
            self._remember(chosen)
        self.view.show_profile(None if profile is None else profile.name or chosen)
        return True

    def model(self) -> Model:
        """The emotion model's description (made once, in whichever thread asks first)."""
        with self._model_lock:
            if self._model is None:
                self._model = self._model_factory()
            return self._model

    # -- teaching -------------------------------------------------------------------------------

    @property
    def teaching(self) -> bool:
        """The person is making faces on purpose (a step counts down or captures)."""
        return self.flow is not None and self.flow.capturing

    def teach(self) -> None:
        """Open the flow (or show the one already running)."""
        if self.flow is None:
            self.flow = TeachingFlow(self._clock(), self._user_name())
            self._shown = None
        self._changed()

    def tick(self, now: float, samples: list[CalibrationSample]) -> None:
        """Once per controller tick: hand the flow the samples (the list is emptied) and the time."""
        flow = self.flow
        if flow is not None:
            flow.tick(now, samples)
        samples.clear()  # late ones, after the flow ended, are dropped
        if flow is not None:
            self._changed(now)

    def skip(self) -> None:
        self._command(TeachingFlow.skip)

    def redo(self) -> None:
        self._command(TeachingFlow.redo)

    def back(self) -> None:
        self._command(TeachingFlow.back)

    def finish(self) -> None:
        self._command(TeachingFlow.finish)

    def cancel(self) -> None:
        """Close the flow; nothing taught is kept (a save already under way still completes)."""
        if self.flow is None:
            return
        self.flow = None
        self._changed()

    def save(self, name: str) -> None:
        """Build the profile from what was taught (off the UI thread), save it, use it."""
        flow = self.flow
        if flow is None:
            return
        cleaned = flow.start_saving(name)
        self._changed()
        if cleaned is None:
            return
        builder, store = flow.builder, self.store  # the flow adds nothing more while it saves

        def build() -> Profile:
            model = self.model()
            profile = builder.build(
                model.embedding_reference(), model.fingerprint(), name=cleaned, flip_average=model.flip_average
            )
            return store.save(profile)

        def saved(profile: Profile) -> None:
            if self.flow is flow:
                self.flow = None
                self._changed()
            if self._use(profile, profile.source.stem if profile.source is not None else cleaned):
                self.view.show_note(f"Saved {cleaned}'s face profile: Emotune reads faces with it now")

        def failed(error: Exception) -> None:
            if self.flow is flow:
                flow.save_failed(str(error) if isinstance(error, EmotuneError) else f"Not saved: {error}")
                self._changed()
            else:
                self.view.show_note(f"Face profile not saved: {error}")

        self.tasks.run_in_thread(build, saved, failed, name="emotune-profile")

    def _command(self, action: Callable[[TeachingFlow, float], None]) -> None:
        if self.flow is not None:
            now = self._clock()
            action(self.flow, now)
            self._changed(now)

    def _changed(self, now: float | None = None) -> None:
        """Tell the worker what to capture and the view what to show, when either changed."""
        flow = self.flow
        label = flow.capture_label if flow is not None else None
        if label != self._capturing:
            self._capturing = label
            self._worker().capture(label)
        state = flow.state(self._clock() if now is None else now) if flow is not None else None
        if state != self._shown:
            self._shown = state
            self.view.show_teaching(state)
