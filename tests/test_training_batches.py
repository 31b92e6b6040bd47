"""The batch feeder Keras trains from (``training.batches``): needs the ``train`` extra."""

from __future__ import annotations

import numpy as np
import pytest

from emotune.labels import EMOTIONS
from training.augment import AugmentConfig, class_weights

# Marked so that a venv without TensorFlow deselects it (tests/conftest.py); imported in the
# test so that collecting this file needs no Keras either.
pytestmark = pytest.mark.training


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(len(EMOTIONS), dtype=np.float32)[labels]


def test_batches_have_weights_and_cover_every_image_once() -> None:
    from training.batches import FaceBatches

    labels = np.arange(10) % len(EMOTIONS)
    images = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((1, 48, 48), np.uint8)
    weights = class_weights(one_hot(labels), "sqrt")
    batches = FaceBatches(images, one_hot(labels), batch_size=4, augment=AugmentConfig(), weights=weights, seed=3)
    assert len(batches) == 3
    seen = []
    for i in range(len(batches)):
        x, y, w = batches[i]
        assert x.shape[1:] == (48, 48, 1) and x.dtype == np.float32
        seen += y.argmax(1).tolist()
        np.testing.assert_allclose(w, weights[y.argmax(1)])
    assert sorted(seen) == sorted(labels.tolist())
