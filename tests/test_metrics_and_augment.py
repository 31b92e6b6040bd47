"""Pure logic: classification figures, class weights and augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from emotune.labels import EMOTIONS
from training.augment import AugmentConfig, augment_batch, class_weights, webcam_effects
from training.metrics import format_report, report


def test_report_counts_and_absent_classes() -> None:
    labels = np.array([3, 3, 3, 5, 5, 0])
    predicted = np.array([3, 3, 5, 5, 3, 0])
    r = report(labels, predicted)
    assert r["n"] == 6 and r["accuracy"] == pytest.approx(4 / 6)
    happy = r["per_class"]["happy"]
    assert happy["precision"] == pytest.approx(2 / 3) and happy["recall"] == pytest.approx(2 / 3)
    assert happy["f1"] == pytest.approx(2 / 3) and happy["support"] == 3
    assert r["per_class"]["disgust"] == {"precision": None, "recall": None, "f1": None, "support": 0}
    assert r["confusion"][3] == [0, 0, 0, 2, 0, 1, 0]
    assert r["macro_f1"] == pytest.approx(np.mean([1.0, 2 / 3, 0.5]))
    assert "disgust" in format_report(r)


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(len(EMOTIONS), dtype=np.float32)[labels]


def test_class_weights_favour_rare_classes() -> None:
    labels = np.array([3] * 90 + [1] * 10)
    targets = one_hot(labels)
    for mode in ("sqrt", "balanced"):
        w = class_weights(targets, mode)
        assert w[1] > w[3] and np.mean(w[labels]) == pytest.approx(1.0)
    assert class_weights(targets, "balanced")[1] / class_weights(targets, "balanced")[3] == pytest.approx(9.0)
    assert class_weights(targets, "sqrt")[1] / class_weights(targets, "sqrt")[3] == pytest.approx(3.0)
    assert np.allclose(class_weights(targets, "none"), 1.0)
    with pytest.raises(ValueError, match="unknown class-weight mode"):
        class_weights(targets, "loud")


def test_class_weights_of_soft_targets_count_each_class_by_its_vote_mass() -> None:
    # 90 faces 80% happy / 20% disgust, 10 faces all disgust: happy mass 72, disgust 28.
    targets = np.zeros((100, len(EMOTIONS)), dtype=np.float32)
    targets[:90, 3], targets[:90, 1], targets[90:, 1] = 0.8, 0.2, 1.0
    w = class_weights(targets, "balanced")
    assert w[1] / w[3] == pytest.approx(72 / 28, rel=1e-5)
    assert np.mean(targets @ w) == pytest.approx(1.0)


def test_augmentation_is_seeded_and_keeps_the_shape() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(16, 48, 48), dtype=np.uint8)
    a = augment_batch(images, AugmentConfig(), np.random.default_rng(1))
    b = augment_batch(images, AugmentConfig(), np.random.default_rng(1))
    assert a.shape == images.shape and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, images)


def test_flip_only_augmentation_mirrors_exactly() -> None:
    image = np.tile(np.arange(48, dtype=np.uint8), (48, 1))[None]
    config = AugmentConfig(max_rotation_deg=0, max_shift=0, max_zoom=0, erase_prob=0)
    outcomes = {augment_batch(image, config, np.random.default_rng(s))[0, 0, 0] for s in range(20)}
    assert outcomes == {0, 47}  # left column stays 0, or is the old right column after a mirror


@pytest.mark.parametrize(
    ("effect", "check"),
    [
        (
            "blur_prob",
            lambda before, after: (
                np.abs(np.diff(after.astype(int))).mean() < np.abs(np.diff(before.astype(int))).mean()
            ),
        ),
        ("light_prob", lambda before, after: not np.array_equal(before, after)),
        ("noise_prob", lambda before, after: 0 < np.abs(after.astype(int) - before).mean() < 20),
        ("jpeg_prob", lambda before, after: 0 < np.abs(after.astype(int) - before).mean() < 30),
    ],
)
def test_each_webcam_effect_changes_the_face_and_only_when_asked(effect: str, check: object) -> None:
    image = np.random.default_rng(5).integers(0, 256, size=(48, 48), dtype=np.uint8)
    untouched = webcam_effects(image, AugmentConfig(), np.random.default_rng(0))
    np.testing.assert_array_equal(untouched, image)  # every effect is off by default
    changed = webcam_effects(image, AugmentConfig(**{effect: 1.0}), np.random.default_rng(0))
    assert changed.shape == (48, 48) and changed.dtype == np.uint8
    assert callable(check) and check(image, changed)
