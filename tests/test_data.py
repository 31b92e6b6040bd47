"""Dataset loading: both layouts, dirs and zips, the cache, and every kind of bad input."""

from __future__ import annotations

import logging
import shutil
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from tests.support.files import write_png
from training.data import DataError, available_splits, load_split, resolve_split

pytestmark = pytest.mark.data

Faces = dict[str, list[NDArray[np.uint8]]]


def make_class_folders(root: Path, faces: Faces, split: str = "train", classes: tuple[str, ...] = EMOTIONS) -> Path:
    for name in classes:
        for i, face in enumerate(faces[name][:3]):
            write_png(root / split / name / f"{name}_{i}.png", face)
    return root


def zip_dir(src: Path, dst: Path) -> Path:
    with zipfile.ZipFile(dst, "w") as archive:
        for path in sorted(src.rglob("*")):
            archive.write(path, path.relative_to(src).as_posix())
    return dst


def test_class_folders_from_directory_and_zip_agree(tmp_path: Path, val_faces: Faces) -> None:
    root = make_class_folders(tmp_path / "data", val_faces)
    from_dir = load_split(root, "train")
    from_zip = load_split(zip_dir(root, tmp_path / "data.zip"), "train")
    assert len(from_dir) == 3 * len(EMOTIONS)
    assert from_dir.images.shape == (21, 48, 48) and from_dir.images.dtype == np.uint8
    assert from_dir.class_counts().tolist() == [3] * 7
    np.testing.assert_array_equal(from_dir.images, from_zip.images)
    np.testing.assert_array_equal(from_dir.labels, from_zip.labels)
    # Pixels survive the round trip exactly (PNG is lossless, 48x48 needs no resize).
    np.testing.assert_array_equal(from_dir.images[0], val_faces[EMOTIONS[from_dir.labels[0]]][0])


def test_images_of_other_sizes_and_colour_are_made_48x48_grey(tmp_path: Path, val_faces: Faces) -> None:
    big = cv2.cvtColor(cv2.resize(val_faces["happy"][0], (96, 96)), cv2.COLOR_GRAY2BGR)
    write_png(tmp_path / "happy" / "big.jpg", big)
    dataset = load_split(tmp_path, "")
    assert dataset.images.shape == (1, 48, 48)
    assert dataset.labels.tolist() == [EMOTIONS.index("happy")]
    assert np.abs(dataset.images[0].astype(int) - val_faces["happy"][0]).mean() < 6


def test_kaggle_test_split_answers_for_val(tmp_path: Path, val_faces: Faces) -> None:
    root = make_class_folders(tmp_path, val_faces, split="test", classes=("happy", "sad"))
    make_class_folders(tmp_path, val_faces, split="train")
    assert available_splits(root) == ["test", "train"]
    assert resolve_split(root, "val") == "test"
    with pytest.raises(DataError, match=r"no split named 'holdout' \(splits found: 'test', 'train'\)"):
        resolve_split(root, "holdout")


def test_empty_class_folder_stray_file_and_unknown_folder_warn(
    tmp_path: Path, val_faces: Faces, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_class_folders(tmp_path, val_faces, classes=("angry", "happy"))
    (root / "train" / "disgust").mkdir()
    (root / "train" / "happy" / "notes.txt").write_text("not a face")
    write_png(root / "train" / "contempt" / "x.png", val_faces["angry"][0])
    with caplog.at_level(logging.WARNING):
        dataset = load_split(root, "train")
    assert dataset.class_counts().tolist() == [3, 0, 0, 3, 0, 0, 0]
    messages = "\n".join(caplog.messages)
    assert "class folder train/disgust is empty" in messages
    assert "train/happy/notes.txt is not an image file, skipped" in messages
    assert "folder train/contempt is not one of the emotions" in messages


def test_corrupt_image_is_an_error_naming_the_file(tmp_path: Path, val_faces: Faces) -> None:
    root = make_class_folders(tmp_path / "data", val_faces, classes=("fear",))
    (root / "train" / "fear" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataError, match=r"broken\.png: not a readable image"):
        load_split(root, "train")
    with pytest.raises(DataError, match=r"data\.zip:train/fear/broken\.png: not a readable image"):
        load_split(zip_dir(root, tmp_path / "data.zip"), "train")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.zip", "missing.zip: no such file or directory"),
        (lambda p: (p / "x.zip").write_bytes(b"PK not really") and p / "x.zip", "not a zip archive"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "no images found in class folders"),
    ],
)
def test_unusable_sources(tmp_path: Path, make: object, message: str) -> None:
    source = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(DataError, match=message):
        load_split(source, "train")


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("emotion,pixels,Usage\n" + "\n".join(rows) + "\n")
    return path


def pixels(image: NDArray[np.uint8]) -> str:
    return " ".join(str(v) for v in image.ravel())


def test_fer2013_csv_maps_its_label_order_and_skips_malformed_rows(
    tmp_path: Path, val_faces: Faces, caplog: pytest.LogCaptureFixture
) -> None:
    sad, neutral, happy = val_faces["sad"][0], val_faces["neutral"][0], val_faces["happy"][0]
    csv_path = write_csv(
        tmp_path / "fer2013.csv",
        [
            f"4,{pixels(sad)},Training",  # 4 is sad in the CSV
            f"6,{pixels(neutral)},Training",  # 6 is neutral in the CSV
            f"3,{pixels(happy)},PublicTest",
            "3,1 2 3,Training",  # too few pixels
            f"9,{pixels(happy)},Training",  # no such label
            "oops",  # not even the columns
        ],
    )
    with caplog.at_level(logging.WARNING):
        train = load_split(csv_path, "train")
    assert train.labels.tolist() == [EMOTIONS.index("sad"), EMOTIONS.index("neutral")]
    np.testing.assert_array_equal(train.images[0], sad)
    assert sum("malformed row skipped" in m for m in caplog.messages) == 3
    assert "line 5" in "\n".join(caplog.messages)
    val = load_split(csv_path, "val")
    assert val.labels.tolist() == [EMOTIONS.index("happy")]


def test_csv_without_the_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(
        DataError, match=r"other\.csv: not a fer2013\.csv file \(missing columns: emotion, pixels, usage\)"
    ):
        load_split(path, "train")


def test_cache_makes_the_second_load_read_no_images(tmp_path: Path, val_faces: Faces) -> None:
    root = make_class_folders(tmp_path / "data", val_faces)
    cache = tmp_path / "cache"
    first = load_split(root, "train", cache)
    assert len(list(cache.glob("*.npz"))) == 1
    # Overwrite every image with garbage (folder listings unchanged): only a cache hit can load.
    for png in (root / "train").rglob("*.png"):
        png.write_bytes(b"garbage")
    second = load_split(root, "train", cache)
    np.testing.assert_array_equal(first.images, second.images)
    # A changed dataset (a class folder gone) is a different cache entry, decoded afresh.
    shutil.rmtree(root / "train" / "angry")
    with pytest.raises(DataError, match="not a readable image"):
        load_split(root, "train", cache)
