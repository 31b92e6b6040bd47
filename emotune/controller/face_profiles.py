"""The face profiles of the people using the computer, for a running app.

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
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from emotune.controller.teaching import TeachingFlow, TeachingState
from emotune.errors import EmotuneError
from emotune.tasks import Runner
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.messages import CalibrationSample
from emotune.vision.profile import OtherModelProfileError, Profile, ProfileError, ProfileStore

PLAIN_MODEL = "the plain model reads faces"


def not_used(error: Exception, name: str) -> str:
    """The window's note for a profile that cannot be used. Every profile stops fitting when a new
    emotion model ships, so that case says what to do in words short enough for the status bar
    (the file and the models' hashes are for ``emotune profile show``)."""
    if isinstance(error, OtherModelProfileError):
        return f"{error.person or name}'s face profile is for an older emotion model: teach your face again"
    return f"Face profile not used: {error}; {PLAIN_MODEL}"


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
        picture: Callable[[], bool] = lambda: True,
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
        self._picture = picture  # whether a camera or video plays (without one, no face can be taught)
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
            self.view.show_note(not_used(exc, self.chosen))
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
            self.view.show_note(not_used(error, name))

        self.tasks.run_in_thread(read, loaded, failed, name="emotune-profile")

    def _use(self, profile: Profile | None, chosen: str, apply: bool = True) -> bool:
        """Make ``profile`` the one in use; False (and a note) when the classifier refuses it."""
        if apply:
            try:
                self._worker().set_profile(profile)
            except ProfileError as exc:
                self.view.show_note(not_used(exc, chosen))
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
        state = flow.state(self._clock() if now is None else now, self._picture()) if flow is not None else None
        if state != self._shown:
            self._shown = state
            self.view.show_teaching(state)
