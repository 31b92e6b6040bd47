"""Batches for ``model.fit``: the one part of the training data path that needs Keras (a
``keras.utils.PyDataset``), kept apart so the augmentation in ``training.augment`` and its
tests run without TensorFlow."""

from __future__ import annotations

import math

import keras
import numpy as np
from numpy.typing import NDArray

from training.augment import AugmentConfig, augment_batch, sample_weights


class FaceBatches(keras.utils.PyDataset):  # type: ignore[misc]
    """Shuffled, augmented, weighted batches of (images float32 (B,48,48,1), targets (B,7),
    weight (B,)); ``targets`` are one-hot labels or soft vote distributions, ``weights`` are per
    class (``class_weights``)."""

    def __init__(
        self,
        images: NDArray[np.uint8],
        targets: NDArray[np.float32],
        batch_size: int,
        augment: AugmentConfig | None,
        weights: NDArray[np.float32] | None,
        seed: int,
    ) -> None:
        super().__init__(workers=1, use_multiprocessing=False)
        self.images = images
        self.targets = targets
        self.sample_weights = None if weights is None else sample_weights(targets, weights)
        self.batch_size = batch_size
        self.augment = augment
        self.weights = weights
        self.seed = seed
        self.epoch = 0
        self.order = np.arange(len(targets))
        self.on_epoch_end()

    def __len__(self) -> int:
        return math.ceil(len(self.targets) / self.batch_size)

    def on_epoch_end(self) -> None:
        # Seeded per epoch so a resumed run sees the same order it would have seen.
        if self.augment is not None:
            self.order = np.random.default_rng((self.seed, self.epoch)).permutation(len(self.targets))
        self.epoch += 1

    def __getitem__(self, index: int) -> tuple[NDArray[np.float32], ...]:
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.images[rows]
        if self.augment is not None:
            rng = np.random.default_rng((self.seed, self.epoch, index))
            images = augment_batch(images, self.augment, rng)
        x = images.astype(np.float32)[..., None]
        y = self.targets[rows]
        if self.sample_weights is None:
            return x, y
        return x, y, self.sample_weights[rows]
