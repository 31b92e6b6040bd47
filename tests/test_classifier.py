"""The app-side emotion classifier on the shipped model, and on broken model files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.errors import ModelError
from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.emotions import EmotionClassifier
from tests.support.models import write_uniform_model, write_wrong_output_model

Faces = dict[str, list[NDArray[np.uint8]]]


@pytest.mark.data
def test_probabilities_for_a_batch_of_any_size_crops(val_faces: Faces) -> None:
    import cv2

    face = val_faces["happy"][0]
    crops = [face, cv2.resize(face, (131, 131)), cv2.cvtColor(cv2.resize(face, (20, 20)), cv2.COLOR_GRAY2BGR)]
    probs = EmotionClassifier().classify(crops)
    assert probs.shape == (3, len(EMOTIONS)) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (probs >= 0).all()
    # One call with a batch gives what separate calls give.
    single = np.concatenate([EmotionClassifier().classify([c]) for c in crops])
    np.testing.assert_allclose(probs, single, atol=1e-5)
    assert EmotionClassifier().classify([]).shape == (0, len(EMOTIONS))


@pytest.mark.data
def test_flip_averaging_is_the_mean_of_both_views(val_faces: Faces) -> None:
    face = val_faces["surprise"][1]
    flipping = EmotionClassifier(flip_average=True)
    plain = EmotionClassifier(flipping.model_path, flip_average=False)  # the same model file, one view
    both = flipping.classify([face])
    expected = (plain.classify([face]) + plain.classify([face[:, ::-1].copy()])) / 2
    np.testing.assert_allclose(both, expected, atol=1e-6)


def test_model_is_loaded_lazily_and_without_tensorflow() -> None:
    code = (
        "import sys; from emotune.vision.emotions import EmotionClassifier as C; c = C(); "
        "assert c._session is None; import numpy as np; c.classify([np.zeros((48, 48), np.uint8)]); "
        "bad = [m for m in ('tensorflow', 'keras', 'tkinter', 'tf2onnx') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_shipped_model_is_found_through_resources() -> None:
    path = resource_path("models", "emotion.onnx")
    assert path.is_file() and path.stat().st_size <= 20_000_000


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "absent.onnx", r"absent\.onnx: emotion model not found"),
        (
            lambda p: (p / "bad.onnx").write_bytes(b"\x00\x01 not onnx") and p / "bad.onnx",
            r"bad\.onnx: not a readable ONNX model",
        ),
        (
            lambda p: write_wrong_output_model(p / "five.onnx", 5),
            r"five\.onnx: model gives outputs of shape \(1, 5\), expected \(1, 7\)",
        ),
        (
            lambda p: write_wrong_output_model(p / "logits.onnx", 7),
            r"logits\.onnx: model gives \[0\.0, 0\.0, 0\.0, 0\.0, 0\.0, 0\.0, 0\.0\] for a face, not probabilities",
        ),
        (
            lambda p: write_uniform_model(p / "four.onnx", batch=4),
            r"four\.onnx: model takes exactly 4 faces at a time; it must take any number, or one at a time",
        ),
    ],
)
def test_bad_model_files_give_one_clear_error(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    classifier = EmotionClassifier(path, flip_average=False)
    with pytest.raises(ModelError, match=message):
        classifier.classify([np.zeros((48, 48), np.uint8)])


@pytest.mark.data
def test_a_model_fixed_to_one_face_per_run_gets_every_view_one_at_a_time(tmp_path: Path, val_faces: Faces) -> None:
    single = EmotionClassifier(write_uniform_model(tmp_path / "one.onnx", batch=1), flip_average=True)
    probs = single.classify(val_faces["happy"][:3])  # six views: three faces, each mirrored
    np.testing.assert_allclose(probs, np.full((3, len(EMOTIONS)), 1 / len(EMOTIONS)), atol=1e-6)


@pytest.mark.data
def test_nan_from_a_model_is_an_error_not_a_score(tmp_path: Path, val_faces: Faces) -> None:
    classifier = EmotionClassifier(write_uniform_model(tmp_path / "nan.onnx", nan_below=100.0), flip_average=False)
    classifier.load()  # the mid-grey probe passes
    with pytest.raises(ModelError, match=r"nan\.onnx: model gives non-numbers \(NaN or infinity\) for a face"):
        classifier.classify([np.zeros((48, 48), np.uint8)])
