"""``emotune --self-test``: a headless check that an installed or bundled Emotune can do its job.

It loads both shipped models (YuNet face detector, emotion CNN), runs detection and
classification on the shipped photo ``assets/astronaut.png`` (exactly one face expected), checks
that the GUI toolkit modules are present (found, not imported: this must work without a display),
and asks the bundled catalog for a playlist for the emotion it read. On success it prints one
summary line and returns 0; on the first failure it prints one line naming the step, the thing
and the problem, and returns 1.

It is offline and leaves no trace: no network, no settings read or written, no recommendation
cache (user settings such as mood overrides are deliberately ignored: this checks what was
shipped, not how it was configured).

Where the line goes: stdout on success, stderr on failure. A windowed PyInstaller app on Windows
has no console, so ``sys.stdout``/``sys.stderr`` are None there; then the line is written to
``self-test.txt`` in the user cache folder (``emotune.environment``, e.g.
``%LOCALAPPDATA%\\emotune\\Cache\\self-test.txt``; ``EMOTUNE_CACHE_DIR`` overrides it), replacing
the previous result, and the exit code tells the outcome (``Start-Process -Wait -PassThru``).
A message box would be wrong for a headless check run by scripts and CI.

``EMOTUNE_SELF_TEST_MODELS_DIR`` (``Environment.self_test_models_dir``, or the ``models_dir``
argument) points the check at another folder holding ``emotion.onnx`` (+ ``emotion.json``) and
``face_detection_yunet_2023mar.onnx``: for checking a freshly exported model, and for the tests
of the failure path.

This module must not import tkinter, and imports the vision and music code only inside the check,
so that a bundle with a broken native library still reports one clear line.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from emotune import __version__
from emotune.environment import Environment
from emotune.errors import ExitStatus, one_line

RESULT_FILE = "self-test.txt"
IMAGE_NAME = "astronaut.png"
PLAYLIST_LENGTH = 5
# Modules the windowed app needs besides the ones the check itself uses; looked up, never imported.
GUI_MODULES = ("emotune.gui", "_tkinter", "tkinter", "PIL.ImageTk")


class SelfTestError(Exception):
    """A failed step: ``step`` is what was being checked, the message the thing and the problem."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


@dataclass(frozen=True)
class SelfTestResult:
    emotion: str
    confidence: float
    faces: int
    tracks: int
    catalog_size: int
    seconds: float

    def summary(self) -> str:
        return (
            f"emotune {__version__} self-test OK: models loaded; {self.faces} face in {IMAGE_NAME} -> "
            f"{self.emotion} ({self.confidence:.2f}); {self.tracks} catalog tracks for {self.emotion} "
            f"(of {self.catalog_size}); GUI modules present; {self.seconds:.2f} s"
        )


def run_self_test(
    env: Environment, models_dir: Path | None = None, clock: Callable[[], float] = time.perf_counter
) -> int:
    """Run the check, report one line (see the module docstring for where) and return the exit
    code. ``env`` gives the models to check instead of the shipped ones (unless ``models_dir``
    does) and the cache folder for the result file."""
    if models_dir is None:
        models_dir = env.self_test_models_dir
    try:
        result = check(models_dir, clock)
    except SelfTestError as failure:
        line = f"emotune {__version__} self-test FAILED ({failure.step}): {one_line(failure)}"
        _report(line, sys.stderr, env.cache_dir)
        return ExitStatus.FAILED
    _report(result.summary(), sys.stdout, env.cache_dir)
    return ExitStatus.OK


def check(models_dir: Path | None = None, clock: Callable[[], float] = time.perf_counter) -> SelfTestResult:
    """The check itself; raises ``SelfTestError`` at the first problem."""
    start = clock()
    step = "imports"
    try:
        # Inside the try: in a broken bundle the first thing to fail is a native library's import.
        import numpy as np

        from emotune.errors import EmotuneError
        from emotune.labels import EMOTIONS
        from emotune.music.catalog import CatalogSession, load_catalog
        from emotune.resources import resource_path
        from emotune.vision.emotions import INT8_MODEL_FILE, MODEL_FILE, EmotionClassifier
        from emotune.vision.faces import YUNET_FILE, YuNetDetector
        from emotune.vision.pipeline import FacePipeline
        from emotune.vision.sources import read_image

        step = "models"
        detector = YuNetDetector(model_path=models_dir / YUNET_FILE if models_dir else None)
        classifier = EmotionClassifier(model_path=models_dir / MODEL_FILE if models_dir else None)
        pipeline = FacePipeline(detector=detector, classifier=classifier)
        pipeline.load()
        # Every shipped emotion model, not only the one flip averaging picks: the float one runs
        # whenever flip averaging is off, so a broken one must fail here too.
        folder = models_dir or resource_path("models", MODEL_FILE).parent
        for name in (MODEL_FILE, INT8_MODEL_FILE):
            path = folder / name
            if path != classifier.model_path and (name == MODEL_FILE or path.is_file()):
                EmotionClassifier(model_path=path).load()

        step = "image"
        image_path = resource_path("assets", IMAGE_NAME)
        image = read_image(image_path)

        step = "pipeline"
        faces, _ = pipeline.process(image)
        if len(faces) != 1:
            raise SelfTestError(step, f"{image_path}: found {len(faces)} faces, expected 1 (face detector broken?)")
        scores = np.asarray(faces[0].scores, dtype=np.float64)
        if (
            scores.shape != (len(EMOTIONS),)
            or not np.all(np.isfinite(scores))
            or not math.isclose(float(scores.sum()), 1.0, abs_tol=1e-3)
        ):
            raise SelfTestError(step, f"{classifier.model_path}: scores {scores.tolist()} are not probabilities")
        emotion, confidence = faces[0].emotion, faces[0].confidence

        step = "gui modules"
        missing = [name for name in GUI_MODULES if importlib.util.find_spec(name) is None]
        if missing:
            raise SelfTestError(step, f"{', '.join(missing)}: not found (the window cannot open)")

        step = "catalog"
        catalog = load_catalog()
        tracks = CatalogSession(catalog, seed=0).recommend(emotion, PLAYLIST_LENGTH)
        if len(tracks) != PLAYLIST_LENGTH:
            raise SelfTestError(step, f"got {len(tracks)} tracks for {emotion}, expected {PLAYLIST_LENGTH}")
    except SelfTestError:
        raise
    except EmotuneError as exc:  # these name the file and the problem already
        raise SelfTestError(step, str(exc)) from exc
    except Exception as exc:  # anything else (an ImportError, cv2.error) still gets one line
        raise SelfTestError(step, f"{type(exc).__name__}: {exc}") from exc
    return SelfTestResult(emotion, confidence, len(faces), len(tracks), len(catalog), clock() - start)


def result_file(cache_dir: Path) -> Path:
    """Where the line goes when there is no console (windowed app on Windows)."""
    return cache_dir / RESULT_FILE


def _report(line: str, stream: TextIO | None, cache_dir: Path) -> None:
    if stream is not None:
        print(line, file=stream, flush=True)
        return
    path = result_file(cache_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(line + "\n", encoding="utf-8")
    except OSError:
        pass  # nowhere left to say it; the exit code still tells
