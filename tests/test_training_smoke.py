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

pytestmark = [pytest.mark.data, pytest.mark.slow, pytest.mark.training]

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


@pytest.fixture(scope="module")
def ferplus_run(tmp_path_factory: pytest.TempPathFactory, fer_zip: Path) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("smoke-ferplus")
    runs, models = base / "runs", base / "models"
    flags = ["--data", str(fer_zip), "--labels", "ferplus", "--limit", str(LIMIT), "--epochs", "1"]
    flags += ["--batch-size", "64", "--widths", "8", "16", "--cache-dir", str(base / "cache")]
    flags += ["--blur-prob", "0.5", "--light-prob", "0.5", "--noise-prob", "0.5", "--jpeg-prob", "0.5"]
    assert train.main([*flags, "--runs-dir", str(runs), "--export", "--models-dir", str(models)]) == 0
    (run_dir,) = runs.iterdir()
    return run_dir, models


def test_ferplus_run_trains_on_votes_and_its_card_has_both_accuracies(ferplus_run: tuple[Path, Path]) -> None:
    run_dir, models = ferplus_run
    hp = json.loads((run_dir / "hyperparameters.json").read_text())
    assert hp["labels"] == "ferplus" and hp["ferplus"].endswith("ferplus.csv")
    assert len(hp["train_prior"]) == 7 and sum(hp["train_prior"]) == pytest.approx(1.0, abs=1e-4)
    card = json.loads((models / "emotion.json").read_text())
    assert card["data"]["targets"].startswith("FER+ vote distributions")
    assert 0.0 <= card["val_ferplus_majority_accuracy"] <= 1.0
    assert card["data"]["val_images"] > card["val_ferplus_majority_images"] > 0  # only images with a majority
    assert set(card["val_ferplus_majority_per_class"]) == set(card["labels"])
    assert card["prior_correction"]["tau"] == 0.0


def test_prior_correction_divides_the_train_prior_out_of_the_exported_probabilities(
    ferplus_run: tuple[Path, Path], fer_zip: Path, tmp_path: Path
) -> None:
    from training import export

    run_dir, models = ferplus_run
    assert export.main([str(run_dir), "--models-dir", str(tmp_path), "--prior-correction", "1"]) == 0
    prior = np.array(json.loads((run_dir / "hyperparameters.json").read_text())["train_prior"])
    assert json.loads((tmp_path / "emotion.json").read_text())["prior_correction"]["tau"] == 1.0
    faces = list(load_split(fer_zip, "val").subset(50, seed=3).images)
    plain = EmotionClassifier(models / "emotion.onnx", flip_average=False).classify(faces)
    corrected = EmotionClassifier(tmp_path / "emotion.onnx", flip_average=False).classify(faces)
    expected = plain / prior
    np.testing.assert_allclose(corrected, expected / expected.sum(axis=1, keepdims=True), atol=1e-4)


