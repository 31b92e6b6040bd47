"""Teaching Emotune a person's face: the guided flow (``FaceProfiles`` in ``face_profiles.py`` runs it).

``TeachingFlow`` is the guided "Teach Emotune your face" flow as a state machine on the
controller's clock: neutral first, then smile, surprise, sad, angry, fear, disgust. Each step is
a countdown ("Get ready: show a neutral face", ``COUNTDOWN_S``), then a capture that lasts until
``CAPTURE_S`` seconds with exactly one face in view have given at least ``MIN_SAMPLES`` readings;
capture time stops while no face or several faces are seen, and the state says so. Any step can
be skipped, redone, or gone back to; "Finish" ends early (one taught expression is enough). The
flow keeps the model's outputs (probabilities and embeddings, numbers only) in a
``ProfileBuilder``, never a picture.

Everything here runs on the UI thread except the jobs handed to ``run_in_thread``. No toolkit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from emotune.vision.messages import CalibrationSample
from emotune.vision.profile import MAX_NAME_LENGTH, ProfileBuilder

Phase = Literal["countdown", "capture", "review", "saving"]
StepStatus = Literal["waiting", "current", "taught", "skipped"]

COUNTDOWN_S = 3.0
CAPTURE_S = 3.0  # seconds of capture with exactly one face in view
MIN_SAMPLES = 5  # one-face readings a step needs at least (the worker gives about ten a second)
FACE_GAP_S = 0.5  # capture time runs only while the last one-face reading is at most this old
NO_READING_S = 1.0  # no reading for this long: nothing to read a face from
NO_FACE = "No face in view"
NO_PICTURE = "No picture: no camera or video is playing. Open one to teach your face."
SEVERAL_FACES = "Several faces: only you in front of the camera, please"


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
    no_picture: bool = False  # no camera or video plays: the dialog offers to open one

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

    def state(self, now: float, picture: bool = True) -> TeachingState:
        """What the dialog shows at ``now``; ``picture``: whether a camera or video plays."""
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
            warning=NO_PICTURE if self.capturing and not picture else self.warning(now),
            steps=steps,
            default_name=self.default_name,
            error=self.error,
            no_picture=self.capturing and not picture,
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
