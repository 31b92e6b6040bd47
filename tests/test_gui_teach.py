"""Teaching Emotune a face through the real window on Xvfb: a video of one JAFFE person (built at
test time from their photos, read in place, never copied) plays as the camera; the test opens
"Teach Emotune your face…" from the "Your face" menu and watches the dialog the controller drives.

The video follows the teaching steps' timing from the moment the test opens the dialog: a neutral
face through the countdown and into the capture, a stretch with no face (the warning, capture
held), the neutral face again until the step is done, then a smile long enough for its step.
Waits are guards against hanging, never measurements.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from emotune.controller.options import AppOptions
from emotune.controller.teaching import NO_FACE
from emotune.gui.teach_dialog import TeachDialog
from emotune.vision.pipeline import VisionWorker
from testbed.media import background, person_talking_frames, write_video
from testbed.paths import JAFFE
from tests.support.gui import Running
from tests.support.paths import UserFolders

pytestmark = [pytest.mark.gui, pytest.mark.data, pytest.mark.slow]

PERSON = "KL"
FPS = 15.0
START_AT = 1.0  # video time at which the test opens the dialog
JUMP = 2.0  # seconds the test moves the app's clock on during the first countdown
NO_FACE_AT, NO_FACE_S = 3.5, 1.5  # video time: inside the neutral capture (it starts at about 2 s)


@pytest.fixture(scope="module")
def teaching_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    person = JAFFE / PERSON
    empty = background(0)  # the same room as in person_talking_frames, without anyone in it
    frames = [
        *person_talking_frames(person, (("neutral", NO_FACE_AT),), fps=FPS),
        *[empty.copy() for _ in range(round(NO_FACE_S * FPS))],
        *person_talking_frames(person, (("neutral", 4.0), ("happy", 14.0)), fps=FPS),
    ]
    return write_video(tmp_path_factory.mktemp("teach") / "teaching.avi", frames, fps=FPS)


class ShiftedClock:
    """The real clock plus whatever the test adds: the app's clock, injected."""

    def __init__(self) -> None:
        self.shift = 0.0

    def __call__(self) -> float:
        return time.perf_counter() + self.shift


def test_teaching_a_face_in_the_window(
    start: Callable[..., Running], teaching_video: Path, user_dirs: UserFolders
) -> None:
    clock = ShiftedClock()
    run = start(AppOptions(source=str(teaching_video), offline=True), clock=clock)
    app, control = run.app, run.app.controller
    run.until(lambda: control.sources.latest is not None and control.sources.latest.t >= START_AT, "the video to play")
    assert app.status.profile.cget("text") == ""

    menu = app.face_menu.menu
    assert menu.entrycget(0, "label") == "Teach Emotune your face…"
    menu.invoke(0)
    run.until(lambda: app._teach_dialog is not None, "the teaching dialog")
    dialog = app._teach_dialog
    assert isinstance(dialog, TeachDialog)
    assert dialog.prompt.cget("text") == "Get ready: show a neutral face"
    assert dialog.countdown.cget("text") == "3" and dialog.step_label.cget("text") == "Step 1 of 7"
    assert dialog.finish_button.instate(["disabled"]) and dialog.skip_button.instate(["!disabled"])

    # The countdown follows the app's clock, not a timer of the dialog's own.
    opened = time.perf_counter()
    clock.shift += JUMP
    run.until(lambda: dialog.countdown.cget("text") == "1", "the countdown to jump with the clock")
    assert time.perf_counter() - opened < JUMP

    # The capture: the bar moves; the stretch without a face is warned about and holds it.
    seen: list[float] = []
    warned: list[float] = []

    def watch() -> bool:
        seen.append(float(dialog.progress.cget("value")))
        capturing = dialog.prompt.cget("text") == "Show a neutral face"
        if capturing and dialog.warning.cget("text") == NO_FACE:
            warned.append(seen[-1])
        return bool(warned) and dialog.warning.cget("text") == ""

    run.until(watch, "the no-face warning in the capture, then the face back")
    assert 0.0 < max(warned) < 1.0  # the warning came in the middle of the capture...
    assert max(warned) - min(warned) <= 0.05  # ...and the bar stood still while it showed
    run.until(lambda: dialog.prompt.cget("text") == "Get ready: smile", "the neutral step to end")
    assert dialog.steps.cget("text").startswith("✓ neutral (")
    run.until(lambda: dialog.prompt.cget("text") == "Smile", "the smile's capture")
    run.until(lambda: dialog.prompt.cget("text") == "Get ready: look surprised", "the smile step to end")
    assert len({v for v in seen if 0.0 < v < 1.0}) >= 5, seen  # the bar moved
    assert dialog.finish_button.instate(["!disabled"])

    # The video shows no other expression: finish, name the profile, save.
    dialog.finish_button.invoke()
    run.until(lambda: dialog.name_entry.winfo_ismapped(), "the name entry")
    assert dialog.prompt.cget("text") == "Name your profile and save it"
    dialog.name.set("Ada")
    dialog.save_button.invoke()
    run.until(lambda: app.status.profile.cget("text") == "calibrated for Ada", "the profile in use")
    assert app._teach_dialog is None and not dialog.winfo_exists()
    path = user_dirs.config / "profiles" / "Ada.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert control.settings.profile_name == "Ada"
    worker = control.worker
    assert isinstance(worker, VisionWorker)
    profile = worker.pipeline.classifier.profile
    assert profile is not None and sorted(profile.expressions) == ["happy", "neutral"]

    # The menu lists the profile, chosen; "Forget my face…" asks, then deletes it and the plain model reads faces.
    app.face_menu.refresh()
    last = menu.index("end")
    assert last is not None
    labels = [menu.entrycget(i, "label") for i in range(last + 1) if menu.type(i) != "separator"]
    assert "Ada" in labels and app.face_menu.chosen.get() == "Ada"
    app.face_menu.ask = lambda _title, _question: False  # "No": the profile stays
    menu.invoke("Forget my face…")
    assert path.exists() and control.settings.profile_name
    app.face_menu.ask = lambda _title, _question: True
    menu.invoke("Forget my face…")
    assert not path.exists() and worker.pipeline.classifier.profile is None
    assert app.status.profile.cget("text") == "" and control.settings.profile_name == ""
    assert app.status.note.cget("text").startswith("Forgot Ada's face")
