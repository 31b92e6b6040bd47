"""Regression guard for the shipped emotion model, measured through the app's classifier."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.profile import ProfileError, build_profile
from emotune.vision.profile_cli import load_profile_arg
from training.data import load_split
from training.evaluate import evaluate

# A fixed 1,000-image subset of FER2013 val (PublicTest): same seed, same images, every run.
SUBSET_SIZE = 1000
SUBSET_SEED = 2013
MIN_ACCURACY = 0.70


def test_shipped_model_accuracy_on_a_fixed_val_subset(fer_zip: Path) -> None:
    subset = load_split(fer_zip, "val").subset(SUBSET_SIZE, SUBSET_SEED)
    assert len(subset) == SUBSET_SIZE
    result = evaluate(EmotionClassifier(), subset)
    assert result["accuracy"] >= MIN_ACCURACY, result["accuracy"]


def test_model_card_describes_the_shipped_file() -> None:
    onnx_path = resource_path("models", "emotion.onnx")
    card = json.loads(resource_path("models", "emotion.json").read_text())
    assert card["labels"] == list(EMOTIONS)
    assert card["onnx_sha256"] == hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    assert card["onnx_bytes"] == onnx_path.stat().st_size <= 20_000_000
    assert card["onnx_keras_max_abs_diff"] <= 1e-4
    assert card["input"]["shape"] == [None, 48, 48, 1]
    assert set(card["val_per_class"]) == set(EMOTIONS)
    for key in ("val_accuracy", "parameters", "macs", "date", "export_command"):
        assert card[key], key
    assert card["training"]["command"].startswith("python -m training.train")
    int8 = resource_path("models", card["int8"]["file"])
    assert card["int8"]["onnx_sha256"] == hashlib.sha256(int8.read_bytes()).hexdigest()
    assert card["int8"]["val_accuracy_flip"] >= card["val_accuracy_flip"] - 0.003  # the 0.3-point bar


def test_the_int8_model_is_used_only_with_flip_averaging() -> None:
    assert EmotionClassifier().model_path.name == "emotion-int8.onnx"  # the card's default: flip on
    assert EmotionClassifier(flip_average=False).model_path.name == "emotion.onnx"


# The int8 file of the model shipped before issue 19: every profile made until then names it.
V1_INT8_SHA256 = "80171311ae33e5b89bbe7fceb47d407d684b6b83e3ebb809aabd801140c9aa8e"


def test_a_profile_made_for_the_previous_model_is_refused_in_one_line(
    tmp_path: Path, val_faces: dict[str, list[NDArray[np.uint8]]]
) -> None:
    classifier = EmotionClassifier()
    assert classifier.fingerprint() != V1_INT8_SHA256
    probs, embeddings = classifier.model_outputs([val_faces[label][0] for label in EMOTIONS])
    samples = {label: (probs[i : i + 1], embeddings[i : i + 1]) for i, label in enumerate(EMOTIONS)}
    old = build_profile(samples, classifier.embedding_reference(), V1_INT8_SHA256, name="before")
    path = old.save(tmp_path / "before.json").source
    assert path is not None
    with pytest.raises(ProfileError) as caught:
        load_profile_arg(path, classifier)
    message = str(caught.value)
    assert "\n" not in message and "made for another emotion model (sha256 80171311ae33" in message
    assert classifier.profile is None  # the plain model stays in use
