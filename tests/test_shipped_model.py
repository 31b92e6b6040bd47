"""Regression guard for the shipped emotion model, measured through the app's classifier."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.emotions import EmotionClassifier
from training.data import load_split
from training.evaluate import evaluate
from training.ferplus import default_csv, load_votes

# A fixed 1,000-image subset of FER2013 val (PublicTest): same seed, same images, every run.
SUBSET_SIZE = 1000
SUBSET_SEED = 2013
# Each a little under what the shipped model scores on the subset (docs/figures.md).
MIN_ACCURACY = 0.65  # folder labels (66.6% today)
MIN_FERPLUS_MAJORITY = 0.81  # its 900 images with a FER+ majority (83.0% today)


@pytest.mark.slow
@pytest.mark.data
def test_shipped_model_accuracy_on_a_fixed_val_subset(fer_zip: Path) -> None:
    subset = load_split(fer_zip, "val").subset(SUBSET_SIZE, SUBSET_SEED)
    assert len(subset) == SUBSET_SIZE
    result = evaluate(EmotionClassifier(), subset, load_votes(default_csv(fer_zip)))
    assert result["accuracy"] >= MIN_ACCURACY, result["accuracy"]
    majority = result["ferplus_majority"]
    assert majority["n"] == 900 and majority["accuracy"] >= MIN_FERPLUS_MAJORITY, majority["accuracy"]


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
    # Both label sets: the folder labels above, the FER+ majority here.
    assert 0 < card["val_ferplus_majority_images"] < card["data"]["val_images"]
    assert card["val_ferplus_majority_accuracy"] in (
        card["val_ferplus_majority_accuracy_flip"],
        card["val_ferplus_majority_accuracy_no_flip"],
    )
    assert set(card["val_ferplus_majority_per_class"]) == set(EMOTIONS)
    assert card["parameters"] <= 2_000_000


def test_the_int8_model_is_used_only_with_flip_averaging() -> None:
    assert EmotionClassifier().model_path.name == "emotion-int8.onnx"  # the card's default: flip on
    assert EmotionClassifier(flip_average=False).model_path.name == "emotion.onnx"
