"""The command lines as users run them: output contracts and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.errors import ExitStatus
from emotune.labels import EMOTIONS
from testbed.paths import ASTRONAUT, REPO
from tests.support.files import one_error_line, run_into_closed_pipe, write_png
from tests.support.models import write_uniform_model, write_wrong_output_model

Faces = dict[str, list[NDArray[np.uint8]]]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=REPO, timeout=300)


@pytest.fixture()
def two_class_dir(tmp_path: Path, val_faces: Faces) -> Path:
    """A class-folder directory with only some classes present."""
    for name in ("happy", "surprise"):
        for i, face in enumerate(val_faces[name]):
            write_png(tmp_path / "faces" / name / f"{i}.png", face)
    return tmp_path / "faces"


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_json_on_data_with_absent_classes(two_class_dir: Path, tmp_path: Path) -> None:
    result = run("training.evaluate", str(two_class_dir), "--json", "--plots", str(tmp_path / "plots"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 10 and 0.0 <= report["accuracy"] <= 1.0
    assert set(report["per_class"]) == set(EMOTIONS)
    assert report["per_class"]["happy"]["support"] == 5 and report["per_class"]["angry"]["support"] == 0
    assert report["per_class"]["angry"]["recall"] is None
    assert np.asarray(report["confusion"]).sum() == 10
    assert (tmp_path / "plots" / "confusion.png").is_file()


@pytest.mark.data
def test_evaluate_table(two_class_dir: Path) -> None:
    result = run("training.evaluate", str(two_class_dir))
    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout and "confusion (rows true, columns predicted)" in result.stdout
    assert all(name in result.stdout for name in EMOTIONS)


@pytest.mark.slow
@pytest.mark.data
def test_evaluate_bad_inputs(two_class_dir: Path, tmp_path: Path) -> None:
    assert "nothing-here: no such file or directory" in one_error_line(
        run("training.evaluate", str(tmp_path / "nothing-here"))
    )

    (two_class_dir / "happy" / "broken.png").write_bytes(b"not an image at all")
    assert "broken.png: not a readable image" in one_error_line(run("training.evaluate", str(two_class_dir)))
    (two_class_dir / "happy" / "broken.png").unlink()

    assert "absent.onnx: emotion model not found" in one_error_line(
        run("training.evaluate", str(two_class_dir), "--model", str(tmp_path / "absent.onnx"))
    )
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"\x08\x07garbage")
    assert "corrupt.onnx: not a readable ONNX model" in one_error_line(
        run("training.evaluate", str(two_class_dir), "--model", str(corrupt))
    )
    wrong = write_wrong_output_model(tmp_path / "three.onnx", 3)
    assert "three.onnx: model gives outputs of shape (1, 3), expected (1, 7)" in one_error_line(
        run("training.evaluate", str(two_class_dir), "--model", str(wrong))
    )


@pytest.mark.data
def test_a_model_that_gives_nan_is_one_line_never_nan_in_the_json(two_class_dir: Path, tmp_path: Path) -> None:
    # Valid probabilities for a mid-grey face (the load check), NaN for any darker pixel.
    nan = write_uniform_model(tmp_path / "nan.onnx", nan_below=100.0)
    result = run("training.evaluate", str(two_class_dir), "--model", str(nan), "--json")
    assert one_error_line(result).endswith(
        "nan.onnx: model gives non-numbers (NaN or infinity) for a face; the model file is damaged or not an "
        "emotion model"
    )
    assert result.stdout == ""


def single_face_model(folder: Path, card: object) -> Path:
    """An emotion model fixed to one face per run, with ``card`` as its model card."""
    folder.mkdir()
    (folder / "emotion.json").write_text(card if isinstance(card, str) else json.dumps(card), encoding="utf-8")
    return write_uniform_model(folder / "emotion.onnx", batch=1)


@pytest.mark.data
def test_a_model_fixed_to_one_face_per_run_still_gets_flip_averaging(two_class_dir: Path, tmp_path: Path) -> None:
    # Its card asks for flip averaging, which sends two views per face.
    model = single_face_model(tmp_path / "single", {"labels": list(EMOTIONS), "test_time_flip": True})
    result = run("training.evaluate", str(two_class_dir), "--model", str(model), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 10 and report["flip_average"] is True


@pytest.mark.data
@pytest.mark.parametrize(
    ("card", "problem"),
    [
        ({"labels": 5}, f"labels 5 differ from {list(EMOTIONS)}"),
        ({"labels": list(EMOTIONS), "test_time_flip": "yes"}, "test_time_flip 'yes' is not true or false"),
        ("[" * 3000 + "]" * 3000, "unreadable model card (nested too deeply)"),
        ("\ufeff" + json.dumps({"labels": 5}), f"labels 5 differ from {list(EMOTIONS)}"),  # BOM: read, then checked
    ],
)
def test_a_model_card_with_unusable_fields_is_one_line(
    two_class_dir: Path, tmp_path: Path, card: object, problem: str
) -> None:
    model = single_face_model(tmp_path / "model", card)
    line = one_error_line(run("training.evaluate", str(two_class_dir), "--model", str(model)))
    assert line.endswith(f"{model.with_name('emotion.json')}: {problem}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ("classify", str(ASTRONAUT), "--json"),
        ("analyze", str(ASTRONAUT), "--json"),
        ("analyze", str(ASTRONAUT)),
        ("recommend", "happy", "--offline"),
        ("journal",),
    ],
)
def test_output_into_a_closed_pipe_ends_quietly(command: tuple[str, ...]) -> None:
    # `python -m emotune analyze X --json | head -1`: no BrokenPipeError traceback, no
    # "Exception ignored" line; the status a shell gives Unix tools killed by SIGPIPE.
    result = run_into_closed_pipe([sys.executable, "-m", "emotune", *command], cwd=REPO)
    assert result.stderr == ""
    assert result.returncode == ExitStatus.BROKEN_PIPE == 141


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    result = run("training.evaluate", str(tmp_path / "nothing-here"), "--verbose")
    assert result.returncode != 0 and "Traceback" in result.stderr


@pytest.mark.slow
@pytest.mark.data
def test_train_bad_inputs(tmp_path: Path, val_faces: Faces) -> None:
    assert "--data is required" in one_error_line(run("training.train"))
    assert "missing.zip: no such file or directory" in one_error_line(
        run("training.train", "--data", str(tmp_path / "missing.zip"))
    )
    write_png(tmp_path / "d" / "train" / "sad" / "0.png", val_faces["sad"][0])
    (tmp_path / "d" / "train" / "sad" / "1.png").write_bytes(b"corrupt")
    assert "1.png: not a readable image" in one_error_line(
        run("training.train", "--data", str(tmp_path / "d"), "--cache-dir", str(tmp_path / "c"))
    )
    assert "not a run folder" in one_error_line(run("training.train", "--resume", str(tmp_path)))


@pytest.mark.slow
def test_export_bad_input(tmp_path: Path) -> None:
    assert "not a run folder" in one_error_line(run("training.export", str(tmp_path)))


def test_emotune_help_lists_the_commands() -> None:
    result = run("emotune", "--help")
    assert result.returncode == 0
    for command in ("analyze", "classify", "bench", "recommend", "--self-test", "--source", "--offline", "--mood"):
        assert command in result.stdout
