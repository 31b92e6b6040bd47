"""A real, tiny training run: a few hundred FER2013 images, one epoch, exported to ONNX and
checked against Keras through the app's own classifier; then --resume continues a run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from emotune.vision.emotions import EmotionClassifier
from training import train
from training.data import load_split

pytestmark = [pytest.mark.data, pytest.mark.slow]

LIMIT = 300


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory, fer_zip: Path) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("smoke")
    runs, models = base / "runs", base / "models"
    code = train.main(
        [
            "--data",
            str(fer_zip),
            "--limit",
            str(LIMIT),
            "--epochs",
            "1",
            "--batch-size",
            "64",
            "--widths",
            "8",
            "16",
            "--cache-dir",
            str(base / "cache"),
            "--runs-dir",
            str(runs),
            "--name",
            "smoke",
            "--export",
            "--models-dir",
            str(models),
        ]
    )
    assert code == 0
    (run_dir,) = runs.iterdir()
    return run_dir, models


def test_run_folder_has_everything(smoke_run: tuple[Path, Path]) -> None:
    run_dir, _ = smoke_run
    for name in ("hyperparameters.json", "log.csv", "curves.png", "best.keras", "last.keras", "summary.json"):
        assert (run_dir / name).is_file(), name
    hp = json.loads((run_dir / "hyperparameters.json").read_text())
    assert hp["epochs"] == 1 and hp["limit"] == LIMIT and hp["widths"] == [8, 16]
    assert hp["command"].startswith("python -m training.train --data ")
    with (run_dir / "log.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1 and 0.0 <= float(rows[0]["val_accuracy"]) <= 1.0
    assert (run_dir / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exported_onnx_matches_keras(smoke_run: tuple[Path, Path], fer_zip: Path) -> None:
    import keras

    run_dir, models = smoke_run
    card = json.loads((models / "emotion.json").read_text())
    assert card["labels"] == ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
    assert card["onnx_keras_max_abs_diff"] <= 1e-4
    assert card["val_accuracy"] == pytest.approx(card["val_accuracy_no_flip"])
    assert set(card["val_per_class"]) == set(card["labels"])
    # Check independently of the exporter: Keras vs the app's classifier on 200 val faces.
    faces = load_split(fer_zip, "val").subset(200, seed=7).images
    keras_probs = keras.saving.load_model(run_dir / "best.keras").predict(
        faces.astype(np.float32)[..., None], verbose=0
    )
    onnx_probs = EmotionClassifier(models / "emotion.onnx", flip_average=False).classify(list(faces))
    assert np.max(np.abs(keras_probs - onnx_probs)) <= 1e-4


def test_resume_continues_from_the_last_epoch(smoke_run: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(smoke_run[0], run_dir)
    hp_file = run_dir / "hyperparameters.json"
    hp = json.loads(hp_file.read_text())
    hp.update(epochs=2, export=False)  # as if the run had been started for two epochs
    hp_file.write_text(json.dumps(hp))
    assert train.main(["--resume", str(run_dir)]) == 0
    assert json.loads((run_dir / "state.json").read_text()) == {"epoch": 2}
    with (run_dir / "log.csv").open() as fh:
        assert [row["epoch"] for row in csv.DictReader(fh)] == ["0", "1"]
