"""FER+ votes: the paper's noise rules, the contempt choice, the join on image paths, and
``training.evaluate`` reporting folder labels and FER+ majority side by side."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from training import evaluate
from training.data import DataError, Dataset, load_split
from training.ferplus import (
    FERPLUS_COLUMNS,
    load_votes,
    majority_labels,
    majority_of,
    mixed_targets,
    vote_targets,
    with_vote_targets,
)

HEADER = "file," + ",".join(FERPLUS_COLUMNS)
# Votes in FER+ column order: neutral happiness surprise sadness anger disgust fear contempt unknown NF
ROWS = {
    "val/happy/clear.png": [1, 8, 1, 0, 0, 0, 0, 0, 0, 0],  # single votes dropped: all happy
    "val/fear/mixed.png": [0, 0, 4, 0, 0, 0, 4, 0, 2, 0],  # 40/40 surprise/fear, no majority
    "val/sad/unknown.png": [3, 0, 0, 2, 0, 0, 0, 0, 5, 0],  # largest count unknown: dropped
    "val/neutral/notaface.png": [2, 0, 0, 0, 0, 0, 0, 0, 0, 8],  # largest count NF: dropped
    "val/angry/contempt.png": [2, 0, 0, 0, 2, 0, 0, 6, 0, 0],  # largest count contempt: dropped
    "val/angry/tie.png": [0, 0, 0, 0, 4, 0, 0, 2, 4, 0],  # anger ties unknown: kept, the paper's argmax
    "val/disgust/onlyones.png": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # nothing left after the rule
}


def counts(name: str) -> NDArray[np.int64]:
    return np.array([ROWS[name]], dtype=np.int64)


def distribution(**shares: float) -> list[float]:
    return [shares.get(label, 0.0) for label in EMOTIONS]


def test_single_votes_are_noise_and_the_rest_is_renormalised_over_our_labels() -> None:
    targets, keep = vote_targets(counts("val/happy/clear.png"))
    assert keep.tolist() == [True]
    np.testing.assert_allclose(targets[0], distribution(happy=1.0))
    targets, keep = vote_targets(counts("val/fear/mixed.png"))
    assert keep.tolist() == [True]  # unknown votes are not ours: renormalised away
    np.testing.assert_allclose(targets[0], distribution(surprise=0.5, fear=0.5))


@pytest.mark.parametrize(
    "name", ["val/sad/unknown.png", "val/neutral/notaface.png", "val/angry/contempt.png", "val/disgust/onlyones.png"]
)
def test_unknown_not_a_face_contempt_and_empty_images_are_dropped(name: str) -> None:
    targets, keep = vote_targets(counts(name))
    assert keep.tolist() == [False] and not targets.any()
    assert majority_labels(counts(name)).tolist() == [-1]


def test_contempt_votes_are_dropped_not_folded_into_disgust() -> None:
    targets, keep = vote_targets(counts("val/angry/tie.png"))
    assert keep.tolist() == [True]
    np.testing.assert_allclose(targets[0], distribution(angry=1.0))


def test_mixed_targets_add_the_folder_label_to_all_images_or_only_to_the_folders_named() -> None:
    votes = np.array([distribution(neutral=1.0), distribution(neutral=0.5, fear=0.5)], dtype=np.float32)
    labels = np.array([EMOTIONS.index("happy"), EMOTIONS.index("fear")])
    faces = Dataset(np.zeros((2, 48, 48), np.uint8), labels, None, votes)
    np.testing.assert_allclose(
        mixed_targets(faces, 0.75), [distribution(neutral=0.75, happy=0.25), distribution(neutral=0.375, fear=0.625)]
    )
    np.testing.assert_allclose(
        mixed_targets(faces, 0.5, ["fear"]), [distribution(neutral=1.0), distribution(neutral=0.25, fear=0.75)]
    )
    with pytest.raises(ValueError, match="need the votes"):
        mixed_targets(Dataset(faces.images, labels), 0.5)


def test_majority_needs_more_than_half_of_all_cleaned_votes() -> None:
    assert majority_labels(counts("val/happy/clear.png")).tolist() == [EMOTIONS.index("happy")]
    assert majority_labels(counts("val/fear/mixed.png")).tolist() == [-1]  # 4 of 10
    assert majority_labels(counts("val/angry/tie.png")).tolist() == [-1]  # 4 of 10: unknown votes count


@pytest.fixture
def tiny_data(tmp_path: Path, val_faces: dict[str, list[NDArray[np.uint8]]]) -> Path:
    """A zip of the rows' images plus one image without a row, and ferplus.csv beside it."""
    data = tmp_path / "faces.zip"
    with zipfile.ZipFile(data, "w") as archive:
        for name in [*ROWS, "val/surprise/norow.png"]:
            label = name.split("/")[1]
            archive.writestr(name, cv2.imencode(".png", val_faces[label][0])[1].tobytes())
    lines = [HEADER, *(f"{name},{','.join(map(str, votes))}" for name, votes in ROWS.items())]
    (tmp_path / "ferplus.csv").write_text("\n".join(lines) + "\n")
    return data


