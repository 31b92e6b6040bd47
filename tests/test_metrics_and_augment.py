"""Pure logic: classification figures, class weights and augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from emotune.labels import EMOTIONS
from training.augment import AugmentConfig, FaceBatches, augment_batch, class_weights
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


def test_class_weights_favour_rare_classes() -> None:
    labels = np.array([3] * 90 + [1] * 10)
    for mode in ("sqrt", "balanced"):
        w = class_weights(labels, mode)
        assert w[1] > w[3] and np.mean(w[labels]) == pytest.approx(1.0)
    assert class_weights(labels, "balanced")[1] / class_weights(labels, "balanced")[3] == pytest.approx(9.0)
    assert class_weights(labels, "sqrt")[1] / class_weights(labels, "sqrt")[3] == pytest.approx(3.0)
    assert np.allclose(class_weights(labels, "none"), 1.0)
    with pytest.raises(ValueError, match="unknown class-weight mode"):
        class_weights(labels, "loud")


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


def test_batches_have_weights_and_cover_every_image_once() -> None:
    labels = np.arange(10) % len(EMOTIONS)
    images = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((1, 48, 48), np.uint8)
    weights = class_weights(labels, "sqrt")
    batches = FaceBatches(images, labels, batch_size=4, augment=AugmentConfig(), weights=weights, seed=3)
    assert len(batches) == 3
    seen = []
    for i in range(len(batches)):
        x, y, w = batches[i]
        assert x.shape[1:] == (48, 48, 1) and x.dtype == np.float32
        seen += y.argmax(1).tolist()
        np.testing.assert_allclose(w, weights[y.argmax(1)])
    assert sorted(seen) == sorted(labels.tolist())