def test_resume_with_epochs_replans_the_run(smoke_run: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(smoke_run[0], run_dir)
    assert train.main(["--resume", str(run_dir), "--epochs", "2"]) == 0
    assert json.loads((run_dir / "state.json").read_text()) == {"epoch": 2}
    hp = json.loads((run_dir / "hyperparameters.json").read_text())
    assert hp["epochs"] == 2 and hp["resumed_with"] == [f"python -m training.train --resume {run_dir} --epochs 2"]


def test_fine_tuning_from_a_run_on_mixed_targets(smoke_run: tuple[Path, Path], tmp_path: Path, fer_zip: Path) -> None:
    import keras

    best = smoke_run[0] / "best.keras"
    flags = ["--data", str(fer_zip), "--labels", "mixed", "--vote-weight", "0.7", "--mix-classes", "angry", "fear"]
    flags += ["--limit", "200", "--epochs", "1"]
    flags += ["--batch-size", "64", "--widths", "8", "16", "--runs-dir", str(tmp_path), "--lr", "0"]
    assert train.main([*flags, "--init", str(best)]) == 0
    (run_dir,) = tmp_path.iterdir()
    hp = json.loads((run_dir / "hyperparameters.json").read_text())
    assert hp["labels"] == "mixed" and hp["vote_weight"] == 0.7 and hp["init"] == str(best)
    assert hp["mix_classes"] == ["angry", "fear"]
    # With a learning rate of 0 only BatchNorm's moving statistics move: the convolutions are the init's.
    before = keras.saving.load_model(best).get_layer("conv1_1").get_weights()[0]
    after = keras.saving.load_model(run_dir / "last.keras").get_layer("conv1_1").get_weights()[0]
    np.testing.assert_array_equal(before, after)
    assert train.main([*flags, "--init", str(best), "--widths", "8", "16", "32"]) == 2

    # The shipped model is such a run's last epoch: its card names both runs' commands.
    from training import export

    models = tmp_path / "models"
    assert export.main([str(run_dir), "--weights", "last", "--models-dir", str(models)]) == 0
    card = json.loads((models / "emotion.json").read_text())
    assert card["data"]["targets"] == (
        "0.7 x FER+ vote distributions (Barsoum et al. 2016; training.ferplus) + 0.3 x FER2013 folder labels, "
        "in the angry, fear folders; the votes alone elsewhere"
    )
    assert card["training"]["weights"] == "last.keras (the last epoch)"
    earlier = json.loads((smoke_run[0] / "hyperparameters.json").read_text())["command"]
    assert card["training"]["started_from"] == {"weights": str(best), "command": earlier}
    assert card["training"]["command"] == hp["command"]


def test_an_exported_model_comes_back_to_keras_without_its_correction(
    ferplus_run: tuple[Path, Path], fer_zip: Path, tmp_path: Path
) -> None:
    from training import export
    from training.from_onnx import import_onnx

    run_dir, _ = ferplus_run
    bias = ["0.3", "-0.2", "0.1", "0", "-0.4", "0.2", "0"]
    flags = ["--prior-correction", "0.5", "--class-bias", *bias, "--weights", "last"]
    assert export.main([str(run_dir), "--models-dir", str(tmp_path), *flags]) == 0
    card = json.loads((tmp_path / "emotion.json").read_text())
    assert card["prior_correction"]["class_bias"] == [float(b) for b in bias]
    faces = load_split(fer_zip, "train").subset(256, seed=5).images.astype(np.float32)[..., None]
    model = import_onnx(tmp_path / "emotion.onnx", card, faces)
    import keras

    trained = keras.saving.load_model(run_dir / "last.keras")
    np.testing.assert_allclose(model.predict(faces, verbose=0), trained.predict(faces, verbose=0), atol=1e-4)
    # each batch norm now holds the statistics its input has on real faces
    first_bn = model.get_layer("bn1_1")
    conv_out = keras.Model(model.input, first_bn.input).predict(faces, verbose=0)
    np.testing.assert_allclose(first_bn.moving_mean.numpy(), conv_out.mean(axis=(0, 1, 2)), rtol=1e-3, atol=1e-3)


def test_a_distilled_run_with_weight_averaging_saves_and_exports_the_average(
    ferplus_run: tuple[Path, Path], fer_zip: Path, tmp_path: Path
) -> None:
    from training import export
    from training.teachers import distilled_targets

    _, teacher_dir = ferplus_run
    teacher = teacher_dir / "emotion.onnx"
    flags = ["--data", str(fer_zip), "--labels", "ferplus", "--limit", str(LIMIT), "--epochs", "1"]
    flags += ["--batch-size", "64", "--widths", "8", "16", "--runs-dir", str(tmp_path / "runs")]
    flags += ["--teacher", str(teacher), "--teacher-weight", "0.5", "--ema", "0.9"]
    assert train.main(flags) == 0
    (run_dir,) = (tmp_path / "runs").iterdir()
    hp = json.loads((run_dir / "hyperparameters.json").read_text())
    assert hp["teacher"] == [str(teacher)] and hp["ema"] == 0.9
    assert (run_dir / "ema.keras").is_file()
    assert export.main([str(run_dir), "--models-dir", str(tmp_path / "m"), "--weights", "ema"]) == 0
    card = json.loads((tmp_path / "m" / "emotion.json").read_text())
    assert card["training"]["weights"].startswith("ema.keras (the exponential moving average")
    # all weight on one teacher: the targets are its flip-averaged probabilities
    faces = load_split(fer_zip, "val").subset(40, seed=2).images
    soft = distilled_targets(np.zeros((40, 7), np.float32), faces, [teacher], 1.0)
    expected = EmotionClassifier(teacher, flip_average=True).classify(list(faces))
    np.testing.assert_allclose(soft, expected, atol=1e-5)


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"\x00garbage\xff" * 10, "not a readable ONNX model"), (None, "no such ONNX file")],
)
def test_importing_a_damaged_or_missing_model_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, words: str
) -> None:
    from training import from_onnx

    model = tmp_path / "emotion.onnx"
    if content is not None:
        model.write_bytes(content)
        (tmp_path / "emotion.json").write_text("{}")
    assert from_onnx.main([str(model), "--out", str(tmp_path / "out.keras")]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and str(model) in err and "\n" not in err
    assert not (tmp_path / "out.keras").exists()