def test_votes_join_the_images_by_their_path_in_the_zip(tiny_data: Path) -> None:
    val = load_split(tiny_data, "val")
    votes = load_votes(tiny_data.parent / "ferplus.csv")
    kept, dropped = with_vote_targets(val, votes)
    assert sorted(map(str, kept.names)) == ["val/angry/tie.png", "val/fear/mixed.png", "val/happy/clear.png"]
    assert (dropped.no_row, dropped.not_an_emotion) == (1, 4)
    assert kept.targets is not None and np.allclose(kept.targets.sum(axis=1), 1.0)
    by_name = dict(zip(map(str, val.names), majority_of(val, votes).tolist(), strict=True))
    assert by_name["val/happy/clear.png"] == EMOTIONS.index("happy")
    assert by_name["val/surprise/norow.png"] == -1


def test_votes_for_other_data_and_bad_files_are_one_line_errors(tiny_data: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "\nval/happy/elsewhere.png," + ",".join(["1"] * 10) + "\n")
    with pytest.raises(DataError, match=r"no image of this data has FER\+ votes"):
        with_vote_targets(load_split(tiny_data, "val"), load_votes(other))
    other.write_text("file,neutral,happiness\nx.png,1,2\n")
    with pytest.raises(DataError, match=r"other\.csv: not a FER\+ votes file \(missing columns: surprise"):
        load_votes(other)
    other.write_text(HEADER + "\nx.png,1,2,three,0,0,0,0,0,0,0\n")
    with pytest.raises(DataError, match=r"other\.csv line 2: malformed row"):
        load_votes(other)


def test_evaluate_reports_folder_labels_and_ferplus_majority(
    tiny_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert evaluate.main([str(tiny_data), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == len(ROWS) + 1  # folder labels: every image
    majority = result["ferplus_majority"]
    assert majority["n"] == 1  # only clear.png has a majority
    assert majority["per_class"]["happy"]["support"] == 1 and set(majority["per_class"]) == set(EMOTIONS)
    assert evaluate.main([str(tiny_data)]) == 0
    text = capsys.readouterr().out
    assert "folder labels:" in text and "FER+ majority" in text and "accuracy" in text
    # No votes beside the data and none named: the folder figure alone.
    (tiny_data.parent / "ferplus.csv").unlink()
    assert evaluate.main([str(tiny_data), "--json"]) == 0
    assert "ferplus_majority" not in json.loads(capsys.readouterr().out)


def test_evaluate_names_a_missing_votes_file(tiny_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(tiny_data), "--ferplus", str(tiny_data.parent / "nope.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.csv: cannot be opened" in err


def test_evaluate_writes_the_majority_figures_into_its_models_card_only(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from emotune.resources import resource_path

    model = tmp_path / "emotion.onnx"
    shutil.copy(resource_path("models", "emotion.onnx"), model)
    card = json.loads(resource_path("models", "emotion.json").read_text())
    card = {k: v for k, v in card.items() if "ferplus" not in k}
    (tmp_path / "emotion.json").write_text(json.dumps(card))
    assert evaluate.main([str(tiny_data), "--model", str(model), "--card", str(tmp_path / "emotion.json")]) == 0
    written = json.loads((tmp_path / "emotion.json").read_text())
    assert written["val_ferplus_majority_images"] == 1
    assert written["val_ferplus_majority_accuracy"] == written["val_ferplus_majority_accuracy_flip"]
    assert set(written["val_ferplus_majority_per_class"]) == set(EMOTIONS)
    assert written["onnx_sha256"] == card["onnx_sha256"]  # nothing else changed
    capsys.readouterr()
    other = resource_path("models", "emotion-int8.onnx")
    assert evaluate.main([str(tiny_data), "--model", str(other), "--card", str(tmp_path / "emotion.json")]) == 2
    assert "describes another model than" in capsys.readouterr().err
